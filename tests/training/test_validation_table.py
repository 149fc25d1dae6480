"""The validation table: its conditions, its calibration error and its rows."""

from __future__ import annotations

import numpy as np
import pytest
from skimage import data

from deepfake_detection.training.validation_table import (
    CLEAN,
    H265_CRF40,
    HALF_H264_CRF40,
    SELF_BLEND,
    build_conditions,
    expected_calibration_error,
    rule_mean,
    score,
    to_markdown,
)


def _pixels(n: int) -> np.ndarray:
    photo = data.astronaut()
    return np.stack(
        [np.ascontiguousarray(photo[i * 8 : i * 8 + 96, 150 + i : 246 + i]) for i in range(n)]
    )


def test_the_conditions_share_labels_and_frame_like_the_model() -> None:
    pixels = _pixels(6)
    labels = np.array([0, 1, 0, 1, 0, 1])
    conditions = build_conditions(pixels, list(range(6)), labels, 64, 0.94, seed=0)
    assert set(conditions) == {
        CLEAN,
        "h264_crf40",
        HALF_H264_CRF40,
        "half_jpeg35",
        SELF_BLEND,
        H265_CRF40,
    }
    for key in (CLEAN, HALF_H264_CRF40):
        np.testing.assert_array_equal(conditions[key].labels, labels)
        assert conditions[key].images[0].shape == (64, 64, 3)
    # Self-blend: the three REAL crops against a blend of each.
    assert conditions[SELF_BLEND].labels.tolist() == [0, 0, 0, 1, 1, 1]
    clean, degraded = conditions[CLEAN].images[0], conditions[HALF_H264_CRF40].images[0]
    assert np.abs(clean.astype(np.int16) - degraded).mean() > 1.0
    # H.265 is a different codec, not H.264 again.
    h264, h265 = conditions["h264_crf40"].images[0], conditions[H265_CRF40].images[0]
    assert np.abs(clean.astype(np.int16) - h265).mean() > 0.5
    assert np.abs(h264.astype(np.int16) - h265).mean() > 0.5
    again = build_conditions(pixels, list(range(6)), labels, 64, 0.94, seed=0)
    np.testing.assert_array_equal(again[SELF_BLEND].images[4], conditions[SELF_BLEND].images[4])


def test_ece_is_zero_when_calibrated_and_large_when_overconfident() -> None:
    rng = np.random.default_rng(0)
    probabilities = rng.random(20000)
    calibrated = (rng.random(20000) < probabilities).astype(np.int64)
    assert expected_calibration_error(calibrated, probabilities) < 0.02
    coin = (rng.random(20000) < 0.5).astype(np.int64)
    overconfident = np.where(rng.random(20000) < 0.5, 0.02, 0.98)
    assert expected_calibration_error(coin, overconfident) > 0.4


def test_a_row_scores_every_condition() -> None:
    pixels = _pixels(6)
    labels = np.array([0, 1, 0, 1, 0, 1])
    conditions = build_conditions(pixels, list(range(6)), labels, 32, 0.94, seed=0)

    def brightness(images: list[np.ndarray]) -> np.ndarray:
        return np.array([image.mean() / 255 for image in images])

    row, probabilities = score("mean brightness", brightness, conditions, 0.5, 0.1)
    assert set(row.roc_auc) == set(conditions)
    assert all(0.0 <= auc <= 1.0 for auc in row.roc_auc.values())
    assert len(probabilities[SELF_BLEND]) == 6
    assert "| mean brightness |" in to_markdown([row])
    shifted = [row.roc_auc[k] for k in ("h264_crf40", HALF_H264_CRF40, "half_jpeg35", SELF_BLEND)]
    assert rule_mean(row.roc_auc) == pytest.approx(sum(shifted) / 4)
