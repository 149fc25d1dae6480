"""Seeded, structure-aware mutations of media files: the same seed gives the same bytes."""

from __future__ import annotations

import random
import struct
import zlib
from typing import Literal

from deepfake_detection.testing.fuzzing.structure import PARSERS, Field

_INTERESTING = (0, 1, 2, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x7FFFFFFF)
_TAGS = (b"moov", b"mdat", b"trak", b"stsd", b"ftyp", b"LIST", b"IHDR", b"IDAT", b"VP8X", b"strf")


def mutate(data: bytes, fmt: str, rng: random.Random) -> bytes:
    """``data`` (a file of format ``fmt``) with one to three mutations, most of them on the
    fields its parser found."""
    out = bytearray(data)
    for _ in range(rng.choice((1, 1, 2, 3))):
        fields = PARSERS[fmt](bytes(out)) if fmt in PARSERS else []
        choice = rng.random()
        if fields and choice < 0.6:
            _mutate_field(out, rng.choice(fields), rng)
        elif choice < 0.75:
            _flip_bits(out, rng)
        elif choice < 0.85:
            cut = rng.choice([f.offset for f in fields] or [len(out) // 2])
            del out[max(1, min(cut + rng.randint(-4, 64), len(out))) :]
        elif choice < 0.95 and len(out) > 16:
            _splice(out, rng)
        else:
            pos = rng.randrange(len(out) + 1)
            out[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
    if fmt == "png" and rng.random() < 0.7:
        _fix_png_crcs(out)
    return bytes(out)


def _mutate_field(out: bytearray, field: Field, rng: random.Random) -> None:
    if field.offset + field.size > len(out):
        return
    old = int.from_bytes(out[field.offset : field.offset + field.size], _order(field))
    top = (1 << (8 * field.size)) - 1
    if field.kind == "tag" and field.size == 4:
        out[field.offset : field.offset + 4] = rng.choice(_TAGS)
        return
    value = rng.choice(
        [
            rng.choice(_INTERESTING) & top,
            top,
            (old + rng.choice((-1, 1, 8, -8))) & top,
            (old * 2) & top,
            old // 2,
            rng.randrange(top + 1),
        ]
    )
    out[field.offset : field.offset + field.size] = value.to_bytes(field.size, _order(field))


def _order(field: Field) -> Literal["little", "big"]:
    return "little" if field.little else "big"


def _flip_bits(out: bytearray, rng: random.Random) -> None:
    # Mostly in the first KiB, where the headers are.
    for _ in range(rng.randint(1, 8)):
        pos = rng.randrange(min(len(out), 1024)) if rng.random() < 0.8 else rng.randrange(len(out))
        out[pos] ^= 1 << rng.randrange(8)


def _splice(out: bytearray, rng: random.Random) -> None:
    start = rng.randrange(len(out) - 8)
    chunk = out[start : start + rng.randint(4, 256)]
    pos = rng.randrange(len(out))
    if rng.random() < 0.5:
        out[pos : pos + len(chunk)] = chunk
    else:
        out[pos:pos] = chunk


def _fix_png_crcs(out: bytearray) -> None:
    """Recompute every chunk's CRC, so that a mutation reaches the decoder past the checksum."""
    pos = 8
    while pos + 12 <= len(out):
        length = struct.unpack(">I", out[pos : pos + 4])[0]
        end = pos + 8 + length
        if end + 4 > len(out):
            return
        out[end : end + 4] = struct.pack(">I", zlib.crc32(out[pos + 4 : end]) & 0xFFFFFFFF)
        pos = end + 4
