from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage import data

from deepfake_detection.cli.main import main
from deepfake_detection.config import Settings
from deepfake_detection.evaluation.folder import evaluate_folder, list_items
from deepfake_detection.runtime.models import load_models


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """REAL crops of a real photo, FAKE ones brighter: the tiny model scores brightness."""
    root = tmp_path / "set"
    photo = data.astronaut()
    for name, gain in (("REAL", 0.6), ("FAKE", 1.0)):
        (root / name / "sub").mkdir(parents=True)
        for i in range(4):
            crop = (photo[40 * i : 40 * i + 200, 150:350] * gain).astype(np.uint8)
            Image.fromarray(crop).save(root / name / "sub" / f"{i}.png")
    (root / "FAKE" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    return root


def test_list_items_labels_by_folder(folder: Path) -> None:
    items = list_items(folder)
    assert sum(label for _, label in items) == 5
    assert len(items) == 9


def test_evaluate_folder_scores_every_item_and_counts_failures(
    folder: Path, tiny_model_card: Path
) -> None:
    settings = Settings(model_card=tiny_model_card, detector="none")
    result = evaluate_folder(folder, load_models(settings, detector_names=["none"]))
    assert set(result.reports) == {"image"}
    report = result.reports["image"]
    assert report.items == 8
    assert report.roc_auc == 1.0
    assert [i.error for i in result.items if i.error] == ["corrupt_media"]


def test_cli_evaluate_writes_json_markdown_and_roc(
    folder: Path, tiny_model_card: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DFD_MODEL_CARD", str(tiny_model_card))
    out = tmp_path / "out"
    assert main(["evaluate", str(folder), "--detector", "none", "--out", str(out)]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["reports"]["image"]["whole"]["items"] == 8
    assert metrics["errors"] == 1
    assert "Whole Test Dataset" in (out / "metrics.md").read_text()
    assert (out / "roc.png").stat().st_size > 1000
