from __future__ import annotations

import numpy as np
import pytest

from deepfake_detection.errors import InvalidRequest
from deepfake_detection.evaluation.metrics import (
    balanced_subset,
    compute_report,
    equal_error_rate,
    threshold_metrics,
    to_markdown,
    tpr_at_fpr,
)


def test_threshold_metrics_on_a_hand_made_case() -> None:
    # 3 real, 5 fake; at 0.5: reals -> 0,0,1 (one false positive); fakes -> 1,1,1,0,0.
    labels = np.array([0, 0, 0, 1, 1, 1, 1, 1])
    scores = np.array([0.1, 0.2, 0.7, 0.9, 0.8, 0.6, 0.4, 0.3])
    m = threshold_metrics(labels, scores, 0.5)
    assert (m.items, m.real, m.fake) == (8, 3, 5)
    assert m.accuracy == pytest.approx(5 / 8)
    assert m.precision == pytest.approx(3 / 4)
    assert m.recall == pytest.approx(3 / 5)
    assert m.true_negative_rate == pytest.approx(2 / 3)


def test_ranking_metrics_on_a_hand_made_case() -> None:
    labels = np.array([0, 0, 1, 1])
    scores = np.array([0.1, 0.4, 0.35, 0.8])
    report = compute_report(labels, scores, threshold=0.5)
    assert report.roc_auc == pytest.approx(0.75)
    # Precision at the ranks of the two fakes: 1/1 at 0.8, 2/3 at 0.35.
    assert report.average_precision == pytest.approx((1 + 2 / 3) / 2)
    assert report.log_loss == pytest.approx(-np.mean(np.log([0.9, 0.6, 0.35, 0.8])))


def test_perfect_and_inverted_scores() -> None:
    labels = np.array([0, 0, 0, 1, 1, 1])
    good = np.array([0.1, 0.2, 0.3, 0.7, 0.8, 0.9])
    assert equal_error_rate(labels, good) == 0.0
    assert tpr_at_fpr(labels, good, 0.01) == 1.0
    assert equal_error_rate(labels, 1 - good) == 1.0
    assert tpr_at_fpr(labels, 1 - good, 0.01) == 0.0


def test_balanced_subset_has_one_and_a_half_fakes_per_real() -> None:
    labels = np.array([0] * 100 + [1] * 400)
    subset = balanced_subset(labels, seed=1)
    assert (labels[subset] == 0).sum() == 100
    assert (labels[subset] == 1).sum() == 150
    few_fakes = np.array([0] * 100 + [1] * 90)
    subset = balanced_subset(few_fakes, seed=1)
    assert ((few_fakes[subset] == 1).sum(), (few_fakes[subset] == 0).sum()) == (90, 60)


def test_report_counts_items_without_a_face_and_renders_the_original_table() -> None:
    labels = np.array([0, 1, 0, 1, 1])
    report = compute_report(labels, np.array([0.2, 0.9, 0.6, 0.7, 0.1]), 0.5, no_face=2)
    assert report.items == 7
    assert report.no_face == 2
    text = to_markdown(report, "t")
    assert "Balanced Fake-to-Real Ratio (1.5:1)" in text
    assert "Whole Test Dataset" in text


def test_one_class_only_is_a_clear_error() -> None:
    with pytest.raises(InvalidRequest):
        compute_report(np.array([1, 1]), np.array([0.2, 0.9]), 0.5)
