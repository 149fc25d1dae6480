"""Memory of the real service (``dfd serve``, shipped model) under large images and after fuzzing.

1. RSS after warm-up (one ordinary image).
2. Image bombs, each sent three times at once, the peak RSS while they are served (sampled every
   10 ms; and the kernel's high-water mark, which covers all of them). Goal: <= 800 MB each.
   - 7071x7071 RGBA PNGs (about 200 KB each, 50 MP decoded, the pixel limit);
   - 5000x5000 lossless WebPs (25 MP, the largest WebP accepted: it costs twice a PNG's memory
     to decode);
   - 7071x7071 lossless WebPs (refused from the header: 413).
3. A fuzz run (``--fuzz-cases``), then a few idle seconds: RSS. Goal: <= 450 MB.

    .venv/bin/python scripts/bench/measure_memory.py --fuzz-cases 1000
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from PIL import Image

from deepfake_detection.testing.fuzzing import campaign
from deepfake_detection.testing.fuzzing.seeds import image_seeds, picture, video_seeds
from deepfake_detection.testing.server import Server, serve

SIDE = 7071
PEAK_GOAL_MB = 800
IDLE_GOAL_MB = 450


def bomb(side: int, fmt: str) -> bytes:
    """``side`` x ``side`` RGBA, flat but for a photograph-like corner: compresses to a few hundred
    KB."""
    image = Image.new("RGBA", (side, side), (200, 180, 160, 255))
    image.paste(Image.fromarray(picture(512, 512)).convert("RGBA"), (100, 100))
    buffer = io.BytesIO()
    image.save(buffer, fmt, **({"lossless": True, "method": 0} if fmt == "WEBP" else {}))
    return buffer.getvalue()


def three_at_once(server: Server, client: httpx.Client, name: str, payload: bytes) -> None:
    stop, peaks = threading.Event(), list[float]()
    sampler = threading.Thread(target=sampled_peak, args=(server, stop, peaks))
    sampler.start()
    started = time.monotonic()
    with ThreadPoolExecutor(3) as pool:
        statuses = list(
            pool.map(
                lambda _: client.post("/v1/images", files={"file": (name, payload)}).status_code,
                range(3),
            )
        )
    elapsed = time.monotonic() - started
    stop.set()
    sampler.join()
    peak = mb(peaks[0])
    verdict = "ok" if peak <= PEAK_GOAL_MB else "MISSED"
    print(
        f"3 x {name} ({len(payload) // 1024} KB each) at once: statuses {statuses} in "
        f"{elapsed:.1f} s; peak RSS {peak:.0f} MB sampled (goal <= {PEAK_GOAL_MB}: {verdict})"
    )
    time.sleep(2)
    print(f"RSS 2 s after them: {mb(server.rss_mib()):.0f} MB")


def sampled_peak(server: Server, stop: threading.Event, out: list[float]) -> None:
    peak = 0.0
    while not stop.is_set():
        peak = max(peak, server.rss_mib())
        time.sleep(0.01)
    out.append(peak)


def mb(mib: float) -> float:
    return mib * 1.048576


def breakdown(pid: int) -> str:
    """Where the resident memory is (``/proc/PID/smaps_rollup``): anonymous (the heaps: Python's,
    glibc's, onnxruntime's, thread stacks) against file-backed (the shared libraries and models
    mapped from disk)."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value, *_ = line.split()
        fields[name.rstrip(":")] = int(value) / 1000  # kB -> MB
    rss, anonymous = fields["Rss"], fields["Anonymous"]
    return f"RSS {rss:.0f} MB: anonymous {anonymous:.0f} MB, file-backed {rss - anonymous:.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fuzz-cases", type=int, default=1000)
    parser.add_argument("--fuzz-seconds", type=float, default=600)
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    bombs = {
        f"{SIDE}x{SIDE} RGBA PNG": bomb(SIDE, "PNG"),
        "5000x5000 lossless WebP": bomb(5000, "WEBP"),
        f"{SIDE}x{SIDE} lossless WebP": bomb(SIDE, "WEBP"),
    }
    small = io.BytesIO()
    Image.fromarray(picture(640, 480)).save(small, "JPEG")
    with tempfile.TemporaryDirectory() as folder:
        # Generous time limits: on a busy machine a 50 MP decode can pass the default 10 s, and
        # this measures memory, not speed.
        settings = {
            "DFD_DATA_DIR": f"{folder}/data",
            "DFD_DECODE_TIMEOUT_S": "600",
            "DFD_DECODE_WAIT_S": "900",
        }
        with serve(os.environ | settings, Path(folder) / "server.log", "--no-access-log") as server:
            client = httpx.Client(base_url=server.url, timeout=1800)
            client.post("/v1/images", files={"file": ("s.jpg", small.getvalue())})
            print(f"RSS after warm-up: {mb(server.rss_mib()):.0f} MB ({breakdown(server.pid)})")
            for name, payload in bombs.items():
                three_at_once(server, client, name, payload)
            high_water = mb(server.peak_rss_mib())
            verdict = "ok" if high_water <= PEAK_GOAL_MB else "MISSED"
            print(f"high-water mark after the bombs: {high_water:.0f} MB ({verdict})")
            report = campaign.run(
                server.url,
                seed=7,
                cases=args.fuzz_cases,
                seconds=args.fuzz_seconds,
                images=image_seeds(),
                videos=video_seeds(),
            )
            time.sleep(5)
            idle = mb(server.rss_mib())
            verdict = "ok" if idle <= IDLE_GOAL_MB else "MISSED"
            print(
                f"after {report.cases} fuzz cases ({len(report.failures)} failures) and 5 s idle: "
                f"RSS {idle:.0f} MB (goal <= {IDLE_GOAL_MB}: {verdict}); "
                f"high-water mark {mb(server.peak_rss_mib()):.0f} MB"
            )
            print(f"  {breakdown(server.pid)}")
            client.close()


if __name__ == "__main__":
    main()
