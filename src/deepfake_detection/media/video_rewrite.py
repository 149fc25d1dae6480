"""Re-encoding a video frame by frame: every frame decoded in display orientation, changed by a
function (an annotation drawn on it), and written to an MP4 (H.264) at its own timestamp."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from av.video.stream import VideoStream

from deepfake_detection.errors import CorruptMedia, PayloadTooLarge
from deepfake_detection.shared.images import RGBImage

FrameEdit = Callable[[float, RGBImage], RGBImage]
"""(seconds from the first frame, RGB frame) -> the frame to write (same size)."""


def decoded_frames(path: Path) -> Iterator[tuple[float, RGBImage]]:
    """Every frame of the video at ``path``: (seconds from the first frame, RGB in display
    orientation)."""
    try:
        container = av.open(str(path))
    except av.error.FFmpegError as exc:
        raise CorruptMedia.unreadable("the video", "it cannot be opened", exc) from exc
    with container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        start: float | None = None
        try:
            for frame in container.decode(stream):
                time_s = float(frame.time or 0.0)
                start = time_s if start is None else start
                image = np.asarray(frame.to_ndarray(format="rgb24"), np.uint8)
                quarter_turns = round(frame.rotation / 90) % 4
                if quarter_turns:
                    image = np.ascontiguousarray(np.rot90(image, k=quarter_turns))
                yield time_s - start, image
        except av.error.FFmpegError:
            return  # a truncated file: the frames that could be read


def rewrite_video(
    source: Path, target: Path, edit: FrameEdit, timeout_s: float | None = None
) -> int:
    """Write ``target`` (MP4, H.264): every frame of ``source`` through ``edit``, at the source's
    frame times. Returns the number of frames written; ``PayloadTooLarge`` when it takes longer
    than ``timeout_s`` (``target`` is then incomplete: the caller removes it)."""
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    frames = decoded_frames(source)
    first = next(frames, None)
    if first is None:
        raise CorruptMedia("no frame of the video could be decoded")
    written = 0
    with av.open(str(target), "w") as output:
        stream = output.add_stream("libx264", rate=30, options={"preset": "veryfast", "crf": "23"})
        if not isinstance(stream, VideoStream):
            raise TypeError("libx264 is not a video encoder")
        stream.pix_fmt = "yuv420p"
        stream.codec_context.time_base = stream.time_base = Fraction(1, 1000)
        last_pts = -1
        for time_s, image in itertools.chain([first], frames):
            if deadline is not None and time.monotonic() > deadline:
                raise PayloadTooLarge(
                    f"re-encoding the video took longer than {timeout_s:g} s "
                    f"({written} frames written)"
                )
            drawn = edit(time_s, image)
            # yuv420p needs even sides: drop a last odd row or column.
            drawn = drawn[: drawn.shape[0] // 2 * 2, : drawn.shape[1] // 2 * 2]
            if written == 0:
                stream.height, stream.width = drawn.shape[:2]
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(drawn), format="rgb24")
            frame.pts = max(last_pts + 1, round(time_s * 1000))
            frame.time_base = Fraction(1, 1000)
            last_pts = frame.pts
            output.mux(stream.encode(frame))
            written += 1
        output.mux(stream.encode(None))
    return written
