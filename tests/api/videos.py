"""Test videos written with PyAV: the astronaut's face, drifting slowly, one or two people."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
from skimage import data
from synthetic_video import face_scene, write_video


def face() -> npt.NDArray[np.uint8]:
    return np.ascontiguousarray(data.astronaut()[20:220, 150:330])


def video_bytes(folder: Path, name: str = "clip.mp4", *, people: int = 1, count: int = 20) -> bytes:
    faces = [face(), np.ascontiguousarray(face()[..., ::-1])][:people]
    path = folder / name
    write_video(path, face_scene(faces, width=480, height=270, count=count))
    return path.read_bytes()
