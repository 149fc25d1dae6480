"""The face classifier interface: a batch of face crops in, one fake probability per crop out."""

from __future__ import annotations

from typing import Protocol

import numpy as np
import numpy.typing as npt

from deepfake_detection.classifiers.model_card import ModelCard


class Classifier(Protocol):
    card: ModelCard

    def predict(self, crops: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
        """Fake probabilities for (N, S, S, 3) uint8 RGB crops, S = ``card.input_size``."""
        ...
