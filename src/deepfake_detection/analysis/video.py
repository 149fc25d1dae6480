"""Video analysis: sample frames -> detect -> crop -> classify in batches -> persons -> verdict.

Each sampled frame's faces are detected and cropped as they are decoded; crops are classified in
batches of ``batch_size`` (so memory stays bounded however many faces a video has). Faces are then
linked into persons (``tracking.py``, ``persons.py``); a person's score aggregates its frame scores
(the mean by default, see :data:`AGGREGATES`) and the decision rule labels it. The persons present in
enough of the frames decide the verdict (``verdict.py``): a glimpse of a face cannot make a video
fake on its own; ``no_face`` when no face was found in any sampled frame.
"""

from __future__ import annotations

import heapq
import math
import statistics
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from deepfake_detection.analysis.explain import Explanation, explain_crop
from deepfake_detection.analysis.image import crop_recipe, select_faces
from deepfake_detection.analysis.persons import FrameFaces, Person, build_persons
from deepfake_detection.analysis.quality import crop_sharpness
from deepfake_detection.analysis.regions import RegionDetector, RegionOptions
from deepfake_detection.analysis.thumbnails import by_person_and_frame, face_thumbnail
from deepfake_detection.analysis.tracking import TrackingOptions, link_faces
from deepfake_detection.analysis.verdict import DecisionRule, Verdict, decide_video
from deepfake_detection.classifiers.base import Classifier
from deepfake_detection.crop.face_crop import crop_faces, crop_region
from deepfake_detection.detectors.base import FaceDetector
from deepfake_detection.errors import InvalidOptions
from deepfake_detection.media.decode_budget import DecodeBudget
from deepfake_detection.media.prefetch import PREFETCH_DEPTH, prefetched
from deepfake_detection.media.video import (
    VideoFrame,
    VideoInfo,
    VideoLimits,
    VideoSource,
    open_video,
)
from deepfake_detection.media.video_sampling import Sampling, SamplingMode
from deepfake_detection.shared.faces import DetectedFace, Reason

Progress = Callable[[float], None]
FrameProgress = Callable[[int, int], None]
"""Called with the frames sampled so far and the number the sampling expects."""

FRAMES_HELD = PREFETCH_DEPTH + 3
"""Decoded frames a video analysis holds at once, in a decode budget's terms (pixels of an RGB
frame): the one being analysed, the one being converted, the prefetched ones, and about one more for
the decoder's YUV 4:2:0 reference frames (half an RGB frame's bytes each)."""

AGGREGATES: dict[str, Callable[[Sequence[float]], float]] = {
    "mean": statistics.fmean,
    "median": statistics.median,
    "max": max,
}
"""How a person's frame scores become one score. ``mean`` (default) is what the field's video
benchmarks report; ``max`` flags a person if any one frame looks fake (recall over precision)."""

EXPLAIN_KEEP = 128
"""With ``explain``, the face crops kept for explanations: the highest-scoring ones of the video
(about 10 MB at 160 px). A person is explained on its highest-scoring face among them: every
person of a video with at most this many sampled faces, and the most fake-looking ones always."""


def aggregate_names() -> list[str]:
    return sorted(AGGREGATES)


@dataclass(frozen=True)
class VideoOptions:
    sampling: Sampling = field(default_factory=Sampling)
    threshold: float | None = None
    """Score at or above which a person is fake; ``None``: the model card's."""
    aggregate: str = "mean"
    max_faces: int = 16
    """Per frame, the most confident faces kept."""
    min_face_size: int = 20
    """Faces with a shorter side below this (pixels) are skipped (``skipped_faces``)."""
    min_coverage: float = 0.2
    """Persons seen in a smaller share of the sampled frames do not decide the verdict."""
    explain: bool = False
    """An occlusion map per person, on its highest-scoring sampled face (``EXPLAIN_KEEP``)."""
    explain_max: int = 4
    """With ``explain``: the persons explained at most, the highest-scoring first."""
    thumbnails: bool = False
    """A small JPEG of each sampled face (``analysis.thumbnails``)."""

    def __post_init__(self) -> None:
        if self.aggregate not in AGGREGATES:
            raise InvalidOptions(
                f"unknown aggregate {self.aggregate!r}; valid: {', '.join(aggregate_names())}"
            )
        if self.threshold is not None and not 0.0 <= self.threshold <= 1.0:
            raise InvalidOptions(f"threshold must be in 0..1, not {self.threshold}")
        if not 0.0 <= self.min_coverage <= 1.0:
            raise InvalidOptions(f"min_coverage must be in 0..1, not {self.min_coverage}")


@dataclass(frozen=True)
class PersonExplanation:
    """The occlusion map of one of a person's sampled faces, and where that face was."""

    frame_index: int
    timestamp_s: float
    explanation: Explanation


@dataclass(frozen=True)
class VideoAnalysis:
    info: VideoInfo
    detector: str
    model_name: str
    model_version: str
    rule: DecisionRule
    min_coverage: float
    aggregate: str
    verdict: Verdict
    verdict_reason: Reason | None
    # The video's score: the highest of the deciding persons' (see ``decide_video``).
    fake_probability: float | None
    persons: tuple[Person, ...]
    explanations: Mapping[int, PersonExplanation]
    """With ``explain``: by person id, the explanation of its highest-scoring sampled face."""
    thumbnails: Mapping[int, Mapping[int, bytes]]
    """With ``thumbnails``: by person id and sampled frame index, a small JPEG of the face."""
    sampled_frames: int
    sampling: SamplingMode
    frames_with_faces: int
    skipped_faces: int
    missed_frames: int
    decoded_frames: int
    timings_ms: dict[str, float]

    @property
    def threshold(self) -> float:
        return self.rule.threshold


class VideoAnalyzer:
    """Shares one detector and one classifier; ``analyze`` is safe to call from several threads."""

    def __init__(
        self,
        detector: FaceDetector,
        classifier: Classifier,
        limits: VideoLimits | None = None,
        *,
        batch_size: int = 32,
        tracking: TrackingOptions | None = None,
        decode_threads: int | None = None,
        budget: DecodeBudget | None = None,
        budget_wait_s: float = 10.0,
        regions: RegionOptions | None = None,
    ) -> None:
        """``decode_threads``: the video decoder's (default: one per usable CPU). ``budget``: the
        process's decode budget, where a video holds ``FRAMES_HELD`` frames' pixels while it is
        decoded, waiting for room up to ``budget_wait_s`` (then ``Overloaded``). ``regions``: when
        faces are searched in the whole frame and when only around known ones."""
        self.detector = detector
        self.classifier = classifier
        self.limits = limits or VideoLimits()
        self.batch_size = batch_size
        self.tracking = tracking or TrackingOptions()
        self.decode_threads = decode_threads
        self.budget = budget
        self.budget_wait_s = budget_wait_s
        self.regions = regions or RegionOptions()

    def analyze(
        self,
        source: VideoSource,
        options: VideoOptions | None = None,
        progress: Progress | None = None,
        *,
        detector: FaceDetector | None = None,
        budget_wait_s: float | None = None,
        frame_progress: FrameProgress | None = None,
    ) -> VideoAnalysis:
        """Analyse a video; ``detector`` replaces this analyzer's for this call, ``budget_wait_s``
        its wait for room in the decode budget. ``progress`` is called with 0..1 after each sampled
        frame (it may raise to stop, e.g. a cancelled job), ``frame_progress`` with the frames
        sampled so far and the number expected (for a bar that counts frames)."""
        options = options or VideoOptions()
        detector = detector or self.detector
        frame_detector = RegionDetector(detector, self.regions)
        run = _FaceCollector(
            frame_detector, self.classifier, self.batch_size, options, progress, frame_progress
        )
        started = time.perf_counter()
        wait_s = self.budget_wait_s if budget_wait_s is None else budget_wait_s
        with (
            open_video(source, self.limits, threads=self.decode_threads) as video,
            self._reserve(video.info, wait_s),
            prefetched(video.sample(options.sampling)) as frames,
        ):
            run.read(frames, expected=_expected(video.info, options))
            run.flush()
            info, decoded, missed = video.info, video.decoded, video.missed
        run.clock["track"] = _timed(lambda: run.link(self.tracking))
        card = self.classifier.card
        rule = DecisionRule.from_card(card, options.threshold)
        persons = run.persons(options, rule)
        explanations = run.explain(persons) if options.explain else {}
        thumbnails = run.thumbnails() if options.thumbnails else {}
        decision = decide_video([p.vote() for p in persons], rule, options.min_coverage)
        run.clock["total"] = time.perf_counter() - started
        return VideoAnalysis(
            info=info,
            detector=detector.name,
            model_name=card.name,
            model_version=card.version,
            rule=rule,
            min_coverage=options.min_coverage,
            aggregate=options.aggregate,
            verdict=decision.verdict,
            verdict_reason=decision.reason,
            fake_probability=decision.score,
            persons=persons,
            explanations=explanations,
            thumbnails=thumbnails,
            sampled_frames=len(run.frames),
            sampling=options.sampling.mode,
            frames_with_faces=sum(1 for frame in run.frames if frame.faces),
            skipped_faces=run.skipped,
            missed_frames=missed,
            decoded_frames=decoded,
            timings_ms={k: round(v * 1000, 2) for k, v in run.clock.items()},
        )

    def _reserve(self, info: VideoInfo, wait_s: float) -> AbstractContextManager[object]:
        if self.budget is None:
            return nullcontext()
        return self.budget.reserve(info.width * info.height * FRAMES_HELD, wait_s)


@dataclass
class _Face:
    """One face of a sampled frame and what the analysis has learnt of it so far."""

    frame: int
    """The sampled frame's position in the analysis (not its index in the video)."""
    detected: DetectedFace
    sharpness: float
    thumbnail: bytes = b""
    """With ``thumbnails``: a small JPEG of its crop (a few KB)."""
    score: float = math.nan
    """Set when its batch of crops is classified."""
    person: int = -1
    """Set when the faces are linked into persons."""


@dataclass(frozen=True)
class _SampledFrame:
    index: int
    timestamp_s: float
    faces: list[_Face]


class _FaceCollector:
    """One analysis while frames stream through it: the faces of every sampled frame, scored in
    batches, then linked into persons, explained and cut into thumbnails."""

    def __init__(
        self,
        detector: FaceDetector,
        classifier: Classifier,
        batch_size: int,
        options: VideoOptions,
        progress: Progress | None,
        frame_progress: FrameProgress | None = None,
    ) -> None:
        self.detector, self.classifier, self.batch_size = detector, classifier, batch_size
        self.options, self.progress, self.frame_progress = options, progress, frame_progress
        self.recipe = crop_recipe(classifier.card.crop, detector.name)
        self.frames: list[_SampledFrame] = []
        self.faces: list[_Face] = []
        """Every face, in the order found; a face's number is its position here."""
        self.pending: list[npt.NDArray[np.uint8]] = []
        """The crops of the faces not classified yet, one array per frame."""
        self.skipped = 0
        self.clock = dict.fromkeys(("decode", "detect", "crop", "classify"), 0.0)
        # With explain: (score, face number, crop) of the EXPLAIN_KEEP highest-scoring faces.
        self.kept: list[tuple[float, int, npt.NDArray[np.uint8]]] = []

    def read(self, frames: Iterator[VideoFrame], expected: int) -> None:
        size = self.classifier.card.input_size
        while True:
            t0 = time.perf_counter()
            frame = next(frames, None)
            t1 = time.perf_counter()
            self.clock["decode"] += t1 - t0
            if frame is None:
                return
            detected, skipped = select_faces(
                self.detector.detect(frame.image),
                min_face_size=self.options.min_face_size,
                max_faces=self.options.max_faces,
            )
            self.skipped += len(skipped)
            t2 = time.perf_counter()
            crops = crop_faces(frame.image, [face.box for face in detected], self.recipe, size)
            position = len(self.frames)
            faces = [
                _Face(position, face, sharp)
                for face, sharp in zip(detected, crop_sharpness(crops), strict=True)
            ]
            if self.options.thumbnails:
                for face, crop in zip(faces, crops, strict=True):
                    face.thumbnail = face_thumbnail(crop)
            self.pending.append(crops)
            self.clock["detect"] += t2 - t1
            self.clock["crop"] += time.perf_counter() - t2
            self.frames.append(_SampledFrame(frame.index, frame.timestamp_s, faces))
            self.faces.extend(faces)
            if sum(len(p) for p in self.pending) >= self.batch_size:
                self.flush()
            if self.progress:
                self.progress(min(0.95, len(self.frames) / max(1, expected)))
            if self.frame_progress:
                self.frame_progress(len(self.frames), expected)

    def flush(self) -> None:
        crops = [p for p in self.pending if len(p)]
        self.pending = []
        if crops:
            t0 = time.perf_counter()
            batch = np.concatenate(crops)
            first = len(self.faces) - len(batch)  # the pending crops are the last faces found
            for face, score in zip(self.faces[first:], self.classifier.predict(batch), strict=True):
                face.score = float(score)
            self.clock["classify"] += time.perf_counter() - t0
            if self.options.explain:
                self.keep(batch, first)

    def keep(self, batch: npt.NDArray[np.uint8], first: int) -> None:
        for number in range(first, first + len(batch)):
            item = (self.faces[number].score, number, batch[number - first].copy())
            if len(self.kept) < EXPLAIN_KEEP:
                heapq.heappush(self.kept, item)
            else:
                heapq.heappushpop(self.kept, item)

    def explain(self, persons: Sequence[Person]) -> dict[int, PersonExplanation]:
        """Each person's highest-scoring kept face, explained (``persons`` from ``persons``)."""
        t0 = time.perf_counter()
        crops = {number: crop for _, number, crop in self.kept}
        best: dict[int, tuple[float, int]] = {}  # person -> (score, number) of its best kept face
        for number in sorted(crops):
            face = self.faces[number]
            if face.score > best.get(face.person, (-1.0, 0))[0]:
                best[face.person] = (face.score, number)
        explanations: dict[int, PersonExplanation] = {}
        for person in sorted(persons, key=lambda p: -p.score):
            if person.id not in best or len(explanations) >= self.options.explain_max:
                continue
            _, number = best[person.id]
            face = self.faces[number]
            frame = self.frames[face.frame]
            region = crop_region(face.detected.box, self.recipe)
            explained = explain_crop(self.classifier, crops[number], region)
            explanations[person.id] = PersonExplanation(frame.index, frame.timestamp_s, explained)
        self.clock["explain"] = time.perf_counter() - t0
        return explanations

    def thumbnails(self) -> dict[int, dict[int, bytes]]:
        return by_person_and_frame(
            [frame.index for frame in self.frames],
            [[face.person for face in frame.faces] for frame in self.frames],
            [face.thumbnail for face in self.faces],
        )

    def link(self, tracking: TrackingOptions) -> None:
        detected = [[face.detected for face in frame.faces] for frame in self.frames]
        for frame, ids in zip(self.frames, link_faces(detected, tracking), strict=True):
            for face, pid in zip(frame.faces, ids, strict=True):
                face.person = pid

    def persons(self, options: VideoOptions, rule: DecisionRule) -> tuple[Person, ...]:
        frames = [
            FrameFaces(
                frame.index,
                frame.timestamp_s,
                [face.detected for face in frame.faces],
                [face.person for face in frame.faces],
                [face.score for face in frame.faces],
                [face.sharpness for face in frame.faces],
            )
            for frame in self.frames
        ]
        return build_persons(frames, AGGREGATES[options.aggregate], rule, options.min_coverage)


def _expected(info: VideoInfo, options: VideoOptions) -> int:
    sampling = options.sampling
    if sampling.every_s is not None:
        return min(sampling.max_frames, max(1, int(info.duration_s / sampling.every_s) + 1))
    return min(sampling.frames, info.frame_count)


def _timed(work: Callable[[], None]) -> float:
    t0 = time.perf_counter()
    work()
    return time.perf_counter() - t0
