"""Images with 0, 1 and many real faces, built from scikit-image's astronaut photograph."""

import numpy as np
import numpy.typing as npt
import pytest
from skimage import data

from deepfake_detection.shared.faces import Box

Image = npt.NDArray[np.uint8]


@pytest.fixture
def astronaut_face() -> Box:
    """Eileen Collins' face in the 512x512 photograph, marked by eye."""
    return Box(175, 50, 275, 185)


@pytest.fixture
def one_face() -> Image:
    return np.ascontiguousarray(data.astronaut())


@pytest.fixture
def six_faces(one_face: Image) -> Image:
    """2 x 3 copies of the photograph side by side."""
    return np.ascontiguousarray(np.tile(one_face, (2, 3, 1)))


@pytest.fixture
def no_face() -> Image:
    """A smooth grey ramp."""
    ramp = np.linspace(0, 255, 320, dtype=np.float32)
    return np.stack([np.tile(ramp, (240, 1))] * 3, axis=2).astype(np.uint8)
