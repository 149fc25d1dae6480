"""Metrics of scores against labels (1 = fake), computed with scikit-learn."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import numpy.typing as npt
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    confusion_matrix,
    log_loss,
    precision_score,
    recall_score,
    roc_auc_score,
    roc_curve,
)

from deepfake_detection.errors import InvalidRequest

Labels = npt.NDArray[np.int64]
Scores = npt.NDArray[np.float64]
# The original system's "balanced" row: 1.5 fakes per real.
BALANCED_FAKE_PER_REAL = 1.5


@dataclass(frozen=True)
class ThresholdMetrics:
    """The original system's table row, at one decision threshold."""

    items: int
    real: int
    fake: int
    accuracy: float
    precision: float
    recall: float
    true_negative_rate: float


@dataclass(frozen=True)
class Report:
    items: int
    no_face: int
    threshold: float
    whole: ThresholdMetrics
    balanced: ThresholdMetrics
    roc_auc: float
    average_precision: float
    eer: float
    log_loss: float
    tpr_at_fpr_1pct: float
    tpr_at_fpr_10pct: float

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def threshold_metrics(labels: Labels, scores: Scores, threshold: float) -> ThresholdMetrics:
    predicted = (scores >= threshold).astype(np.int64)
    tn, fp, _, _ = confusion_matrix(labels, predicted, labels=[0, 1]).ravel()
    return ThresholdMetrics(
        items=len(labels),
        real=int((labels == 0).sum()),
        fake=int((labels == 1).sum()),
        accuracy=float(accuracy_score(labels, predicted)),
        precision=float(precision_score(labels, predicted, zero_division=0)),
        recall=float(recall_score(labels, predicted, zero_division=0)),
        true_negative_rate=float(tn / (tn + fp)) if tn + fp else 0.0,
    )


def balanced_subset(labels: Labels, seed: int = 0) -> npt.NDArray[np.int64]:
    """Indices of a subset with 1.5 fakes per real: the scarcer side whole, the other sampled."""
    rng = np.random.default_rng(seed)
    reals, fakes = np.flatnonzero(labels == 0), np.flatnonzero(labels == 1)
    if len(fakes) >= BALANCED_FAKE_PER_REAL * len(reals):
        fakes = rng.choice(fakes, size=round(BALANCED_FAKE_PER_REAL * len(reals)), replace=False)
    else:
        reals = rng.choice(reals, size=round(len(fakes) / BALANCED_FAKE_PER_REAL), replace=False)
    return np.sort(np.concatenate([reals, fakes])).astype(np.int64)


def equal_error_rate(labels: Labels, scores: Scores) -> float:
    fpr, tpr, _ = roc_curve(labels, scores)
    fnr = 1 - tpr
    i = int(np.nanargmin(np.abs(fnr - fpr)))
    return float((fpr[i] + fnr[i]) / 2)


def tpr_at_fpr(labels: Labels, scores: Scores, max_fpr: float) -> float:
    fpr, tpr, _ = roc_curve(labels, scores)
    return float(tpr[fpr <= max_fpr].max())


def compute_report(
    labels: Labels, scores: Scores, threshold: float, no_face: int = 0, seed: int = 0
) -> Report:
    """All metrics; ``scores`` are fake probabilities in 0..1 of the items that had a face."""
    labels = np.asarray(labels, dtype=np.int64)
    scores = np.asarray(scores, dtype=np.float64)
    if len(set(labels.tolist())) < 2:
        raise InvalidRequest("evaluation needs both REAL and FAKE items with a face")
    balanced = balanced_subset(labels, seed)
    return Report(
        items=len(labels) + no_face,
        no_face=no_face,
        threshold=threshold,
        whole=threshold_metrics(labels, scores, threshold),
        balanced=threshold_metrics(labels[balanced], scores[balanced], threshold),
        roc_auc=float(roc_auc_score(labels, scores)),
        average_precision=float(average_precision_score(labels, scores)),
        eer=equal_error_rate(labels, scores),
        log_loss=float(log_loss(labels, np.clip(scores, 1e-7, 1 - 1e-7), labels=[0, 1])),
        tpr_at_fpr_1pct=tpr_at_fpr(labels, scores, 0.01),
        tpr_at_fpr_10pct=tpr_at_fpr(labels, scores, 0.10),
    )


def _pct(x: float) -> str:
    return f"{100 * x:.2f}%"


def to_markdown(report: Report, title: str) -> str:
    """The original's table, then the standard metrics, as Markdown."""
    rows = [
        f"### {title}",
        "",
        f"{report.items} items ({report.no_face} without a face, left out of the metrics); "
        f"threshold {report.threshold:.3f}.",
        "",
        "| Approach | Items (real/fake) | Accuracy | Precision | Recall | True Negative Rate |",
        "|---|---|---|---|---|---|",
    ]
    for name, m in (
        ("Balanced Fake-to-Real Ratio (1.5:1)", report.balanced),
        ("Whole Test Dataset", report.whole),
    ):
        rows.append(
            f"| {name} | {m.items} ({m.real}/{m.fake}) | {_pct(m.accuracy)} | {_pct(m.precision)} "
            f"| {_pct(m.recall)} | {_pct(m.true_negative_rate)} |"
        )
    rows += [
        "",
        "| ROC AUC | Average precision | EER | Log loss | TPR at 1% FPR | TPR at 10% FPR |",
        "|---|---|---|---|---|---|",
        f"| {report.roc_auc:.4f} | {report.average_precision:.4f} | {_pct(report.eer)} "
        f"| {report.log_loss:.4f} | {_pct(report.tpr_at_fpr_1pct)} "
        f"| {_pct(report.tpr_at_fpr_10pct)} |",
        "",
    ]
    return "\n".join(rows)
