"""Explanations: which regions of a face crop drove its score, by occlusion sensitivity.

The crop the classifier scored is cut into a ``grid`` x ``grid`` lattice of cells. A square window
of ``window`` x ``window`` cells slides over it one cell at a time; each placement blurs the pixels
under it (a heavy Gaussian blur keeps the colours and removes the detail a deepfake detector reads,
where a grey or black patch would add an edge the model never saw). All occluded crops and the
original go through the served classifier in one batch. A cell's value is the mean absolute change
of the fake probability over the windows that cover it: high where hiding the region moves the
score most. It needs only the classifier's forward pass, so it explains the ONNX model as served.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image

from deepfake_detection.analysis.image import crop_recipe
from deepfake_detection.classifiers.base import Classifier
from deepfake_detection.crop.face_crop import Region, crop_faces, crop_region
from deepfake_detection.shared.faces import ScoredFace
from deepfake_detection.shared.images import RGBImage

GRID = 8
WINDOW = 2
# One colour scale for every face: a region whose hiding moves the fake probability by SCALE_MAX
# or more is full colour, one that moves it by nothing has none. A map scaled to its own maximum
# painted a real face at p=0.05 as hot as a fake one.
SCALE_MAX = 0.25
COLOURS = ((255, 230, 50), (255, 140, 0), (215, 25, 28))
"""RGB at 0, half and all of ``SCALE_MAX`` (the page's legend draws the same stops)."""
MAX_ALPHA = 0.75
DARK_MEAN = 100.0
MIN_GAMMA = 0.35
Cell = tuple[int, int]
"""(row, column) of a cell of the lattice."""


@dataclass(frozen=True)
class Explanation:
    """The occlusion map of one face crop."""

    heatmap: npt.NDArray[np.float32]
    """(grid, grid): mean absolute change of the fake probability when the cell is occluded."""
    fake_probability: float
    """The classifier's score of the crop without occlusion."""
    crop: RGBImage
    """The (S, S, 3) crop that was explained."""
    region: Region
    """The image pixels the crop covers (x1, y1, x2, y2; may reach outside the image)."""
    support: npt.NDArray[np.float32]
    """(grid, grid): mean drop of the fake probability when the cell is occluded (rises count as
    0): what made the face look fake. It cannot exceed the face's score, so a face the model calls
    real has a faint map, whatever its ``heatmap``; the overlay draws this one."""

    def scaled(self, factor: int) -> Explanation:
        """The same explanation with its region in an image ``factor`` times larger."""
        x1, y1, x2, y2 = self.region
        return replace(self, region=(x1 * factor, y1 * factor, x2 * factor, y2 * factor))

    def ranked_cells(self) -> list[Cell]:
        """Cells from the most to the least influential."""
        grid = self.heatmap.shape[0]
        order = np.argsort(-self.heatmap, axis=None, kind="stable")
        return [(int(i) // grid, int(i) % grid) for i in order]

    def overlay_png(self) -> bytes:
        """The crop with the heatmap laid over it on the one scale of every face (``SCALE_MAX``;
        red: the score moved most), as PNG bytes."""
        return overlay_png(self.crop, self.support)


def cell_edges(size: int, grid: int) -> npt.NDArray[np.int64]:
    """Pixel boundaries of the lattice's rows (and columns): ``grid + 1`` values from 0 to size."""
    return np.round(np.linspace(0, size, grid + 1)).astype(np.int64)


def blurred(crop: RGBImage) -> RGBImage:
    """What an occluded region is replaced with: the crop under a heavy blur."""
    sigma = crop.shape[0] / 16
    return np.asarray(cv2.GaussianBlur(crop, (0, 0), sigmaX=sigma, sigmaY=sigma), np.uint8)


def occlude(crop: RGBImage, cells: Iterable[Cell], grid: int, fill: RGBImage) -> RGBImage:
    """A copy of ``crop`` with ``cells`` replaced by the same pixels of ``fill``."""
    edges = cell_edges(crop.shape[0], grid)
    out = crop.copy()
    for row, col in cells:
        ys = slice(edges[row], edges[row + 1])
        xs = slice(edges[col], edges[col + 1])
        out[ys, xs] = fill[ys, xs]
    return out


def window_cells(row: int, col: int, window: int) -> list[Cell]:
    return [(row + r, col + c) for r in range(window) for c in range(window)]


def occlusion_map(
    classifier: Classifier, crop: RGBImage, *, grid: int = GRID, window: int = WINDOW
) -> tuple[npt.NDArray[np.float32], float]:
    """The (grid, grid) occlusion map of one crop and its unoccluded score (one batch)."""
    heatmap, _, score = occlusion_maps(classifier, crop, grid=grid, window=window)
    return heatmap, score


def occlusion_maps(
    classifier: Classifier, crop: RGBImage, *, grid: int = GRID, window: int = WINDOW
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32], float]:
    """One crop's maps from one batch: the mean absolute change of the score per cell, the mean
    drop of the score per cell (``Explanation.support``), and the unoccluded score."""
    if not 1 <= window <= grid:
        raise ValueError(f"window must be in 1..grid ({grid}), not {window}")
    fill = blurred(crop)
    places = [(r, c) for r in range(grid - window + 1) for c in range(grid - window + 1)]
    batch = np.empty((len(places) + 1, *crop.shape), np.uint8)
    batch[0] = crop
    for k, (row, col) in enumerate(places, start=1):
        batch[k] = occlude(crop, window_cells(row, col, window), grid, fill)
    scores = classifier.predict(batch)
    change = scores[1:] - scores[0]
    moved = np.zeros((grid, grid), np.float64)
    dropped = np.zeros((grid, grid), np.float64)
    covered = np.zeros((grid, grid), np.float64)
    for (row, col), value in zip(places, change, strict=True):
        cells = (slice(row, row + window), slice(col, col + window))
        moved[cells] += abs(value)
        dropped[cells] += max(0.0, -float(value))
        covered[cells] += 1
    return (
        (moved / covered).astype(np.float32),
        (dropped / covered).astype(np.float32),
        float(scores[0]),
    )


def explain_crop(
    classifier: Classifier,
    crop: RGBImage,
    region: Region,
    *,
    grid: int = GRID,
    window: int = WINDOW,
) -> Explanation:
    """The explanation of one crop the analysis scored, ``region`` being where it lies."""
    heatmap, support, probability = occlusion_maps(classifier, crop, grid=grid, window=window)
    return Explanation(heatmap, probability, crop, region, support)


def explain_faces(
    image: RGBImage,
    faces: Sequence[ScoredFace],
    classifier: Classifier,
    detector: str,
    *,
    grid: int = GRID,
    window: int = WINDOW,
    most: int | None = None,
) -> tuple[Explanation | None, ...]:
    """One entry per face, each face cropped as the analysis cropped it: its explanation, or
    ``None`` past the ``most`` highest-scoring faces (each map costs about 50 classifier runs)."""
    ranked = sorted(range(len(faces)), key=lambda i: -faces[i].fake_probability)
    chosen = set(ranked if most is None else ranked[:most])
    recipe = crop_recipe(classifier.card.crop, detector)
    picked = [faces[i] for i in sorted(chosen)]
    crops = dict(
        zip(
            sorted(chosen),
            crop_faces(image, [f.box for f in picked], recipe, classifier.card.input_size),
            strict=True,
        )
    )
    return tuple(
        explain_crop(classifier, crops[i], crop_region(face.box, recipe), grid=grid, window=window)
        if i in chosen
        else None
        for i, face in enumerate(faces)
    )


def overlay_png(crop: RGBImage, heatmap: npt.NDArray[np.float32]) -> bytes:
    """``crop`` (lifted when dark) with ``heatmap`` over it on the fixed scale ``SCALE_MAX``."""
    size = crop.shape[0]
    scaled = np.clip(heatmap / SCALE_MAX, 0, 1).astype(np.float32)
    smooth = np.clip(cv2.resize(scaled, (size, size), interpolation=cv2.INTER_CUBIC), 0, 1)
    # Where hiding a region moved the score little, the face shows through untouched.
    alpha = (MAX_ALPHA * smooth)[..., None]
    face = lifted(crop).astype(np.float32)
    blended = (face * (1 - alpha) + colour_map(smooth) * alpha).round()
    buffer = io.BytesIO()
    Image.fromarray(blended.astype(np.uint8)).save(buffer, "PNG")
    return buffer.getvalue()


def colour_map(levels: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """``levels`` in [0, 1] to RGB along ``COLOURS`` (yellow, orange, red): bright at every level,
    so the colour stands out over dark faces as over light ones."""
    stops = np.linspace(0, 1, len(COLOURS))
    anchors = np.asarray(COLOURS, np.float32)
    return np.stack([np.interp(levels, stops, anchors[:, c]) for c in range(3)], axis=-1).astype(
        np.float32
    )


def lifted(crop: RGBImage) -> RGBImage:
    """A dark crop brightened for display (a gamma that brings its mean grey to ``DARK_MEAN``),
    so that the face stays visible under the map; other crops unchanged. The scores are not."""
    grey = float(crop.mean())
    if grey >= DARK_MEAN or grey <= 0:
        return crop
    gamma = max(MIN_GAMMA, np.log(DARK_MEAN / 255) / np.log(grey / 255))
    table = np.round(255 * (np.arange(256) / 255) ** gamma).astype(np.uint8)
    return np.asarray(table[crop], np.uint8)
