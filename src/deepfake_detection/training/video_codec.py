"""One frame through a video codec, as a face in platform video has been: H.264 or H.265 at a high
CRF.

Heavily compressed video (FaceForensics++ c40, re-encoded uploads) smears a face in ways JPEG
does not: 4x4/8x8 integer transforms, deblocking, chroma at quarter resolution and a rate control
that spends few bits on a small face. A single intra-coded frame carries those artefacts. H.265
(HEVC, what phones record and many platforms re-encode to) codes in larger, variable blocks with
different filters, so its artefacts are a second, different kind.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Literal, cast

import av
import numpy as np
import numpy.typing as npt
from av.video.codeccontext import VideoCodecContext

Image = npt.NDArray[np.uint8]
Codec = Literal["h264", "h265"]

# codec -> (encoder, decoder, extra encoder options); x265 prints its settings unless told not to.
_CODECS: dict[Codec, tuple[str, str, dict[str, str]]] = {
    "h264": ("libx264", "h264", {}),
    "h265": ("libx265", "hevc", {"x265-params": "log-level=error:pools=none:frame-threads=1"}),
}
# x265 refuses frames smaller than its 8x8 minimum coding unit plus margins; 16 suits both.
_MIN_SIDE = 16


def codec_frame(image: Image, codec: Codec, crf: int, preset: str = "veryfast") -> Image:
    """``image`` (H, W, 3 RGB) encoded as one ``codec`` frame at ``crf`` and decoded again.

    4:2:0 needs even sides, and the encoders a minimum size: a side is padded by repeating the
    edge, and the padding cropped off after.
    """
    height, width = image.shape[:2]
    pad_h = max(_MIN_SIDE, height + height % 2) - height
    pad_w = max(_MIN_SIDE, width + width % 2) - width
    padded = np.pad(image, ((0, pad_h), (0, pad_w), (0, 0)), mode="edge")
    encoder_name, decoder_name, extra = _CODECS[codec]
    encoder = cast(VideoCodecContext, av.CodecContext.create(encoder_name, "w"))
    encoder.width, encoder.height = padded.shape[1], padded.shape[0]
    encoder.pix_fmt = "yuv420p"
    encoder.time_base = Fraction(1, 25)
    encoder.thread_count = 1
    encoder.options = {"crf": str(crf), "preset": preset, "tune": "zerolatency", **extra}
    frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(padded), format="rgb24")
    packets = [*encoder.encode(frame), *encoder.encode(None)]
    decoder = cast(VideoCodecContext, av.CodecContext.create(decoder_name, "r"))
    decoded = [f for packet in packets for f in decoder.decode(packet)]
    decoded += decoder.decode(None)
    if not decoded:
        return image
    out = decoded[0].to_ndarray(format="rgb24")
    return np.ascontiguousarray(out[:height, :width], dtype=np.uint8)


def h264_frame(image: Image, crf: int, preset: str = "veryfast") -> Image:
    return codec_frame(image, "h264", crf, preset)


def h265_frame(image: Image, crf: int, preset: str = "veryfast") -> Image:
    return codec_frame(image, "h265", crf, preset)
