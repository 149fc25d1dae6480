"""GET /v1/models (the model card) and GET /v1/detectors."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from api.fakes import CARD, BrightnessClassifier
from support.fake_card import fake_card


def test_models_answers_the_card(client: TestClient) -> None:
    (model,) = client.get("/v1/models").json()["models"]
    assert model["name"] == "fake-brightness"
    assert model["version"] == "test"
    assert model["input_size"] == 64
    assert model["threshold"] == model["card_threshold"] == 0.5
    assert model["metrics"] == {"auc": 0.5}
    assert model["crop"] == CARD.crop.model_dump(mode="json")
    assert model["training"] is None


def test_models_leaves_out_the_training_machine_s_own_settings(make_app: Any) -> None:
    training = {
        "data": "DFDC face crops",
        "split": "by group",
        "train_items": 10,
        "validation_items": 2,
        "augmentations": ["jpeg"],
        "epochs": 1.0,
        "steps": 5,
        "seed": 1,
        "config": {
            "data_dir": "../shared/data/dfdc-faces",
            "learning_rate": 0.0003,
            "run_dir": "runs/v3",
            "cache_dir": "cache",
            "threads": 2,
            "device": "cpu",
            "loader_workers": 0,
        },
    }
    classifier = BrightnessClassifier()
    classifier.card = fake_card(training=training)
    with TestClient(make_app(classifier=classifier)) as client:
        (model,) = client.get("/v1/models").json()["models"]
    assert model["training"]["config"] == {
        "data_dir": "../shared/data/dfdc-faces",
        "learning_rate": 0.0003,
    }
    assert model["training"]["steps"] == 5


def test_models_answers_the_threshold_in_use(make_app: Any) -> None:
    with TestClient(make_app(threshold=0.7)) as client:
        (model,) = client.get("/v1/models").json()["models"]
    assert (model["threshold"], model["card_threshold"]) == (0.7, 0.5)


def test_detectors_lists_every_detector_and_the_default(client: TestClient) -> None:
    detectors = client.get("/v1/detectors").json()["detectors"]
    assert detectors == [
        {"name": "centerface", "default": False},
        {"name": "none", "default": False},
        {"name": "ssd", "default": False},
        {"name": "yunet", "default": True},
    ]
