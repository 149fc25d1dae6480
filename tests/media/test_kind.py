from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from deepfake_detection.errors import InvalidRequest, NotFound, PayloadTooLarge, UnsupportedMedia
from deepfake_detection.media.image import ImageLimits
from deepfake_detection.media.kind import (
    SNIFF_BYTES,
    file_kind,
    media_kind,
    read_image_file,
    sniff_kind,
)
from deepfake_detection.testing.video import write_video


@pytest.fixture
def png(tmp_path: Path) -> Path:
    path = tmp_path / "named.mp4"  # the name lies: the content decides
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(path, format="PNG")
    return path


def test_the_kind_is_read_from_the_bytes_not_the_name(png: Path, tmp_path: Path) -> None:
    assert file_kind(png) == "image"
    clip = tmp_path / "clip.mp4"
    write_video(clip, [np.zeros((64, 64, 3), np.uint8)] * 4)
    clip = clip.rename(tmp_path / "clip.jpg")
    assert file_kind(clip) == "video"
    assert sniff_kind(clip.read_bytes()[:SNIFF_BYTES]) == "video"


def test_empty_unknown_and_missing_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(InvalidRequest, match="the upload is empty"):
        media_kind(b"", source="the upload")
    with pytest.raises(UnsupportedMedia, match="neither a supported image nor"):
        media_kind(b"plain text, not media")
    assert sniff_kind(b"plain text, not media") is None
    with pytest.raises(NotFound, match="no such file"):
        file_kind(tmp_path / "missing.png")


def test_an_image_file_over_the_byte_limit_is_refused_before_it_is_read(png: Path) -> None:
    size = png.stat().st_size
    assert read_image_file(png, ImageLimits(max_bytes=size)) == png.read_bytes()
    with pytest.raises(PayloadTooLarge, match=f"{size:,} bytes; the limit is {size - 1:,} bytes"):
        read_image_file(png, ImageLimits(max_bytes=size - 1))
