"""Apps built with their own settings, a fake classifier and the real detectors."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.fakes import BrightnessClassifier
from api.images import encode, one_face
from deepfake_detection.api.app import create_app
from deepfake_detection.classifiers.base import Classifier
from deepfake_detection.config import Settings
from deepfake_detection.detectors.base import FaceDetector
from deepfake_detection.detectors.registry import create_detector, list_detectors

AppFactory = Callable[..., FastAPI]


@pytest.fixture(scope="session")
def detectors() -> dict[str, FaceDetector]:
    """The real detectors, loaded once for the session (the service shares them too)."""
    return {name: create_detector(name) for name in list_detectors()}


@pytest.fixture
def make_app(detectors: dict[str, FaceDetector]) -> AppFactory:
    """An app with its own settings (keyword arguments) and a fake classifier."""

    def make(classifier: Classifier | None = None, **settings: object) -> FastAPI:
        return create_app(
            Settings(**settings),
            classifier=classifier or BrightnessClassifier(),
            detectors=detectors,
        )

    return make


@pytest.fixture
def client(make_app: AppFactory) -> Iterator[TestClient]:
    with TestClient(make_app()) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def face_jpeg() -> bytes:
    return encode(one_face())
