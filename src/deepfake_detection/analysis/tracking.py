"""Faces linked across sampled frames into persons: pure functions on ``DetectedFace``.

Frames are visited in time order. Each face is matched to the person it overlaps most (box IoU) or,
when sampled frames are far apart and the face has moved, to the person whose last face is closest
relative to its size (landmarks where both faces have them, box centres otherwise) and of a similar
size. Matching is greedy, best pair first, one face per person per frame; a face that matches nobody
starts a new person.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from deepfake_detection.shared.faces import DetectedFace


@dataclass(frozen=True)
class TrackingOptions:
    min_iou: float = 0.3
    max_distance: float = 0.6
    """Largest move between two faces of a person, in face sizes (the box diagonal)."""
    max_size_ratio: float = 1.6


def link_faces(
    frames: Sequence[Sequence[DetectedFace]], options: TrackingOptions | None = None
) -> list[list[int]]:
    """For each frame, the person number (0, 1, ... in order of first appearance) of each face."""
    options = options or TrackingOptions()
    last_seen: list[DetectedFace] = []
    persons: list[list[int]] = []
    for faces in frames:
        assigned = _match(last_seen, faces, options)
        for j, face in enumerate(faces):
            if j not in assigned:
                assigned[j] = len(last_seen)
                last_seen.append(face)
            else:
                last_seen[assigned[j]] = face
        persons.append([assigned[j] for j in range(len(faces))])
    return persons


def similarity(known: DetectedFace, face: DetectedFace, options: TrackingOptions) -> float:
    """How surely ``face`` is the person last seen as ``known``: above 1 for overlapping boxes, 0..1
    for nearby faces of a similar size, 0 for no match."""
    iou = known.box.iou(face.box)
    if iou >= options.min_iou:
        return 1.0 + iou
    small, large = sorted((known.box.area, face.box.area))
    if small <= 0 or math.sqrt(large / small) > options.max_size_ratio:
        return 0.0
    distance = _distance(known, face) / _diagonal(known)
    if distance > options.max_distance:
        return 0.0
    return 1.0 - distance / options.max_distance * 0.999


def _match(
    known: Sequence[DetectedFace], faces: Sequence[DetectedFace], options: TrackingOptions
) -> dict[int, int]:
    pairs = [
        (score, i, j)
        for i, person in enumerate(known)
        for j, face in enumerate(faces)
        if (score := similarity(person, face, options)) > 0
    ]
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    taken: set[int] = set()
    assigned: dict[int, int] = {}
    for _, i, j in pairs:
        if i not in taken and j not in assigned:
            taken.add(i)
            assigned[j] = i
    return assigned


def _distance(a: DetectedFace, b: DetectedFace) -> float:
    if a.landmarks and b.landmarks and len(a.landmarks) == len(b.landmarks):
        return sum(math.dist(p, q) for p, q in zip(a.landmarks, b.landmarks, strict=True)) / len(
            a.landmarks
        )
    return math.dist(a.box.center, b.box.center)


def _diagonal(face: DetectedFace) -> float:
    return max(1.0, math.hypot(face.box.width, face.box.height))
