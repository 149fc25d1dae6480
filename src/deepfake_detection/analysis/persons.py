"""Persons of a video: the faces linked across sampled frames, each person scored and weighed.

A person's score aggregates its frame scores; its ``coverage`` is the share of the sampled frames it
was seen in; its weight grows with coverage, face size and detector confidence
(:func:`~deepfake_detection.analysis.verdict.person_weight`). Its label comes from the decision
rule on its median face size and sharpness and its score; a person seen in fewer than
``min_coverage`` of the frames keeps its label but is marked ``brief_presence``: it does not decide
the video's verdict.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from deepfake_detection.analysis.verdict import DecisionRule, Vote, person_weight
from deepfake_detection.shared.faces import Box, DetectedFace, Label, Point, Reason


@dataclass(frozen=True)
class FaceSample:
    """One face of a person in one sampled frame."""

    frame_index: int
    timestamp_s: float
    box: Box
    confidence: float
    landmarks: tuple[Point, ...] | None
    fake_probability: float
    sharpness: float = 0.0


def person_name(person_id: int) -> str:
    """A person's name for people (``P1`` for id 0): on annotated frames, in ``dfd scan``'s table and
    report, one numbering everywhere. The answers' ``id`` stays the 0-based number."""
    return f"P{person_id + 1}"


@dataclass(frozen=True)
class Person:
    id: int
    timeline: tuple[FaceSample, ...]
    score: float
    label: Label
    coverage: float = 1.0
    weight: float = 1.0
    reason: Reason | None = None
    face_px: float = 0.0
    # Whether this person decides the video's verdict (present enough, faces that can be judged).
    decisive: bool = True

    @property
    def quality_reason(self) -> Reason | None:
        return self.reason if self.reason in ("face_too_small", "low_quality") else None

    def vote(self) -> Vote:
        return Vote(self.score, self.weight, self.coverage, self.quality_reason)


@dataclass(frozen=True)
class FrameFaces:
    """What one sampled frame contributed: its faces, their person ids, scores and sharpness."""

    index: int
    timestamp_s: float
    faces: Sequence[DetectedFace]
    person_ids: Sequence[int]
    scores: Sequence[float]
    sharpness: Sequence[float]


def build_persons(
    frames: Sequence[FrameFaces],
    combine: Callable[[Sequence[float]], float],
    rule: DecisionRule,
    min_coverage: float,
) -> tuple[Person, ...]:
    timelines: dict[int, list[FaceSample]] = {}
    for frame in frames:
        for face, person, score, sharp in zip(
            frame.faces, frame.person_ids, frame.scores, frame.sharpness, strict=True
        ):
            sample = FaceSample(
                frame.index,
                frame.timestamp_s,
                face.box,
                face.confidence,
                face.landmarks,
                score,
                sharp,
            )
            timelines.setdefault(person, []).append(sample)
    sampled = max(1, len(frames))
    return tuple(
        _person(pid, timeline, sampled, combine, rule, min_coverage)
        for pid, timeline in sorted(timelines.items())
    )


def _person(
    pid: int,
    timeline: list[FaceSample],
    sampled: int,
    combine: Callable[[Sequence[float]], float],
    rule: DecisionRule,
    min_coverage: float,
) -> Person:
    score = float(combine([s.fake_probability for s in timeline]))
    coverage = len(timeline) / sampled
    face_px = statistics.median(min(s.box.width, s.box.height) for s in timeline)
    sharp = statistics.median(s.sharpness for s in timeline)
    confidence = statistics.fmean(s.confidence for s in timeline)
    label, reason = rule.judge(score, face_px, sharp)
    brief = coverage < min_coverage
    if brief and reason is None:
        reason = "brief_presence"
    return Person(
        id=pid,
        timeline=tuple(timeline),
        score=score,
        label=label,
        coverage=coverage,
        weight=person_weight(coverage, face_px, confidence),
        reason=reason,
        face_px=face_px,
        decisive=not brief and rule.quality_reason(face_px, sharp) is None,
    )
