"""The face classifier served with onnxruntime, preprocessing read from its model card."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import onnxruntime as ort

from deepfake_detection.classifiers.model_card import ModelCard, load_model_card
from deepfake_detection.errors import ModelUnavailable
from deepfake_detection.shared.onnx_session import session_options


class OnnxClassifier:
    """Implements ``Classifier``. Build one per process and share it: ``predict`` is safe to call
    from several threads (onnxruntime sessions allow concurrent ``run``)."""

    def __init__(self, card_path: Path, threads: int = 2) -> None:
        self.card: ModelCard = load_model_card(card_path)
        onnx_path = self.card.onnx_path(card_path)
        if not onnx_path.is_file():
            raise ModelUnavailable(f"model file not found: {onnx_path} (named by {card_path})")
        try:
            self._session = ort.InferenceSession(
                str(onnx_path), session_options(threads), providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own untyped errors for bad files
            raise ModelUnavailable(f"cannot load the model {onnx_path}: {exc}") from exc
        inputs = {i.name for i in self._session.get_inputs()}
        outputs = {o.name for o in self._session.get_outputs()}
        if self.card.onnx_input not in inputs or self.card.onnx_output not in outputs:
            raise ModelUnavailable(
                f"{onnx_path} has inputs {sorted(inputs)} and outputs {sorted(outputs)}; its card "
                f"names input {self.card.onnx_input!r} and output {self.card.onnx_output!r}"
            )
        std = np.asarray(self.card.std, np.float32)
        # (x / 255 - mean) / std as one multiply-add per pixel.
        self._scale = (1.0 / (255.0 * std)).astype(np.float32)
        self._offset = (-np.asarray(self.card.mean, np.float32) / std).astype(np.float32)

    def predict(self, crops: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
        """Fake probabilities for (N, S, S, 3) uint8 RGB crops; other sizes are resized first."""
        if crops.ndim != 4 or crops.shape[3] != 3:
            raise ValueError(f"expected (N, S, S, 3) RGB crops, got shape {crops.shape}")
        if len(crops) == 0:
            return np.empty(0, np.float32)
        size = self.card.input_size
        if crops.shape[1:3] != (size, size):
            crops = np.stack([_resize(crop, size) for crop in crops])
        batch = crops.astype(np.float32) * self._scale + self._offset
        feed = {self.card.onnx_input: np.ascontiguousarray(batch.transpose(0, 3, 1, 2))}
        (probabilities,) = self._session.run([self.card.onnx_output], feed)
        return np.asarray(probabilities, np.float32).reshape(len(crops))


def _resize(crop: npt.NDArray[np.uint8], size: int) -> npt.NDArray[np.uint8]:
    shrinking = crop.shape[0] >= size and crop.shape[1] >= size
    interpolation = cv2.INTER_AREA if shrinking else cv2.INTER_CUBIC
    return np.asarray(cv2.resize(crop, (size, size), interpolation=interpolation), np.uint8)
