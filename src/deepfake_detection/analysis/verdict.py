"""The words of an answer, one rule for images and videos.

A score becomes ``real`` or ``fake`` on either side of the model card's uncertain band and
``uncertain`` inside it; a face the model cannot judge (too small, too blurred or compressed) is
``uncertain`` whatever its score, with the reason. An image is ``fake`` if any face is fake, ``real``
if all are real, ``uncertain`` otherwise, ``no_face`` when none was found.

A video is decided by the persons who are really in it: a person seen in fewer than
``min_coverage`` of the sampled frames (a face in the background, a detector's false positive) or
only as faces that cannot be judged is still listed, but cannot make the video fake on its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from deepfake_detection.classifiers.model_card import ModelCard
from deepfake_detection.errors import InvalidOptions
from deepfake_detection.shared.faces import Label, Reason

Verdict = Literal["real", "fake", "uncertain", "no_face"]


@dataclass(frozen=True)
class DecisionRule:
    """From a score (and a face's size and sharpness) to a label."""

    threshold: float
    low: float
    high: float
    min_face_px: float = 0.0
    min_sharpness: float = 0.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.low <= self.threshold <= self.high <= 1.0:
            raise InvalidOptions(
                f"the uncertain band [{self.low}, {self.high}) must hold the threshold "
                f"{self.threshold} within 0..1"
            )

    @classmethod
    def from_card(cls, card: ModelCard, threshold: float | None = None) -> DecisionRule:
        """The card's rule; another ``threshold`` moves the band with it (same widths)."""
        band = card.uncertain_band
        low, high = (band.low, band.high) if band else (card.threshold, card.threshold)
        chosen = card.threshold if threshold is None else threshold
        shift = chosen - card.threshold
        return cls(
            threshold=chosen,
            low=min(chosen, max(0.0, low + shift)),
            high=max(chosen, min(1.0, high + shift)),
            min_face_px=card.quality.min_face_px,
            min_sharpness=card.quality.min_sharpness,
        )

    def label(self, score: float) -> tuple[Label, Reason | None]:
        """``fake`` at or above the band, ``real`` below it, ``uncertain`` (borderline) inside."""
        if score >= self.high:
            return "fake", None
        if score < self.low:
            return "real", None
        return "uncertain", "borderline"

    def quality_reason(self, face_px: float, sharpness: float) -> Reason | None:
        if face_px < self.min_face_px:
            return "face_too_small"
        if sharpness < self.min_sharpness:
            return "low_quality"
        return None

    def judge(self, score: float, face_px: float, sharpness: float) -> tuple[Label, Reason | None]:
        """The label of a face: ``uncertain`` with its reason when it cannot be judged."""
        reason = self.quality_reason(face_px, sharpness)
        return ("uncertain", reason) if reason else self.label(score)


def verdict_of(judged: Iterable[tuple[Label, Reason | None]]) -> tuple[Verdict, Reason | None]:
    """The verdict on every classified face (or person) and, when ``uncertain``, the reason."""
    items = list(judged)
    if not items:
        return "no_face", None
    labels = [label for label, _ in items]
    if "fake" in labels:
        return "fake", None
    if all(label == "real" for label in labels):
        return "real", None
    return "uncertain", next(reason for label, reason in items if label == "uncertain")


@dataclass(frozen=True)
class Vote:
    """What a video's verdict needs to know of one person."""

    score: float
    weight: float
    coverage: float
    quality_reason: Reason | None


@dataclass(frozen=True)
class VideoDecision:
    verdict: Verdict
    reason: Reason | None
    score: float | None


def decide_video(votes: Sequence[Vote], rule: DecisionRule, min_coverage: float) -> VideoDecision:
    """The video's verdict and score.

    Persons present in at least ``min_coverage`` of the sampled frames, with faces that can be
    judged, decide: the video's score is the highest of theirs (one swapped face makes a video
    fake). Without such a person, the others' scores are averaged by weight (presence x face size x
    detector confidence), and a ``fake`` from them is only ``uncertain`` (``brief_presence``); when no
    face could be judged at all, the verdict is ``uncertain`` with that reason.
    """
    if not votes:
        return VideoDecision("no_face", None, None)
    deciding = [v for v in votes if v.coverage >= min_coverage and v.quality_reason is None]
    if deciding:
        score = max(v.score for v in deciding)
        label, reason = rule.label(score)
        return VideoDecision(label, reason, score)
    judged = [v for v in votes if v.quality_reason is None]
    pool = judged or list(votes)
    total = sum(v.weight for v in pool)
    if total > 0:
        score = sum(v.score * v.weight for v in pool) / total
    else:
        score = sum(v.score for v in pool) / len(pool)
    if not judged:
        heaviest = max(votes, key=lambda v: v.weight)
        return VideoDecision("uncertain", heaviest.quality_reason, score)
    label, reason = rule.label(score)
    if label == "fake":
        return VideoDecision("uncertain", "brief_presence", score)
    return VideoDecision(label, reason, score)


def person_weight(
    coverage: float, face_px: float, confidence: float, full_px: float = 64.0
) -> float:
    """A person's weight: its presence, times its face size up to ``full_px``, times the
    detector's confidence."""
    return coverage * min(1.0, face_px / full_px) * max(0.0, min(1.0, confidence))
