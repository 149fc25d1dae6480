"""Face thumbnails for answers: small JPEGs, and each person's by frame."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from deepfake_detection.analysis.thumbnails import by_person_and_frame, face_thumbnail


def test_a_thumbnail_is_a_small_jpeg_of_the_crop() -> None:
    crop = np.zeros((160, 160, 3), dtype=np.uint8)
    crop[:, :, 0] = 200  # red
    picture = Image.open(io.BytesIO(face_thumbnail(crop)))
    assert (picture.format, picture.size) == ("JPEG", (64, 64))
    red, green, blue = picture.convert("RGB").getpixel((32, 32))
    assert red > 180
    assert max(green, blue) < 30


def test_thumbnails_are_filed_by_person_and_frame() -> None:
    # Frame 3 has persons 0 and 1, frame 9 only person 1, frame 12 nobody.
    found = by_person_and_frame([3, 9, 12], [[0, 1], [1], []], [b"a", b"b", b"c"])
    assert found == {0: {3: b"a"}, 1: {3: b"b", 9: b"c"}}
