"""The training config of the tests: a network trained from scratch on 64 px crops, a few steps."""

from __future__ import annotations

from pathlib import Path

from deepfake_detection.training.config import TrainConfig


def tiny_config(data_dir: Path, work: Path, **changes: object) -> TrainConfig:
    config = TrainConfig(
        data_dir=data_dir,
        cache_dir=work / "cache",
        run_dir=work / "run",
        cache_size=72,
        input_size=64,
        validation_fraction=0.25,
        pretrained=False,
        batch_size=4,
        steps=4,
        warmup_steps=1,
        checkpoint_every=2,
        validate_every=2,
        quick_validation_items=12,
        threads=1,
    )
    return config.model_copy(update=changes)
