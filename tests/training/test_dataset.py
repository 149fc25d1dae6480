from __future__ import annotations

from pathlib import Path

import numpy as np

from deepfake_detection.training.dataset import (
    FAKE,
    REAL,
    CropRecord,
    build_or_load_cache,
    read_metadata,
    split_by_group,
)


def _records(groups: int) -> list[CropRecord]:
    records = []
    for g in range(groups):
        records.append(CropRecord(f"REAL/{g}.jpg", REAL, f"group{g}"))
        records += [CropRecord(f"FAKE/{g}-{k}.jpg", FAKE, f"group{g}") for k in range(g % 3)]
    return records


def test_split_never_puts_a_group_on_both_sides() -> None:
    records = _records(500)
    split = split_by_group(records, validation_fraction=0.2, seed=7)
    train_groups = {r.group for r in split.train}
    validation_groups = {r.group for r in split.validation}
    assert not train_groups & validation_groups
    assert len(split.train) + len(split.validation) == len(records)
    assert 80 <= len(validation_groups) <= 120


def test_split_is_reproducible_and_depends_on_the_seed() -> None:
    records = _records(200)
    first = split_by_group(records, 0.1, seed=1)
    assert first == split_by_group(list(reversed(records)), 0.1, seed=1) or {
        r.group for r in first.validation
    } == {r.group for r in split_by_group(list(reversed(records)), 0.1, seed=1).validation}
    other = split_by_group(records, 0.1, seed=2)
    assert {r.group for r in first.validation} != {r.group for r in other.validation}


def test_cache_decodes_every_crop_once(crop_folder: Path, tmp_path: Path) -> None:
    records = read_metadata(crop_folder)
    assert len(records) == 48
    assert {r.label for r in records} == {REAL, FAKE}
    cache = build_or_load_cache(crop_folder, tmp_path, 64, records)
    assert cache.pixels.shape == (48, 64, 64, 3)
    assert cache.pixels.dtype == np.uint8
    again = build_or_load_cache(crop_folder, tmp_path, 64, records)
    np.testing.assert_array_equal(cache.pixels, again.pixels)
    assert len(list(tmp_path.iterdir())) == 1
