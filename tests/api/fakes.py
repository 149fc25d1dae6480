"""Stand-ins behind the ``Classifier`` protocol."""

from __future__ import annotations

import threading

import numpy as np
import numpy.typing as npt

from support.fake_card import fake_card

CARD = fake_card(
    name="fake-brightness",
    architecture="mean brightness of the crop",
    threshold=0.5,
    metrics={"auc": 0.5},
)


class BrightnessClassifier:
    """The fake probability is the crop's mean brightness: different faces get different,
    predictable scores."""

    card = CARD

    def __init__(self) -> None:
        self.calls = 0

    def predict(self, crops: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
        self.calls += 1
        return (crops.reshape(len(crops), -1).mean(axis=1) / 255.0).astype(np.float32)


class GatedClassifier(BrightnessClassifier):
    """Blocks in ``predict`` until ``release`` is set, after announcing itself in ``entered``; the
    first call (the service's warm-up) passes."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = threading.Event()
        self.release = threading.Event()

    def predict(self, crops: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
        if self.calls > 0:
            self.entered.set()
            if not self.release.wait(timeout=30):
                raise TimeoutError("the test never released the classifier")
        return super().predict(crops)


class BrokenClassifier(BrightnessClassifier):
    """Fails after the warm-up, like a bug would."""

    def predict(self, crops: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
        if self.calls > 0:
            raise RuntimeError("a bug in the classifier")
        return super().predict(crops)
