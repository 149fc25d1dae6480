"""Annotated results: the analysed image or video with each face's box, label and score drawn.

Drawing works on neutral values (``Mark``: a box and its caption; ``Track``: a person's scored
samples over time), built from the analyses (``image_marks``, ``video_tracks``) or from the API's
JSON answers by the front ends. In a video, a person's box is drawn on every frame between its
first and last sampled frame (and half a sampling interval around them), moved linearly between
samples; the caption carries the score of the nearest sample.
"""

from __future__ import annotations

import bisect
import io
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from deepfake_detection.analysis.persons import Person, person_name
from deepfake_detection.media.decode_budget import DecodeBudget
from deepfake_detection.media.video import VideoLimits, VideoSource, open_video
from deepfake_detection.media.video_rewrite import REWRITE_FRAMES_HELD, rewrite_video
from deepfake_detection.shared.faces import Box, ScoredFace
from deepfake_detection.shared.images import RGBImage

# Box colours (RGB) per label; any other label is drawn grey.
COLOURS = {"real": (34, 164, 71), "fake": (229, 72, 61), "uncertain": (240, 160, 32)}
OTHER_COLOUR = (128, 134, 142)


@dataclass(frozen=True)
class Mark:
    box: Box
    label: str
    caption: str


@dataclass(frozen=True)
class Sample:
    timestamp_s: float
    box: Box
    fake_probability: float


@dataclass(frozen=True)
class Track:
    """One person of a video: its label, score and sampled boxes in time order."""

    name: str
    label: str
    score: float
    samples: tuple[Sample, ...]


def face_caption(number: int, label: str, fake_probability: float) -> str:
    return f"{number} {label} {fake_probability:.2f}"


def image_marks(faces: Sequence[ScoredFace]) -> list[Mark]:
    return [
        Mark(face.box, face.label, face_caption(i, face.label, face.fake_probability))
        for i, face in enumerate(faces, start=1)
    ]


def video_tracks(persons: Sequence[Person]) -> list[Track]:
    return [
        Track(
            name=person_name(person.id),
            label=person.label,
            score=person.score,
            samples=tuple(
                Sample(s.timestamp_s, s.box, s.fake_probability) for s in person.timeline
            ),
        )
        for person in persons
    ]


def draw_marks(image: RGBImage, marks: Sequence[Mark]) -> RGBImage:
    """A copy of ``image`` with each mark's box and caption drawn (sizes follow the image's)."""
    out = np.ascontiguousarray(image.copy())
    side = min(out.shape[:2])
    thickness = max(2, round(side / 300))
    scale = max(0.45, side / 900)
    for mark in marks:
        colour = COLOURS.get(mark.label, OTHER_COLOUR)
        b = mark.box
        top_left, bottom_right = (round(b.x1), round(b.y1)), (round(b.x2), round(b.y2))
        cv2.rectangle(out, top_left, bottom_right, colour, thickness)
        (w, h), base = cv2.getTextSize(mark.caption, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
        x = max(0, top_left[0])
        y = top_left[1] - h - base - thickness if top_left[1] - h - base > 0 else bottom_right[1]
        y = max(0, y)
        cv2.rectangle(out, (x, y), (x + w + 4, y + h + base + 2), colour, -1)
        cv2.putText(
            out, mark.caption, (x + 2, y + h + 1), cv2.FONT_HERSHEY_SIMPLEX, scale,
            (255, 255, 255), 1, cv2.LINE_AA,
        )  # fmt: skip
    return out


def png_bytes(image: RGBImage) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "PNG")
    return buffer.getvalue()


def marks_at(tracks: Sequence[Track], time_s: float, reach_s: float) -> list[Mark]:
    """The marks of the persons visible at ``time_s``: within their sampled span, widened by
    ``reach_s`` at both ends."""
    marks = []
    for track in tracks:
        samples = track.samples
        if not samples or not samples[0].timestamp_s - reach_s <= time_s:
            continue
        if time_s > samples[-1].timestamp_s + reach_s:
            continue
        times = [s.timestamp_s for s in samples]
        after = bisect.bisect_left(times, time_s)
        before = max(0, after - 1)
        after = min(after, len(samples) - 1)
        box = _between(samples[before], samples[after], time_s)
        nearest = min((samples[before], samples[after]), key=lambda s: abs(s.timestamp_s - time_s))
        caption = f"{track.name} {track.label} {track.score:.2f} ({nearest.fake_probability:.2f})"
        marks.append(Mark(box, track.label, caption))
    return marks


def _between(a: Sample, b: Sample, time_s: float) -> Box:
    span = b.timestamp_s - a.timestamp_s
    w = 0.0 if span <= 0 else min(1.0, max(0.0, (time_s - a.timestamp_s) / span))
    return Box(
        a.box.x1 + w * (b.box.x1 - a.box.x1),
        a.box.y1 + w * (b.box.y1 - a.box.y1),
        a.box.x2 + w * (b.box.x2 - a.box.x2),
        a.box.y2 + w * (b.box.y2 - a.box.y2),
    )


def sampling_reach(tracks: Sequence[Track]) -> float:
    """Half the typical gap between a person's samples: how far from a sample its box is drawn."""
    gaps = [
        b.timestamp_s - a.timestamp_s
        for track in tracks
        for a, b in zip(track.samples, track.samples[1:], strict=False)
        if b.timestamp_s > a.timestamp_s
    ]
    return float(np.median(gaps)) / 2 if gaps else 0.5


def annotate_video(
    source: VideoSource,
    target: Path,
    tracks: Sequence[Track],
    timeout_s: float | None = None,
    *,
    limits: VideoLimits | None = None,
    budget: DecodeBudget | None = None,
    wait_s: float = 0.0,
    threads: int | None = None,
) -> int:
    """Write ``target`` (MP4, H.264): every frame of ``source`` with the persons' boxes drawn, at
    the source's frame times. The video is opened and decoded within ``limits`` (its decode time
    limit replaced by ``timeout_s``, which bounds the whole drawing), as an analysis is; with a
    ``budget``, ``REWRITE_FRAMES_HELD`` frames' pixels are held in it meanwhile, waiting up to
    ``wait_s`` for room (then ``Overloaded``). Returns the number of frames written
    (``PayloadTooLarge`` past ``timeout_s`` or the limits)."""
    reach = sampling_reach(tracks)

    def draw(time_s: float, image: RGBImage) -> RGBImage:
        return draw_marks(image, marks_at(tracks, time_s, reach))

    limits = limits or VideoLimits()
    if timeout_s is not None:
        limits = replace(limits, timeout_s=timeout_s)
    with open_video(source, limits, threads=threads) as video:
        pixels = video.info.width * video.info.height * REWRITE_FRAMES_HELD
        held = nullcontext() if budget is None else budget.reserve(pixels, wait_s)
        with held:
            return rewrite_video(video, target, draw, timeout_s)
