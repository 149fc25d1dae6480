"""The result of analysing one image: frozen domain values, separate from any HTTP schema."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import Literal

from deepfake_detection.analysis.verdict import DecisionRule, Verdict, verdict_of
from deepfake_detection.shared.faces import Box, Reason, ScoredFace

SkipReason = Literal["too_small", "over_max_faces"]


@dataclass(frozen=True)
class SkippedFace:
    """A detected face that was not classified, and why: it is reported, not silently dropped."""

    box: Box
    confidence: float
    reason: SkipReason


@dataclass(frozen=True)
class Timings:
    """Milliseconds spent in each stage of the analysis (decoding is timed by the caller)."""

    detect_ms: float
    crop_ms: float
    classify_ms: float

    @property
    def total_ms(self) -> float:
        return self.detect_ms + self.crop_ms + self.classify_ms


@dataclass(frozen=True)
class ImageAnalysis:
    """Every face found in an image, each scored, and the verdict for the image."""

    width: int
    height: int
    detector: str
    model_name: str
    model_version: str
    rule: DecisionRule
    faces: tuple[ScoredFace, ...]
    skipped: tuple[SkippedFace, ...]
    timings: Timings

    @property
    def threshold(self) -> float:
        return self.rule.threshold

    def scaled(self, factor: float, width: int, height: int) -> ImageAnalysis:
        """This analysis of a reduced decode (see ``OpenedImage.reduce``) in the pixels of the
        ``width`` x ``height`` image it was reduced from."""
        return replace(
            self,
            width=width,
            height=height,
            faces=tuple(face.scaled(factor) for face in self.faces),
            skipped=tuple(replace(face, box=face.box.scaled(factor)) for face in self.skipped),
        )

    @property
    def fake_probability(self) -> float | None:
        """The highest fake probability over the classified faces; ``None`` when none was."""
        return max((f.fake_probability for f in self.faces), default=None)

    @cached_property
    def _judged(self) -> tuple[Verdict, Reason | None]:
        return verdict_of((f.label, f.reason) for f in self.faces)

    @property
    def verdict(self) -> Verdict:
        """``fake`` if any face is fake, ``real`` if all are, ``uncertain`` otherwise, ``no_face``
        if none was classified."""
        return self._judged[0]

    @property
    def verdict_reason(self) -> Reason | None:
        """Why the verdict is ``uncertain`` (the first uncertain face's reason)."""
        return self._judged[1]
