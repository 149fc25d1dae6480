from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from deepfake_detection.detectors.centerface import CenterFaceDetector
from deepfake_detection.errors import ModelUnavailable
from deepfake_detection.shared.faces import Box

Image = npt.NDArray[np.uint8]


@pytest.fixture(scope="module")
def detector() -> CenterFaceDetector:
    return CenterFaceDetector()


def test_finds_the_face_with_landmarks(
    detector: CenterFaceDetector, one_face: Image, astronaut_face: Box
) -> None:
    (face,) = detector.detect(one_face)
    assert face.box.iou(astronaut_face) > 0.6
    assert face.confidence > 0.8
    assert face.landmarks is not None
    assert len(face.landmarks) == 5
    (lx, ly), (rx, ry), (nx, ny), (_, mly), (_, mry) = face.landmarks
    assert lx < nx < rx  # the eyes either side of the nose
    assert max(ly, ry) < ny < min(mly, mry)  # eyes above the nose above the mouth
    for x, y in face.landmarks:
        assert face.box.x1 <= x <= face.box.x2
        assert face.box.y1 <= y <= face.box.y2


def test_finds_many_faces_in_image_coordinates(
    detector: CenterFaceDetector, six_faces: Image, astronaut_face: Box
) -> None:
    faces = detector.detect(six_faces)
    assert len(faces) == 6
    offsets = sorted(
        (round((f.box.x1 - astronaut_face.x1) / 512), round((f.box.y1 - astronaut_face.y1) / 512))
        for f in faces
    )
    assert offsets == [(0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (2, 1)]
    assert [f.confidence for f in faces] == sorted((f.confidence for f in faces), reverse=True)


def test_large_images_are_shrunk_and_boxes_scaled_back(
    detector: CenterFaceDetector, one_face: Image, astronaut_face: Box
) -> None:
    big = np.kron(one_face, np.ones((3, 3, 1), np.uint8))  # 1536x1536, over max_side
    (face,) = detector.detect(big)
    a = astronaut_face
    assert face.box.iou(Box(3 * a.x1, 3 * a.y1, 3 * a.x2, 3 * a.y2)) > 0.6


def test_no_face(detector: CenterFaceDetector, no_face: Image) -> None:
    assert detector.detect(no_face) == []


def test_odd_and_tiny_sizes(detector: CenterFaceDetector, one_face: Image) -> None:
    assert len(detector.detect(np.ascontiguousarray(one_face[:301, 90:389]))) == 1
    assert detector.detect(np.zeros((1, 1, 3), np.uint8)) == []
    assert detector.detect(np.zeros((0, 0, 3), np.uint8)) == []


def test_missing_model_file_is_model_unavailable(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable, match="CenterFace"):
        CenterFaceDetector(model_path=tmp_path / "missing.onnx")
