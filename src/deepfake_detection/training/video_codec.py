"""Faces through video codecs, as a face in platform video has been.

Heavily compressed video (FaceForensics++ c40, re-encoded uploads) smears a face in ways JPEG
does not: 4x4/8x8 integer transforms, deblocking, chroma at quarter resolution and a rate control
that spends few bits on a small face. H.265 (HEVC, what phones record and many platforms
re-encode to) codes in larger, variable blocks with different filters.

A model trained on one encoder configuration learns that configuration, not compression: the same
CRF through another preset, tune or frame type looks different. So training draws an
:class:`Encoding` (codec, preset, tune, CRF, an intra frame or a later frame of a short clip with a
little motion, and sometimes a second encode on top), while validation keeps a codec that training
never draws (:data:`HELD_OUT_CODECS`) to measure compression it has not seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal, cast

import av
import cv2
import numpy as np
import numpy.typing as npt
from av.video.codeccontext import VideoCodecContext

Image = npt.NDArray[np.uint8]
Codec = Literal["h264", "h265", "mpeg4", "vp9"]

# codec -> (encoder, decoder, extra encoder options); x265 prints its settings unless told not to.
_CODECS: dict[Codec, tuple[str, str, dict[str, str]]] = {
    "h264": ("libx264", "h264", {}),
    "h265": ("libx265", "hevc", {"x265-params": "log-level=error:pools=none:frame-threads=1"}),
    "mpeg4": ("mpeg4", "mpeg4", {}),
    "vp9": ("libvpx-vp9", "vp9", {"deadline": "realtime", "cpu-used": "8", "row-mt": "0"}),
}
# The codecs that training draws; the others are validation's held-out encoders.
TRAINING_CODECS: tuple[Codec, ...] = ("h264", "h265")
HELD_OUT_CODECS: tuple[Codec, ...] = ("mpeg4", "vp9")
PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow")
# x264's tunes; x265 has no "film", and its "grain" is the nearest.
TUNES: dict[Codec, tuple[str | None, ...]] = {
    "h264": (None, "film", "zerolatency"),
    "h265": (None, "grain", "zerolatency"),
}
# The encoders refuse frames smaller than their minimum coding unit plus margins; 16 suits all
# but x265, which corrupts memory when it inter-codes a frame smaller than its 64 px coding tree
# unit (seen at 48 px). Sides are also padded to whole 16 px macroblocks. The validation crops
# (192 and 96 px) need no padding.
_MIN_SIDE: dict[Codec, int] = {"h264": 16, "h265": 64, "mpeg4": 16, "vp9": 16}
_BLOCK = 16


@dataclass(frozen=True)
class Encoding:
    """One encoder configuration. ``frames`` > 1 encodes a clip in which the image moves a little
    from frame to frame and keeps the last frame (inter-coded, as most frames of a video are).
    ``quality`` is the CRF for H.264/H.265/VP9 and the quantiser (qscale, 2-31) for MPEG-4."""

    codec: Codec
    quality: int
    preset: str | None = "veryfast"
    tune: str | None = "zerolatency"
    frames: int = 1


def _pad(image: Image, min_side: int) -> Image:
    height, width = image.shape[:2]
    pad_h = max(min_side, height + -height % _BLOCK) - height
    pad_w = max(min_side, width + -width % _BLOCK) - width
    return np.pad(image, ((0, pad_h), (0, pad_w), (0, 0)), mode="edge")


def _clip(image: Image, frames: int, motion: tuple[float, float]) -> list[Image]:
    """``frames`` copies of ``image``, each shifted by ``motion`` pixels more than the last (a
    slow pan), ending on the unshifted image so that the kept frame is the input's framing."""
    height, width = image.shape[:2]
    out = []
    for k in range(frames - 1, -1, -1):
        matrix = np.array([[1.0, 0.0, -k * motion[0]], [0.0, 1.0, -k * motion[1]]])
        shifted = cv2.warpAffine(
            image, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT
        )
        out.append(np.asarray(shifted, dtype=np.uint8))
    return out


def encode(image: Image, encoding: Encoding, motion: tuple[float, float] = (1.0, 0.5)) -> Image:
    """``image`` (H, W, 3 RGB) through ``encoding`` and decoded again.

    4:2:0 needs even sides, and the encoders a minimum size: a side is padded to whole 16 px
    macroblocks by repeating the edge, and the padding cropped off after.
    """
    height, width = image.shape[:2]
    padded = _pad(image, _MIN_SIDE[encoding.codec])
    encoder_name, decoder_name, extra = _CODECS[encoding.codec]
    encoder = cast(VideoCodecContext, av.CodecContext.create(encoder_name, "w"))
    encoder.width, encoder.height = padded.shape[1], padded.shape[0]
    encoder.pix_fmt = "yuv420p"
    encoder.time_base = Fraction(1, 25)
    encoder.framerate = Fraction(25, 1)
    encoder.thread_count = 1
    options = dict(extra)
    if encoding.codec == "mpeg4":
        # A fixed quantiser, as ``ffmpeg -q:v`` (which sets each frame's quality, a field PyAV
        # does not expose): the rate control clamped to one quantiser does the same.
        encoder.qmin = encoder.qmax = encoding.quality
    else:
        options["crf"] = str(encoding.quality)
        if encoding.codec == "vp9":
            options["b"] = "0"
        if encoding.preset is not None and encoding.codec in TRAINING_CODECS:
            options["preset"] = encoding.preset
        if encoding.tune is not None and encoding.codec in TRAINING_CODECS:
            options["tune"] = encoding.tune
    encoder.options = options
    frames = _clip(padded, encoding.frames, motion) if encoding.frames > 1 else [padded]
    packets = []
    for index, pixels in enumerate(frames):
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(pixels), format="rgb24")
        frame.pts = index
        packets += encoder.encode(frame)
    packets += encoder.encode(None)
    decoder = cast(VideoCodecContext, av.CodecContext.create(decoder_name, "r"))
    decoded = [f for packet in packets for f in decoder.decode(packet)]
    decoded += decoder.decode(None)
    if not decoded:
        return image
    out = decoded[-1].to_ndarray(format="rgb24")
    return np.ascontiguousarray(out[:height, :width], dtype=np.uint8)


def codec_frame(image: Image, codec: Codec, crf: int, preset: str = "veryfast") -> Image:
    """One intra frame, preset ``preset``, tune zerolatency: the earlier models' only encoding."""
    return encode(image, Encoding(codec, crf, preset, "zerolatency", 1))


def h264_frame(image: Image, crf: int, preset: str = "veryfast") -> Image:
    return codec_frame(image, "h264", crf, preset)


def h265_frame(image: Image, crf: int, preset: str = "veryfast") -> Image:
    return codec_frame(image, "h265", crf, preset)


def draw_encoding(
    rng: np.random.Generator, crf_range: tuple[int, int], h265_share: float
) -> Encoding:
    """A random training encoding: H.264 or H.265, any preset from ultrafast to slow, any tune,
    CRF in ``crf_range``, an intra frame or the last frame of a 2-4 frame clip."""
    codec: Codec = "h265" if rng.random() < h265_share else "h264"
    preset = PRESETS[int(rng.integers(len(PRESETS)))]
    tunes = TUNES[codec]
    tune = tunes[int(rng.integers(len(tunes)))]
    crf = int(rng.integers(crf_range[0], crf_range[1] + 1))
    frames = 1 if rng.random() < 0.5 else int(rng.integers(2, 5))
    return Encoding(codec, crf, preset, tune, frames)
