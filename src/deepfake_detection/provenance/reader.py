"""Provenance of one file: its container walked for metadata (``containers``), each item read for
what it declares, and a C2PA manifest store, if there is one, validated. Bytes, a path or an open
file; nothing is decoded, and a file without any of it costs a walk over its block headers."""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO

from deepfake_detection.provenance.c2pa_manifest import C2paValidator
from deepfake_detection.provenance.containers import Metadata, read_metadata
from deepfake_detection.provenance.exif import exif_signals
from deepfake_detection.provenance.limits import ProvenanceLimits
from deepfake_detection.provenance.png_text import XMP_KEYWORD, text_chunk, text_signal
from deepfake_detection.provenance.results import Provenance, Signal
from deepfake_detection.provenance.xmp import xmp_signals


class ProvenanceReader:
    """Shared by every request of a process (thread-safe)."""

    def __init__(
        self, trust_anchors: str | None = None, limits: ProvenanceLimits | None = None
    ) -> None:
        """``trust_anchors``: PEM certificates of the C2PA signers to trust (none: a valid
        signature reads ``signed; signer not on a trust list``)."""
        self.limits = limits or ProvenanceLimits()
        self.c2pa = C2paValidator(trust_anchors, self.limits)

    def read(self, source: bytes | Path | BinaryIO) -> Provenance:
        """The provenance of ``source``; a file position is not kept. ``OSError`` only when a
        path cannot be opened."""
        if isinstance(source, bytes):
            return self._read(io.BytesIO(source))
        if isinstance(source, Path):
            with source.open("rb") as file:
                return self._read(file)
        return self._read(source)

    def _read(self, stream: BinaryIO) -> Provenance:
        found = read_metadata(stream, self.limits)
        signals = _signals(found, self.limits)
        manifest = None if found.c2pa is None else self.c2pa.validate(stream, found.c2pa)
        return Provenance(c2pa=manifest, signals=tuple(dict.fromkeys(signals)))


def _signals(found: Metadata, limits: ProvenanceLimits) -> list[Signal]:
    signals: list[Signal] = []
    for packet in found.xmp:
        signals.extend(xmp_signals(packet))
    for kind, data in found.png_text:
        chunk = text_chunk(kind, data, limits.max_item_bytes)
        if chunk is None:
            continue
        name, text = chunk
        if name == XMP_KEYWORD:
            signals.extend(xmp_signals(text))
        elif (signal := text_signal(name, text)) is not None:
            signals.append(signal)
    for block in found.exif:
        signals.extend(exif_signals(block))
    return signals
