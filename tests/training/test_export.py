"""A tiny model trains for a few steps on generated crops, exports to ONNX, and ONNX matches torch."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
import torch
from tiny_config import tiny_config

from deepfake_detection.classifiers.model_card import load_model_card
from deepfake_detection.cli.environment import Environment, ExitStatus
from deepfake_detection.cli.main import main
from deepfake_detection.crop.recipe import CropRecipe
from deepfake_detection.training.config import TrainConfig
from deepfake_detection.training.export import export_model
from deepfake_detection.training.network import FlipAveraged
from deepfake_detection.training.trainer import train

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tiny_run(crop_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> TrainConfig:
    config = tiny_config(crop_folder, tmp_path_factory.mktemp("run"))
    train(config)
    return config


def test_training_checkpoints_and_logs(tiny_run: TrainConfig) -> None:
    run = tiny_run.run_dir
    assert (run / "last.pt").is_file()
    assert (run / "best.pt").is_file()
    lines = [json.loads(x) for x in (run / "train.log.jsonl").read_text().splitlines()]
    assert any("quick_val_auc" in line for line in lines)
    assert lines[-1]["event"] == "done"


def test_resume_continues_from_the_last_step(tiny_run: TrainConfig) -> None:
    longer = tiny_run.model_copy(update={"steps": 6})
    train(longer, resume=True)
    lines = [json.loads(x) for x in (longer.run_dir / "train.log.jsonl").read_text().splitlines()]
    assert {"event": "resumed", "step": 4} in lines
    assert lines[-1] == {
        "event": "done",
        "step": 6,
        "best_quick_val_auc": lines[-1]["best_quick_val_auc"],
    }


def test_export_writes_an_onnx_model_that_matches_torch(
    tiny_run: TrainConfig, tmp_path: Path
) -> None:
    result = export_model(
        tiny_run, tiny_run.run_dir / "last.pt", tmp_path, "tiny", "0.0.1", CropRecipe(box_scale=1.2)
    )
    assert result.max_abs_diff < 1e-4
    card = load_model_card(tmp_path / "tiny.json")
    assert card.input_size == 64
    assert card.crop.box_scale == 1.2
    assert 0.0 <= card.threshold <= 1.0
    # The decision rule chosen on validation travels with the model.
    assert card.uncertain_band is not None
    assert card.uncertain_band.low <= card.threshold <= card.uncertain_band.high
    assert card.quality.min_sharpness > 0
    table = card.metrics["validation_table_roc_auc"]
    assert isinstance(table, dict)
    assert set(table) == {
        "clean",
        "h264_crf40",
        "half_h264_crf40",
        "half_jpeg35",
        "self_blend",
        "h265_crf40",
    }
    assert set(card.metrics["expected_calibration_error"]) == {"clean", "half_h264_crf40"}  # type: ignore[arg-type]
    assert card.training is not None
    assert card.training.steps >= 4
    # What was trained, not where this machine kept the run (issue 21: no internal paths).
    assert "learning_rate" in card.training.config
    assert not {"run_dir", "cache_dir", "threads", "device"} & set(card.training.config)
    assert (tmp_path / "tiny.roc.png").stat().st_size > 1000
    assert "Whole Test Dataset" in (tmp_path / "tiny.metrics.md").read_text()
    session = ort.InferenceSession(str(tmp_path / "tiny.onnx"), providers=["CPUExecutionProvider"])
    batch = np.random.default_rng(0).normal(size=(3, 3, 64, 64)).astype(np.float32)
    out = session.run(None, {card.onnx_input: batch})[0]
    assert out.shape == (3,)
    assert ((out >= 0) & (out <= 1)).all()


def test_cli_train_and_export(tiny_run: TrainConfig, tmp_path: Path) -> None:
    config_path = tmp_path / "config.json"
    config_path.write_text(
        tiny_run.model_copy(update={"run_dir": tmp_path / "cli-run"}).model_dump_json()
    )
    assert main(["train", "--config", str(config_path), "--steps", "2", "--device", "cpu"]) == 0
    recipe = tmp_path / "crop.json"
    recipe.write_text(CropRecipe(box_scale=1.1).model_dump_json())
    args = [
        "export",
        "--config",
        str(config_path),
        "--out",
        str(tmp_path / "out"),
        "--version",
        "9",
        "--crop-recipe",
        str(recipe),
    ]
    assert main(args) == 0
    assert load_model_card(tmp_path / "out" / "dfd-effnetlite0.json").version == "9"


def test_cli_train_refuses_a_bad_override_with_a_usage_error(
    tiny_run: TrainConfig, tmp_path: Path
) -> None:
    config_path = tmp_path / "config.json"
    config_path.write_text(tiny_run.model_dump_json())
    for option, value in [("--device", "gpu"), ("--steps", "0")]:
        err = io.StringIO()
        args = ["train", "--config", str(config_path), option, value]
        assert main(args, Environment(stdout=io.StringIO(), stderr=err)) == ExitStatus.ERROR
        assert "[invalid_options]" in err.getvalue()
        assert option.strip("-") in err.getvalue()


def test_a_flip_averaged_export_scores_a_crop_and_its_mirror_image_alike(
    tiny_run: TrainConfig, tmp_path: Path
) -> None:
    result = export_model(
        tiny_run, tiny_run.run_dir / "last.pt", tmp_path, "flip", "0.0.1", CropRecipe(), True
    )
    assert result.max_abs_diff < 1e-4
    assert "flipped" in result.card.architecture
    session = ort.InferenceSession(str(tmp_path / "flip.onnx"), providers=["CPUExecutionProvider"])
    batch = np.random.default_rng(1).normal(size=(4, 3, 64, 64)).astype(np.float32)
    out = session.run(None, {"input": batch})[0]
    mirrored = session.run(None, {"input": np.ascontiguousarray(batch[..., ::-1])})[0]
    np.testing.assert_allclose(out, mirrored, atol=1e-5)


def test_flip_averaging_makes_any_network_mirror_symmetric() -> None:
    torch.manual_seed(0)
    lopsided = torch.nn.Sequential(
        torch.nn.Conv2d(3, 2, 3), torch.nn.Flatten(), torch.nn.Linear(2 * 14 * 14, 1)
    )
    x = torch.randn(5, 3, 16, 16)
    with torch.no_grad():
        assert not torch.allclose(lopsided(x), lopsided(x.flip(3)), atol=1e-3)
        averaged = FlipAveraged(lopsided)
        torch.testing.assert_close(averaged(x), averaged(x.flip(3)))
        torch.testing.assert_close(averaged(x), (lopsided(x) + lopsided(x.flip(3))) / 2)
