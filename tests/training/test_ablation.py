"""The augmentation ablation: each variant switches off only its augmentation, every run is
scored the same way, and the table reports the seed noise."""

from __future__ import annotations

from pathlib import Path

import pytest
from tiny_config import tiny_config

from deepfake_detection.training.ablation import (
    BASELINE,
    SEED_REPEAT,
    AblationResult,
    evaluate_run,
    to_markdown,
    variants,
)
from deepfake_detection.training.config import AugmentConfig, TrainConfig
from deepfake_detection.training.trainer import prepare_data, train
from deepfake_detection.training.validation_set import ValidationSet


def _changed(a: AugmentConfig, b: AugmentConfig) -> set[str]:
    return {k for k, v in a.model_dump().items() if v != b.model_dump()[k]}


def test_each_variant_differs_from_the_baseline_only_where_its_name_says(tmp_path: Path) -> None:
    base = TrainConfig()
    runs = variants(base, tmp_path)
    assert runs[BASELINE].augment == base.augment
    assert runs[SEED_REPEAT].augment == base.augment
    assert runs[SEED_REPEAT].batch_seed != runs[BASELINE].batch_seed
    assert _changed(runs["no_jpeg"].augment, base.augment) == {"jpeg"}
    assert _changed(runs["no_blur_noise"].augment, base.augment) == {"blur", "noise"}
    assert _changed(runs["no_self_blend"].augment, base.augment) == {"blend_fraction"}
    assert runs["no_crop_jitter"].augment.crop_side == (base.eval_crop_side,) * 2
    assert "crop_jitter" not in runs["no_crop_jitter"].augment.enabled()
    assert runs["none"].augment.enabled() == []
    assert {c.run_dir for c in runs.values()} == {tmp_path / name for name in runs}
    # Every variant is a valid config once written and read back, as the runs read them.
    for config in runs.values():
        TrainConfig.model_validate_json(config.model_dump_json())


@pytest.mark.slow
def test_a_trained_variant_is_scored_on_clean_and_half_size_jpeg35_validation(
    crop_folder: Path, tmp_path: Path
) -> None:
    base = tiny_config(crop_folder, tmp_path, steps=3)
    config = variants(base, tmp_path / "runs")["no_jpeg"]
    train(config)
    data = prepare_data(config)
    validation = ValidationSet.build(data, config)
    labels = [data.cache.records[i].label for i in data.validation_rows]
    assert validation.labels.tolist() == labels
    assert len(validation.half_jpeg35) == len(validation.clean) == len(labels)
    result = evaluate_run(config, validation, "no_jpeg")
    assert result.steps == 3
    assert 0.0 <= result.roc_auc <= 1.0
    assert 0.0 <= result.half_jpeg35_roc_auc <= 1.0


def test_the_table_gives_differences_to_the_baseline_and_the_seed_noise() -> None:
    results = [
        AblationResult(BASELINE, 10, 0.90, 0.91, 0.85),
        AblationResult(SEED_REPEAT, 10, 0.91, 0.92, 0.84),
        AblationResult("no_jpeg", 10, 0.88, 0.90, 0.80),
    ]
    table = to_markdown(results, "t")
    assert "| no_jpeg | 10 | 0.8800 | -0.0200 | 0.9000 | 0.8000 | -0.0500 |" in table
    assert "ROC AUC 0.0100, half size + JPEG 35 AUC 0.0100" in table
