"""Finding provenance metadata in a file's container without decoding it: JPEG segments, PNG and
WebP chunks, and the top-level boxes of ISO BMFF (MP4, MOV, HEIF, AVIF). Only headers are read
until a block of interest turns up; its bytes are read up to the limits, and the rest skipped."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import BinaryIO

from deepfake_detection.provenance.limits import ProvenanceLimits

_EXIF_APP1 = b"Exif\x00\x00"
_XMP_APP1 = b"http://ns.adobe.com/xap/1.0/\x00"
_C2PA_UUID = bytes.fromhex("d8fec3d61b0e483c92975828877ec481")
_XMP_UUID = bytes.fromhex("be7acfcb97a942e89c71999491e3afac")
_HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1")


@dataclass(frozen=True)
class C2paData:
    """Where a file keeps its C2PA manifest store (JUMBF)."""

    media_type: str | None
    """The container's media type for the C2PA reader (``None``: let it detect)."""
    size: int
    """Bytes of the manifest store, as the container declares them."""
    jumbf: bytes | None
    """The store itself, when it is within the limit (JPEG's segments joined)."""
    stores: int = 1
    """Manifest stores found (a file has one; more are not parsed)."""


@dataclass
class Metadata:
    """What a container holds that may tell its origin, each item already cut to the limits."""

    xmp: list[bytes] = field(default_factory=list)
    exif: list[bytes] = field(default_factory=list)
    """TIFF-structured EXIF blocks (without JPEG's ``Exif\\0\\0``)."""
    png_text: list[tuple[bytes, bytes]] = field(default_factory=list)
    """(chunk type, its data) of ``tEXt``, ``zTXt`` and ``iTXt`` chunks."""
    c2pa: C2paData | None = None

    def items(self) -> int:
        return len(self.xmp) + len(self.exif) + len(self.png_text)


def read_metadata(stream: BinaryIO, limits: ProvenanceLimits) -> Metadata:
    """The provenance metadata of the file in ``stream`` (seekable, read from its start); an empty
    ``Metadata`` for a container it does not know or a damaged one (what was found before the
    damage is kept)."""
    stream.seek(0)
    head = stream.read(16)
    found = Metadata()
    try:
        if head.startswith(b"\xff\xd8"):
            _walk_jpeg(stream, limits, found)
        elif head.startswith(b"\x89PNG\r\n\x1a\n"):
            _walk_png(stream, limits, found)
        elif head.startswith(b"RIFF") and head[8:12] == b"WEBP":
            _walk_webp(stream, limits, found)
        elif head[4:8] == b"ftyp" or head[4:8] in (b"moov", b"mdat", b"wide", b"free"):
            _walk_bmff(stream, limits, found, _bmff_media_type(head))
    except _Truncated:
        pass
    return found


class _Truncated(Exception):
    """The container ends inside a block header."""


def _read(stream: BinaryIO, size: int) -> bytes:
    data = stream.read(size)
    if len(data) < size:
        raise _Truncated
    return data


def _take(stream: BinaryIO, size: int, limits: ProvenanceLimits, found: Metadata) -> bytes | None:
    """A block's first ``max_item_bytes`` (the stream is left at the block's end), or ``None``
    when the file already gave ``max_items``."""
    start = stream.tell()
    data = None
    if found.items() < limits.max_items:
        data = stream.read(min(size, limits.max_item_bytes))
    stream.seek(start + size)
    return data


def _walk_jpeg(stream: BinaryIO, limits: ProvenanceLimits, found: Metadata) -> None:
    stream.seek(2)
    stores: dict[bytes, list[bytes]] = {}
    sizes: dict[bytes, int] = {}
    for _ in range(limits.max_blocks):
        marker = _read(stream, 2)
        while marker[1] == 0xFF:  # fill bytes
            marker = marker[1:] + _read(stream, 1)
        if marker[0] != 0xFF or marker[1] in (0xD9, 0xDA):  # damaged, EOI, or start of scan
            break
        if 0xD0 <= marker[1] <= 0xD7 or marker[1] == 0x01:
            continue
        length = int.from_bytes(_read(stream, 2), "big") - 2
        if length < 0:
            break
        start = stream.tell()
        if marker[1] == 0xE1:
            _jpeg_app1(stream, length, limits, found)
        elif marker[1] == 0xEB and length > 16:
            _jpeg_app11(_read(stream, min(length, 16)), stream, length, limits, stores, sizes)
        stream.seek(start + length)
    for label, parts in stores.items():
        if _is_c2pa_store(parts[0]):
            size = sizes[label]
            jumbf = b"".join(parts) if size <= limits.max_c2pa_bytes else None
            _add_store(found, C2paData("image/jpeg", size, jumbf))


def _jpeg_app1(stream: BinaryIO, length: int, limits: ProvenanceLimits, found: Metadata) -> None:
    prefix = stream.read(min(length, len(_XMP_APP1)))
    if prefix.startswith(_EXIF_APP1):
        stream.seek(stream.tell() - len(prefix) + len(_EXIF_APP1))
        data = _take(stream, length - len(_EXIF_APP1), limits, found)
        if data is not None:
            found.exif.append(data)
    elif prefix == _XMP_APP1:
        data = _take(stream, length - len(_XMP_APP1), limits, found)
        if data is not None:
            found.xmp.append(data)


def _jpeg_app11(
    head: bytes,
    stream: BinaryIO,
    length: int,
    limits: ProvenanceLimits,
    stores: dict[bytes, list[bytes]],
    sizes: dict[bytes, int],
) -> None:
    """JPEG XT's JUMBF segments: ``JP``, the box instance, a sequence number, then the box; each
    segment after the first repeats the box's 8-byte header, which is dropped when joining."""
    if not head.startswith(b"JP"):
        return
    instance, sequence = head[2:4], int.from_bytes(head[4:8], "big")
    first = sequence <= 1 or instance not in stores
    skip = 8 if first else 16
    size = length - skip
    if first:
        stores[instance] = []
    sizes[instance] = sizes.get(instance, 0) + size
    # A segment holds at most 64 KiB: the first is kept whole, to recognise the store by its label.
    if first or sizes[instance] <= limits.max_c2pa_bytes:
        stream.seek(stream.tell() - len(head) + skip)
        stores[instance].append(stream.read(size))


def _is_c2pa_store(start: bytes) -> bool:
    """A JUMBF superbox whose description box is labelled ``c2pa``."""
    return start[4:8] == b"jumb" and b"c2pa" in start[8:64]


def _walk_png(stream: BinaryIO, limits: ProvenanceLimits, found: Metadata) -> None:
    stream.seek(8)
    for _ in range(limits.max_blocks):
        header = stream.read(8)
        if len(header) < 8:
            break
        length, kind = int.from_bytes(header[:4], "big"), header[4:]
        start = stream.tell()
        if kind in (b"tEXt", b"zTXt", b"iTXt"):
            data = _take(stream, length, limits, found)
            if data is not None:
                found.png_text.append((kind, data))
        elif kind == b"eXIf":
            data = _take(stream, length, limits, found)
            if data is not None:
                found.exif.append(data)
        elif kind == b"caBX":
            _add_store(found, _c2pa_block(stream, length, limits, "image/png"))
        elif kind == b"IEND":
            break
        stream.seek(start + length + 4)  # and the CRC


def _walk_webp(stream: BinaryIO, limits: ProvenanceLimits, found: Metadata) -> None:
    stream.seek(12)
    for _ in range(limits.max_blocks):
        header = stream.read(8)
        if len(header) < 8:
            break
        kind, length = header[:4], int.from_bytes(header[4:], "little")
        start = stream.tell()
        if kind == b"EXIF":
            data = _take(stream, length, limits, found)
            if data is not None:
                found.exif.append(data.removeprefix(_EXIF_APP1))
        elif kind == b"XMP ":
            data = _take(stream, length, limits, found)
            if data is not None:
                found.xmp.append(data)
        elif kind == b"C2PA":
            _add_store(found, _c2pa_block(stream, length, limits, "image/webp"))
        stream.seek(start + length + (length & 1))


def _bmff_media_type(head: bytes) -> str | None:
    brand = head[8:12]
    if brand in (b"avif", b"avis"):
        return "image/avif"
    if brand in _HEIF_BRANDS:
        return "image/heic"
    if brand == b"qt  ":
        return "video/quicktime"
    return "video/mp4" if head[4:8] == b"ftyp" else None


def _walk_bmff(
    stream: BinaryIO, limits: ProvenanceLimits, found: Metadata, media_type: str | None
) -> None:
    stream.seek(0)
    for _ in range(limits.max_blocks):
        header = stream.read(8)
        if len(header) < 8:
            break
        size, kind = int.from_bytes(header[:4], "big"), header[4:]
        start = stream.tell() - 8
        if size == 1:
            size = int.from_bytes(_read(stream, 8), "big")
        elif size == 0:  # to the end of the file
            size = stream.seek(0, 2) - start
            stream.seek(start + 8)
        body = start + size - stream.tell()
        if size < 8 or body < 0:
            break
        if kind == b"uuid" and body >= 16:
            _bmff_uuid(stream, body, limits, found, media_type)
        stream.seek(start + size)


def _bmff_uuid(
    stream: BinaryIO, body: int, limits: ProvenanceLimits, found: Metadata, media_type: str | None
) -> None:
    usertype = _read(stream, 16)
    if usertype == _XMP_UUID:
        data = _take(stream, body - 16, limits, found)
        if data is not None:
            found.xmp.append(data)
    elif usertype == _C2PA_UUID:
        # version and flags, the purpose ("manifest", "merkle", ...), for a manifest an offset
        preamble = stream.read(min(body - 16, 64))
        purpose, _, rest = preamble[4:].partition(b"\x00")
        if purpose != b"manifest":
            return
        skip = 4 + len(purpose) + 1 + 8
        stream.seek(stream.tell() - len(preamble) + skip)
        if len(rest) >= 8:
            _add_store(found, _c2pa_block(stream, body - 16 - skip, limits, media_type))


def _c2pa_block(
    stream: BinaryIO, length: int, limits: ProvenanceLimits, media_type: str | None
) -> C2paData:
    jumbf = stream.read(length) if length <= limits.max_c2pa_bytes else None
    return C2paData(media_type, length, jumbf)


def _add_store(found: Metadata, store: C2paData) -> None:
    if found.c2pa is None:
        found.c2pa = store
        return
    first = found.c2pa
    found.c2pa = C2paData(first.media_type, first.size + store.size, None, first.stores + 1)
