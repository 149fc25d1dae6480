import numpy as np

from deepfake_detection.detectors.scaling import image_faces, network_input
from deepfake_detection.shared.faces import Box


def test_small_images_are_padded_to_the_multiple_not_resized() -> None:
    image = np.zeros((33, 70, 3), np.uint8)
    image[..., 0] = 200  # red
    blob, scale = network_input(image, 640, 32)
    assert (blob.shape, scale) == ((1, 3, 64, 96), 1.0)
    assert blob[0, 0, :33, :70].min() == 200
    assert blob[0, :, 33:].max() == blob[0, :, :, 70:].max() == 0
    bgr, _ = network_input(image, 640, 32, bgr=True)
    assert bgr[0, 2, :33, :70].min() == 200
    assert bgr[0, 0].max() == 0


def test_large_images_are_shrunk_to_max_side() -> None:
    blob, scale = network_input(np.zeros((720, 1280, 3), np.uint8), 640, 32)
    assert (blob.shape, scale) == ((1, 3, 384, 640), 0.5)


def test_faces_are_scaled_back_clipped_and_sorted() -> None:
    boxes = np.array([[10, 10, 20, 30], [-4, 5, 30, 40], [51, 0, 60, 10]], np.float32)
    scores = np.array([0.7, 0.9, 0.8], np.float32)
    points = np.tile(np.arange(10, dtype=np.float32), (3, 1))
    faces = image_faces(boxes, scores, points, 0.5, width=100, height=70)
    # The third box lies beyond the image's right edge once scaled back: under a pixel wide.
    assert [f.box for f in faces] == [Box(0, 10, 60, 70), Box(20, 20, 40, 60)]
    assert [f.confidence for f in faces] == [np.float32(0.9), np.float32(0.7)]
    assert faces[0].landmarks == ((0, 2), (4, 6), (8, 10), (12, 14), (16, 18))
