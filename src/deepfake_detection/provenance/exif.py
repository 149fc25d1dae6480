"""The EXIF tags that tell what made a file: ``Make`` and ``Model`` (a camera) and ``Software`` (the
program that wrote it last), read from the first IFD of a TIFF-structured block."""

from __future__ import annotations

from typing import Literal

from deepfake_detection.provenance.results import Signal

_TAGS = {0x010F: "Make", 0x0110: "Model", 0x0131: "Software"}
_ASCII = 2
MAX_VALUE_CHARS = 500


def exif_signals(block: bytes) -> list[Signal]:
    """``Make``, ``Model`` and ``Software`` of an EXIF block; none from a damaged one."""
    if block[:2] not in (b"II", b"MM") or len(block) < 8:
        return []
    endian: Literal["little", "big"] = "little" if block[:2] == b"II" else "big"

    def number(offset: int, size: int) -> int:
        return int.from_bytes(block[offset : offset + size], endian)

    ifd = number(4, 4)
    if ifd + 2 > len(block):
        return []
    count = number(ifd, 2)
    signals = []
    for index in range(min(count, 512)):
        entry = ifd + 2 + 12 * index
        if entry + 12 > len(block):
            break
        name = _TAGS.get(number(entry, 2))
        if name is None or number(entry + 2, 2) != _ASCII:
            continue
        size = number(entry + 4, 4)
        start = entry + 8 if size <= 4 else number(entry + 8, 4)
        raw = block[start : start + min(size, MAX_VALUE_CHARS * 4)]
        value = raw.split(b"\x00", 1)[0].decode("utf-8", errors="replace").strip()
        if value:
            signals.append(Signal("exif", name, value[:MAX_VALUE_CHARS]))
    return signals
