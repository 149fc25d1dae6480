"""The verdict on an image or a video, one rule for both: ``fake`` if any face (or person) is
fake, ``real`` if all are real, ``no_face`` when none was classified."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from deepfake_detection.shared.faces import Label

Verdict = Literal["real", "fake", "no_face"]


def verdict_of(labels: Iterable[Label]) -> Verdict:
    """The verdict on the labels of every classified face or person."""
    labels = list(labels)
    if not labels:
        return "no_face"
    return "fake" if "fake" in labels else "real"
