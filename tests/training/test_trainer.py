"""The training loop: batches made in worker processes, stopping part-way and resuming."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from tiny_config import tiny_config

from deepfake_detection.training.batches import BatchSampler, step_batches
from deepfake_detection.training.config import TrainConfig
from deepfake_detection.training.trainer import CHECKPOINT, prepare_data, train

pytestmark = pytest.mark.slow


def _config(crop_folder: Path, work: Path, **changes: object) -> TrainConfig:
    return tiny_config(
        crop_folder, work, steps=6, checkpoint_every=100, validate_every=100, **changes
    )


def test_worker_processes_make_the_same_batches_in_the_same_order(
    crop_folder: Path, tmp_path: Path
) -> None:
    config = _config(crop_folder, tmp_path)
    data = prepare_data(config)
    sampler = BatchSampler.create(data.cache.pixels, data.cache.records, data.train_rows, config)
    here = list(step_batches(sampler, 2, 7, workers=0))
    workers = list(step_batches(sampler, 2, 7, workers=2))
    assert len(here) == len(workers) == 5
    for (a_images, a_labels), (b_images, b_labels) in zip(here, workers, strict=True):
        assert torch.equal(a_images, b_images)
        assert torch.equal(a_labels, b_labels)


def test_stop_at_then_resume_ends_where_an_uninterrupted_run_ends(
    crop_folder: Path, tmp_path: Path
) -> None:
    whole = _config(crop_folder, tmp_path / "whole")
    train(whole)
    split = _config(crop_folder, tmp_path / "split", loader_workers=1)
    train(split, stop_at=3)
    stopped = torch.load(split.run_dir / CHECKPOINT, weights_only=False)
    assert stopped["step"] == 3
    train(split, resume=True)

    log = [json.loads(x) for x in (split.run_dir / "train.log.jsonl").read_text().splitlines()]
    assert {"event": "resumed", "step": 3} in log
    assert log[-1]["event"] == "done"
    assert log[-1]["step"] == 6
    a = torch.load(whole.run_dir / CHECKPOINT, weights_only=False)["ema"]
    b = torch.load(split.run_dir / CHECKPOINT, weights_only=False)["ema"]
    for name, tensor in a.items():
        torch.testing.assert_close(tensor, b[name], rtol=1e-5, atol=1e-6)
