"""Face detection through a video at the resolution the faces need (issue 20).

A full pass shrinks the whole frame to the detector's input (640 px: a 1080p frame at a third).
Between full passes only a region of interest around each face already known is searched, shrunk
so that face is about ``face_px`` wide: a 1080p frame with one face costs YuNet about 3 ms instead
of 10. A full pass runs on the first sampled frame, at least every ``full_every`` sampled frames,
on a scene cut, whenever a known face is not found again in its region, and when regions would not
save work (no face known, more than ``max_regions`` faces, or regions as large as the frame). So a
face that enters between full passes is found by the next one, at most ``full_every - 1`` sampled
frames late.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from deepfake_detection.detectors.base import FaceDetector
from deepfake_detection.shared.faces import Box, DetectedFace
from deepfake_detection.shared.images import RGBImage

_THUMBNAIL = (32, 18)


@dataclass(frozen=True)
class RegionOptions:
    full_every: int = 4
    """A full pass at least every this many sampled frames; 1: every frame is a full pass."""
    context: float = 2.5
    """A region's side, in sides of the face it follows: room for the face to move between
    sampled frames (about 0.3 s apart for 32 frames of a 10 s clip)."""
    face_px: int = 96
    """The known face's side in its region as the detector sees it (regions are never enlarged)."""
    max_regions: int = 3
    """More faces than this: a full pass is cheaper than one region each."""
    scene_cut: float = 0.2
    """Mean absolute difference (0..1) of two frames' 32x18 grey thumbnails that marks a cut."""
    max_area: float = 0.5
    """Regions covering more than this share of the frame: a full pass instead."""


class RegionDetector:
    """Detects faces frame after frame for one video: it remembers the last frame's faces, so it
    serves one analysis and is not shared between threads. ``detect`` answers as
    ``FaceDetector.detect`` does; ``full_passes`` and ``region_passes`` count what it did."""

    def __init__(self, detector: FaceDetector, options: RegionOptions | None = None) -> None:
        self.detector = detector
        self.name = detector.name
        self.options = options or RegionOptions()
        self.full_passes = 0
        self.region_passes = 0
        self._known: list[DetectedFace] = []
        self._since_full = 0
        self._thumbnail: npt.NDArray[np.float32] | None = None

    def detect(self, image: RGBImage) -> list[DetectedFace]:
        thumbnail = _grey_thumbnail(image)
        cut = self._thumbnail is not None and (
            float(np.abs(thumbnail - self._thumbnail).mean()) > self.options.scene_cut
        )
        self._thumbnail = thumbnail
        faces = None
        if not cut and self._since_full + 1 < self.options.full_every:
            faces = self._in_regions(image)
        if faces is None:
            faces = self.detector.detect(image)
            self.full_passes += 1
            self._since_full = 0
        else:
            self.region_passes += 1
            self._since_full += 1
        self._known = faces
        return faces

    def _in_regions(self, image: RGBImage) -> list[DetectedFace] | None:
        """The known faces found again in their regions, or ``None`` where a full pass is due."""
        known = self._known
        if not known or len(known) > self.options.max_regions:
            return None
        height, width = image.shape[:2]
        regions = [region_around(f.box, self.options.context, width, height) for f in known]
        if sum(r.area for r in regions) > self.options.max_area * width * height:
            return None
        found: list[DetectedFace] = []
        for face, region in zip(known, regions, strict=True):
            faces = self._detect_region(image, region, max(face.box.width, face.box.height))
            if not faces:
                return None  # lost, or moved out of its region: look everywhere
            found.extend(faces)
        return _distinct(found)

    def _detect_region(self, image: RGBImage, region: Box, face_side: float) -> list[DetectedFace]:
        x1, y1, x2, y2 = (int(v) for v in (region.x1, region.y1, region.x2, region.y2))
        patch = image[y1:y2, x1:x2]
        scale = min(1.0, self.options.face_px / max(face_side, 1.0))
        if scale < 1.0:
            size = (max(1, round((x2 - x1) * scale)), max(1, round((y2 - y1) * scale)))
            patch = np.asarray(cv2.resize(patch, size, interpolation=cv2.INTER_AREA), np.uint8)
        else:
            patch = np.ascontiguousarray(patch)
        sx, sy = (x2 - x1) / patch.shape[1], (y2 - y1) / patch.shape[0]
        return [_moved(face, sx, sy, x1, y1) for face in self.detector.detect(patch)]


def region_around(box: Box, context: float, width: int, height: int) -> Box:
    """The square ``context`` times the box's longer side around its centre, clipped to the
    ``width`` x ``height`` frame, on whole pixels."""
    cx, cy = box.center
    half = max(box.width, box.height) * context / 2
    return Box(
        float(max(0, int(cx - half))),
        float(max(0, int(cy - half))),
        float(min(width, int(np.ceil(cx + half)))),
        float(min(height, int(np.ceil(cy + half)))),
    )


def _moved(face: DetectedFace, sx: float, sy: float, dx: float, dy: float) -> DetectedFace:
    """``face`` found in a region shrunk by (``sx``, ``sy``) whose corner is (``dx``, ``dy``), in
    the frame's pixels."""
    box = face.box
    marks = face.landmarks
    return DetectedFace(
        Box(box.x1 * sx + dx, box.y1 * sy + dy, box.x2 * sx + dx, box.y2 * sy + dy),
        face.confidence,
        None if marks is None else tuple((x * sx + dx, y * sy + dy) for x, y in marks),
    )


def _distinct(faces: list[DetectedFace], iou_limit: float = 0.5) -> list[DetectedFace]:
    """The faces, most confident first, without the ones two overlapping regions both found."""
    kept: list[DetectedFace] = []
    for face in sorted(faces, key=lambda f: f.confidence, reverse=True):
        if all(face.box.iou(other.box) < iou_limit for other in kept):
            kept.append(face)
    return kept


def _grey_thumbnail(image: RGBImage) -> npt.NDArray[np.float32]:
    """32x18 grey, 0..1. Every few pixels are averaged, not all of them: 0.1 ms for a 1080p frame
    instead of 3 (measured), for the same cuts."""
    height, width = image.shape[:2]
    if height == 0 or width == 0:
        return np.zeros(_THUMBNAIL[::-1], np.float32)
    sparse = image[:: max(1, height // 72), :: max(1, width // 128)]
    small = cv2.resize(sparse, _THUMBNAIL, interpolation=cv2.INTER_AREA)
    return np.asarray(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY), np.float32) / 255.0
