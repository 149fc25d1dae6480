"""Drawing training batches and preparing validation inputs from the pixel cache."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import torch

from deepfake_detection.training.augment import augment, center_crop
from deepfake_detection.training.blend import self_blend
from deepfake_detection.training.config import TrainConfig
from deepfake_detection.training.dataset import FAKE, REAL, CropRecord


def to_tensor(
    images: list[npt.NDArray[np.uint8]], mean: tuple[float, ...], std: tuple[float, ...]
) -> torch.Tensor:
    """(N, H, W, 3) uint8 RGB -> normalised float32 NCHW, the layout the ONNX model takes."""
    scaled = np.stack(images).astype(np.float32) / np.float32(255.0)
    batch = (scaled - np.asarray(mean, dtype=np.float32)) / np.asarray(std, dtype=np.float32)
    return torch.from_numpy(np.ascontiguousarray(batch.transpose(0, 3, 1, 2)))


@dataclass(frozen=True)
class BatchSampler:
    """Deterministic batches: batch ``step`` depends only on the seed and the step number, so a run
    resumed from a checkpoint sees exactly the batches it would have seen."""

    pixels: npt.NDArray[np.uint8]
    reals: npt.NDArray[np.int64]
    fakes: npt.NDArray[np.int64]
    config: TrainConfig

    @classmethod
    def create(
        cls,
        pixels: npt.NDArray[np.uint8],
        records: tuple[CropRecord, ...],
        train_rows: list[int],
        config: TrainConfig,
    ) -> BatchSampler:
        reals = np.array([i for i in train_rows if records[i].label == REAL], dtype=np.int64)
        fakes = np.array([i for i in train_rows if records[i].label == FAKE], dtype=np.int64)
        return cls(pixels, reals, fakes, config)

    def batch(
        self, step: int, mean: tuple[float, ...], std: tuple[float, ...]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        cfg = self.config
        rng = np.random.default_rng([cfg.seed, step])
        images, labels = [], []
        for _ in range(cfg.batch_size):
            draw = rng.random()
            if draw < cfg.real_share:
                image = np.array(self.pixels[rng.choice(self.reals)])
                label = REAL
            elif draw < cfg.real_share + cfg.augment.blend_fraction:
                image = self_blend(np.array(self.pixels[rng.choice(self.reals)]), rng)
                label = FAKE
            else:
                image = np.array(self.pixels[rng.choice(self.fakes)])
                label = FAKE
            images.append(augment(image, cfg.input_size, cfg.augment, rng))
            labels.append(label)
        return to_tensor(images, mean, std), torch.tensor(labels, dtype=torch.float32)


def validation_inputs(
    pixels: npt.NDArray[np.uint8], rows: list[int], config: TrainConfig
) -> list[npt.NDArray[np.uint8]]:
    return [
        center_crop(np.array(pixels[i]), config.input_size, config.eval_crop_side) for i in rows
    ]
