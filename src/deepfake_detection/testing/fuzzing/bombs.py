"""Memory bombs: small files that decode to very large frames, built in milliseconds.

A PNG of one flat colour compresses about 1000:1, so a 16000x16000 frame (768 MB as RGB, 2 GB as
16-bit RGBA) is under 2 MB. Its deflate stream is written as one compressed run of rows repeated
(each run ends with a full flush, so the runs are independent), which takes no time and no memory;
encoding the frame with a PNG encoder would need the whole frame.

    png_video([frame_png(16000)], container="avi")        # one 16000x16000 frame
    png_video([frame_png(64)] * 3, [frame_png(16000)])    # a 64 px stream 0, a huge stream 1
"""

from __future__ import annotations

import io
import math
import struct
import zlib
from collections.abc import Sequence
from fractions import Fraction

import av

# PNG colour type and bytes per pixel, by the pixel format PyAV calls it.
_PNG_FORMATS = {"rgb24": (8, 2, 3), "rgba64be": (16, 6, 8)}


def frame_png(side: int, pix_fmt: str = "rgb24") -> bytes:
    """A black ``side`` x ``side`` PNG (``rgb24``, or 16-bit RGBA ``rgba64be``)."""
    depth, colour, pixel_bytes = _PNG_FORMATS[pix_fmt]
    row = 1 + side * pixel_bytes  # a filter byte, then the pixels
    rows = math.gcd(side, 100)
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    run = raw.compress(bytes(row * rows)) + raw.flush(zlib.Z_FULL_FLUSH)
    # Adler-32 of zeros: a stays 1, b adds 1 per byte.
    adler = (row * side % 65521) << 16 | 1
    # zlib header, the runs, an empty final block of fixed codes, the checksum.
    stream = b"\x78\xda" + run * (side // rows) + b"\x03\x00" + struct.pack(">I", adler)
    header = struct.pack(">IIBBBBB", side, side, depth, colour, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", stream) + _chunk(b"IEND")
    )


def png_video(*streams: Sequence[bytes], container: str = "avi") -> bytes:
    """A video (``avi`` or ``mp4``) with one PNG-coded stream per argument, each a list of PNG
    frames at 1 fps; each stream's header gives its first frame's size."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format=container) as output:
        muxed = []
        for frames in streams:
            stream = output.add_stream("png", rate=1)
            stream.width, stream.height = struct.unpack(">II", frames[0][16:24])
            stream.pix_fmt = "rgb24" if frames[0][25] == 2 else "rgba64be"
            muxed.append((stream, frames))
        for stream, frames in muxed:
            for index, data in enumerate(frames):
                packet = av.Packet(data)
                packet.stream = stream
                packet.pts = packet.dts = index
                packet.time_base = Fraction(1, 1)
                packet.is_keyframe = True
                output.mux(packet)
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes = b"") -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)
