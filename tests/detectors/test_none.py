import numpy as np

from deepfake_detection.detectors.none import WholeImageDetector
from deepfake_detection.shared.faces import Box


def test_the_whole_image_is_one_face() -> None:
    faces = WholeImageDetector().detect(np.zeros((30, 50, 3), np.uint8))
    assert [f.box for f in faces] == [Box(0, 0, 50, 30)]
    assert faces[0].confidence == 1.0


def test_an_empty_image_has_no_face() -> None:
    assert WholeImageDetector().detect(np.zeros((0, 50, 3), np.uint8)) == []
