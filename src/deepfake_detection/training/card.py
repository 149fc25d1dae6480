"""Export's second step: the model card, from the rule and the metrics of ``evaluate.py`` and
what the training was (data, split, steps, configuration)."""

from __future__ import annotations

import json
from dataclasses import asdict

from deepfake_detection.classifiers.model_card import RUN_LOCAL_SETTINGS, ModelCard, TrainingInfo
from deepfake_detection.crop.recipe import CropRecipe
from deepfake_detection.training.config import TrainConfig
from deepfake_detection.training.evaluate import Evaluation
from deepfake_detection.training.network import MEAN, STD
from deepfake_detection.training.trainer import Prepared


def build_card(
    config: TrainConfig,
    data: Prepared,
    evaluation: Evaluation,
    *,
    name: str,
    version: str,
    crop: CropRecipe,
    onnx_file: str,
    flip_average: bool,
    steps: int,
    weights: str | None,
    onnx_max_abs_diff: float,
) -> ModelCard:
    """The card of the network exported as ``onnx_file`` after ``steps`` training steps
    (``weights``: where they come from when not from this training alone)."""
    rule = evaluation.rule
    return ModelCard(
        name=name,
        version=version,
        architecture=f"{config.architecture} (ImageNet-pretrained) + linear head"
        + (", logits averaged with the horizontally flipped crop's" if flip_average else ""),
        input_size=config.input_size,
        mean=MEAN,
        std=STD,
        crop=crop,
        threshold=rule.threshold,
        uncertain_band=rule.uncertain_band(),
        quality=rule.quality,
        onnx_file=onnx_file,
        training=training_info(config, data, steps, weights),
        metrics=card_metrics(evaluation, onnx_max_abs_diff),
    )


def training_info(
    config: TrainConfig, data: Prepared, steps: int, weights: str | None
) -> TrainingInfo:
    return TrainingInfo(
        data="DFDC face crops (dfdc-faces: 15,030 REAL / 16,041 FAKE, 224x224)"
        + (
            f"; real portraits and composites (ciplab-faces, split by file, "
            f"{config.portrait_validation_fraction:.0%} held out for validation)"
            if data.portraits is not None
            else ""
        ),
        split=f"by source-video group, {config.validation_fraction:.0%} of groups held out "
        f"for validation (seed {config.seed})",
        train_items=len(data.train_rows),
        validation_items=len(data.validation_rows),
        augmentations=config.augment.enabled(),
        epochs=round(steps * config.batch_size / len(data.train_rows), 2),
        steps=steps,
        seed=config.seed,
        config=json.loads(config.model_dump_json(exclude=set(RUN_LOCAL_SETTINGS))),
        weights=weights,
    )


def card_metrics(evaluation: Evaluation, onnx_max_abs_diff: float) -> dict[str, object]:
    """The card's ``metrics``: its keys are read by the model page and by whoever compares
    cards, so a key, once written, keeps its name."""
    calibration, crossed = evaluation.rule.calibration, evaluation.crossed
    return {
        "validation": evaluation.report.as_dict(),
        "validation_degraded_half_size_jpeg35_roc_auc": evaluation.half_jpeg35_roc_auc,
        "validation_table_roc_auc": evaluation.table_roc_auc,
        "validation_reals_called_fake": evaluation.reals_called_fake,
        "validation_score_sharpness_correlation_clean_reals": evaluation.sharpness_correlation,
        "validation_clean_uncertain": evaluation.clean_uncertain,
        "expected_calibration_error": evaluation.ece,
        "calibration": {
            "method": "Platt scaling fitted on validation logits, clean and half size + "
            "H.264 CRF 40 together",
            "scale": calibration.scale,
            "bias": calibration.bias,
        },
        "threshold_rule": "maximum of TPR - FPR (Youden's J) on validation, clean and half "
        "size + H.264 CRF 40 together",
        "validation_cross_fitted": {
            "method": "calibration and threshold fitted on one half of the validation "
            "groups, scored on the other, both ways",
            "log_loss": crossed.log_loss,
            "whole": asdict(crossed.whole),
        },
        "onnx_vs_torch_max_abs_diff": onnx_max_abs_diff,
    }
