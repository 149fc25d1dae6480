from pathlib import Path

import numpy as np
import pytest

from deepfake_detection.classifiers.onnx_classifier import OnnxClassifier
from deepfake_detection.errors import ModelUnavailable
from support.tiny_model import write_tiny_model

SIZE = 8


def write_model(folder: Path, *, input_name: str = "input", mean: float = 0.5) -> Path:
    """A tiny classifier: fake_probability = sigmoid(mean of the normalised input), per image."""
    return write_tiny_model(
        folder, size=SIZE, mean=mean, threshold=0.5, graph_input=input_name, version="0"
    )


def sigmoid(x: float) -> float:
    return float(1 / (1 + np.exp(-x)))


def crops(*values: int, size: int = SIZE) -> np.ndarray:
    return np.stack([np.full((size, size, 3), v, np.uint8) for v in values])


def test_normalisation_comes_from_the_card(tmp_path: Path) -> None:
    classifier = OnnxClassifier(write_model(tmp_path), threads=1)
    probabilities = classifier.predict(crops(255, 0, 128))
    assert probabilities.dtype == np.float32
    # (255/255 - 0.5) / 0.5 = 1, (0 - 0.5) / 0.5 = -1, (128/255 - 0.5) / 0.5 ~ 0.004
    np.testing.assert_allclose(probabilities, [sigmoid(1), sigmoid(-1), sigmoid(0.0039)], atol=1e-4)


def test_other_card_values_change_the_input(tmp_path: Path) -> None:
    classifier = OnnxClassifier(write_model(tmp_path, mean=0.0), threads=1)
    np.testing.assert_allclose(classifier.predict(crops(255)), [sigmoid(2)], atol=1e-5)


def test_no_crops(tmp_path: Path) -> None:
    result = OnnxClassifier(write_model(tmp_path)).predict(np.zeros((0, SIZE, SIZE, 3), np.uint8))
    assert result.shape == (0,)


def test_crops_of_another_size_are_resized(tmp_path: Path) -> None:
    classifier = OnnxClassifier(write_model(tmp_path))
    np.testing.assert_allclose(
        classifier.predict(crops(255, 0, size=20)), [sigmoid(1), sigmoid(-1)], atol=1e-5
    )


def test_wrong_crop_layout_is_a_programming_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="RGB crops"):
        OnnxClassifier(write_model(tmp_path)).predict(np.zeros((SIZE, SIZE, 3), np.uint8))


def test_missing_onnx_file(tmp_path: Path) -> None:
    card = write_model(tmp_path)
    (tmp_path / "tiny.onnx").unlink()
    with pytest.raises(ModelUnavailable, match=r"tiny\.onnx"):
        OnnxClassifier(card)


def test_missing_card(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable, match="not found"):
        OnnxClassifier(tmp_path / "nothing.json")


def test_card_naming_another_input(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable, match="'input'"):
        OnnxClassifier(write_model(tmp_path, input_name="pixels"))


def test_unreadable_onnx_file(tmp_path: Path) -> None:
    card = write_model(tmp_path)
    (tmp_path / "tiny.onnx").write_bytes(b"not a model")
    with pytest.raises(ModelUnavailable, match="cannot load"):
        OnnxClassifier(card)
