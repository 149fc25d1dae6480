import numpy as np
import pytest

from deepfake_detection.crop.face_crop import crop_face, crop_faces, crop_region
from deepfake_detection.crop.recipe import CropRecipe
from deepfake_detection.shared.faces import Box


def numbered(height: int, width: int) -> np.ndarray:
    """Each pixel's red channel is its column, green its row (mod 256): crops show where they are."""
    rows, cols = np.mgrid[0:height, 0:width]
    return np.stack([cols % 256, rows % 256, np.zeros_like(rows)], axis=2).astype(np.uint8)


def test_region_is_scaled_about_the_centre_and_squared_on_the_longer_side() -> None:
    box = Box(100, 100, 140, 180)  # 40 wide, 80 tall, centre (120, 140)
    assert crop_region(box, CropRecipe()) == (80, 100, 160, 180)
    assert crop_region(box, CropRecipe(box_scale=1.5)) == (60, 80, 180, 200)
    assert crop_region(box, CropRecipe(box_scale=1.0, square=False)) == (100, 100, 140, 180)


def test_shift_moves_down_by_box_heights() -> None:
    box = Box(100, 100, 140, 180)
    assert crop_region(box, CropRecipe(shift_y=0.25)) == (80, 120, 160, 200)


def test_crop_inside_the_image_is_exact() -> None:
    image = numbered(200, 200)
    crop = crop_face(image, Box(50, 60, 82, 92), CropRecipe(), 32)
    assert crop.shape == (32, 32, 3)
    assert crop.dtype == np.uint8
    np.testing.assert_array_equal(crop, image[60:92, 50:82])


def test_shrinking_and_enlarging() -> None:
    image = numbered(200, 200)
    assert crop_face(image, Box(0, 0, 200, 200), CropRecipe(), 50).shape == (50, 50, 3)
    assert crop_face(image, Box(10, 10, 20, 20), CropRecipe(), 64).shape == (64, 64, 3)


def test_border_is_mirrored_not_black() -> None:
    image = numbered(100, 100)
    crop = crop_face(image, Box(0, 0, 20, 20), CropRecipe(box_scale=2.0), 40)
    # The square spans x, y in -10..30: the 10 pixels left of the image mirror columns 9..0.
    np.testing.assert_array_equal(crop[15, :10, 0], np.arange(9, -1, -1))
    np.testing.assert_array_equal(crop[:10, 15, 1], np.arange(9, -1, -1))
    assert crop.min() == 0
    assert (crop[:, :, :2].sum(axis=2) > 0).mean() > 0.99


def test_padding_larger_than_the_image() -> None:
    image = numbered(8, 8)
    crop = crop_face(image, Box(0, 0, 8, 8), CropRecipe(box_scale=3.0), 24)
    assert crop.shape == (24, 24, 3)
    np.testing.assert_array_equal(crop[8:16, 8:16], image)


def test_a_box_outside_the_image_gives_black() -> None:
    crop = crop_face(numbered(10, 10), Box(100, 100, 110, 110), CropRecipe(), 8)
    assert crop.shape == (8, 8, 3)
    assert crop.max() == 0


@pytest.mark.parametrize("count", [0, 1, 3])
def test_batch(count: int) -> None:
    image = numbered(100, 100)
    boxes = [Box(10 * i, 10, 10 * i + 30, 40) for i in range(count)]
    batch = crop_faces(image, boxes, CropRecipe(), 16)
    assert batch.shape == (count, 16, 16, 3)
    for crop, box in zip(batch, boxes, strict=True):
        np.testing.assert_array_equal(crop, crop_face(image, box, CropRecipe(), 16))
