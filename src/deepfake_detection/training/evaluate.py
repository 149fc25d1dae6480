"""Export's first step: a trained network scored on the validation split. The decision rule
(calibration, threshold, uncertain band, quality limits) is chosen here, and every metric that the
model card and the reports carry is computed here, once. (The whole pipeline, detector included,
is measured on a folder of files by ``evaluation/``.)"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sklearn.metrics import roc_auc_score
from torch import nn

from deepfake_detection.analysis.quality import sharpness
from deepfake_detection.evaluation.metrics import Report, compute_report
from deepfake_detection.training.calibration import CrossFitted, cross_fit
from deepfake_detection.training.config import TrainConfig
from deepfake_detection.training.decision import ChosenRule, choose_rule
from deepfake_detection.training.shortcut import score_sharpness_correlation
from deepfake_detection.training.trainer import predict_logits
from deepfake_detection.training.validation_set import ValidationSet
from deepfake_detection.training.validation_table import (
    CLEAN,
    HALF_H264_CRF40,
    SELF_BLEND,
    Condition,
    expected_calibration_error,
    reals_called_fake,
)


@dataclass(frozen=True)
class Evaluation:
    """A network on the validation split, with the rule chosen there."""

    rule: ChosenRule
    labels: npt.NDArray[np.int64]
    conditions: dict[str, Condition]
    report: Report
    """The clean validation crops at the rule's threshold."""
    crossed: CrossFitted
    half_jpeg35_roc_auc: float
    table_roc_auc: dict[str, float]
    """By condition of the validation table."""
    ece: dict[str, float]
    """Expected calibration error on the two conditions the calibration is fitted on."""
    reals_called_fake: dict[str, float]
    """By condition (not the self-blended one, whose reals are the clean ones): the share of REAL
    crops at or above the uncertain band."""
    sharpness_correlation: float
    """Of the fake probability with sharpness, on the clean REAL crops."""
    clean_uncertain: dict[str, float]
    """Of the clean crops: the share left uncertain (in the band or below the quality limits),
    the share below the quality limits, and the accuracy on the decided ones."""

    @property
    def probabilities(self) -> npt.NDArray[np.float64]:
        """The calibrated probabilities of the clean validation crops."""
        return self.rule.probabilities[CLEAN]


def evaluate(network: nn.Module, validation: ValidationSet, config: TrainConfig) -> Evaluation:
    """Score ``network`` on every condition of ``validation`` (built with ``table=True``),
    choose the decision rule and measure it."""
    labels, conditions = validation.labels, validation.conditions
    logits = {key: predict_logits(network, c.images) for key, c in conditions.items()}
    rule = choose_rule(logits, conditions, config)
    probabilities = rule.probabilities
    report = compute_report(labels, probabilities[CLEAN], rule.threshold, seed=config.seed)
    crossed = cross_fit(logits[CLEAN], labels, validation.records, config.seed)
    half_jpeg35 = rule.calibration.apply(predict_logits(network, validation.half_jpeg35))
    return Evaluation(
        rule=rule,
        labels=labels,
        conditions=conditions,
        report=report,
        crossed=crossed,
        half_jpeg35_roc_auc=float(roc_auc_score(labels, half_jpeg35)),
        table_roc_auc={
            key: float(roc_auc_score(c.labels, probabilities[key])) for key, c in conditions.items()
        },
        ece={
            key: expected_calibration_error(conditions[key].labels, probabilities[key])
            for key in (CLEAN, HALF_H264_CRF40)
        },
        reals_called_fake={
            key: reals_called_fake(c, probabilities[key], rule.band.high)
            for key, c in conditions.items()
            if key != SELF_BLEND
        },
        sharpness_correlation=score_sharpness_correlation(
            [i for i, label in zip(validation.clean, labels, strict=True) if label == 0],
            probabilities[CLEAN][labels == 0],
        ),
        clean_uncertain=_clean_uncertain(rule, conditions[CLEAN], labels),
    )


def _clean_uncertain(
    rule: ChosenRule, clean: Condition, labels: npt.NDArray[np.int64]
) -> dict[str, float]:
    low, high = rule.band.low, rule.band.high
    flagged = np.array([sharpness(i) for i in clean.images]) < rule.quality.min_sharpness
    p = rule.probabilities[CLEAN]
    uncertain = flagged | ((p >= low) & (p < high))
    return {
        "share": float(uncertain.mean()),
        "low_quality_share": float(flagged.mean()),
        "decided_right": float(((p >= high) == (labels == 1))[~uncertain].mean()),
    }
