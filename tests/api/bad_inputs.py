"""Uploads that are wrong in the ways real clients get them wrong, built byte by byte."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib


def png_header(width: int, height: int) -> bytes:
    """A well-formed PNG of ``width`` x ``height`` pixels whose pixel data stops after a few rows:
    enough for any decoder to read the size (a decompression bomb if the size is huge)."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (1 + 3 * min(width, 1024)) * 4)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def zip_archive() -> bytes:
    """A zip file (what a user sends when renaming ``photos.zip`` to ``photo.jpg``)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("photo.jpg", b"\xff\xd8\xff" + b"\x00" * 1000)
    return buffer.getvalue()


def truncated(data: bytes, keep: float = 0.3) -> bytes:
    return data[: int(len(data) * keep)]
