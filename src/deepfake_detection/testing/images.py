"""Pictures with a real face that every detector finds, built from scikit-image's sample
photographs (scikit-image is in the ``dev`` extra), for tests, benchmarks and examples."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from deepfake_detection.shared.images import RGBImage


def astronaut_face() -> RGBImage:
    """The astronaut's face, cropped close (180x200): the tile of ``video.face_scene``."""
    from skimage import data

    return np.ascontiguousarray(data.astronaut()[20:220, 150:330])


def face_on_scene_jpeg() -> bytes:
    """1280x720 JPEG: the astronaut photograph (scaled to 600x600) on a blurred scene."""
    from skimage import data, transform

    scene = transform.resize(data.coffee(), (720, 1280), anti_aliasing=True)
    face = transform.resize(data.astronaut(), (600, 600), anti_aliasing=True)
    canvas = (scene * 255).astype(np.uint8)
    canvas[60:660, 340:940] = (face * 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(canvas).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()
