"""Model 3's recipe: degradation parity (pairs given one augmentation draw, sharpness matched),
random encoders that never include the held-out ones, everyday edits, and the portraits."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from skimage import data
from tiny_config import tiny_config

from deepfake_detection.analysis.quality import sharpness
from deepfake_detection.classifiers.model_card import load_model_card
from deepfake_detection.crop.recipe import CropRecipe
from deepfake_detection.training import augment as augment_module
from deepfake_detection.training.augment import augment
from deepfake_detection.training.batches import (
    BatchSampler,
    Portraits,
    group_pairs,
    match_sharpness,
)
from deepfake_detection.training.config import AugmentConfig
from deepfake_detection.training.dataset import FAKE, REAL, CropRecord, read_portraits
from deepfake_detection.training.edits import (
    HELD_OUT_EDITS,
    TRAINING_EDITS,
    VALIDATION_EDITS,
    greyscale,
)
from deepfake_detection.training.export import export_model
from deepfake_detection.training.trainer import prepare_data, train
from deepfake_detection.training.validation_table import MPEG4_Q24, PORTRAITS, VP9_CRF61
from deepfake_detection.training.video_codec import (
    HELD_OUT_CODECS,
    TRAINING_CODECS,
    Encoding,
    encode,
)

RECIPE = AugmentConfig(
    order="degrade_first",
    color=0.6,
    edit=0.5,
    second_edit=0.3,
    small_face=0.25,
    downscale=0.2,
    noise=0.2,
    codec=0.6,
    reencode=0.3,
    jpeg=0.5,
)


def _crop(x: int = 150) -> np.ndarray:
    return np.ascontiguousarray(data.astronaut()[0:96, x : x + 96])


def _error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


def test_two_images_given_the_same_seed_get_the_same_degradation_draws() -> None:
    # Parity: what is drawn never depends on the pixels, so a real crop and its fake, given
    # generators in the same state, are degraded alike (the same draws are used up).
    sharp, soft = _crop(), np.asarray(np.clip(_crop(200) // 2 + 40, 0, 255), dtype=np.uint8)
    for seed in range(40):
        a, b = np.random.default_rng(seed), np.random.default_rng(seed)
        augment(sharp, 64, RECIPE, a)
        augment(soft, 64, RECIPE, b)
        assert a.bit_generator.state == b.bit_generator.state


def test_the_same_image_twice_through_one_draw_is_the_same_image() -> None:
    crop = _crop()
    one = augment(crop, 64, RECIPE, np.random.default_rng(5))
    np.testing.assert_array_equal(one, augment(crop, 64, RECIPE, np.random.default_rng(5)))
    assert one.shape == (64, 64, 3)


def test_training_draws_many_encoders_and_never_a_held_out_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    drawn: list[Encoding] = []

    def record(image: np.ndarray, encoding: Encoding) -> np.ndarray:
        drawn.append(encoding)
        return image

    monkeypatch.setattr(augment_module, "encode", record)
    config = RECIPE.model_copy(update={"codec": 1.0, "reencode": 0.5})
    for seed in range(300):
        augment(_crop(), 64, config, np.random.default_rng(seed))
    codecs = {e.codec for e in drawn}
    assert codecs == set(TRAINING_CODECS)
    assert not codecs & set(HELD_OUT_CODECS)
    assert len({e.preset for e in drawn}) >= 6
    assert {e.tune for e in drawn} >= {None, "zerolatency"}
    assert {e.frames > 1 for e in drawn} == {True, False}
    qualities = [e.quality for e in drawn]
    assert min(qualities) < 25
    assert max(qualities) > 40
    assert len(drawn) > 300


@pytest.mark.parametrize(
    "encoding",
    [
        Encoding("h264", 35, "slow", "film", 3),
        Encoding("h265", 35, "medium", None, 3),
        Encoding("mpeg4", 24, None, None, 3),
        Encoding("vp9", 61, None, None, 3),
    ],
)
def test_every_encoder_keeps_the_shape_of_small_odd_frames(encoding: Encoding) -> None:
    # x265 corrupts memory inter-coding frames under 64 px unless they are padded.
    image = np.ascontiguousarray(data.astronaut()[100:141, 200:243])
    out = encode(image, encoding)
    assert out.shape == image.shape
    assert 0.3 < _error(image, out) < 25.0


def test_a_coarser_mpeg4_quantiser_loses_more() -> None:
    image = _crop()
    fine = encode(image, Encoding("mpeg4", 2, None, None, 1))
    coarse = encode(image, Encoding("mpeg4", 28, None, None, 1))
    assert _error(image, coarse) > _error(image, fine) + 1.0


def test_matching_sharpness_blurs_the_sharper_real_only() -> None:
    real = _crop()
    fake = np.asarray(
        np.clip(np.asarray(Image.fromarray(real).resize((48, 48)).resize((96, 96))), 0, 255),
        dtype=np.uint8,
    )
    assert sharpness(real) > sharpness(fake)
    matched = match_sharpness(real, fake)
    assert sharpness(matched) <= sharpness(fake)
    np.testing.assert_array_equal(match_sharpness(fake, real), fake)


def test_every_edit_keeps_the_image_shape_and_the_held_out_ones_are_not_trained() -> None:
    crop = _crop()
    for edit in [*VALIDATION_EDITS.values(), *HELD_OUT_EDITS.values()]:
        out = edit(crop)
        assert out.shape == crop.shape
        assert out.dtype == np.uint8
    for name, random_edit in TRAINING_EDITS.items():
        out = random_edit(crop, np.random.default_rng(0))
        assert out.shape == crop.shape, name
    assert not set(HELD_OUT_EDITS) & set(TRAINING_EDITS)
    grey = greyscale(crop)
    assert (grey[..., 0] == grey[..., 2]).all()


def test_pairs_join_a_real_crop_to_the_fakes_of_its_own_group() -> None:
    records = (
        CropRecord("REAL/a.jpg", REAL, "a"),
        CropRecord("FAKE/a1.jpg", FAKE, "a"),
        CropRecord("FAKE/a2.jpg", FAKE, "a"),
        CropRecord("REAL/b.jpg", REAL, "b"),
        CropRecord("FAKE/c1.jpg", FAKE, "c"),
    )
    pairs = group_pairs(records, [0, 1, 2, 3, 4])
    assert sorted(map(tuple, pairs.tolist())) == [(0, 1), (0, 2)]


@pytest.fixture
def portrait_folder(tmp_path: Path) -> Path:
    root = tmp_path / "ciplab-faces"
    photo = data.astronaut()
    rows = []
    for label in ("REAL", "FAKE"):
        (root / label).mkdir(parents=True)
        for i in range(8):
            Image.fromarray(np.ascontiguousarray(photo[i * 10 : i * 10 + 224, 100:324])).save(
                root / label / f"{i}.jpg"
            )
            rows.append((f"{label}/{i}.jpg", label, 224, 224))
    with (root / "metadata.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "label", "original_width", "original_height"])
        writer.writerows(rows)
    return root


def test_paired_batches_are_half_real_and_include_portraits(
    crop_folder: Path, portrait_folder: Path, tmp_path: Path
) -> None:
    config = tiny_config(
        crop_folder,
        tmp_path,
        batch_size=8,
        paired=True,
        portraits_dir=portrait_folder,
        portrait_share=0.5,
        match_sharpness=0.5,
        augment=RECIPE.model_copy(update={"codec": 0.3}),
    )
    data_ = prepare_data(config)
    assert data_.portraits is not None
    portraits = data_.portraits
    # Split by file: each portrait is on one side only.
    assert not set(portraits.train_rows) & set(portraits.validation_rows)
    assert len(portraits.validation_rows) == 4
    assert len(read_portraits(portrait_folder)) == 16
    sampler = BatchSampler.create(
        data_.cache.pixels,
        data_.cache.records,
        data_.train_rows,
        config,
        Portraits.create(portraits.cache.pixels, portraits.cache.records, portraits.train_rows),
    )
    images, labels = sampler.batch(3, (0.5, 0.5, 0.5), (0.25, 0.25, 0.25))
    assert images.shape == (8, 3, 64, 64)
    assert labels.tolist() == [0.0, 1.0] * 4
    again, _ = sampler.batch(3, (0.5, 0.5, 0.5), (0.25, 0.25, 0.25))
    assert torch.equal(images, again)


@pytest.mark.slow
def test_a_model3_export_scores_the_new_columns_and_fits_its_quality_limit(
    crop_folder: Path, portrait_folder: Path, tmp_path: Path
) -> None:
    config = tiny_config(
        crop_folder,
        tmp_path,
        paired=True,
        portraits_dir=portrait_folder,
        portrait_share=0.3,
        portrait_validation_fraction=0.5,
        augment=RECIPE,
    )
    train(config)
    export_model(config, config.run_dir / "last.pt", tmp_path, "tiny", "0.0.3", CropRecipe())
    card = load_model_card(tmp_path / "tiny.json")
    called_fake = card.metrics["validation_reals_called_fake"]
    assert isinstance(called_fake, dict)
    assert {MPEG4_Q24, VP9_CRF61, PORTRAITS, "edit:greyscale", "held_out_edit:sepia"} <= set(
        called_fake
    )
    assert all(0.0 <= v <= 1.0 for v in called_fake.values())
    assert card.quality.min_sharpness > 0
    assert "pooled validation crops" in card.quality.rule
    uncertain = card.metrics["validation_clean_uncertain"]
    assert isinstance(uncertain, dict)
    assert 0.0 <= uncertain["share"] <= 1.0
    assert card.training is not None
    assert "ciplab-faces" in card.training.data
