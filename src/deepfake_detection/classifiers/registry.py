"""The face classifier registry: ``register_classifier``, ``create_classifier``,
``list_classifiers``, as for the face detectors. A classifier is built from its model card (the
weights' metadata: input size, normalisation, threshold) and a CPU thread count."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from deepfake_detection.classifiers.base import Classifier
from deepfake_detection.shared.registry import Registry

ClassifierFactory = Callable[[Path, int], Classifier]
F = TypeVar("F", bound=ClassifierFactory)

# The classifiers that ship with the package, each registered by its module.
_CLASSIFIERS: Registry[Classifier] = Registry(
    "classifier", "classifiers", {"onnx": "deepfake_detection.classifiers.onnx_classifier"}
)


def register_classifier(name: str) -> Callable[[F], F]:
    """Class decorator: make a classifier available to ``create_classifier`` under ``name``; the
    factory is called with the model card's path and the CPU threads one prediction may use."""
    return _CLASSIFIERS.register(name)


def list_classifiers() -> list[str]:
    """Names accepted by ``create_classifier``, sorted."""
    return _CLASSIFIERS.names()


def create_classifier(name: str, card_path: Path, *, threads: int = 2) -> Classifier:
    """A new classifier (it loads its model here: ``ModelUnavailable`` if it cannot); an unknown
    name is an ``InvalidOptions`` naming the valid ones. Build one per process and share it."""
    return _CLASSIFIERS.create(name, card_path, threads)
