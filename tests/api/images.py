"""Test images built from scikit-image's photographs: no face, one face, a grid of faces."""

from __future__ import annotations

import io

import numpy as np
import numpy.typing as npt
from PIL import Image
from skimage import data


def encode(image: npt.NDArray[np.uint8], fmt: str = "JPEG") -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, fmt)
    return buffer.getvalue()


def one_face() -> npt.NDArray[np.uint8]:
    """A real face photograph (512x512, one face)."""
    return np.asarray(data.astronaut())


def no_face() -> npt.NDArray[np.uint8]:
    """A cup of coffee (400x600): neither detector finds a face in it."""
    return np.asarray(data.coffee())


def many_faces(rows: int = 2, cols: int = 2) -> npt.NDArray[np.uint8]:
    """``rows`` x ``cols`` copies of the face photograph side by side."""
    return np.tile(one_face(), (rows, cols, 1))
