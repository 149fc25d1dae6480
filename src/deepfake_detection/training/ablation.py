"""Augmentation ablation: the training config with one augmentation switched off at a time, and
the same validation measurements for every run, so that each augmentation earns its place.

Every variant trains from the same ImageNet start, on the same split, for the same steps; only the
named augmentation differs. ``all_seed2`` repeats the full config with other batches and head
initialisation: the gap between it and ``all`` is the seed noise that a difference must exceed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
from sklearn.metrics import average_precision_score, roc_auc_score

from deepfake_detection.training.config import TrainConfig
from deepfake_detection.training.trainer import CHECKPOINT, load_ema, predict_logits
from deepfake_detection.training.validation_set import ValidationSet

BASELINE = "all"
SEED_REPEAT = "all_seed2"


def _switches(base: TrainConfig) -> dict[str, dict[str, Any]]:
    """Each ablation's changes to the augmentation config."""
    side = base.eval_crop_side
    return {
        "no_self_blend": {"blend_fraction": 0.0},
        "no_jpeg": {"jpeg": 0.0},
        "no_downscale": {"downscale": 0.0},
        "no_blur_noise": {"blur": 0.0, "noise": 0.0},
        "no_color": {"color": 0.0},
        # Training framing fixed at the validation framing: no random scale or offset.
        "no_crop_jitter": {"crop_side": (side, side), "crop_shift": 0.0},
        "no_hflip": {"hflip": 0.0},
    }


def variants(base: TrainConfig, run_root: Path) -> dict[str, TrainConfig]:
    """The ablation's runs, each in its own folder under ``run_root``."""

    def run(name: str, changes: dict[str, Any], **config: Any) -> TrainConfig:
        augment = base.augment.model_copy(update=changes)
        return base.model_copy(update={"augment": augment, "run_dir": run_root / name, **config})

    switches = _switches(base)
    everything_off = {k: v for changes in switches.values() for k, v in changes.items()}
    return {
        BASELINE: run(BASELINE, {}),
        SEED_REPEAT: run(SEED_REPEAT, {}, run_seed=base.batch_seed + 1),
        **{name: run(name, changes) for name, changes in switches.items()},
        "none": run("none", everything_off),
    }


@dataclass(frozen=True)
class AblationResult:
    name: str
    steps: int
    roc_auc: float
    average_precision: float
    half_jpeg35_roc_auc: float


def evaluate_run(config: TrainConfig, validation: ValidationSet, name: str) -> AblationResult:
    """Score the run's final EMA weights (not the best quick-validation ones: no selection on the
    split being reported)."""
    network, steps, _ = load_ema(config, config.run_dir / CHECKPOINT)
    network.to(torch.device(config.device))
    clean = predict_logits(network, validation.clean)
    half_jpeg35 = predict_logits(network, validation.half_jpeg35)
    return AblationResult(
        name=name,
        steps=steps,
        roc_auc=float(roc_auc_score(validation.labels, clean)),
        average_precision=float(average_precision_score(validation.labels, clean)),
        half_jpeg35_roc_auc=float(roc_auc_score(validation.labels, half_jpeg35)),
    )


def to_markdown(results: list[AblationResult], title: str) -> str:
    by_name = {r.name: r for r in results}
    base = by_name.get(BASELINE)
    lines = [
        f"## {title}",
        "",
        "| run | steps | ROC AUC | Δ vs all | AP | half size + JPEG 35 AUC | Δ vs all |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        d_clean = f"{r.roc_auc - base.roc_auc:+.4f}" if base else ""
        d_half_jpeg35 = f"{r.half_jpeg35_roc_auc - base.half_jpeg35_roc_auc:+.4f}" if base else ""
        lines.append(
            f"| {r.name} | {r.steps} | {r.roc_auc:.4f} | {d_clean} | {r.average_precision:.4f} "
            f"| {r.half_jpeg35_roc_auc:.4f} | {d_half_jpeg35} |"
        )
    repeat = by_name.get(SEED_REPEAT)
    if base and repeat:
        lines += [
            "",
            f"Seed noise (|all - all_seed2|): ROC AUC {abs(base.roc_auc - repeat.roc_auc):.4f}, "
            "half size + JPEG 35 AUC "
            f"{abs(base.half_jpeg35_roc_auc - repeat.half_jpeg35_roc_auc):.4f}.",
        ]
    return "\n".join(lines) + "\n"


def as_records(results: list[AblationResult]) -> list[dict[str, Any]]:
    return [asdict(r) for r in results]
