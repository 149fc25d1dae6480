"""The packet pass: every frame's timestamp and the keyframes, read without decoding a frame."""

from __future__ import annotations

import itertools
import statistics
import time
from dataclasses import dataclass, replace

import av.error
from av.container import InputContainer
from av.video.stream import VideoStream

from deepfake_detection.errors import CorruptMedia, PayloadTooLarge

# Above this many frames per second of the duration limit, a file is refused while it is read.
MAX_FPS = 240


@dataclass(frozen=True)
class Timeline:
    """The frames of a video stream in presentation order."""

    pts: tuple[int, ...]
    times: tuple[float, ...]
    keyframes: tuple[int, ...]
    duration_s: float
    fps: float
    variable_frame_rate: bool
    truncated: bool
    # Bytes of every frame's packets together: the stream's compression level.
    stream_bytes: int = 0


def read_timeline(
    container: InputContainer, stream: VideoStream, *, max_duration_s: float, deadline: float
) -> Timeline:
    """Demux every packet of ``stream`` (no decoding). ``PayloadTooLarge`` as soon as the duration
    limit is passed; ``CorruptMedia`` if not one frame is there; a read error ends the pass early
    (``truncated``)."""
    if container.duration is not None and container.duration / 1e6 > max_duration_s:
        raise PayloadTooLarge(_too_long(container.duration / 1e6, max_duration_s))
    keyframe_of: dict[int, bool] = {}
    durations: dict[int, int] = {}
    stream_bytes = 0
    max_frames = int(max_duration_s * MAX_FPS) + 1
    truncated = False
    try:
        for packet in container.demux(stream):
            stamp = packet.pts if packet.pts is not None else packet.dts
            if packet.size == 0 or stamp is None:
                continue
            keyframe_of[stamp] = keyframe_of.get(stamp, False) or packet.is_keyframe
            durations[stamp] = packet.duration or 0
            stream_bytes += packet.size
            truncated = truncated or packet.is_corrupt
            if len(keyframe_of) > max_frames:
                raise PayloadTooLarge(f"the video has more than {max_frames} frames")
            if time.monotonic() > deadline:
                raise PayloadTooLarge("reading the video took longer than the decode time limit")
    except (av.error.FFmpegError, OSError):
        truncated = True
    if not keyframe_of:
        raise CorruptMedia("the video holds no readable frame")
    timeline = replace(
        _timeline(keyframe_of, durations, stream, max_duration_s, truncated),
        stream_bytes=stream_bytes,
    )
    if container.duration is not None and not truncated:
        # The header promises more than the packets hold: the file was cut short.
        missing = container.duration / 1e6 - timeline.duration_s
        if missing > max(0.5, 2 / timeline.fps):
            timeline = replace(timeline, truncated=True)
    return timeline


def _timeline(
    keyframe_of: dict[int, bool],
    durations: dict[int, int],
    stream: VideoStream,
    max_duration_s: float,
    truncated: bool,
) -> Timeline:
    pts = tuple(sorted(keyframe_of))
    base = float(stream.time_base) if stream.time_base else 1.0
    times = tuple((p - pts[0]) * base for p in pts)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    last = durations[pts[-1]] * base
    if last <= 0:
        rate = stream.guessed_rate or stream.average_rate
        last = statistics.median(gaps) if gaps else (1 / float(rate) if rate else 0.04)
    duration = times[-1] + last
    if duration > max_duration_s:
        raise PayloadTooLarge(_too_long(duration, max_duration_s))
    variable = bool(gaps) and max(gaps) - min(gaps) > 0.1 * statistics.median(gaps)
    return Timeline(
        pts=pts,
        times=times,
        keyframes=tuple(i for i, p in enumerate(pts) if keyframe_of[p]),
        duration_s=duration,
        fps=len(pts) / duration,
        variable_frame_rate=variable,
        truncated=truncated,
    )


def _too_long(duration: float, limit: float) -> str:
    return f"the video lasts {duration:.1f} s; the limit is {limit:g} s"
