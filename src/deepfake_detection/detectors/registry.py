"""The face detector registry: ``register_detector``, ``create_detector``, ``list_detectors``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from deepfake_detection.detectors.base import FaceDetector
from deepfake_detection.shared.registry import Registry

DetectorFactory = Callable[..., FaceDetector]
F = TypeVar("F", bound=DetectorFactory)

# The detectors that ship with the package, each a module of this package that registers itself.
_DETECTORS: Registry[FaceDetector] = Registry(
    "face detector",
    "detectors",
    {
        name: f"deepfake_detection.detectors.{name}"
        for name in ("centerface", "yunet", "ssd", "none")
    },
)


def register_detector(name: str, *, threaded: bool = False) -> Callable[[F], F]:
    """Class decorator: make a detector available to ``create_detector`` under ``name``.
    ``threaded``: the factory takes ``threads``, the CPU threads one detection may use."""
    return _DETECTORS.register(name, threaded=threaded)


def list_detectors() -> list[str]:
    """Names accepted by ``create_detector``, sorted."""
    return _DETECTORS.names()


def create_detector(name: str, *, threads: int | None = None, **kwargs: object) -> FaceDetector:
    """A new detector; an unknown name or option is an ``InvalidOptions`` naming the valid ones.

    Detectors load their model here (``ModelUnavailable`` if its file is missing); create one per
    process and share it: every built-in detector is safe to call from several threads.
    ``threads``: the CPU threads one detection may use, for the detectors that run threads of their
    own (``centerface`` and ``yunet``: onnxruntime's intra-op threads); ``None``: the detector's
    default. The others ignore it: ``ssd`` runs on OpenCV's process-wide pool
    (``cv2.setNumThreads``).
    """
    if threads is not None and _DETECTORS.metadata(name).get("threaded"):
        kwargs["threads"] = threads
    return _DETECTORS.create(name, **kwargs)
