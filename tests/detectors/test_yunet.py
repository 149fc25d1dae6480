import math
from importlib import resources
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import pytest

from deepfake_detection.detectors.registry import create_detector, list_detectors
from deepfake_detection.detectors.yunet import OUTPUTS, YuNetDetector, decode
from deepfake_detection.errors import ModelUnavailable
from deepfake_detection.shared.faces import Box

Image = npt.NDArray[np.uint8]
Outputs = dict[str, npt.NDArray[np.float32]]

# A network input of 64 x 96: 8 x 12 cells at stride 8, 4 x 6 at 16, 2 x 3 at 32.
HEIGHT, WIDTH = 64, 96


@pytest.fixture(scope="module")
def detector() -> YuNetDetector:
    return YuNetDetector()


def empty_outputs() -> Outputs:
    outputs = {}
    for name in OUTPUTS:
        kind, stride = name.split("_")
        cells = (HEIGHT // int(stride)) * (WIDTH // int(stride))
        channels = {"cls": 1, "obj": 1, "bbox": 4, "kps": 10}[kind]
        outputs[name] = np.zeros((cells, channels), np.float32)
    return outputs


def test_decodes_a_known_cell_into_its_box_and_landmarks() -> None:
    outputs = empty_outputs()
    cell = 2 * 6 + 5  # row 2, column 5 of the 4 x 6 grid at stride 16
    outputs["cls_16"][cell] = 0.81
    outputs["obj_16"][cell] = 1.0
    outputs["bbox_16"][cell] = [0.5, 0.25, math.log(2), math.log(3)]
    outputs["kps_16"][cell] = [0.1, 0.2, 0.9, 0.2, 0.5, 0.5, 0.2, 0.8, 0.8, 0.8]
    boxes, scores, points = decode(outputs, HEIGHT, WIDTH, threshold=0.5)
    # centre ((5 + 0.5) x 16, (2 + 0.25) x 16) = (88, 36); size (2 x 16, 3 x 16) = (32, 48)
    np.testing.assert_allclose(boxes, [[72, 12, 104, 60]], atol=1e-4)
    np.testing.assert_allclose(scores, [0.9], atol=1e-6)
    expected = [[81.6, 35.2, 94.4, 35.2, 88, 40, 83.2, 44.8, 92.8, 44.8]]
    np.testing.assert_allclose(points, expected, atol=1e-4)


def test_each_stride_scales_its_own_grid() -> None:
    outputs = empty_outputs()
    for stride, cell in ((8, 12 * 7 + 11), (32, 0)):  # the last cell at 8, the first at 32
        outputs[f"cls_{stride}"][cell] = outputs[f"obj_{stride}"][cell] = 0.95
    boxes, _, _ = decode(outputs, HEIGHT, WIDTH, threshold=0.5)
    # Box offsets 0 and log sizes 0: a stride-sized box centred on the cell's corner.
    np.testing.assert_allclose(boxes, [[84, 52, 92, 60], [-16, -16, 16, 16]], atol=1e-4)


def test_scores_are_clipped_and_thresholded() -> None:
    outputs = empty_outputs()
    outputs["cls_8"][:3, 0] = [1.3, 0.5, 0.9]
    outputs["obj_8"][:3, 0] = [0.64, -0.2, 0.1]  # sqrt(1 x 0.64) = 0.8, 0, 0.3
    _, scores, _ = decode(outputs, HEIGHT, WIDTH, threshold=0.29)
    np.testing.assert_allclose(scores, [0.8, 0.3], atol=1e-6)
    _, scores, _ = decode(outputs, HEIGHT, WIDTH, threshold=0.31)
    np.testing.assert_allclose(scores, [0.8], atol=1e-6)


def test_outputs_that_do_not_fit_the_input_size_are_an_error() -> None:
    with pytest.raises(ValueError, match="stride 8"):
        decode(empty_outputs(), HEIGHT + 32, WIDTH, threshold=0.5)


def test_finds_the_astronaut_with_landmarks(
    detector: YuNetDetector, one_face: Image, astronaut_face: Box
) -> None:
    (face,) = detector.detect(one_face)
    assert face.box.iou(astronaut_face) > 0.6
    assert face.confidence > 0.8
    assert face.landmarks is not None
    (lx, ly), (rx, ry), (nx, ny), (_, mly), (_, mry) = face.landmarks
    assert lx < nx < rx  # the eyes either side of the nose, in the same order as CenterFace's
    assert max(ly, ry) < ny < min(mly, mry)
    for x, y in face.landmarks:
        assert face.box.x1 <= x <= face.box.x2
        assert face.box.y1 <= y <= face.box.y2


def test_finds_faces_of_several_sizes(detector: YuNetDetector, one_face: Image) -> None:
    # Faces 48-320 px wide on 1280x720, shrunk to 640 px for the network: 24-160 px there.
    canvas = np.full((720, 1280, 3), 90, np.uint8)
    head, left, truth = one_face[35:205, 150:300], 10, []
    for width in (48, 96, 192, 320):
        scale = width / 100  # the astronaut's face is 100 px wide
        pasted = cv2.resize(head, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        canvas[20 : 20 + pasted.shape[0], left : left + pasted.shape[1]] = pasted
        truth.append(Box(left + 25 * scale, 20 + 15 * scale, left + 125 * scale, 20 + 150 * scale))
        left += pasted.shape[1] + 20
    faces = detector.detect(canvas)
    assert len(faces) == 4
    for box in truth:
        assert max(face.box.iou(box) for face in faces) > 0.5


def test_boxes_are_in_the_original_image_coordinates(
    detector: YuNetDetector, one_face: Image, astronaut_face: Box
) -> None:
    a = astronaut_face
    odd = np.zeros((579, 613, 3), np.uint8)  # neither side a multiple of 32
    odd[37 : 37 + 512, 53 : 53 + 512] = one_face
    (face,) = detector.detect(odd)
    assert face.box.iou(Box(a.x1 + 53, a.y1 + 37, a.x2 + 53, a.y2 + 37)) > 0.6
    big = np.kron(one_face[:301, :433], np.ones((3, 3, 1), np.uint8))  # 1299 x 903, shrunk
    (face,) = detector.detect(big)
    assert face.box.iou(a.scaled(3)) > 0.6
    assert all(0 <= x <= 1299 and 0 <= y <= 903 for x, y in face.landmarks or ())


def test_no_face(detector: YuNetDetector, no_face: Image) -> None:
    assert detector.detect(no_face) == []
    assert detector.detect(np.zeros((480, 640, 3), np.uint8)) == []
    assert detector.detect(np.zeros((1, 1, 3), np.uint8)) == []
    assert detector.detect(np.zeros((0, 0, 3), np.uint8)) == []


def test_is_in_the_registry() -> None:
    assert "yunet" in list_detectors()
    assert isinstance(create_detector("YuNet", threshold=0.7), YuNetDetector)


def test_the_model_ships_with_its_licence() -> None:
    folder = resources.files("deepfake_detection.detectors")
    assert (folder / "yunet_n_dynamic.onnx").is_file()
    assert "Apache License" in (folder / "yunet.LICENSE").read_text()


def test_missing_or_foreign_model_file_is_model_unavailable(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable, match="YuNet"):
        YuNetDetector(model_path=tmp_path / "missing.onnx")
    (tmp_path / "broken.onnx").write_bytes(b"not a model")
    with pytest.raises(ModelUnavailable, match="YuNet"):
        YuNetDetector(model_path=tmp_path / "broken.onnx")
