"""One frame through H.264: the shape is kept (odd sides too) and a higher CRF loses more."""

from __future__ import annotations

import numpy as np
from skimage import data

from deepfake_detection.training.video_codec import h264_frame


def _error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


def test_h264_keeps_the_shape_of_odd_sized_images() -> None:
    image = np.ascontiguousarray(data.astronaut()[:41, :57])
    out = h264_frame(image, 30)
    assert out.shape == image.shape
    assert out.dtype == np.uint8


def test_a_higher_crf_loses_more_detail() -> None:
    image = np.ascontiguousarray(data.astronaut()[0:160, 150:310])
    light, heavy = h264_frame(image, 18), h264_frame(image, 45)
    assert _error(image, light) < 3.0
    assert _error(image, heavy) > 1.5 * _error(image, light)
