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
        """The crop with the heatmap laid over it (red: most influential), as PNG bytes."""
        return overlay_png(self.crop, self.heatmap)


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
    if not 1 <= window <= grid:
        raise ValueError(f"window must be in 1..grid ({grid}), not {window}")
    fill = blurred(crop)
    places = [(r, c) for r in range(grid - window + 1) for c in range(grid - window + 1)]
    batch = np.empty((len(places) + 1, *crop.shape), np.uint8)
    batch[0] = crop
    for k, (row, col) in enumerate(places, start=1):
        batch[k] = occlude(crop, window_cells(row, col, window), grid, fill)
    scores = classifier.predict(batch)
    change = np.abs(scores[1:] - scores[0])
    total = np.zeros((grid, grid), np.float64)
    covered = np.zeros((grid, grid), np.float64)
    for (row, col), value in zip(places, change, strict=True):
        total[row : row + window, col : col + window] += value
        covered[row : row + window, col : col + window] += 1
    return (total / covered).astype(np.float32), float(scores[0])


def explain_faces(
    image: RGBImage,
    faces: Sequence[ScoredFace],
    classifier: Classifier,
    detector: str,
    *,
    grid: int = GRID,
    window: int = WINDOW,
) -> tuple[Explanation, ...]:
    """One explanation per face, each face cropped as the analysis cropped it."""
    recipe = crop_recipe(classifier.card.crop, detector)
    crops = crop_faces(image, [f.box for f in faces], recipe, classifier.card.input_size)
    explanations = []
    for face, crop in zip(faces, crops, strict=True):
        heatmap, probability = occlusion_map(classifier, crop, grid=grid, window=window)
        region = crop_region(face.box, recipe)
        explanations.append(Explanation(heatmap, probability, crop, region))
    return tuple(explanations)


def overlay_png(crop: RGBImage, heatmap: npt.NDArray[np.float32]) -> bytes:
    """``crop`` blended with ``heatmap`` (scaled to its own maximum) in a red-to-blue colour map."""
    size = crop.shape[0]
    peak = float(heatmap.max())
    scaled = heatmap / peak if peak > 0 else np.zeros_like(heatmap)
    smooth = cv2.resize(scaled, (size, size), interpolation=cv2.INTER_CUBIC)
    levels = np.clip(smooth * 255, 0, 255).astype(np.uint8)
    colours = cv2.cvtColor(cv2.applyColorMap(levels, cv2.COLORMAP_JET), cv2.COLOR_BGR2RGB)
    # Weak regions keep the face visible; strong ones are mostly colour.
    alpha = (0.25 + 0.5 * np.clip(smooth, 0, 1))[..., None]
    blended = (crop.astype(np.float32) * (1 - alpha) + colours.astype(np.float32) * alpha).round()
    buffer = io.BytesIO()
    Image.fromarray(blended.astype(np.uint8)).save(buffer, "PNG")
    return buffer.getvalue()
