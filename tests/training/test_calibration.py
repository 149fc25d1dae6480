"""Calibration, the threshold, and the cross-fitted check of their optimism."""

from __future__ import annotations

import numpy as np

from deepfake_detection.training.calibration import (
    cross_fit,
    fit_calibration,
    uncertain_band,
    youden_threshold,
)
from deepfake_detection.training.dataset import CropRecord


def _records(n: int, groups: int) -> list[CropRecord]:
    return [CropRecord(f"c{i}.jpg", i % 2, f"g{i % groups}.mp4") for i in range(n)]


def test_platt_scaling_recovers_a_known_logistic_model() -> None:
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 2, 20000).astype(np.float32)
    labels = (rng.random(20000) < 1 / (1 + np.exp(-(0.5 * logits - 0.3)))).astype(np.int64)
    calibration = fit_calibration(logits, labels)
    assert abs(calibration.scale - 0.5) < 0.05
    assert abs(calibration.bias + 0.3) < 0.05


def test_youden_threshold_separates_separable_scores() -> None:
    labels = np.array([0, 0, 0, 1, 1, 1])
    probabilities = np.array([0.1, 0.2, 0.3, 0.6, 0.7, 0.9])
    threshold = youden_threshold(labels, probabilities)
    assert 0.3 < threshold <= 0.6


def test_cross_fitting_shows_no_skill_where_there_is_none() -> None:
    # Scores unrelated to the labels: a threshold fitted in-sample finds spurious accuracy; fitted
    # on the other half of the groups, it cannot.
    rng = np.random.default_rng(1)
    records = _records(2000, 200)
    labels = np.array([r.label for r in records], dtype=np.int64)
    logits = rng.normal(size=2000).astype(np.float32)
    crossed = cross_fit(logits, labels, records, seed=3)
    assert abs(crossed.whole.accuracy - 0.5) < 0.05
    assert crossed.log_loss > 0.69
    assert crossed.whole.items == 2000


def test_cross_fitting_keeps_real_skill() -> None:
    rng = np.random.default_rng(2)
    records = _records(2000, 200)
    labels = np.array([r.label for r in records], dtype=np.int64)
    logits = (labels * 2.0 - 1.0 + rng.normal(size=2000)).astype(np.float32)
    crossed = cross_fit(logits, labels, records, seed=3)
    # Two unit-variance classes two apart: the best accuracy is Phi(1), about 0.84.
    assert 0.80 < crossed.whole.accuracy < 0.88
    assert crossed.log_loss < 0.45


def test_the_uncertain_band_reaches_the_target_accuracy_around_the_threshold() -> None:
    rng = np.random.default_rng(1)
    labels = (rng.random(4000) < 0.5).astype(np.int64)
    # Overlapping classes: about 80% right at 0.5 with no band.
    probabilities = np.clip(0.5 + (labels - 0.5) * 0.3 + rng.normal(0, 0.18, 4000), 0, 1)
    band = uncertain_band(labels, probabilities, 0.5, target_accuracy=0.95)
    assert band.low <= 0.5 <= band.high
    called_real, called_fake = probabilities < band.low, probabilities >= band.high
    right = (called_real & (labels == 0)) | (called_fake & (labels == 1))
    assert right.sum() / (called_real | called_fake).sum() >= 0.95
    assert 0.2 < band.decided_share < 0.9
    assert band.decided_share == (called_real | called_fake).mean()


def test_separable_scores_need_no_band() -> None:
    labels = np.array([0] * 50 + [1] * 50)
    probabilities = np.r_[np.linspace(0.0, 0.3, 50), np.linspace(0.7, 1.0, 50)]
    band = uncertain_band(labels, probabilities, 0.5, target_accuracy=0.99)
    assert band.decided_share == 1.0
    assert band.decided_accuracy == 1.0


def test_a_band_is_found_when_every_score_is_on_one_side() -> None:
    labels = np.array([0, 1, 1, 0])
    band = uncertain_band(labels, np.array([0.6, 0.7, 0.8, 0.9]), 0.5, target_accuracy=0.9)
    assert band.low <= 0.5 <= band.high
