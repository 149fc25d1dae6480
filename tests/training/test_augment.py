from __future__ import annotations

import numpy as np
from skimage import data

from deepfake_detection.training.augment import augment, center_crop
from deepfake_detection.training.blend import face_mask, partial_mask, self_blend
from deepfake_detection.training.config import AugmentConfig


def _crop() -> np.ndarray:
    return np.ascontiguousarray(data.astronaut()[0:192, 150:342])


def test_augment_gives_the_input_size_and_is_deterministic_per_seed() -> None:
    crop = _crop()
    one = augment(crop, 160, AugmentConfig(), np.random.default_rng(3))
    two = augment(crop, 160, AugmentConfig(), np.random.default_rng(3))
    other = augment(crop, 160, AugmentConfig(), np.random.default_rng(4))
    assert one.shape == (160, 160, 3)
    assert one.dtype == np.uint8
    np.testing.assert_array_equal(one, two)
    assert not np.array_equal(one, other)


def test_augment_with_everything_off_is_a_fixed_resize() -> None:
    off = AugmentConfig(
        blend_fraction=0,
        crop_side=(1.0, 1.0),
        crop_shift=0,
        hflip=0,
        color=0,
        downscale=0,
        blur=0,
        noise=0,
        jpeg=0,
    )
    crop = _crop()
    out = augment(crop, 96, off, np.random.default_rng(0))
    np.testing.assert_array_equal(out, augment(crop, 96, off, np.random.default_rng(1)))
    # Same framing as the validation resize, up to interpolation (warpAffine has no INTER_AREA).
    expected = center_crop(crop, 96, 1.0)
    assert np.abs(out.astype(int) - expected.astype(int)).mean() < 6.0
    assert off.enabled() == []


def test_face_mask_covers_the_centre_not_the_corners() -> None:
    mask = face_mask(192, np.random.default_rng(0))
    assert mask.max() == 1.0
    assert mask[96, 96] > 0.9
    assert mask[0, 0] < 0.01
    assert mask[191, 191] < 0.01


def test_self_blend_changes_the_inner_face_and_keeps_the_border() -> None:
    crop = _crop()
    changed = []
    for seed in range(10):
        blended = self_blend(crop, np.random.default_rng(seed))
        diff = np.abs(blended.astype(int) - crop.astype(int)).mean(axis=2)
        assert diff[:8, :8].mean() < 1.0
        changed.append(diff[80:112, 80:112].mean())
    assert np.median(changed) > 2.0


def test_small_faces_and_h264_keep_the_input_size_and_degrade() -> None:
    crop = _crop()
    heavy = AugmentConfig(
        blend_fraction=0, crop_side=(1.0, 1.0), crop_shift=0, hflip=0, color=0, downscale=0,
        blur=0, noise=0, jpeg=0, small_face=1.0, small_face_px=(40, 40), h264=1.0,
        h264_crf=(45, 45),
    )  # fmt: skip
    clean = augment(
        crop,
        160,
        heavy.model_copy(update={"small_face": 0.0, "h264": 0.0}),
        np.random.default_rng(0),
    )
    degraded = augment(crop, 160, heavy, np.random.default_rng(0))
    assert degraded.shape == (160, 160, 3)
    # A 40 px face at CRF 45 keeps the layout of the face but loses its fine detail.
    error = np.abs(degraded.astype(np.int16) - clean.astype(np.int16)).mean()
    assert 3.0 < error < 40.0
    assert "small_face" in heavy.enabled()
    assert "h264" in heavy.enabled()


def test_h265_is_drawn_when_h264_is_not_and_leaves_other_configs_alone() -> None:
    crop = _crop()
    bare = AugmentConfig(
        blend_fraction=0, crop_side=(1.0, 1.0), crop_shift=0, hflip=0, color=0, downscale=0,
        blur=0, noise=0, jpeg=0,
    )  # fmt: skip
    clean = augment(crop, 160, bare, np.random.default_rng(0))
    hevc = bare.model_copy(update={"h265": 1.0, "h265_crf": (45, 45)})
    degraded = augment(crop, 160, hevc, np.random.default_rng(0))
    error = np.abs(degraded.astype(np.int16) - clean.astype(np.int16)).mean()
    assert 1.0 < error < 40.0
    assert "h265" in hevc.enabled()
    assert "h265" not in bare.enabled()
    # Both on and H.264 always drawn: the crop is H.264's alone, not H.264 and then H.265.
    both = hevc.model_copy(update={"h264": 1.0, "h264_crf": (45, 45)})
    only_h264 = both.model_copy(update={"h265": 0.0})
    np.testing.assert_array_equal(
        augment(crop, 160, both, np.random.default_rng(3)),
        augment(crop, 160, only_h264, np.random.default_rng(3)),
    )


def test_partial_masks_cover_part_of_the_face() -> None:
    full = [face_mask(160, np.random.default_rng(s)).sum() for s in range(20)]
    partial = [partial_mask(160, np.random.default_rng(s)) for s in range(20)]
    for mask in partial:
        assert mask.min() >= 0.0
        assert mask.max() <= 1.0
    assert np.mean([m.sum() for m in partial]) < 0.6 * np.mean(full)


def test_self_blend_with_partial_masks_changes_only_part_of_the_face() -> None:
    crop = _crop()
    changed = [
        (np.abs(self_blend(crop, np.random.default_rng(s), 1.0).astype(np.int16) - crop) > 2)
        .any(axis=2)
        .mean()
        for s in range(12)
    ]
    assert 0.0 < np.mean(changed) < 0.35
