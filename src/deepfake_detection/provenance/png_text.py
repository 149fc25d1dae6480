"""PNG text chunks (``tEXt``, ``zTXt``, ``iTXt``): their keyword and text, compressed text inflated
only up to a limit (a zTXt bomb yields its first bytes, never its whole)."""

from __future__ import annotations

import zlib

from deepfake_detection.provenance.results import GENERATOR_TEXT_KEYS, Signal

XMP_KEYWORD = "XML:com.adobe.xmp"
SIGNAL_KEYWORDS = GENERATOR_TEXT_KEYS | {"Software"}
MAX_VALUE_CHARS = 500


def text_chunk(kind: bytes, data: bytes, max_bytes: int) -> tuple[str, str] | None:
    """The keyword and the text of one chunk (from at most ``max_bytes`` of it, Latin-1 in
    ``tEXt`` and ``zTXt``, UTF-8 in ``iTXt``); ``None`` for a damaged one."""
    keyword, separator, rest = data.partition(b"\x00")
    if not separator or not 1 <= len(keyword) <= 79:
        return None
    name = keyword.decode("latin-1")
    if kind == b"tEXt":
        return name, rest[:max_bytes].decode("latin-1")
    if kind == b"zTXt":
        if rest[:1] != b"\x00":
            return None
        return name, _inflate(rest[1:], max_bytes).decode("latin-1")
    # iTXt: compression flag and method, a language tag, a translated keyword, then the text
    if len(rest) < 2:
        return None
    compressed, fields = rest[0] == 1, rest[2:].split(b"\x00", 2)
    if len(fields) < 3:
        return None
    text = _inflate(fields[2], max_bytes) if compressed else fields[2][:max_bytes]
    return name, text.decode("utf-8", errors="replace")


def text_signal(name: str, text: str) -> Signal | None:
    """A signal for the keywords generators and editors write (``parameters``, ``prompt``,
    ``workflow``, ``Software``, ...), with the text cut to 500 characters."""
    if name not in SIGNAL_KEYWORDS:
        return None
    value = text.strip()
    return Signal("png_text", name, value[:MAX_VALUE_CHARS]) if value else None


def _inflate(data: bytes, max_bytes: int) -> bytes:
    inflater = zlib.decompressobj()
    try:
        return inflater.decompress(data, max_bytes)
    except zlib.error:
        return b""
