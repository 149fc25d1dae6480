"""A model card for the fake classifiers of the tests: every required field filled in, any of them
replaced by a keyword (``fake_card(input_size=16, threshold=0.4)``). No weights file exists."""

from __future__ import annotations

from typing import Any

from deepfake_detection.classifiers.model_card import ModelCard

DEFAULTS: dict[str, Any] = {
    "name": "fake",
    "version": "test",
    "architecture": "a fake classifier of the tests",
    "input_size": 64,
    "mean": (0.5, 0.5, 0.5),
    "std": (0.5, 0.5, 0.5),
    "onnx_file": "absent.onnx",
}


def fake_card(**fields: Any) -> ModelCard:
    return ModelCard.model_validate(DEFAULTS | fields)
