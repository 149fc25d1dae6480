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
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
from av.video.stream import VideoStream
from PIL import Image

from deepfake_detection.detectors.base import RGBImage
from deepfake_detection.errors import CorruptMedia
from deepfake_detection.faces import Box, ScoredFace
from deepfake_detection.video_analysis import Person

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
            name=f"P{person.id + 1}",
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


def decoded_frames(path: Path) -> Iterator[tuple[float, RGBImage]]:
    """Every frame of the video at ``path``: (seconds from the first frame, RGB in display
    orientation)."""
    try:
        container = av.open(str(path))
    except av.error.FFmpegError as exc:
        raise CorruptMedia(f"the video cannot be opened: {exc}") from exc
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


def annotate_video(source: Path, target: Path, tracks: Sequence[Track]) -> int:
    """Write ``target`` (MP4, H.264): every frame of ``source`` with the persons' boxes drawn, at
    the source's frame times. Returns the number of frames written."""
    reach = sampling_reach(tracks)
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
            drawn = draw_marks(image, marks_at(tracks, time_s, reach))
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
