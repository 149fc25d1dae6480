"""Image or video? Read from a file's first bytes, never from its name: one rule for the CLI, the
job routes and the job workers."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from deepfake_detection.errors import InvalidRequest, NotFound, PayloadTooLarge, UnsupportedMedia
from deepfake_detection.media.image import ImageLimits, sniff_image_format
from deepfake_detection.media.video import sniff_video_container

Kind = Literal["image", "video"]
SNIFF_BYTES = 32
"""How many leading bytes ``sniff_kind`` needs (the longest signature is well within them)."""
UNSUPPORTED = (
    "neither a supported image nor a supported video (the content is checked, not the name)"
)


def sniff_kind(head: bytes) -> Kind | None:
    """``image`` or ``video`` from a file's first bytes, ``None`` for anything else."""
    if sniff_image_format(head) is not None:
        return "image"
    if sniff_video_container(head) is not None:
        return "video"
    return None


def media_kind(head: bytes, *, source: str = "the file") -> Kind:
    """The kind of a file from its first bytes: ``InvalidRequest`` when there are none,
    ``UnsupportedMedia`` when it is neither a supported image nor a supported video."""
    if not head:
        raise InvalidRequest(f"{source} is empty (0 bytes)")
    kind = sniff_kind(head)
    if kind is None:
        raise UnsupportedMedia(UNSUPPORTED)
    return kind


def file_kind(path: Path) -> Kind:
    """The kind of the file at ``path``; ``NotFound`` or ``InvalidRequest`` when it cannot be read."""
    try:
        with path.open("rb") as f:
            head = f.read(SNIFF_BYTES)
    except FileNotFoundError as exc:
        raise NotFound(f"no such file: {path}") from exc
    except OSError as exc:
        raise InvalidRequest(f"cannot read {path}: {exc.strerror or exc}") from exc
    return media_kind(head)


def read_image_file(path: Path, limits: ImageLimits) -> bytes:
    """The bytes of an image file, refused (``PayloadTooLarge``) before reading when it has more
    than ``limits.max_bytes``."""
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise PayloadTooLarge.over_bytes("the image", size, limits.max_bytes)
    return path.read_bytes()
