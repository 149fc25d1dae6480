"""The time provenance reading adds per image (``ProvenanceReader.read`` on the uploaded bytes):
for files without C2PA it should stay under 2 ms; a signed file is shown for comparison.

nice -n 10 .venv/bin/python scripts/bench/bench_provenance.py --repeat 200
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections.abc import Callable

import numpy as np
from PIL import Image
from skimage import data

from deepfake_detection.provenance import ProvenanceReader
from deepfake_detection.testing.provenance import image_bytes, make_chain, manifest, sign


def _encoded(image: Image.Image, format: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format, **params)
    return buffer.getvalue()


def _files() -> dict[str, bytes]:
    astronaut = Image.fromarray(data.astronaut())
    rng = np.random.default_rng(0)
    photo = Image.fromarray(rng.integers(0, 255, (3000, 4000, 3), np.uint8))
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0131] = "Canon", "EOS R5", "Firmware 1.8"
    return {
        "JPEG 512x512": _encoded(astronaut, "JPEG", quality=90),
        "JPEG 4000x3000 with EXIF (noise)": _encoded(photo, "JPEG", quality=90, exif=exif),
        "PNG 512x512": _encoded(astronaut, "PNG"),
        "PNG 4000x3000 (noise, many IDAT chunks)": _encoded(photo, "PNG", compress_level=1),
        "WebP 512x512": _encoded(astronaut, "WEBP"),
    }


def _median_ms(work: Callable[[], object], repeat: int) -> float:
    work()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    reader = ProvenanceReader()
    print(f"{'file':42} {'size':>10} {'median ms':>10}")
    for name, content in _files().items():
        assert reader.read(content).c2pa is None
        ms = _median_ms(lambda content=content: reader.read(content), args.repeat)
        print(f"{name:42} {len(content):>10,} {ms:>10.3f}")
    signed = sign(image_bytes("JPEG", 512), make_chain(), manifest())
    ms = _median_ms(lambda: reader.read(signed), max(10, args.repeat // 10))
    print(f"{'JPEG 512x512 signed (C2PA validated)':42} {len(signed):>10,} {ms:>10.3f}")


if __name__ == "__main__":
    main()
