"""How much of a file provenance reading may look at. Everything is bounded before it is read: a
crafted file (a huge or deeply nested C2PA manifest, a huge XMP packet or text chunk, a zTXt bomb)
costs at most these bytes, and the image itself is never decoded."""

from __future__ import annotations

from dataclasses import dataclass

MiB = 1024 * 1024


@dataclass(frozen=True)
class ProvenanceLimits:
    max_c2pa_bytes: int = 4 * MiB
    """The largest C2PA manifest store parsed and validated; a larger one is ``not_checked``."""
    max_jumbf_depth: int = 16
    """Nesting of the manifest store's boxes (a real store nests about 5 deep)."""
    max_jumbf_boxes: int = 10_000
    max_item_bytes: int = 1 * MiB
    """The most read of one XMP packet, EXIF block or PNG text chunk (decompressed included)."""
    max_items: int = 64
    """XMP packets, EXIF blocks and text chunks read per file; later ones are skipped."""
    max_blocks: int = 200_000
    """JPEG segments, PNG or WebP chunks, or top-level boxes walked before giving up."""
