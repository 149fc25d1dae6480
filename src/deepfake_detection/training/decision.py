"""The decision rule that ships with a model, chosen on validation only.

Calibration (Platt scaling) and the threshold (Youden's J) are fitted on the clean validation crops
and the same crops halved then encoded as H.264 CRF 40 (``HALF_H264_CRF40``) together, so that a
probability means the same on a heavily compressed face as on a clean one. The uncertain band is
the narrowest band around the threshold outside which the labels of the clean validation crops are
right ``band_accuracy`` of the time (on the union, a useful accuracy left most answers uncertain:
60% of decided crops at 95% for the 2.0 candidate). A face is not judged below the smallest face
size that training simulated, nor below a sharpness: up to 2.x, that of the blurriest 1% of the
half size + H.264 CRF 40 crops (the range the validation covered); from 3.0, where the model was
unreliable on the pooled validation conditions (``unreliable_sharpness``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sklearn.metrics import roc_auc_score

from deepfake_detection.analysis.quality import sharpness
from deepfake_detection.classifiers.model_card import QualityLimits, UncertainBand
from deepfake_detection.training.calibration import (
    Band,
    Calibration,
    fit_calibration,
    uncertain_band,
    youden_threshold,
)
from deepfake_detection.training.config import TrainConfig
from deepfake_detection.training.validation_table import (
    CLEAN,
    EDIT_PREFIX,
    HALF_H264_CRF40,
    HELD_OUT_EDIT_PREFIX,
    HELD_OUT_ENCODERS,
    PORTRAITS,
    SELF_BLEND,
    Condition,
)

BAND_ACCURACY = 0.90
SHARPNESS_PERCENTILE = 1.0
# Model 3's quality limit (``unreliable_sharpness``).
SHARPNESS_STEPS = (1.0, 2.0, 3.0, 5.0, 7.5, 10.0, 15.0, 20.0)
MIN_RELIABLE_AUC = 0.75
MAX_CLEAN_FLAGGED = 0.05


@dataclass(frozen=True)
class ChosenRule:
    calibration: Calibration
    threshold: float
    band: Band
    quality: QualityLimits
    # Calibrated probabilities per validation condition.
    probabilities: dict[str, npt.NDArray[np.float64]]

    def uncertain_band(self) -> UncertainBand:
        return UncertainBand(
            low=self.band.low,
            high=self.band.high,
            rule=f"narrowest band around the threshold outside which {BAND_ACCURACY:.0%} of the "
            f"clean validation crops are right: "
            f"{self.band.decided_share:.1%} decided there, {self.band.decided_accuracy:.2%} right",
        )


def choose_rule(
    logits: dict[str, npt.NDArray[np.float32]],
    conditions: dict[str, Condition],
    config: TrainConfig,
    band_accuracy: float = BAND_ACCURACY,
) -> ChosenRule:
    fitted = (CLEAN, HALF_H264_CRF40)
    labels = np.concatenate([conditions[k].labels for k in fitted])
    calibration = fit_calibration(np.concatenate([logits[k] for k in fitted]), labels)
    probabilities = {k: calibration.apply(v) for k, v in logits.items()}
    union = np.concatenate([probabilities[k] for k in fitted])
    threshold = youden_threshold(labels, union)
    band = uncertain_band(conditions[CLEAN].labels, probabilities[CLEAN], threshold, band_accuracy)
    smallest = config.augment.small_face_px[0] if config.augment.small_face > 0 else 32
    if EDIT_PREFIX + "blur_r2" in conditions:
        min_sharpness, sharpness_rule = unreliable_sharpness(conditions, probabilities)
    else:
        compressed = [sharpness(image) for image in conditions[HALF_H264_CRF40].images]
        min_sharpness = float(np.percentile(compressed, SHARPNESS_PERCENTILE))
        sharpness_rule = (
            f"crops blurrier than {SHARPNESS_PERCENTILE:g}% of the half size + H.264 CRF 40 "
            "validation crops"
        )
    quality = QualityLimits(
        min_face_px=float(smallest),
        min_sharpness=round(min_sharpness, 3),
        rule=f"faces smaller than training simulated ({smallest} px); {sharpness_rule}",
    )
    return ChosenRule(calibration, threshold, band, quality, probabilities)


def _fitting_keys(conditions: dict[str, Condition]) -> list[str]:
    """The conditions a quality limit is fitted on: clean, the codecs and the everyday edits that
    training draws; not the held-out ones (they stay a test), nor self-blends or portraits."""
    held_out = {SELF_BLEND, PORTRAITS, *HELD_OUT_ENCODERS}
    return [k for k in conditions if k not in held_out and not k.startswith(HELD_OUT_EDIT_PREFIX)]


def unreliable_sharpness(
    conditions: dict[str, Condition], probabilities: dict[str, npt.NDArray[np.float64]]
) -> tuple[float, str]:
    """The sharpness below which the model is unreliable on validation: over the pooled fitting
    conditions, the largest of the lowest percentiles ``SHARPNESS_STEPS`` whose crops the model
    separates with ROC AUC below ``MIN_RELIABLE_AUC``, as long as it leaves at most
    ``MAX_CLEAN_FLAGGED`` of the clean crops uncertain. Without such a percentile, the lowest
    one (the range validation barely covers)."""
    keys = _fitting_keys(conditions)
    values = np.concatenate([[sharpness(i) for i in conditions[k].images] for k in keys])
    labels = np.concatenate([conditions[k].labels for k in keys])
    scores = np.concatenate([probabilities[k] for k in keys])
    clean = np.array([sharpness(i) for i in conditions[CLEAN].images])
    chosen = float(np.percentile(values, SHARPNESS_STEPS[0]))
    rule = (
        f"crops blurrier than {SHARPNESS_STEPS[0]:g}% of the pooled validation crops (the model "
        f"stayed above ROC AUC {MIN_RELIABLE_AUC} at every lower percentile tried)"
    )
    for step in SHARPNESS_STEPS:
        cut = float(np.percentile(values, step))
        below = values < cut
        if len(set(labels[below].tolist())) < 2 or (clean < cut).mean() > MAX_CLEAN_FLAGGED:
            continue
        auc = float(roc_auc_score(labels[below], scores[below]))
        if auc < MIN_RELIABLE_AUC:
            chosen = cut
            rule = (
                f"crops blurrier than the {step:g}th percentile of the pooled validation crops "
                f"(clean, codecs and the everyday edits training draws), where the model's ROC "
                f"AUC was {auc:.3f} (< {MIN_RELIABLE_AUC}); {(clean < cut).mean():.1%} of clean "
                f"and {below.mean():.1%} of pooled validation crops are below it"
            )
    return chosen, rule
