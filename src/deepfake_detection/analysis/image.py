"""Image analysis: detect faces -> crop each as the model card says -> classify all in one batch.

Each stage is usable on its own (video analysis reuses them per frame): ``select_faces`` applies the
size and count limits, ``crop_faces`` (``crop/face_crop.py``) frames the kept faces, ``score_faces`` attaches the
classifier's probabilities and labels.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from deepfake_detection.analysis.quality import blockiness, colourfulness, sharpness
from deepfake_detection.analysis.results import ImageAnalysis, SkippedFace, Timings
from deepfake_detection.analysis.verdict import DecisionRule
from deepfake_detection.classifiers.base import Classifier
from deepfake_detection.crop.face_crop import crop_faces
from deepfake_detection.crop.recipe import CropRecipe
from deepfake_detection.detectors.base import FaceDetector
from deepfake_detection.shared.faces import Box, DetectedFace, ScoredFace
from deepfake_detection.shared.images import RGBImage


def select_faces(
    faces: Sequence[DetectedFace], *, min_face_size: int, max_faces: int
) -> tuple[list[DetectedFace], list[SkippedFace]]:
    """Keep the most confident faces whose shorter side is at least ``min_face_size`` pixels, at
    most ``max_faces`` of them; the others are returned as skipped, with the reason."""
    kept: list[DetectedFace] = []
    skipped: list[SkippedFace] = []
    for face in sorted(faces, key=lambda f: f.confidence, reverse=True):
        if min(face.box.width, face.box.height) < min_face_size:
            skipped.append(SkippedFace(face.box, face.confidence, "too_small"))
        elif len(kept) >= max_faces:
            skipped.append(SkippedFace(face.box, face.confidence, "over_max_faces"))
        else:
            kept.append(face)
    return kept, skipped


def face_blockiness(image: RGBImage, box: Box) -> float:
    """The blockiness of the face's box in the decoded image (the codec's grid is the image's)."""
    height, width = image.shape[:2]
    x1, y1 = max(0, int(box.x1)), max(0, int(box.y1))
    x2, y2 = min(width, int(np.ceil(box.x2))), min(height, int(np.ceil(box.y2)))
    if x2 - x1 < 2 or y2 - y1 < 2:
        return 1.0
    return blockiness(image[y1:y2, x1:x2], (x1, y1))


def score_faces(
    faces: Sequence[DetectedFace],
    probabilities: npt.NDArray[np.float32],
    crops: npt.NDArray[np.uint8],
    rule: DecisionRule,
    image: RGBImage | None = None,
) -> tuple[ScoredFace, ...]:
    """Faces with their fake probability, their input quality and the label ``rule`` gives
    them; with ``image``, also the blockiness of each face's region."""
    scored = []
    for face, p, crop in zip(faces, probabilities, crops, strict=True):
        face_px = min(face.box.width, face.box.height)
        sharp = sharpness(crop)
        label, reason = rule.judge(float(p), face_px, sharp)
        scored.append(
            ScoredFace(
                box=face.box,
                confidence=face.confidence,
                landmarks=face.landmarks,
                fake_probability=float(p),
                label=label,
                reason=reason,
                sharpness=sharp,
                blockiness=None if image is None else face_blockiness(image, face.box),
                colourfulness=colourfulness(crop),
            )
        )
    return tuple(scored)


class ImageAnalyzer:
    """Detect, crop and classify the faces of one image. Holds no per-image state: share one."""

    def __init__(
        self,
        detector: FaceDetector,
        classifier: Classifier,
        *,
        threshold: float | None = None,
        max_faces: int = 16,
        min_face_size: int = 20,
    ) -> None:
        self.detector = detector
        self.classifier = classifier
        self.threshold = classifier.card.threshold if threshold is None else threshold
        self.max_faces = max_faces
        self.min_face_size = min_face_size

    def analyze(
        self,
        image: RGBImage,
        *,
        detector: FaceDetector | None = None,
        threshold: float | None = None,
        max_faces: int | None = None,
    ) -> ImageAnalysis:
        """Analyse an (H, W, 3) uint8 RGB image; the keyword options override this analyzer's."""
        detector = detector or self.detector
        card = self.classifier.card
        rule = DecisionRule.from_card(card, self.threshold if threshold is None else threshold)
        start = time.perf_counter()
        found = detector.detect(image)
        kept, skipped = select_faces(
            found,
            min_face_size=self.min_face_size,
            max_faces=self.max_faces if max_faces is None else max_faces,
        )
        detected = time.perf_counter()
        recipe = crop_recipe(card.crop, detector.name)
        crops = crop_faces(image, [f.box for f in kept], recipe, card.input_size)
        cropped = time.perf_counter()
        probabilities = self.classifier.predict(crops) if kept else np.empty(0, np.float32)
        classified = time.perf_counter()
        return ImageAnalysis(
            width=int(image.shape[1]),
            height=int(image.shape[0]),
            detector=detector.name,
            model_name=card.name,
            model_version=card.version,
            rule=rule,
            faces=score_faces(kept, probabilities, crops, rule, image),
            skipped=tuple(skipped),
            timings=Timings(
                detect_ms=(detected - start) * 1000,
                crop_ms=(cropped - detected) * 1000,
                classify_ms=(classified - cropped) * 1000,
            ),
        )


def crop_recipe(recipe: CropRecipe, detector: str) -> CropRecipe:
    """The card's crop recipe for boxes from ``detector`` (box conventions differ per detector)."""
    return recipe.for_detector(detector)
