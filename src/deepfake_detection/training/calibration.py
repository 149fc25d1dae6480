"""Turning validation logits into calibrated probabilities and a decision threshold, and measuring
how optimistic it is to report metrics on the crops that they were fitted on."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_curve

from deepfake_detection.evaluation.metrics import ThresholdMetrics, threshold_metrics
from deepfake_detection.training.dataset import CropRecord, split_by_group


@dataclass(frozen=True)
class Calibration:
    scale: float
    bias: float

    def apply(self, logits: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
        return 1.0 / (1.0 + np.exp(-(self.scale * logits.astype(np.float64) + self.bias)))


def fit_calibration(logits: npt.NDArray[np.float32], labels: npt.NDArray[np.int64]) -> Calibration:
    """Platt scaling: a one-feature logistic regression from logit to probability."""
    model = LogisticRegression(C=1e4).fit(logits.reshape(-1, 1).astype(np.float64), labels)
    return Calibration(float(model.coef_[0, 0]), float(model.intercept_[0]))


def youden_threshold(
    labels: npt.NDArray[np.int64], probabilities: npt.NDArray[np.float64]
) -> float:
    """The threshold that maximises TPR - FPR (balanced accuracy) on validation."""
    fpr, tpr, thresholds = roc_curve(labels, probabilities)
    best = int(np.argmax(tpr - fpr))
    return float(np.clip(thresholds[best], 0.0, 1.0))


@dataclass(frozen=True)
class CrossFitted:
    """Log loss and the whole-set table row when each half of the validation groups is scored with
    the calibration and threshold fitted on the other half."""

    log_loss: float
    whole: ThresholdMetrics


def cross_fit(
    logits: npt.NDArray[np.float32],
    labels: npt.NDArray[np.int64],
    records: list[CropRecord],
    seed: int,
) -> CrossFitted:
    halves = split_by_group(records, 0.5, seed)
    in_first = {r.file for r in halves.train}
    first = np.array([r.file in in_first for r in records])
    probabilities = np.zeros(len(labels), dtype=np.float64)
    # Each item's distance above the threshold of the half it was not fitted on.
    margins = np.zeros(len(labels), dtype=np.float64)
    for scored in (first, ~first):
        fitted = ~scored
        calibration = fit_calibration(logits[fitted], labels[fitted])
        threshold = youden_threshold(labels[fitted], calibration.apply(logits[fitted]))
        probabilities[scored] = calibration.apply(logits[scored])
        margins[scored] = probabilities[scored] - threshold
    return CrossFitted(
        log_loss=float(log_loss(labels, np.clip(probabilities, 1e-7, 1 - 1e-7), labels=[0, 1])),
        whole=threshold_metrics(labels, margins, 0.0),
    )


@dataclass(frozen=True)
class Band:
    """Probabilities in ``[low, high)`` are answered ``uncertain``; the rest keep their label."""

    low: float
    high: float
    decided_share: float
    decided_accuracy: float


def uncertain_band(
    labels: npt.NDArray[np.int64],
    probabilities: npt.NDArray[np.float64],
    threshold: float,
    target_accuracy: float,
    grid: int = 100,
) -> Band:
    """The narrowest band around ``threshold`` (most items decided) outside which the labels are
    right at least ``target_accuracy`` of the time on these items.

    Candidate edges are quantiles of the probabilities on each side of the threshold; with no band
    reaching the target, the widest candidate band is returned.
    """
    quantiles = np.linspace(0, 1, grid)

    def edges(side: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return np.unique(np.r_[threshold, np.quantile(side, quantiles) if len(side) else []])

    lows = edges(probabilities[probabilities < threshold])
    highs = edges(probabilities[probabilities >= threshold])
    fake = labels == 1
    best: Band | None = None
    widest: Band | None = None
    for low in lows:
        called_real = probabilities < low
        for high in highs:
            called_fake = probabilities >= high
            decided = called_real | called_fake
            share = float(decided.mean())
            if share == 0:
                continue
            right = (called_real & ~fake) | (called_fake & fake)
            band = Band(float(low), float(high), share, float(right.sum() / decided.sum()))
            if widest is None or share < widest.decided_share:
                widest = band
            meets = band.decided_accuracy >= target_accuracy
            if meets and (best is None or share > best.decided_share):
                best = band
    chosen = best or widest
    if chosen is None:
        return Band(threshold, threshold, 1.0, float("nan"))
    return chosen
