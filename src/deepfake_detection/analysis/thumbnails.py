"""Small JPEG pictures of faces for an answer (``thumbnails=true`` on videos): cut from the crops
the classifier already saw, so they cost no decoding and no pixels beyond the analysis's."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
import numpy.typing as npt

THUMBNAIL_PX = 64
QUALITY = 80


def face_thumbnail(crop: npt.NDArray[np.uint8], size: int = THUMBNAIL_PX) -> bytes:
    """``crop`` (RGB, the classifier's framing) as a ``size`` px square JPEG."""
    small = cv2.resize(crop, (size, size), interpolation=cv2.INTER_AREA)
    ok, encoded = cv2.imencode(
        ".jpg", cv2.cvtColor(small, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, QUALITY]
    )
    if not ok:  # cannot happen for a valid uint8 array; an answer without it is still whole
        return b""
    return bytes(encoded.tobytes())


def by_person_and_frame(
    frames: Sequence[int], links: Sequence[Sequence[int]], thumbnails: Sequence[bytes]
) -> dict[int, dict[int, bytes]]:
    """Person id -> sampled frame index -> the thumbnail of the person's face in that frame.
    ``frames`` are the sampled frames' indices, ``links`` each frame's faces' person ids, and
    ``thumbnails`` one per face in the order the faces were found."""
    found: dict[int, dict[int, bytes]] = {}
    faces = iter(thumbnails)
    for frame, ids in zip(frames, links, strict=True):
        for pid in ids:
            found.setdefault(pid, {})[frame] = next(faces)
    return found
