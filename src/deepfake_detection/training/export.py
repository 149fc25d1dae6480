"""Export a trained checkpoint: calibrate and pick the threshold on validation, write the ONNX
model, check it against torch on real crops, and write the model card with the metrics."""

from __future__ import annotations

import json
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import onnxruntime as ort
import torch
from sklearn.metrics import roc_auc_score
from torch import nn

from deepfake_detection.analysis.quality import sharpness
from deepfake_detection.classifiers.model_card import ModelCard, TrainingInfo
from deepfake_detection.crop.recipe import CropRecipe
from deepfake_detection.evaluation.metrics import Report, compute_report, to_markdown
from deepfake_detection.evaluation.roc import write_roc_png
from deepfake_detection.training.augment import down_up, jpeg
from deepfake_detection.training.batches import to_tensor, validation_inputs
from deepfake_detection.training.calibration import cross_fit
from deepfake_detection.training.config import TrainConfig
from deepfake_detection.training.dataset import CropRecord
from deepfake_detection.training.decision import choose_rule
from deepfake_detection.training.network import (
    MEAN,
    STD,
    ExportedClassifier,
    FlipAveraged,
)
from deepfake_detection.training.shortcut import score_sharpness_correlation
from deepfake_detection.training.trainer import Prepared, load_ema, predict_logits, prepare_data
from deepfake_detection.training.validation_table import (
    CLEAN,
    HALF_H264_CRF40,
    SELF_BLEND,
    Condition,
    build_conditions,
    build_model3_conditions,
    expected_calibration_error,
    reals_called_fake,
)

OPSET = 17


def half_size_jpeg35(images: list[npt.NDArray[np.uint8]], seed: int) -> list[npt.NDArray[np.uint8]]:
    """Heavier compression than the validation crops carry (half-size then JPEG quality 35), to
    check robustness the way FaceForensics++ c40 would; fixed seed, so repeatable."""
    rng = np.random.default_rng(seed)
    return [jpeg(down_up(image, (0.5, 0.5), rng), (35, 35), rng) for image in images]


@dataclass(frozen=True)
class ValidationSet:
    """The whole validation split as the model sees it, clean and halved then JPEG 35
    (``half_jpeg35``, the ablation's measure), with its labels and records; with ``table``, also
    the conditions of the validation table (``validation_table.py``)."""

    labels: npt.NDArray[np.int64]
    records: list[CropRecord]
    clean: list[npt.NDArray[np.uint8]]
    half_jpeg35: list[npt.NDArray[np.uint8]]
    conditions: dict[str, Condition]

    @classmethod
    def build(cls, data: Prepared, config: TrainConfig, table: bool = False) -> ValidationSet:
        rows = data.validation_rows
        records = [data.cache.records[i] for i in rows]
        clean = validation_inputs(data.cache.pixels, rows, config)
        labels = np.array([r.label for r in records], dtype=np.int64)
        conditions = (
            build_conditions(
                data.cache.pixels,
                rows,
                labels,
                config.input_size,
                config.eval_crop_side,
                config.seed,
            )
            if table
            else {}
        )
        if table and config.paired:
            # Model 3's columns (held-out encoders, edits, portraits) for a model-3 recipe.
            portraits = data.portraits
            conditions |= build_model3_conditions(
                data.cache.pixels,
                rows,
                labels,
                config.input_size,
                config.eval_crop_side,
                None
                if portraits is None
                else (
                    portraits.cache.pixels,
                    portraits.validation_rows,
                    np.array(
                        [portraits.cache.records[i].label for i in portraits.validation_rows],
                        dtype=np.int64,
                    ),
                ),
            )
        return cls(labels, records, clean, half_size_jpeg35(clean, config.seed), conditions)


def export_onnx(model: ExportedClassifier, size: int, path: Path) -> None:
    model.eval()
    example = torch.zeros(1, 3, size, size)
    with warnings.catch_warnings():
        # The TorchScript-based exporter announces its own deprecation; its output is checked below.
        warnings.simplefilter("ignore", category=DeprecationWarning)
        warnings.simplefilter("ignore", category=UserWarning)
        torch.onnx.export(
            model,
            (example,),
            str(path),
            input_names=["input"],
            output_names=["fake_probability"],
            dynamic_axes={"input": {0: "batch"}, "fake_probability": {0: "batch"}},
            opset_version=OPSET,
            dynamo=False,
        )


def onnx_max_abs_diff(model: ExportedClassifier, path: Path, batch: torch.Tensor) -> float:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    onnx_out = session.run(None, {"input": batch.numpy()})[0]
    with torch.no_grad():
        torch_out = model(batch).numpy()
    return float(np.abs(onnx_out - torch_out).max())


@dataclass(frozen=True)
class ExportResult:
    card: ModelCard
    report: Report
    max_abs_diff: float


def export_model(
    config: TrainConfig,
    checkpoint: Path,
    out_dir: Path,
    name: str,
    version: str,
    crop: CropRecipe,
    flip_average: bool = False,
) -> ExportResult:
    """``flip_average``: the shipped graph averages the logits of each crop and its mirror image
    (twice the classifier's time); calibration, threshold and band are fitted on those."""
    ema, steps, weights = load_ema(config, checkpoint)
    network: nn.Module = FlipAveraged(ema) if flip_average else ema
    data = prepare_data(config)
    validation = ValidationSet.build(data, config, table=True)
    labels, images = validation.labels, validation.clean
    conditions = validation.conditions
    logits = {key: predict_logits(network, c.images) for key, c in conditions.items()}
    rule = choose_rule(logits, conditions, config)
    calibration, threshold = rule.calibration, rule.threshold
    probabilities = rule.probabilities[CLEAN]
    report = compute_report(labels, probabilities, threshold, seed=config.seed)
    crossed = cross_fit(logits[CLEAN], labels, validation.records, config.seed)
    half_jpeg35 = calibration.apply(predict_logits(network, validation.half_jpeg35))
    half_jpeg35_auc = float(roc_auc_score(labels, half_jpeg35))
    table = {
        key: float(roc_auc_score(c.labels, rule.probabilities[key]))
        for key, c in conditions.items()
    }
    ece = {
        key: expected_calibration_error(conditions[key].labels, rule.probabilities[key])
        for key in (CLEAN, HALF_H264_CRF40)
    }
    band = rule.uncertain_band()
    called_fake = {
        key: reals_called_fake(c, rule.probabilities[key], band.high)
        for key, c in conditions.items()
        if key != SELF_BLEND
    }
    clean_sharpness = np.array([sharpness(i) for i in conditions[CLEAN].images])
    flagged = clean_sharpness < rule.quality.min_sharpness
    clean_p = rule.probabilities[CLEAN]
    uncertain = flagged | ((clean_p >= band.low) & (clean_p < band.high))

    out_dir.mkdir(parents=True, exist_ok=True)
    exported = ExportedClassifier(network, calibration.scale, calibration.bias)
    onnx_path = out_dir / f"{name}.onnx"
    export_onnx(exported, config.input_size, onnx_path)
    check = to_tensor(images[:64], MEAN, STD)
    diff = onnx_max_abs_diff(exported, onnx_path, check)

    card = ModelCard(
        name=name,
        version=version,
        architecture=f"{config.architecture} (ImageNet-pretrained) + linear head"
        + (", logits averaged with the horizontally flipped crop's" if flip_average else ""),
        input_size=config.input_size,
        mean=MEAN,
        std=STD,
        crop=crop,
        threshold=threshold,
        uncertain_band=rule.uncertain_band(),
        quality=rule.quality,
        onnx_file=onnx_path.name,
        training=TrainingInfo(
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
            config=json.loads(config.model_dump_json()),
            weights=weights,
        ),
        metrics={
            "validation": report.as_dict(),
            "validation_degraded_half_size_jpeg35_roc_auc": half_jpeg35_auc,
            "validation_table_roc_auc": table,
            "validation_reals_called_fake": called_fake,
            "validation_score_sharpness_correlation_clean_reals": score_sharpness_correlation(
                [i for i, label in zip(images, labels, strict=True) if label == 0],
                probabilities[labels == 0],
            ),
            "validation_clean_uncertain": {
                "share": float(uncertain.mean()),
                "low_quality_share": float(flagged.mean()),
                "decided_right": float(
                    ((clean_p >= band.high) == (labels == 1))[~uncertain].mean()
                ),
            },
            "expected_calibration_error": ece,
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
            "onnx_vs_torch_max_abs_diff": diff,
        },
    )
    card.write(out_dir / f"{name}.json")
    (out_dir / f"{name}.metrics.md").write_text(
        to_markdown(report, f"{name} {version}: validation (group split), crop level")
        + f"\nHalf-size + JPEG 35 validation ROC AUC: {half_jpeg35_auc:.4f}\n"
        + "\nValidation table ROC AUC: "
        + ", ".join(f"{key} {auc:.4f}" for key, auc in table.items())
        + f"; ECE clean {ece[CLEAN]:.4f}, half size + H.264 CRF 40 {ece[HALF_H264_CRF40]:.4f}. "
        f"Uncertain band [{rule.band.low:.4f}, {rule.band.high:.4f}) around the threshold "
        f"{threshold:.4f}.\n"
        + f"\nCalibration and threshold cross-fitted over two halves of the validation groups "
        f"(each half scored with the other's): log loss {crossed.log_loss:.4f}, whole-set "
        f"accuracy {crossed.whole.accuracy:.2%}, precision {crossed.whole.precision:.2%}, "
        f"recall {crossed.whole.recall:.2%}, true negative rate "
        f"{crossed.whole.true_negative_rate:.2%}.\n"
    )
    write_roc_png(
        {
            "validation": (labels, probabilities),
            "validation, half size + H.264 CRF 40": (
                conditions[HALF_H264_CRF40].labels,
                rule.probabilities[HALF_H264_CRF40],
            ),
            "self-blended validation reals": (
                conditions[SELF_BLEND].labels,
                rule.probabilities[SELF_BLEND],
            ),
        },
        out_dir / f"{name}.roc.png",
        f"{name} {version}",
    )
    return ExportResult(card, report, diff)
