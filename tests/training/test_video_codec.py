"""One frame through H.264 or H.265: the shape is kept (odd and tiny sides too) and a higher CRF
loses more."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from skimage import data

from deepfake_detection.training.video_codec import Codec, codec_frame, h264_frame, h265_frame


def _error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


@pytest.mark.parametrize("codec", ["h264", "h265"])
@pytest.mark.parametrize("shape", [(41, 57), (8, 8), (3, 5)])
def test_the_shape_is_kept_for_odd_and_tiny_images(codec: Codec, shape: tuple[int, int]) -> None:
    # x265 alone refuses an 8x8 frame: the padding to 16 px is what makes it work.
    image = np.ascontiguousarray(data.astronaut()[100 : 100 + shape[0], 200 : 200 + shape[1]])
    out = codec_frame(image, codec, 30)
    assert out.shape == image.shape
    assert out.dtype == np.uint8
    assert _error(image, out) < 20.0


@pytest.mark.parametrize("frame", [h264_frame, h265_frame])
def test_a_higher_crf_loses_more_detail(frame: Callable[[np.ndarray, int], np.ndarray]) -> None:
    image = np.ascontiguousarray(data.astronaut()[0:160, 150:310])
    light, heavy = frame(image, 18), frame(image, 45)
    assert _error(image, light) < 3.0
    assert _error(image, heavy) > 1.5 * _error(image, light)


def test_h265_artefacts_are_not_h264_artefacts() -> None:
    image = np.ascontiguousarray(data.astronaut()[0:160, 150:310])
    assert _error(h264_frame(image, 40), h265_frame(image, 40)) > 1.0
