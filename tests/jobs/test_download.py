"""Media by URL: downloads from a real HTTP server on 127.0.0.1 (private addresses allowed for the
test), the size and time limits, refused addresses (embedded IPv4 included)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from deepfake_detection.errors import FetchFailed, PayloadTooLarge
from deepfake_detection.jobs.addresses import is_public
from deepfake_detection.jobs.download import download
from jobs.origin import FACE, media_origin


@pytest.fixture(scope="module")
def origin() -> Iterator[str]:
    with media_origin() as url:
        yield url


def fetch(url: str, target: Path, *, max_bytes: int = 10**7, timeout_s: float = 10.0) -> int:
    return download(url, target, max_bytes=max_bytes, timeout_s=timeout_s, allow_private=True)


def test_downloads_to_the_target(origin: str, tmp_path: Path) -> None:
    target = tmp_path / "job.upload"
    assert fetch(f"{origin}/face.jpg", target) == len(FACE)
    assert target.read_bytes() == FACE


@pytest.mark.parametrize(
    ("path", "error", "message"),
    [
        ("/declared-big", PayloadTooLarge, "the media is 4.9 KiB; the limit is 1000 bytes"),
        ("/undeclared-big", PayloadTooLarge, "over the limit of 1000 bytes"),
        ("/missing", FetchFailed, "HTTP 404"),
        ("/redirect", FetchFailed, "redirect"),
    ],
)
def test_refusals_keep_nothing(
    origin: str, tmp_path: Path, path: str, error: type[Exception], message: str
) -> None:
    target = tmp_path / "job.upload"
    with pytest.raises(error, match=message):
        fetch(f"{origin}{path}", target, max_bytes=1000)
    assert not target.exists()


def test_a_slow_download_is_cut_at_the_time_limit(origin: str, tmp_path: Path) -> None:
    start = time.monotonic()
    with pytest.raises(FetchFailed, match="longer than"):
        fetch(f"{origin}/slow", tmp_path / "job.upload", timeout_s=1.0)
    assert time.monotonic() - start < 2.5
    assert not (tmp_path / "job.upload").exists()


def test_trickled_headers_are_cut_at_the_time_limit(origin: str, tmp_path: Path) -> None:
    # Issue 22 S7: the deadline covers the response headers, not only the body's chunks.
    start = time.monotonic()
    with pytest.raises(FetchFailed, match="longer than 1 s"):
        fetch(f"{origin}/trickled-headers", tmp_path / "job.upload", timeout_s=1.0)
    assert time.monotonic() - start < 2.5
    assert not (tmp_path / "job.upload").exists()


def test_an_encoded_answer_is_refused_without_inflating_it(origin: str, tmp_path: Path) -> None:
    # Issue 22 S5: nested gzip would inflate a chunk at a time before the size check.
    with pytest.raises(FetchFailed, match="Content-Encoding 'gzip, gzip'"):
        fetch(f"{origin}/gzip-bomb", tmp_path / "job.upload", max_bytes=10**6)
    assert not (tmp_path / "job.upload").exists()


def test_private_addresses_are_refused_unless_allowed(origin: str, tmp_path: Path) -> None:
    target = tmp_path / "job.upload"
    with pytest.raises(FetchFailed, match="private or internal"):
        download(f"{origin}/face.jpg", target, max_bytes=10**7, timeout_s=5, allow_private=False)

    def rebinding(host: str, port: int) -> list[str]:
        return ["::ffff:127.0.0.1"]

    with pytest.raises(FetchFailed, match="private or internal"):
        download(
            "http://media.example/face.jpg",
            target,
            max_bytes=10**7,
            timeout_s=5,
            allow_private=False,
            resolve=rebinding,
        )
    with pytest.raises(FetchFailed, match="http or https"):
        fetch("file:///etc/passwd", target)
    assert not target.exists()


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2606:4700:4700::1111", True),
        ("64:ff9b::808:808", True),  # NAT64 of a public address
        ("127.0.0.1", False),
        ("169.254.169.254", False),
        ("::ffff:127.0.0.1", False),  # IPv4-mapped
        ("64:ff9b::a00:1", False),  # NAT64 of 10.0.0.1
        ("2002:a00:1::1", False),  # 6to4 of 10.0.0.1
        ("::127.0.0.1", False),  # IPv4-compatible
        ("fe80::1", False),
    ],
)
def test_embedded_ipv4_addresses_are_checked_too(address: str, public: bool) -> None:
    assert is_public(address) is public
