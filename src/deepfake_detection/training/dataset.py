"""The DFDC face crops: metadata, the split by source-video group, and a decoded-pixel cache."""

from __future__ import annotations

import csv
import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image

from deepfake_detection.errors import InvalidRequest

REAL, FAKE = 0, 1


@dataclass(frozen=True)
class CropRecord:
    file: str
    label: int
    group: str


@dataclass(frozen=True)
class Split:
    train: tuple[CropRecord, ...]
    validation: tuple[CropRecord, ...]


def read_metadata(data_dir: Path) -> list[CropRecord]:
    path = data_dir / "metadata.csv"
    if not path.is_file():
        raise InvalidRequest(f"no metadata.csv in {data_dir}: is this the dfdc-faces folder?")
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    labels = {"REAL": REAL, "FAKE": FAKE}
    return [CropRecord(r["file"], labels[r["label"]], r["group"]) for r in rows]


def read_portraits(data_dir: Path) -> list[CropRecord]:
    """The ``ciplab-faces`` collection: each file its own group (no two files are known to show
    the same person), so a split by group is a split by file."""
    path = data_dir / "metadata.csv"
    if not path.is_file():
        raise InvalidRequest(f"no metadata.csv in {data_dir}: is this the ciplab-faces folder?")
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    labels = {"REAL": REAL, "FAKE": FAKE}
    return [CropRecord(r["file"], labels[r["label"]], r["file"]) for r in rows]


def _group_rank(group: str, seed: int) -> int:
    digest = hashlib.sha256(f"{seed}:{group}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def split_by_group(records: list[CropRecord], validation_fraction: float, seed: int) -> Split:
    """Split so that every crop of a source-video group lands on the same side.

    A group is a real video and every fake made from it; splitting by file would put the same person
    on both sides and inflate the validation score.
    """
    groups = sorted({r.group for r in records}, key=lambda g: _group_rank(g, seed))
    validation_groups = set(groups[: round(len(groups) * validation_fraction)])
    train = tuple(r for r in records if r.group not in validation_groups)
    validation = tuple(r for r in records if r.group in validation_groups)
    return Split(train, validation)


def load_crop(path: Path, size: int) -> npt.NDArray[np.uint8]:
    """A crop as the cache stores it: RGB, bicubic-resized to ``size`` x ``size``."""
    with Image.open(path) as image:
        rgb = image.convert("RGB")
        if rgb.size != (size, size):
            rgb = rgb.resize((size, size), Image.Resampling.BICUBIC)
        return np.asarray(rgb, dtype=np.uint8)


@dataclass(frozen=True)
class PixelCache:
    """All crops decoded once to ``size`` x ``size`` RGB, memory-mapped (N, size, size, 3) uint8."""

    pixels: npt.NDArray[np.uint8]
    records: tuple[CropRecord, ...]

    def index_of(self) -> dict[str, int]:
        return {r.file: i for i, r in enumerate(self.records)}


def build_or_load_cache(
    data_dir: Path, cache_dir: Path, size: int, records: list[CropRecord]
) -> PixelCache:
    """Decode every crop once (about 30 s per 10k crops per core); later runs map the file."""
    key = hashlib.sha256(json.dumps([size, [r.file for r in records]]).encode()).hexdigest()[:12]
    pixels_path = cache_dir / f"crops-{size}-{key}.u8"
    shape = (len(records), size, size, 3)
    if not pixels_path.exists():
        cache_dir.mkdir(parents=True, exist_ok=True)
        partial = pixels_path.with_suffix(".partial")
        out = np.lib.format.open_memmap(partial, mode="w+", dtype=np.uint8, shape=shape)

        def decode(i: int) -> None:
            out[i] = load_crop(data_dir / records[i].file, size)

        # Pillow lets go of the GIL while it decodes and resizes: threads use every core.
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            for _ in pool.map(decode, range(len(records)), chunksize=64):
                pass
        out.flush()
        del out
        partial.rename(pixels_path)
    pixels = np.load(pixels_path, mmap_mode="r")
    if pixels.shape != shape:
        raise InvalidRequest(f"cache {pixels_path} has shape {pixels.shape}, expected {shape}")
    return PixelCache(pixels, tuple(records))
