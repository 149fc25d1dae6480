"""ROC curve plots."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
from sklearn.metrics import roc_auc_score, roc_curve


def write_roc_png(
    curves: dict[str, tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]], path: Path, title: str
) -> None:
    """One ROC curve per named (labels, scores) pair, saved as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(5, 5), dpi=100)
    for name, (labels, scores) in curves.items():
        fpr, tpr, _ = roc_curve(labels, scores)
        axes.plot(fpr, tpr, label=f"{name} (AUC {roc_auc_score(labels, scores):.3f})")
    axes.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1)
    axes.set_xlabel("False positive rate (real called fake)")
    axes.set_ylabel("True positive rate (fake caught)")
    axes.set_title(title)
    axes.legend(loc="lower right")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
