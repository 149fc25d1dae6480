"""Drawing training batches and preparing validation inputs from the pixel cache."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import cv2
import numpy as np
import numpy.typing as npt
import torch

from deepfake_detection.analysis.quality import sharpness
from deepfake_detection.training.augment import Image, augment, center_crop
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


_NO_ROWS = np.zeros(0, dtype=np.int64)


def _rows(records: tuple[CropRecord, ...], rows: list[int], label: int) -> npt.NDArray[np.int64]:
    return np.array([i for i in rows if records[i].label == label], dtype=np.int64)


def group_pairs(records: tuple[CropRecord, ...], rows: list[int]) -> npt.NDArray[np.int64]:
    """(N, 2) rows of (REAL crop, FAKE crop) of the same source group, every such combination."""
    reals: dict[str, list[int]] = {}
    for i in rows:
        if records[i].label == REAL:
            reals.setdefault(records[i].group, []).append(i)
    pairs = [
        (real, i)
        for i in rows
        if records[i].label == FAKE
        for real in reals.get(records[i].group, [])
    ]
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


_SIGMAS = (0.3, 0.45, 0.6, 0.8, 1.0, 1.3, 1.7, 2.2)


def match_sharpness(real: Image, fake: Image) -> Image:
    """``real`` blurred just enough to be no sharper than ``fake`` (unchanged if it is not): a
    fake smoother than its real source must not be told apart by that."""
    target = sharpness(fake)
    if sharpness(real) <= target:
        return real
    for sigma in _SIGMAS:
        blurred = np.asarray(cv2.GaussianBlur(real, (0, 0), sigmaX=sigma), dtype=np.uint8)
        if sharpness(blurred) <= target:
            return blurred
    return blurred


@dataclass(frozen=True)
class Portraits:
    """The training part of the real portraits and composites (``ciplab-faces``)."""

    pixels: npt.NDArray[np.uint8]
    reals: npt.NDArray[np.int64]
    fakes: npt.NDArray[np.int64]

    @classmethod
    def create(
        cls, pixels: npt.NDArray[np.uint8], records: tuple[CropRecord, ...], rows: list[int]
    ) -> Portraits:
        return cls(pixels, _rows(records, rows, REAL), _rows(records, rows, FAKE))

    def __reduce__(self) -> tuple[object, ...]:
        return (Portraits, (_mapped(self.pixels), self.reals, self.fakes))


class _Mapped:
    """A memory-mapped cache as its file name, reopened in the process that unpickles it."""

    def __init__(self, filename: str) -> None:
        self.filename = filename

    def __reduce__(self) -> tuple[object, ...]:
        return (_open_cache, (self.filename,))


def _open_cache(filename: str) -> npt.NDArray[np.uint8]:
    return np.asarray(np.load(filename, mmap_mode="r"), dtype=np.uint8)


def _mapped(pixels: npt.NDArray[np.uint8]) -> object:
    # Worker processes are spawned (a fork of a process whose OpenMP pool has run can hang):
    # they reopen the memory-mapped cache rather than receive a copy of it.
    if isinstance(pixels, np.memmap) and pixels.filename is not None:
        return _Mapped(str(pixels.filename))
    return pixels


@dataclass(frozen=True)
class BatchSampler:
    """Deterministic batches: batch ``step`` depends only on the seed and the step number, so a run
    resumed from a checkpoint sees exactly the batches it would have seen."""

    pixels: npt.NDArray[np.uint8]
    reals: npt.NDArray[np.int64]
    fakes: npt.NDArray[np.int64]
    config: TrainConfig
    # (REAL row, FAKE row) of the same group, for paired batches.
    pairs: npt.NDArray[np.int64] = field(default_factory=lambda: _NO_ROWS)
    portraits: Portraits | None = None

    @classmethod
    def create(
        cls,
        pixels: npt.NDArray[np.uint8],
        records: tuple[CropRecord, ...],
        train_rows: list[int],
        config: TrainConfig,
        portraits: Portraits | None = None,
    ) -> BatchSampler:
        reals, fakes = _rows(records, train_rows, REAL), _rows(records, train_rows, FAKE)
        if not config.paired:
            return cls(pixels, reals, fakes, config)
        return cls(pixels, reals, fakes, config, group_pairs(records, train_rows), portraits)

    def __reduce__(self) -> tuple[object, ...]:
        fields = (self.reals, self.fakes, self.config, self.pairs, self.portraits)
        return (BatchSampler, (_mapped(self.pixels), *fields))

    def batch(
        self, step: int, mean: tuple[float, ...], std: tuple[float, ...]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        cfg = self.config
        rng = np.random.default_rng([cfg.batch_seed, step])
        if cfg.paired:
            images, labels = self._paired(rng)
            return to_tensor(images, mean, std), torch.tensor(labels, dtype=torch.float32)
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

    def _pair(self, rng: np.random.Generator) -> tuple[Image, Image]:
        """A REAL image and a fake made from it or from its source video, not yet augmented."""
        cfg = self.config
        portraits = self.portraits
        if portraits is not None and rng.random() < cfg.portrait_share:
            real = np.array(portraits.pixels[rng.choice(portraits.reals)])
            if rng.random() < cfg.augment.blend_fraction:
                return real, self_blend(real, rng, cfg.augment.blend_partial)
            return real, np.array(portraits.pixels[rng.choice(portraits.fakes)])
        real_row, fake_row = self.pairs[int(rng.integers(len(self.pairs)))]
        real = np.array(self.pixels[real_row])
        if rng.random() < cfg.augment.blend_fraction:
            return real, self_blend(real, rng, cfg.augment.blend_partial)
        return real, np.array(self.pixels[fake_row])

    def _paired(self, rng: np.random.Generator) -> tuple[list[Image], list[int]]:
        """Half the batch REAL, half fake, in pairs that share one augmentation draw."""
        cfg = self.config
        images: list[Image] = []
        labels: list[int] = []
        for _ in range(cfg.batch_size // 2):
            real, fake = self._pair(rng)
            if rng.random() < cfg.match_sharpness:
                real = match_sharpness(real, fake)
            seed = int(rng.integers(2**63))
            for image, label in ((real, REAL), (fake, FAKE)):
                images.append(
                    augment(image, cfg.input_size, cfg.augment, np.random.default_rng(seed))
                )
                labels.append(label)
        return images, labels


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
