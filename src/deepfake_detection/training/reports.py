"""Export's last step: the validation metrics for people, beside the card: ``NAME.metrics.md``
and the ROC curves in ``NAME.roc.png``."""

from __future__ import annotations

from pathlib import Path

from deepfake_detection.evaluation.metrics import to_markdown
from deepfake_detection.evaluation.roc import write_roc_png
from deepfake_detection.training.evaluate import Evaluation
from deepfake_detection.training.validation_table import CLEAN, HALF_H264_CRF40, SELF_BLEND


def write_reports(evaluation: Evaluation, out_dir: Path, name: str, version: str) -> None:
    (out_dir / f"{name}.metrics.md").write_text(
        metrics_markdown(evaluation, f"{name} {version}: validation (group split), crop level")
    )
    probabilities, conditions = evaluation.rule.probabilities, evaluation.conditions
    write_roc_png(
        {
            "validation": (evaluation.labels, evaluation.probabilities),
            "validation, half size + H.264 CRF 40": (
                conditions[HALF_H264_CRF40].labels,
                probabilities[HALF_H264_CRF40],
            ),
            "self-blended validation reals": (
                conditions[SELF_BLEND].labels,
                probabilities[SELF_BLEND],
            ),
        },
        out_dir / f"{name}.roc.png",
        f"{name} {version}",
    )


def metrics_markdown(evaluation: Evaluation, title: str) -> str:
    rule, ece, crossed = evaluation.rule, evaluation.ece, evaluation.crossed
    return (
        to_markdown(evaluation.report, title)
        + f"\nHalf-size + JPEG 35 validation ROC AUC: {evaluation.half_jpeg35_roc_auc:.4f}\n"
        + "\nValidation table ROC AUC: "
        + ", ".join(f"{key} {auc:.4f}" for key, auc in evaluation.table_roc_auc.items())
        + f"; ECE clean {ece[CLEAN]:.4f}, half size + H.264 CRF 40 {ece[HALF_H264_CRF40]:.4f}. "
        f"Uncertain band [{rule.band.low:.4f}, {rule.band.high:.4f}) around the threshold "
        f"{rule.threshold:.4f}.\n"
        + f"\nCalibration and threshold cross-fitted over two halves of the validation groups "
        f"(each half scored with the other's): log loss {crossed.log_loss:.4f}, whole-set "
        f"accuracy {crossed.whole.accuracy:.2%}, precision {crossed.whole.precision:.2%}, "
        f"recall {crossed.whole.recall:.2%}, true negative rate "
        f"{crossed.whole.true_negative_rate:.2%}.\n"
    )
