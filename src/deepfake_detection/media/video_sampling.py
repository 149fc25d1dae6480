"""Which frames of a video to analyse, and in what order to read them: pure functions on timestamps.

Sampling is deterministic: the same file and the same :class:`Sampling` select the same frames.
``frames=N`` splits the duration into N equal spans and takes the frame shown at the middle of each;
``every_s=k`` takes the frames shown at 0, k, 2k, ... seconds. The frame *shown* at time t is the
last frame whose timestamp is <= t, which is what a player displays, also at a variable frame rate.
When ``every_s`` would take more than ``max_frames`` frames of a video, the request is refused
(``InvalidOptions``, naming the smallest ``every_s`` that fits) rather than silently covering only
the start of the video.

``mode="fast"`` trades exactness for decoding: at each instant it takes the frame nearest in time
among those cheap to decode, a keyframe or one at most ``FAST_DECODE_FORWARD`` frames after one.
A clip with a keyframe every 250 frames then decodes a handful of frames per sample instead of up
to 250. Two instants never share a frame while a cheap one is free (then the exact frame is
decoded), so as many frames come back as exact sampling gives; they can lie far from their
instants. The answer's timeline says which frames were used.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from deepfake_detection.errors import InvalidOptions

MAX_SAMPLED_FRAMES = 1000
MIN_EVERY_S = 0.001
"""No video shows frames closer together than this (1000 fps)."""
FAST_DECODE_FORWARD = 4
"""``mode="fast"``: frames decoded forward from a keyframe, at most, to come nearer an instant."""
SamplingMode = Literal["exact", "fast"]


@dataclass(frozen=True)
class Sampling:
    """``frames`` evenly over the duration, or (when ``every_s`` is set) one frame every ``every_s``
    seconds, capped at ``max_frames``."""

    frames: int = 32
    every_s: float | None = None
    max_frames: int = 300
    mode: SamplingMode = "exact"

    def __post_init__(self) -> None:
        if not 1 <= self.max_frames <= MAX_SAMPLED_FRAMES:
            raise InvalidOptions(
                f"max_frames must be 1..{MAX_SAMPLED_FRAMES}, not {self.max_frames}"
            )
        if not 1 <= self.frames <= self.max_frames:
            raise InvalidOptions(f"frames must be 1..{self.max_frames}, not {self.frames}")
        if self.every_s is not None and not (
            math.isfinite(self.every_s) and self.every_s >= MIN_EVERY_S
        ):
            raise InvalidOptions(
                f"every_s must be a number of seconds >= {MIN_EVERY_S}, not {self.every_s}"
            )


def target_times(duration_s: float, sampling: Sampling) -> list[float]:
    """The instants (seconds from the first frame) at which frames are sampled."""
    every_s = sampling.every_s
    if every_s is not None:
        # The instants before the end: a rounding error must not add one at the very end.
        count = max(1, math.ceil(duration_s / every_s - 1e-9))
        if count > sampling.max_frames:
            # Rounded up to the millisecond, so that the suggested value does fit.
            smallest = math.ceil(duration_s / sampling.max_frames * 1000) / 1000
            raise InvalidOptions(
                f"every_s={every_s:g} would sample {count} frames of this {duration_s:.3f} s "
                f"video; the limit is {sampling.max_frames}: use every_s >= {smallest:g}, "
                f"or frames"
            )
        return [i * every_s for i in range(count)]
    n = sampling.frames
    return [(i + 0.5) * duration_s / n for i in range(n)]


def frames_shown_at(frame_times: Sequence[float], targets: Sequence[float]) -> list[int]:
    """Indices (sorted, distinct) of the frames shown at ``targets`` (``frame_times`` ascending)."""
    if not frame_times:
        return []
    # A microsecond of tolerance: a target that falls exactly on a frame's time (up to rounding in
    # the time base) selects that frame.
    chosen = {max(0, bisect.bisect_right(frame_times, t + 1e-6) - 1) for t in targets}
    return sorted(chosen)


def nearest_decodable(
    frame_times: Sequence[float],
    keyframes: Sequence[int],
    targets: Sequence[float],
    forward: int = FAST_DECODE_FORWARD,
) -> list[int]:
    """Indices (sorted, distinct) of the frames ``mode="fast"`` takes. For each target in turn, the
    frame nearest in time among the cheap ones not taken yet: the keyframe before it and up to
    ``forward`` frames after that keyframe, the next keyframe and the frames after it. Only when
    every cheap one is taken, the exact frame shown at the target; so as many frames come back as
    exact sampling gives, wherever the video has them. Without keyframes, the first frames of the
    video count as one."""
    if not frame_times:
        return []
    last = len(frame_times) - 1
    chosen: set[int] = set()
    for target in targets:
        shown = max(0, bisect.bisect_right(frame_times, target + 1e-6) - 1)
        i = bisect.bisect_right(keyframes, shown) - 1
        starts = [keyframes[i] if i >= 0 else 0]
        if i + 1 < len(keyframes):
            starts.append(keyframes[i + 1])
        cheap = {min(start + j, last) for start in starts for j in range(forward + 1)}
        free = sorted(cheap - chosen, key=lambda frame: (abs(frame_times[frame] - target), frame))
        if free:
            chosen.add(free[0])
        elif shown not in chosen:
            chosen.add(shown)
    return sorted(chosen)


def sampled_frames(
    frame_times: Sequence[float], keyframes: Sequence[int], duration_s: float, sampling: Sampling
) -> list[int]:
    """The frames ``sampling`` selects, by its mode (indices, sorted, distinct)."""
    targets = target_times(duration_s, sampling)
    if sampling.mode == "fast":
        return nearest_decodable(frame_times, keyframes, targets)
    return frames_shown_at(frame_times, targets)


@dataclass(frozen=True)
class ReadStep:
    """Output frame ``frame``; first seek to keyframe ``seek_to`` unless it is ``None`` (then keep
    decoding forward from where the previous step stopped)."""

    frame: int
    seek_to: int | None


def plan_reads(selected: Sequence[int], keyframes: Sequence[int], *, seek: bool) -> list[ReadStep]:
    """How to reach each selected frame (ascending) with the least decoding.

    Decoding forward from the current position costs one decode per frame in between; seeking costs
    the frames from the nearest keyframe at or before the target. With ``seek=False`` the whole plan
    is one forward pass from the start (still stopping after the last selected frame).
    """
    steps: list[ReadStep] = []
    position = 0  # the next frame a forward decode would produce
    for frame in selected:
        keyframe = _keyframe_before(keyframes, frame)
        if seek and keyframe > position:
            steps.append(ReadStep(frame=frame, seek_to=keyframe))
        else:
            steps.append(ReadStep(frame=frame, seek_to=None))
        position = frame + 1
    return steps


def planned_decodes(steps: Sequence[ReadStep]) -> int:
    """How many frames a plan decodes (frames before a target are decoded to reach it)."""
    total = 0
    position = 0
    for step in steps:
        start = step.seek_to if step.seek_to is not None else position
        total += step.frame - start + 1
        position = step.frame + 1
    return total


def _keyframe_before(keyframes: Sequence[int], frame: int) -> int:
    i = bisect.bisect_right(keyframes, frame) - 1
    return keyframes[i] if i >= 0 else 0
