from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage import data

from deepfake_detection.training.blend import self_blend


@pytest.fixture(scope="session")
def crop_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny dfdc-faces look-alike: REAL crops cut from a real photo, FAKE ones blended from them."""
    root = tmp_path_factory.mktemp("dfdc-faces")
    (root / "REAL").mkdir()
    (root / "FAKE").mkdir()
    photo = data.astronaut()
    rng = np.random.default_rng(0)
    rows = []
    for i in range(24):
        y, x = rng.integers(0, 180, size=2)
        crop = np.ascontiguousarray(photo[y : y + 224, x + 100 : x + 324])
        Image.fromarray(crop).save(root / "REAL" / f"r{i}.jpg")
        Image.fromarray(self_blend(crop, rng)).save(root / "FAKE" / f"f{i}.jpg")
        rows += [(f"REAL/r{i}.jpg", "REAL", f"g{i}.mp4"), (f"FAKE/f{i}.jpg", "FAKE", f"g{i}.mp4")]
    with (root / "metadata.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "label", "group", "original_width", "original_height"])
        writer.writerows((*row, 160, 160) for row in rows)
    return root
