"""Drawing training batches and preparing validation inputs from the pixel cache."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt
import torch

from deepfake_detection.training.augment import augment, center_crop
from deepfake_detection.training.blend import self_blend
from deepfake_detection.training.config import TrainConfig
from deepfake_detection.training.dataset import FAKE, REAL, CropRecord
from deepfake_detection.training.network import MEAN, STD


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

    def __reduce__(self) -> tuple[object, ...]:
        # Worker processes are spawned (a fork of a process whose OpenMP pool has run can hang):
        # they reopen the memory-mapped cache rather than receive a copy of it.
        if isinstance(self.pixels, np.memmap) and self.pixels.filename is not None:
            return (_reopen, (self.pixels.filename, self.reals, self.fakes, self.config))
        return (BatchSampler, (self.pixels, self.reals, self.fakes, self.config))

    def batch(
        self, step: int, mean: tuple[float, ...], std: tuple[float, ...]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        cfg = self.config
        rng = np.random.default_rng([cfg.batch_seed, step])
        images, labels = [], []
        for _ in range(cfg.batch_size):
            draw = rng.random()
            if draw < cfg.real_share:
                image = np.array(self.pixels[rng.choice(self.reals)])
                label = REAL
            elif draw < cfg.real_share + cfg.augment.blend_fraction:
                image = self_blend(
                    np.array(self.pixels[rng.choice(self.reals)]), rng, cfg.augment.blend_partial
                )
                label = FAKE
            else:
                image = np.array(self.pixels[rng.choice(self.fakes)])
                label = FAKE
            images.append(augment(image, cfg.input_size, cfg.augment, rng))
            labels.append(label)
        return to_tensor(images, mean, std), torch.tensor(labels, dtype=torch.float32)


def _reopen(
    filename: str,
    reals: npt.NDArray[np.int64],
    fakes: npt.NDArray[np.int64],
    config: TrainConfig,
) -> BatchSampler:
    return BatchSampler(np.load(filename, mmap_mode="r"), reals, fakes, config)


class StepBatches(torch.utils.data.Dataset[tuple[torch.Tensor, torch.Tensor]]):
    """Batches ``first .. last - 1`` as a dataset, so a ``DataLoader`` can make them in worker
    processes while the network trains."""

    def __init__(self, sampler: BatchSampler, first: int, last: int) -> None:
        self.sampler, self.first, self.last = sampler, first, last

    def __len__(self) -> int:
        return max(0, self.last - self.first)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.sampler.batch(self.first + index, MEAN, STD)


def _worker_init(_: int) -> None:
    # Each worker is one process making one batch at a time: no thread pools inside it.
    cv2.setNumThreads(1)
    torch.set_num_threads(1)


def step_batches(
    sampler: BatchSampler, first: int, last: int, workers: int
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """The training batches from step ``first`` on, in step order whatever ``workers`` is."""
    if workers == 0:
        for step in range(first, last):
            yield sampler.batch(step, MEAN, STD)
        return
    yield from torch.utils.data.DataLoader(
        StepBatches(sampler, first, last),
        batch_size=None,
        num_workers=workers,
        worker_init_fn=_worker_init,
        prefetch_factor=4,
        persistent_workers=False,
        multiprocessing_context="spawn",
        # Its own generator: the loader would otherwise draw its worker seeds from torch's global
        # one, which dropout uses, and a run would depend on the number of workers.
        generator=torch.Generator(),
    )


def validation_inputs(
    pixels: npt.NDArray[np.uint8], rows: list[int], config: TrainConfig
) -> list[npt.NDArray[np.uint8]]:
    return [
        center_crop(np.array(pixels[i]), config.input_size, config.eval_crop_side) for i in rows
    ]
