from pathlib import Path

import numpy as np
import pytest

from deepfake_detection.classifiers.onnx_classifier import OnnxClassifier
from deepfake_detection.classifiers.registry import create_classifier, list_classifiers
from deepfake_detection.errors import InvalidOptions


def test_lists_the_builtin_classifiers() -> None:
    assert list_classifiers() == ["onnx"]


def test_unknown_name_lists_the_valid_ones(tiny_model_card: Path) -> None:
    with pytest.raises(InvalidOptions, match=r"'torch'.*valid classifiers: onnx"):
        create_classifier("torch", tiny_model_card)


def test_creates_a_classifier_from_its_model_card(tiny_model_card: Path) -> None:
    classifier = create_classifier("ONNX", tiny_model_card, threads=1)
    assert isinstance(classifier, OnnxClassifier)
    size = classifier.card.input_size
    scores = classifier.predict(np.zeros((2, size, size, 3), np.uint8))
    assert scores.shape == (2,)
    assert ((scores >= 0) & (scores <= 1)).all()
