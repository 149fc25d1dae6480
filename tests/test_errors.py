"""The messages the error classes word: sizes a person reads, decoder failures without an errno."""

from __future__ import annotations

from pathlib import Path

import av
import pytest

from deepfake_detection.errors import CorruptMedia, PayloadTooLarge, decoder_words, human_size


@pytest.mark.parametrize(
    ("size", "words"),
    [
        (0, "0 bytes"),
        (1, "1 byte"),
        (1023, "1023 bytes"),
        (1024, "1 KiB"),
        (1536, "1.5 KiB"),
        (20 * 2**20, "20 MiB"),
        (27_021_068, "25.8 MiB"),
        (2**20 - 1, "1 MiB"),  # 1023.999 KiB rounds up to the next unit, never "1024 KiB"
        (500 * 2**20, "500 MiB"),
        (3 * 2**40, "3 TiB"),
    ],
)
def test_human_size(size: int, words: str) -> None:
    assert human_size(size) == words


def test_a_size_over_the_limit_reads_in_units() -> None:
    error = PayloadTooLarge.over_bytes("the image", 27_021_068, 20 * 2**20)
    assert error.message == "the image is 25.8 MiB; the limit is 20 MiB"
    assert error.code == "too_large"
    assert error.http_status == 413


def test_sizes_that_round_alike_are_given_in_bytes() -> None:
    error = PayloadTooLarge.over_bytes("the video", 20 * 2**20 + 1, 20 * 2**20)
    assert error.message == "the video is 20,971,521 bytes; the limit is 20,971,520 bytes"


def test_pixels_over_the_limit_read_in_millions() -> None:
    error = PayloadTooLarge.over_pixels("the image", 12_000, 9_000, 50_000_000)
    assert error.message == (
        "the image is 12000x9000 (108 million pixels); the limit is 50 million pixels"
    )
    small = PayloadTooLarge.over_pixels("a frame", 1000, 900, 800_000)
    assert small.message == "a frame is 1000x900 (900,000 pixels); the limit is 800,000 pixels"


def test_ffmpegs_words_lose_the_errno_and_the_file_name(tmp_path: Path) -> None:
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x1cftypisom" + bytes(range(256)) * 8)
    with pytest.raises(av.error.FFmpegError) as caught:
        av.open(str(broken))
    assert "Errno" in str(caught.value)  # what FFmpeg says, and what answers used to carry
    assert decoder_words(caught.value) == "invalid data found when processing input"


def test_an_objects_repr_is_left_out() -> None:
    exc = OSError("cannot identify image file <_io.BytesIO object at 0x7f3a2b1c0>")
    assert decoder_words(exc) == "cannot identify image file"


def test_unreadable_media_is_a_sentence_then_the_decoders_words() -> None:
    error = CorruptMedia.unreadable(
        "the MP4 video", "it cannot be opened", OSError(1094995529, "Invalid data found")
    )
    assert error.message == (
        "the MP4 video is damaged or incomplete: it cannot be opened "
        "(the decoder says: invalid data found)"
    )
    assert error.code == "corrupt_media"
    assert CorruptMedia.unreadable("the video", "no frame can be read").message == (
        "the video is damaged or incomplete: no frame can be read"
    )
