"""A soak of the real service: 8 clients for a while, mixed images, videos and jobs.

Prints the errors (anything but the expected answer), the server's RSS over time with its slope
(least squares, MB per minute), and p50/p99 latency per route.

    .venv/bin/python scripts/bench/soak.py --minutes 10
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

import httpx
import numpy as np
from PIL import Image

from deepfake_detection.testing.fuzzing.seeds import picture
from deepfake_detection.testing.server import Server, serve
from deepfake_detection.testing.video import face_scene, write_video


def workload(folder: Path) -> dict[str, bytes]:
    from skimage import data

    face = np.asarray(data.astronaut())  # type: ignore[no-untyped-call]
    files = {}
    for name, image, fmt in [
        ("face.jpg", face, "JPEG"),
        ("face.png", face, "PNG"),
        ("plain.webp", picture(800, 600), "WEBP"),
    ]:
        buffer = io.BytesIO()
        Image.fromarray(image).save(buffer, fmt)
        files[name] = buffer.getvalue()
    path = folder / "clip.mp4"
    write_video(path, face_scene([face[20:220, 150:330]], width=480, height=270, count=50))
    files["clip.mp4"] = path.read_bytes()
    return files


class Soak:
    def __init__(self, server: Server, files: dict[str, bytes], seconds: float) -> None:
        self.server, self.files, self.seconds = server, files, seconds
        self.latencies: defaultdict[str, list[float]] = defaultdict(list)
        self.errors: Counter[str] = Counter()
        self.rss: list[tuple[float, float]] = []
        self.lock = threading.Lock()
        self.start = time.monotonic()

    def client(self, seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=self.server.url, timeout=120) as http:
            while time.monotonic() - self.start < self.seconds:
                pick = rng.random()
                if pick < 0.6:
                    name = rng.choice(["face.jpg", "face.png", "plain.webp"])
                    self.call(http, "POST /v1/images", "/v1/images", {"file": self.files[name]})
                elif pick < 0.85:
                    fields = {"frames": str(rng.choice([4, 8, 16]))}
                    self.call(
                        http,
                        "POST /v1/videos",
                        "/v1/videos",
                        {"file": self.files["clip.mp4"]},
                        fields,
                    )
                else:
                    self.job(http, rng)

    def call(
        self, http: httpx.Client, route: str, path: str, files: dict[str, bytes],
        fields: dict[str, str] | None = None, expect: int = 200,
    ) -> httpx.Response | None:  # fmt: skip
        started = time.monotonic()
        try:
            response = http.post(path, files=files, data=fields or {})
        except httpx.HTTPError as exc:
            self.record(route, None, f"{type(exc).__name__}")
            return None
        self.record(
            route,
            time.monotonic() - started,
            "" if response.status_code == expect else str(response.status_code),
        )
        return response

    def job(self, http: httpx.Client, rng: random.Random) -> None:
        name = rng.choice(["face.jpg", "clip.mp4"])
        response = self.call(
            http,
            "POST /v1/jobs",
            "/v1/jobs",
            {"file": self.files[name]},
            {"frames": "8"},
            expect=202,
        )
        if response is None or response.status_code != 202:
            return
        url = response.json()["status_url"]
        started = time.monotonic()
        while time.monotonic() - started < 120:
            job = http.get(url).json()
            if job["status"] in ("succeeded", "failed", "cancelled"):
                problem = "" if job["status"] == "succeeded" else f"job {job['status']}"
                self.record("job (submit to result)", time.monotonic() - started, problem)
                return
            time.sleep(0.1)
        self.record("job (submit to result)", None, "job did not finish in 120 s")

    def record(self, route: str, seconds: float | None, problem: str) -> None:
        with self.lock:
            if seconds is not None:
                self.latencies[route].append(seconds)
            if problem:
                self.errors[f"{route}: {problem}"] += 1

    def watch(self, every_s: float) -> None:
        while time.monotonic() - self.start < self.seconds:
            self.rss.append((time.monotonic() - self.start, self.server.rss_mib() * 1.048576))
            time.sleep(every_s)
        self.rss.append((time.monotonic() - self.start, self.server.rss_mib() * 1.048576))


def slope_per_minute(points: list[tuple[float, float]]) -> float:
    if len(points) < 2:
        return 0.0
    return statistics.linear_regression([t for t, _ in points], [m for _, m in points]).slope * 60


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rss-every", type=float, default=10.0, help="seconds between samples")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        files = workload(Path(folder))
        settings = {"DFD_DATA_DIR": f"{folder}/data", "DFD_JOB_WORKERS": "2"}
        with serve(os.environ | settings, Path(folder) / "server.log", "--no-access-log") as server:
            soak = Soak(server, files, args.minutes * 60)
            threads = [threading.Thread(target=soak.client, args=(i,)) for i in range(args.clients)]
            threads.append(threading.Thread(target=soak.watch, args=(args.rss_every,)))
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            tracebacks = (Path(folder) / "server.log").read_text().count("Traceback")
    total = sum(len(v) for v in soak.latencies.values())
    print(
        f"{args.clients} clients, {args.minutes:g} min: {total} requests, "
        f"{sum(soak.errors.values())} errors, {tracebacks} tracebacks in the server log"
    )
    for error, count in soak.errors.most_common():
        print(f"  error {count} x {error}")
    print("RSS over time (s: MB): " + ", ".join(f"{t:.0f}: {m:.0f}" for t, m in soak.rss))
    print(
        f"RSS slope: {slope_per_minute(soak.rss):+.2f} MB/min "
        f"(over the second half: {slope_per_minute(soak.rss[len(soak.rss) // 2 :]):+.2f})"
    )
    print("| route | requests | p50 ms | p99 ms |")
    for route, values in sorted(soak.latencies.items()):
        print(
            f"| {route} | {len(values)} | {percentile(values, 0.5) * 1000:.0f} | "
            f"{percentile(values, 0.99) * 1000:.0f} |"
        )


if __name__ == "__main__":
    main()
