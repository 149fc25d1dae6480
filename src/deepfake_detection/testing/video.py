"""Writing short clips with PyAV, for tests and benchmarks that must build their own videos."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
from av.video.stream import VideoStream

from deepfake_detection.shared.images import RGBImage

# The encoder each container gets by default (all ship in the PyAV wheel).
CODECS = {".mp4": "libx264", ".mov": "libx264", ".mkv": "libx264", ".webm": "libvpx-vp9"}
CODECS[".avi"] = "mpeg4"


def write_video(
    path: Path,
    frames: Iterable[RGBImage],
    *,
    fps: int = 25,
    codec: str | None = None,
    rotation: int = 0,
    times: Sequence[float] | None = None,
    options: dict[str, str] | None = None,
    codec_options: dict[str, str] | None = None,
) -> None:
    """Encode RGB frames to ``path`` (container from the suffix). ``rotation``: display matrix,
    degrees counter-clockwise (MP4/MOV only). ``times``: each frame's timestamp in seconds, for a
    variable frame rate (default: ``1/fps`` apart). ``options``: the muxer's (``movflags``...);
    ``codec_options``: the encoder's (``g`` for the keyframe interval...)."""
    codec = codec or CODECS[path.suffix.lower()]
    with av.open(str(path), "w", options=options or {}) as container:
        stream = container.add_stream(codec, rate=fps, options=codec_options or {})
        if not isinstance(stream, VideoStream):
            raise ValueError(f"{codec} is not a video encoder")
        if times is not None:
            stream.codec_context.time_base = Fraction(1, 1000)
            stream.time_base = Fraction(1, 1000)
        stream.pix_fmt = "yuv420p"
        if rotation:
            stream.set_display_rotation(rotation)
        for i, image in enumerate(frames):
            if i == 0:
                stream.height, stream.width = image.shape[:2]
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            if times is not None:
                frame.pts = round(times[i] * 1000)
                frame.time_base = Fraction(1, 1000)
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))


def face_scene(
    faces: Sequence[RGBImage],
    *,
    width: int = 640,
    height: int = 360,
    count: int = 50,
    face_height: float = 0.45,
) -> Iterator[RGBImage]:
    """``count`` frames of a grey studio with each face in ``faces`` side by side, drifting slowly
    to the right (a few pixels per frame) so consecutive frames differ like a real shot."""
    side = max(16, round(height * face_height))
    tiles = [np.asarray(cv2.resize(f, (side, side), interpolation=cv2.INTER_AREA)) for f in faces]
    slot = width // max(1, len(tiles))
    gradient = np.linspace(70, 150, width, dtype=np.float32)
    background = np.repeat(np.repeat(gradient[None, :, None], height, 0), 3, 2).astype(np.uint8)
    top = (height - side) // 2
    for i in range(count):
        frame = background.copy()
        for k, tile in enumerate(tiles):
            x = min(width - side, k * slot + max(0, (slot - side) // 2) + i % 20)
            frame[top : top + side, x : x + side] = tile
        yield frame
