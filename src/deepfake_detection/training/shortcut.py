"""How far image quality alone separates the classes: the shortcut a detector must not learn.

DFDC's fakes are on average smoother than its reals, so a network can score "blurry" as "fake".
These measures say whether a recipe leaves that shortcut open: the ROC AUC of the sharpness
(variance of the Laplacian) alone on training batches as the network sees them, and the
correlation of a model's score with sharpness on REAL crops. Both should be near 0.5 and 0.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from sklearn.metrics import roc_auc_score

from deepfake_detection.analysis.quality import sharpness
from deepfake_detection.training.batches import BatchSampler
from deepfake_detection.training.network import MEAN, STD


def _uint8(batch: npt.NDArray[np.float32]) -> list[npt.NDArray[np.uint8]]:
    """Normalised NCHW back to (H, W, 3) uint8 RGB."""
    pixels = batch.transpose(0, 2, 3, 1) * np.asarray(STD) + np.asarray(MEAN)
    return list(np.clip(pixels * 255.0, 0, 255).round().astype(np.uint8))


def batch_sharpness_auc(sampler: BatchSampler, steps: range) -> float:
    """ROC AUC of "less sharp = fake" on the training batches of ``steps``, after augmentation
    (0.5: sharpness says nothing; 1.0: it alone separates the classes)."""
    scores: list[float] = []
    labels: list[int] = []
    for step in steps:
        images, targets = sampler.batch(step, MEAN, STD)
        scores += [-sharpness(image) for image in _uint8(images.numpy())]
        labels += [int(t) for t in targets.tolist()]
    return float(roc_auc_score(labels, scores))


def sharpness_auc(images: list[npt.NDArray[np.uint8]], labels: npt.NDArray[np.int64]) -> float:
    """The same on a fixed set of crops (a validation condition)."""
    return float(roc_auc_score(labels, [-sharpness(image) for image in images]))


def score_sharpness_correlation(
    images: list[npt.NDArray[np.uint8]], probabilities: npt.NDArray[np.float64]
) -> float:
    """Spearman correlation of the fake probability with sharpness (negative: blurrier crops
    score as more fake), meant for REAL crops only."""
    ranks = [
        np.argsort(np.argsort(values)) for values in ([sharpness(i) for i in images], probabilities)
    ]
    return float(np.corrcoef(ranks[0], ranks[1])[0, 1])
