"""The validation split as a model sees it, for scoring a trained network: the clean crops, the
same crops halved then JPEG 35 (the ablation's measure), and with ``table`` the conditions of the
validation table (``validation_table.py``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from deepfake_detection.training.augment import down_up, jpeg
from deepfake_detection.training.batches import validation_inputs
from deepfake_detection.training.config import TrainConfig
from deepfake_detection.training.dataset import CropRecord
from deepfake_detection.training.trainer import Prepared
from deepfake_detection.training.validation_table import (
    Condition,
    Labels,
    build_conditions,
    build_model3_conditions,
)


def half_size_jpeg35(images: list[npt.NDArray[np.uint8]], seed: int) -> list[npt.NDArray[np.uint8]]:
    """Heavier compression than the validation crops carry (half-size then JPEG quality 35), to
    check robustness the way FaceForensics++ c40 would; fixed seed, so repeatable."""
    rng = np.random.default_rng(seed)
    return [jpeg(down_up(image, (0.5, 0.5), rng), (35, 35), rng) for image in images]


@dataclass(frozen=True)
class ValidationSet:
    """The whole validation split as the model sees it, clean and halved then JPEG 35
    (``half_jpeg35``, the ablation's measure), with its labels and records; with ``table``, also
    the conditions of the validation table (``validation_table.py``)."""

    labels: npt.NDArray[np.int64]
    records: list[CropRecord]
    clean: list[npt.NDArray[np.uint8]]
    half_jpeg35: list[npt.NDArray[np.uint8]]
    conditions: dict[str, Condition]

    @classmethod
    def build(cls, data: Prepared, config: TrainConfig, table: bool = False) -> ValidationSet:
        rows = data.validation_rows
        records = [data.cache.records[i] for i in rows]
        clean = validation_inputs(data.cache.pixels, rows, config)
        labels = np.array([r.label for r in records], dtype=np.int64)
        conditions = (
            build_conditions(
                data.cache.pixels,
                rows,
                labels,
                config.input_size,
                config.eval_crop_side,
                config.seed,
            )
            if table
            else {}
        )
        if table and config.paired:
            conditions |= model3_conditions(data, labels, config)
        return cls(labels, records, clean, half_size_jpeg35(clean, config.seed), conditions)


def model3_conditions(data: Prepared, labels: Labels, config: TrainConfig) -> dict[str, Condition]:
    """Model 3's columns of the validation table (held-out encoders, edits, portraits), for a
    model-3 recipe; ``labels`` those of ``data``'s validation rows."""
    portraits = data.portraits
    return build_model3_conditions(
        data.cache.pixels,
        data.validation_rows,
        labels,
        config.input_size,
        config.eval_crop_side,
        None
        if portraits is None
        else (
            portraits.cache.pixels,
            portraits.validation_rows,
            np.array(
                [portraits.cache.records[i].label for i in portraits.validation_rows],
                dtype=np.int64,
            ),
        ),
    )
