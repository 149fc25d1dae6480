"""Face crops for the classifier, framed the way the model card's ``CropRecipe`` says.

The detector box is scaled about its centre by ``box_scale``, its centre moved down by
``shift_y`` times the detector box's height, made square on its longer side (if ``square``), and
resized to ``size``: ``INTER_AREA`` when shrinking (no aliasing), ``INTER_CUBIC`` when enlarging
(the training crops were resized bicubically). Where the square leaves the image, the border is
mirrored (``BORDER_REFLECT``), as in the training augmentation, rather than filled with black
bands the classifier never saw.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
import numpy.typing as npt

from deepfake_detection.crop.recipe import CropRecipe
from deepfake_detection.shared.faces import Box
from deepfake_detection.shared.images import RGBImage

Region = tuple[int, int, int, int]
"""Integer pixel bounds x1, y1, x2, y2 (exclusive); may reach outside the image."""


def crop_region(box: Box, recipe: CropRecipe) -> Region:
    """The pixels a face crop covers, before resizing."""
    cx, cy = box.center
    cy += recipe.shift_y * box.height
    width, height = box.width * recipe.box_scale, box.height * recipe.box_scale
    if recipe.square:
        width = height = max(width, height)
    w, h = max(1, round(width)), max(1, round(height))
    x1, y1 = round(cx - w / 2), round(cy - h / 2)
    return x1, y1, x1 + w, y1 + h


def crop_face(image: RGBImage, box: Box, recipe: CropRecipe, size: int) -> RGBImage:
    """The (size, size, 3) uint8 crop of the face in ``box``."""
    x1, y1, x2, y2 = crop_region(box, recipe)
    height, width = image.shape[:2]
    inside = image[max(0, y1) : min(height, y2), max(0, x1) : min(width, x2)]
    if inside.size == 0:
        # The region misses the image entirely (only a box outside the image can do that).
        return np.zeros((size, size, 3), np.uint8)
    pads = (max(0, -y1), max(0, y2 - height), max(0, -x1), max(0, x2 - width))
    if any(pads):
        inside = _mirror_pad(inside, *pads)
    interpolation = cv2.INTER_AREA if inside.shape[0] >= size else cv2.INTER_CUBIC
    return np.asarray(cv2.resize(inside, (size, size), interpolation=interpolation), np.uint8)


def crop_faces(
    image: RGBImage, boxes: Sequence[Box], recipe: CropRecipe, size: int
) -> npt.NDArray[np.uint8]:
    """Crops of all ``boxes`` as one (N, size, size, 3) uint8 batch (N may be 0)."""
    batch = np.empty((len(boxes), size, size, 3), np.uint8)
    for i, box in enumerate(boxes):
        batch[i] = crop_face(image, box, recipe, size)
    return batch


def _mirror_pad(pixels: RGBImage, top: int, bottom: int, left: int, right: int) -> RGBImage:
    # One reflection cannot cover a pad larger than the image: repeat until it is covered.
    while top or bottom or left or right:
        h, w = pixels.shape[:2]
        t, b, left_, r = min(top, h), min(bottom, h), min(left, w), min(right, w)
        pixels = np.asarray(
            cv2.copyMakeBorder(pixels, t, b, left_, r, cv2.BORDER_REFLECT), np.uint8
        )
        top, bottom, left, right = top - t, bottom - b, left - left_, right - r
    return pixels
