"""The face classifier registry: ``register_classifier``, ``create_classifier``,
``list_classifiers``, as for the face detectors. A classifier is built from its model card (the
weights' metadata: input size, normalisation, threshold) and a CPU thread count."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from deepfake_detection.classifiers.base import Classifier
from deepfake_detection.errors import InvalidOptions

ClassifierFactory = Callable[[Path, int], Classifier]
F = TypeVar("F", bound=ClassifierFactory)

# The classifiers that ship with the package, each registered by its module (name -> module).
_BUILTIN_MODULES = {"onnx": "onnx_classifier"}
_FACTORIES: dict[str, ClassifierFactory] = {}


def register_classifier(name: str) -> Callable[[F], F]:
    """Class decorator: make a classifier available to ``create_classifier`` under ``name``; the
    factory is called with the model card's path and the CPU threads one prediction may use."""

    def register(factory: F) -> F:
        _FACTORIES[name] = factory
        return factory

    return register


def list_classifiers() -> list[str]:
    """Names accepted by ``create_classifier``, sorted."""
    _load_builtins()
    return sorted(_FACTORIES)


def create_classifier(name: str, card_path: Path, *, threads: int = 2) -> Classifier:
    """A new classifier (it loads its model here: ``ModelUnavailable`` if it cannot); an unknown
    name is an ``InvalidOptions`` naming the valid ones. Build one per process and share it."""
    _load_builtins()
    factory = _FACTORIES.get(name.strip().lower())
    if factory is None:
        valid = ", ".join(sorted(_FACTORIES))
        raise InvalidOptions(f"unknown classifier {name!r}; valid classifiers: {valid}")
    return factory(card_path, threads)


def _load_builtins() -> None:
    for module in _BUILTIN_MODULES.values():
        importlib.import_module(f"deepfake_detection.classifiers.{module}")
