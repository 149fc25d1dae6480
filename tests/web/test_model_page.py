"""``GET /model``: the shipped model's card as a page for people, without internal paths."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from deepfake_detection.analysis.wording import LIMITS
from deepfake_detection.classifiers.model_card import default_model_card_path, load_model_card
from deepfake_detection.web.model_page import CONDITIONS, render_model_page, without_paths


def test_the_shipped_card_reads_as_a_page_without_internal_paths() -> None:
    card = load_model_card(default_model_card_path())
    page = render_model_page(card, card.threshold)
    for heading in ("Intended use", "Limitations", "Validation", "Training data"):
        assert f"<h2>{heading}</h2>" in page
    assert 'data-testid="model-limits"' in page
    for line in LIMITS:
        assert line.replace("'", "&#x27;") in page
    # Every degradation the card measured, in words, with its ROC AUC as the card has it.
    table = card.metrics["validation_table_roc_auc"]
    assert isinstance(table, dict)
    for name, auc in table.items():
        assert CONDITIONS.get(name, name) in page
        assert f"{auc:.3f}" in page
    assert card.training is not None
    assert card.training.data.split(" (")[0] in page
    # The card's run settings and the machine's folders stay out.
    for internal in ("../shared", "runs/", "cache_dir", "data_dir", "/work/"):
        assert internal not in page, internal
    assert not re.search(r"\w/\w+\.onnx", page)


def test_paths_are_cut_to_their_last_part() -> None:
    assert (
        without_paths("0.7 x runs/a-1.2.onnx + 0.3 x runs/v2/b.onnx")
        == "0.7 x a-1.2.onnx + 0.3 x b.onnx"
    )
    assert without_paths("from ../shared/data/dfdc-faces") == "from dfdc-faces"
    assert without_paths("DFDC face crops (15,030 REAL / 16,041 FAKE)") == (
        "DFDC face crops (15,030 REAL / 16,041 FAKE)"
    )


def test_the_model_page_is_served_and_linked_from_the_page(client: TestClient) -> None:
    response = client.get("/model")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "fake-brightness test" in response.text
    page = client.get("/", headers={"Accept": "text/html"}).text
    assert 'href="/model"' in page


def test_the_page_gets_the_wording_as_json(client: TestClient) -> None:
    wording = client.get("/ui/wording.json")
    assert wording.status_code == 200
    assert wording.json()["reasons"]["face_too_small"]["next_step"]
