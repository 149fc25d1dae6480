"""Domain values for faces: boxes, detections and scored faces (plain frozen dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

Label = Literal["real", "fake", "uncertain"]
# Why a face, a person or a verdict is ``uncertain`` (or, for ``brief_presence``, why a person does
# not decide a video's verdict).
Reason = Literal["borderline", "face_too_small", "low_quality", "brief_presence"]
Point = tuple[float, float]


@dataclass(frozen=True)
class Box:
    """An axis-aligned box in pixels of the original image: (x1, y1) top-left, (x2, y2) bottom-right."""

    x1: float
    y1: float
    x2: float
    y2: float

    @property
    def width(self) -> float:
        return max(0.0, self.x2 - self.x1)

    @property
    def height(self) -> float:
        return max(0.0, self.y2 - self.y1)

    @property
    def area(self) -> float:
        return self.width * self.height

    @property
    def center(self) -> Point:
        return ((self.x1 + self.x2) / 2, (self.y1 + self.y2) / 2)

    def scaled(self, factor: float) -> Box:
        """The same box in an image ``factor`` times larger."""
        return Box(self.x1 * factor, self.y1 * factor, self.x2 * factor, self.y2 * factor)

    def iou(self, other: Box) -> float:
        ix = max(0.0, min(self.x2, other.x2) - max(self.x1, other.x1))
        iy = max(0.0, min(self.y2, other.y2) - max(self.y1, other.y1))
        inter = ix * iy
        union = self.area + other.area - inter
        return inter / union if union > 0 else 0.0


@dataclass(frozen=True)
class DetectedFace:
    """What a face detector returns: a box, its confidence, and 5 landmarks where the detector has them
    (left eye, right eye, nose, left mouth corner, right mouth corner, in image pixels)."""

    box: Box
    confidence: float
    landmarks: tuple[Point, ...] | None = None


@dataclass(frozen=True)
class ScoredFace:
    """A detected face after classification."""

    box: Box
    confidence: float
    landmarks: tuple[Point, ...] | None
    fake_probability: float
    label: Label
    reason: Reason | None = None
    # Variance of the Laplacian of the grey crop the classifier saw (blur and compression lower it).
    sharpness: float | None = None
    # Strength of the 8 px block grid in the face's region of the image (about 1: none).
    blockiness: float | None = None
    # Colourfulness of the crop (0: greyscale).
    colourfulness: float | None = None

    def scaled(self, factor: float) -> ScoredFace:
        """The same face in an image ``factor`` times larger (box and landmarks)."""
        return replace(
            self, box=self.box.scaled(factor), landmarks=scaled_points(self.landmarks, factor)
        )


def scaled_points(points: tuple[Point, ...] | None, factor: float) -> tuple[Point, ...] | None:
    return None if points is None else tuple((x * factor, y * factor) for x, y in points)
