"""Where the fields of a media file are: the offsets of its length fields, type tags and headers.

Each parser walks the container format far enough to find the bytes a decoder trusts (chunk and box
sizes, dimensions, counts), so that mutations hit them instead of the pixel data, where almost any
change still decodes. Parsers stop quietly at the first thing that does not parse: a mutated file
is still walked as far as it goes.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

FieldKind = Literal["length", "tag", "value"]


@dataclass(frozen=True)
class Field:
    """``size`` bytes at ``offset``, big-endian unless ``little``."""

    offset: int
    size: int
    kind: FieldKind
    little: bool = False


# ISO BMFF boxes that hold other boxes (MP4, MOV, HEIF, AVIF).
_BMFF_CONTAINERS = {
    b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf", b"udta", b"iprp", b"ipco",
    b"mvex", b"moof", b"traf",
}  # fmt: skip
_BMFF_FULL_CONTAINERS = {b"meta": 4, b"stsd": 8, b"iinf": 6, b"iref": 4, b"dref": 8}


def bmff_fields(data: bytes, start: int = 0, end: int | None = None, depth: int = 0) -> list[Field]:
    end = len(data) if end is None else end
    fields: list[Field] = []
    pos = start
    while pos + 8 <= end and depth < 8 and len(fields) < 400:
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        fields += [Field(pos, 4, "length"), Field(pos + 4, 4, "tag")]
        header = 8
        if size == 1 and pos + 16 <= end:
            size = struct.unpack(">Q", data[pos + 8 : pos + 16])[0]
            fields.append(Field(pos + 8, 8, "length"))
            header = 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            break
        body = pos + header
        fields += [Field(body + i, 4, "value") for i in range(0, min(size - header, 32) - 3, 4)]
        if kind in _BMFF_CONTAINERS:
            fields += bmff_fields(data, body, pos + size, depth + 1)
        elif kind in _BMFF_FULL_CONTAINERS:
            fields += bmff_fields(data, body + _BMFF_FULL_CONTAINERS[kind], pos + size, depth + 1)
        pos += size
    return fields


def riff_fields(data: bytes) -> list[Field]:
    """RIFF (WebP, AVI): little-endian chunk sizes; LIST chunks hold chunks."""
    fields = [Field(4, 4, "length", little=True), Field(8, 4, "tag")]

    def walk(pos: int, end: int, depth: int) -> None:
        while pos + 8 <= end and depth < 6 and len(fields) < 400:
            kind = data[pos : pos + 4]
            size = struct.unpack("<I", data[pos + 4 : pos + 8])[0]
            fields.extend([Field(pos, 4, "tag"), Field(pos + 4, 4, "length", little=True)])
            fields.extend(
                Field(pos + 8 + i, 4, "value", little=True) for i in range(0, min(size, 56) - 3, 4)
            )
            if kind == b"LIST":
                walk(pos + 12, min(end, pos + 8 + size), depth + 1)
            pos += 8 + size + (size & 1)

    walk(12, len(data), 0)
    return fields


def png_fields(data: bytes) -> list[Field]:
    fields: list[Field] = []
    pos = 8
    while pos + 12 <= len(data) and len(fields) < 400:
        length = struct.unpack(">I", data[pos : pos + 4])[0]
        fields += [Field(pos, 4, "length"), Field(pos + 4, 4, "tag")]
        fields += [Field(pos + 8 + i, 4, "value") for i in range(0, min(length, 16) - 3, 4)]
        pos += 12 + length
    return fields


def jpeg_fields(data: bytes) -> list[Field]:
    fields: list[Field] = []
    pos = 2
    while pos + 4 <= len(data) and data[pos] == 0xFF and len(fields) < 400:
        marker = data[pos + 1]
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            fields.append(Field(pos + 2, 2, "length"))
            break
        length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        fields += [Field(pos + 1, 1, "tag"), Field(pos + 2, 2, "length")]
        # SOF: precision, height, width, components; DHT/DQT: table ids and counts.
        fields += [Field(pos + 4 + i, 2, "value") for i in range(0, min(length - 2, 12) - 1, 2)]
        pos += 2 + length
    return fields


def ebml_fields(data: bytes) -> list[Field]:
    """Matroska/WebM: element sizes are variable-length; the header and first elements' bytes."""
    return [Field(i, 1, "length" if i % 3 else "value") for i in range(4, min(len(data), 400))]


def header_fields(size: int, little: bool) -> Callable[[bytes], list[Field]]:
    def fields(data: bytes) -> list[Field]:
        return [Field(i, 2, "value", little) for i in range(0, min(len(data), size) - 1, 2)]

    return fields


PARSERS: dict[str, Callable[[bytes], list[Field]]] = {
    "jpeg": jpeg_fields,
    "png": png_fields,
    "gif": header_fields(32, little=True),
    "webp": riff_fields,
    "bmp": header_fields(64, little=True),
    "tiff": header_fields(160, little=True),
    "heif": bmff_fields,
    "avif": bmff_fields,
    "mp4": bmff_fields,
    "mov": bmff_fields,
    "matroska": ebml_fields,
    "webm": ebml_fields,
    "avi": riff_fields,
}
