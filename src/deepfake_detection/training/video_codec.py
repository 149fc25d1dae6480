"""One frame through a video codec, as a face in platform video has been: H.264 at a high CRF.

Heavily compressed video (FaceForensics++ c40, re-encoded uploads) smears a face in ways JPEG
does not: 4x4/8x8 integer transforms, deblocking, chroma at quarter resolution and a rate control
that spends few bits on a small face. A single intra-coded frame carries those artefacts.
"""

from __future__ import annotations

from fractions import Fraction

import av
import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]


def h264_frame(image: Image, crf: int, preset: str = "veryfast") -> Image:
    """``image`` (H, W, 3 RGB) encoded as one H.264 frame at ``crf`` and decoded again.

    4:2:0 needs even sides: an odd side is padded by repeating the edge, and cropped off after.
    """
    height, width = image.shape[:2]
    padded = np.pad(image, ((0, height % 2), (0, width % 2), (0, 0)), mode="edge")
    encoder = av.CodecContext.create("libx264", "w")
    encoder.width, encoder.height = padded.shape[1], padded.shape[0]
    encoder.pix_fmt = "yuv420p"
    encoder.time_base = Fraction(1, 25)
    encoder.thread_count = 1
    encoder.options = {"crf": str(crf), "preset": preset, "tune": "zerolatency"}
    frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(padded), format="rgb24")
    packets = [*encoder.encode(frame), *encoder.encode(None)]
    decoder = av.CodecContext.create("h264", "r")
    decoded = [f for packet in packets for f in decoder.decode(packet)]
    decoded += decoder.decode(None)
    if not decoded:
        return image
    out = decoded[0].to_ndarray(format="rgb24")
    return np.ascontiguousarray(out[:height, :width], dtype=np.uint8)
