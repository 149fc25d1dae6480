"""Test videos written with PyAV: the astronaut's face, drifting slowly, one or two people."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from deepfake_detection.testing.images import astronaut_face
from deepfake_detection.testing.video import face_scene, write_video


def video_bytes(folder: Path, name: str = "clip.mp4", *, people: int = 1, count: int = 20) -> bytes:
    faces = [astronaut_face(), np.ascontiguousarray(astronaut_face()[..., ::-1])][:people]
    path = folder / name
    write_video(path, face_scene(faces, width=480, height=270, count=count))
    return path.read_bytes()
