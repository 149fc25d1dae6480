"""The face detector registry: ``register_detector``, ``create_detector``, ``list_detectors``."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TypeVar

from deepfake_detection.detectors.base import FaceDetector
from deepfake_detection.errors import InvalidOptions

DetectorFactory = Callable[..., FaceDetector]
F = TypeVar("F", bound=DetectorFactory)

# The detectors that ship with the package, each a module of this package that registers itself.
_BUILTIN_MODULES = ("centerface", "yunet", "ssd", "none")
_FACTORIES: dict[str, DetectorFactory] = {}
# The detectors whose factory takes ``threads``: those that run on threads of their own.
_THREADED: set[str] = set()


def register_detector(name: str, *, threaded: bool = False) -> Callable[[F], F]:
    """Class decorator: make a detector available to ``create_detector`` under ``name``.
    ``threaded``: the factory takes ``threads``, the CPU threads one detection may use."""

    def register(factory: F) -> F:
        _FACTORIES[name] = factory
        if threaded:
            _THREADED.add(name)
        return factory

    return register


def list_detectors() -> list[str]:
    """Names accepted by ``create_detector``, sorted."""
    _load_builtins()
    return sorted(_FACTORIES)


def create_detector(name: str, *, threads: int | None = None, **kwargs: object) -> FaceDetector:
    """A new detector; an unknown name or option is an ``InvalidOptions`` naming the valid ones.

    Detectors load their model here (``ModelUnavailable`` if its file is missing); create one per
    process and share it: every built-in detector is safe to call from several threads.
    ``threads``: the CPU threads one detection may use, for the detectors that run threads of their
    own (``centerface`` and ``yunet``: onnxruntime's intra-op threads); ``None``: the detector's
    default. The others ignore it: ``ssd`` runs on OpenCV's process-wide pool
    (``cv2.setNumThreads``).
    """
    _load_builtins()
    key = name.strip().lower()
    factory = _FACTORIES.get(key)
    if factory is None:
        valid = ", ".join(sorted(_FACTORIES))
        raise InvalidOptions(f"unknown face detector {name!r}; valid detectors: {valid}")
    if threads is not None and key in _THREADED:
        kwargs["threads"] = threads
    try:
        return factory(**kwargs)
    except TypeError as exc:
        raise InvalidOptions(f"invalid options for face detector {name!r}: {exc}") from exc


def _load_builtins() -> None:
    for module in _BUILTIN_MODULES:
        importlib.import_module(f"deepfake_detection.detectors.{module}")
