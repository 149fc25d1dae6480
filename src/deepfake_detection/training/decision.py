"""The decision rule that ships with a model, chosen on validation only.

Calibration (Platt scaling) and the threshold (Youden's J) are fitted on the clean validation crops
and the same crops degraded (half size + H.264 CRF 40) together, so that a probability means the
same on a heavily compressed face as on a clean one. The uncertain band is the narrowest band
around the threshold outside which the labels of the clean validation crops are right
``band_accuracy`` of the time (on the union, a useful accuracy left most answers uncertain: 60% of
decided crops at 95% for the 2.0 candidate). A face is not judged below the sharpness of the blurriest 1% of the degraded crops (the range
the validation covered), nor below the smallest face size that training simulated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

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
from deepfake_detection.training.validation_table import CLEAN, DEGRADED, Condition

BAND_ACCURACY = 0.90
SHARPNESS_PERCENTILE = 1.0


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
    fitted = (CLEAN, DEGRADED)
    labels = np.concatenate([conditions[k].labels for k in fitted])
    calibration = fit_calibration(np.concatenate([logits[k] for k in fitted]), labels)
    probabilities = {k: calibration.apply(v) for k, v in logits.items()}
    union = np.concatenate([probabilities[k] for k in fitted])
    threshold = youden_threshold(labels, union)
    band = uncertain_band(conditions[CLEAN].labels, probabilities[CLEAN], threshold, band_accuracy)
    degraded_sharpness = [sharpness(image) for image in conditions[DEGRADED].images]
    smallest = config.augment.small_face_px[0] if config.augment.small_face > 0 else 32
    quality = QualityLimits(
        min_face_px=float(smallest),
        min_sharpness=round(float(np.percentile(degraded_sharpness, SHARPNESS_PERCENTILE)), 3),
        rule=f"faces smaller than training simulated ({smallest} px), crops blurrier than "
        f"{SHARPNESS_PERCENTILE:g}% of the half size + H.264 CRF 40 validation crops",
    )
    return ChosenRule(calibration, threshold, band, quality, probabilities)
