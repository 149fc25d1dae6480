"""Occlusion maps: where the score comes from, checked with a classifier whose answer is known and
with the shipped model on a real face (faithfulness)."""

from __future__ import annotations

import io

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image
from skimage import data

from deepfake_detection.analysis.explain import (
    GRID,
    SCALE_MAX,
    blurred,
    explain_crop,
    explain_faces,
    lifted,
    occlude,
    occlusion_map,
    overlay_png,
)
from deepfake_detection.analysis.image import ImageAnalyzer
from deepfake_detection.classifiers.model_card import default_model_card_path, load_model_card
from deepfake_detection.classifiers.onnx_classifier import OnnxClassifier
from deepfake_detection.detectors.registry import create_detector
from deepfake_detection.shared.faces import Box, ScoredFace

SIZE = 160


class TopLeftDetail:
    """Scores the fine detail (standard deviation) of the crop's top-left quarter only."""

    card = load_model_card(default_model_card_path())

    def predict(self, crops: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
        quarter = crops[:, : SIZE // 4, : SIZE // 4].astype(np.float32)
        return (quarter.reshape(len(crops), -1).std(axis=1) / 128).astype(np.float32)


def noise_crop(seed: int = 0) -> npt.NDArray[np.uint8]:
    return np.random.default_rng(seed).integers(0, 256, (SIZE, SIZE, 3), dtype=np.uint8)


def test_the_map_points_at_the_region_the_classifier_reads() -> None:
    heatmap, score = occlusion_map(TopLeftDetail(), noise_crop())

    assert heatmap.shape == (GRID, GRID)
    assert score == pytest.approx(float(TopLeftDetail().predict(noise_crop()[None])[0]))
    # The top-left quarter is cells (0..1, 0..1): occluding any of them moves the score most.
    ranked = np.argsort(-heatmap, axis=None)[:4]
    assert {(int(i) // GRID, int(i) % GRID) for i in ranked} == {(0, 0), (0, 1), (1, 0), (1, 1)}
    # Cells no window over the quarter covers change nothing.
    assert heatmap[4:, 4:].max() == 0.0


def test_occlude_replaces_only_the_given_cells() -> None:
    crop = noise_crop()
    fill = blurred(crop)
    out = occlude(crop, [(2, 3)], GRID, fill)
    cell = SIZE // GRID
    changed = np.any(out != crop, axis=2)
    assert changed[2 * cell : 3 * cell, 3 * cell : 4 * cell].mean() > 0.9
    changed[2 * cell : 3 * cell, 3 * cell : 4 * cell] = False
    assert not changed.any()


def test_a_window_larger_than_the_grid_is_refused() -> None:
    with pytest.raises(ValueError, match="window"):
        occlusion_map(TopLeftDetail(), noise_crop(), grid=4, window=5)


@pytest.fixture(scope="module")
def astronaut_explained() -> tuple[OnnxClassifier, object, float]:
    classifier = OnnxClassifier(default_model_card_path(), threads=2)
    analyzer = ImageAnalyzer(create_detector("centerface"), classifier)
    image = np.asarray(data.astronaut())
    analysis = analyzer.analyze(image)
    assert len(analysis.faces) == 1
    (explanation,) = explain_faces(image, analysis.faces, classifier, analysis.detector)
    return classifier, explanation, analysis.faces[0].fake_probability


def test_the_explained_crop_is_the_one_the_analysis_scored(astronaut_explained: tuple) -> None:
    _, explanation, probability = astronaut_explained
    assert explanation.fake_probability == pytest.approx(probability, abs=1e-5)
    x1, y1, x2, y2 = explanation.region
    assert 0 <= x1 < x2 <= 512
    assert 0 <= y1 < y2 <= 512


def test_occluding_the_top_ranked_cells_moves_the_score_more_than_random_cells(
    astronaut_explained: tuple,
) -> None:
    """Faithfulness: the cells the map ranks highest matter more to the served model than random
    cells of the same total area."""
    classifier, explanation, _ = astronaut_explained
    crop, base = explanation.crop, explanation.fake_probability
    fill = blurred(crop)
    k = GRID * GRID // 8
    top = explanation.ranked_cells()[:k]
    rng = np.random.default_rng(0)
    cells = [(r, c) for r in range(GRID) for c in range(GRID)]
    draws = [[cells[i] for i in rng.choice(len(cells), k, replace=False)] for _ in range(40)]
    batch = np.stack([occlude(crop, chosen, GRID, fill) for chosen in [top, *draws]])
    change = np.abs(classifier.predict(batch) - base)

    assert change[0] > np.mean(change[1:])
    assert change[0] > np.percentile(change[1:], 75)


def test_the_overlay_is_a_png_of_the_crop(astronaut_explained: tuple) -> None:
    _, explanation, _ = astronaut_explained
    picture = Image.open(io.BytesIO(explanation.overlay_png()))
    assert picture.format == "PNG"
    assert picture.size == (SIZE, SIZE)
    assert picture.mode == "RGB"


class ScaledTopLeft(TopLeftDetail):
    """TopLeftDetail's scores mapped so that the noise crop scores ``target``: the same map shape
    at any score."""

    def __init__(self, target: float) -> None:
        self.factor = target / float(TopLeftDetail().predict(noise_crop()[None])[0])

    def predict(self, crops: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
        return (super().predict(crops) * self.factor).astype(np.float32)


def colour_of(png: bytes, crop: npt.NDArray[np.uint8]) -> float:
    """How far the overlay moved from the (lifted) crop: the map's visible colour."""
    drawn = np.asarray(Image.open(io.BytesIO(png)), np.float32)
    return float(np.abs(drawn - lifted(crop).astype(np.float32)).mean(axis=-1).max())


def test_one_colour_scale_across_faces() -> None:
    crop = noise_crop()
    region = (0, 0, SIZE, SIZE)
    real = explain_crop(ScaledTopLeft(0.05), crop, region)
    fake = explain_crop(ScaledTopLeft(0.9), crop, region)
    assert real.fake_probability == pytest.approx(0.05, abs=1e-4)
    # The same map shape, scaled to its own maximum, used to paint both alike.
    assert real.ranked_cells()[:4] == fake.ranked_cells()[:4]
    # What made a face look fake cannot exceed its score.
    assert real.support.max() <= 0.05 + 1e-6
    assert fake.support.max() > SCALE_MAX
    assert colour_of(real.overlay_png(), crop) < 0.25 * colour_of(fake.overlay_png(), crop)


def test_a_score_that_no_region_moves_draws_no_colour() -> None:
    crop = noise_crop(1)
    overlay = overlay_png(crop, np.zeros((GRID, GRID), np.float32))
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(overlay))), lifted(crop))


def test_a_dark_face_stays_visible_under_its_map() -> None:
    dark = (noise_crop(2) // 8).astype(np.uint8)  # 0..31: a face in a dark video
    shown = lifted(dark)
    assert shown.mean() > 3 * dark.mean()
    assert np.corrcoef(shown.ravel(), dark.ravel())[0, 1] > 0.9  # the same face, brighter
    hot = np.full((GRID, GRID), SCALE_MAX, np.float32)
    drawn = np.asarray(Image.open(io.BytesIO(overlay_png(dark, hot))), np.float32)
    # Full colour is the scale's red over the lifted face, bright enough to read.
    assert drawn[..., 0].mean() > 150
    light = noise_crop(3)
    assert np.array_equal(lifted(light), light)  # a crop of ordinary light is left alone


def test_only_the_highest_scoring_faces_are_explained_past_the_cap() -> None:
    # Issue 22 L1: 16 faces took 5.97 s of maps for the price of one frame.
    image = np.random.default_rng(1).integers(0, 256, (400, 600, 3), dtype=np.uint8)
    faces = [
        ScoredFace(Box(20 + 190 * i, 100, 180 + 190 * i, 260), 0.9, None, score, "real")
        for i, score in enumerate((0.2, 0.9, 0.5))
    ]
    explained = explain_faces(image, faces, TopLeftDetail(), "centerface", most=2)
    assert [e is not None for e in explained] == [False, True, True]
    assert all(e is not None for e in explain_faces(image, faces, TopLeftDetail(), "centerface"))
