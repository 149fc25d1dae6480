from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from deepfake_detection.detectors.ssd import SsdDetector
from deepfake_detection.errors import ModelUnavailable
from deepfake_detection.shared.faces import Box

Image = npt.NDArray[np.uint8]


@pytest.fixture(scope="module")
def detector() -> SsdDetector:
    return SsdDetector()


def test_finds_the_face(detector: SsdDetector, one_face: Image, astronaut_face: Box) -> None:
    (face,) = detector.detect(one_face)
    assert face.box.iou(astronaut_face) > 0.6
    assert face.confidence > 0.9
    assert face.landmarks is None


def test_finds_many_faces(detector: SsdDetector, six_faces: Image) -> None:
    assert len(detector.detect(six_faces)) == 6


def test_no_face(detector: SsdDetector, no_face: Image) -> None:
    assert detector.detect(no_face) == []


def test_missing_model_file_is_model_unavailable(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable, match="SSD"):
        SsdDetector(weights=tmp_path / "missing.caffemodel")
