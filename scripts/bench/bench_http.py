"""End-to-end HTTP benchmark of the service, as users run it (`dfd serve`, uvicorn, real HTTP).

Measures one 1280x720 image with one face: latency (p50/p90 over --requests sequential requests)
per detector with the per-stage times the service reports, images/s and errors under --clients
concurrent clients, and the server's RSS (VmRSS from /proc, summed over its worker processes)
after warm-up and after the long run. Uses the shipped model unless --model-card names another.

    .venv/bin/python scripts/bench/bench_http.py                      # shipped model
    .venv/bin/python scripts/bench/bench_http.py --model-card /tmp/m/card.json --long-seconds 120
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np

from deepfake_detection.classifiers.model_card import default_model_card_path
from deepfake_detection.testing.images import face_on_scene_jpeg
from deepfake_detection.testing.server import Server, serve

TARGETS = {"centerface": 60.0, "ssd": 40.0}  # p50 ms, one 1280x720 one-face image
IDLE_S = 5.0
TARGET_IMAGES_PER_S, TARGET_RSS_MB = 25.0, 400.0


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (uvicorn's worker processes)."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                pending.extend(int(c) for c in (task / "children").read_text().split())
        except FileNotFoundError:
            continue
    return found


def rss_mb(pid: int) -> float:
    """VmRSS of the server's processes, summed, in MiB."""
    total_kb = 0
    for current in process_tree(pid):
        try:
            lines = Path(f"/proc/{current}/status").read_text().splitlines()
        except FileNotFoundError:
            continue
        total_kb += int(next(ln for ln in lines if ln.startswith("VmRSS")).split()[1])
    return total_kb / 1024


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of the server's processes: its work, whatever else runs."""
    ticks = 0
    for current in process_tree(pid):
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


@contextmanager
def served(args: argparse.Namespace, card: Path) -> Iterator[Server]:
    env = os.environ | {"DFD_MODEL_CARD": str(card), "DFD_ONNX_THREADS": str(args.onnx_threads)}
    env |= dict(item.split("=", 1) for item in args.env)
    options = ("--no-access-log", "--workers", str(args.workers), "--log-level", "warning")
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "server.log"
        with serve(env, log, *options, ready_timeout_s=180) as server:
            yield server


@dataclass
class Latency:
    wall_ms: list[float] = field(default_factory=list)
    stages: dict[str, list[float]] = field(default_factory=dict)


def post(client: httpx.Client, url: str, image: bytes, detector: str) -> httpx.Response:
    return client.post(
        f"{url}/v1/images",
        files={"file": ("bench.jpg", image, "image/jpeg")},
        data={"detector": detector},
    )


def sequential(url: str, image: bytes, detector: str, count: int) -> Latency:
    result = Latency()
    with httpx.Client(timeout=60) as client:
        for _ in range(count):
            start = time.perf_counter()
            response = post(client, url, image, detector)
            result.wall_ms.append((time.perf_counter() - start) * 1000)
            response.raise_for_status()
            body = response.json()
            if len(body["faces"]) != 1:
                raise SystemExit(f"{detector}: expected one face, got {len(body['faces'])}")
            for stage, ms in body["timings_ms"].items():
                result.stages.setdefault(stage, []).append(ms)
    return result


@dataclass
class Load:
    images: int
    errors: int
    seconds: float
    statuses: dict[str, int]


def concurrent(url: str, image: bytes, detector: str, clients: int, seconds: float) -> Load:
    return concurrent_requests(lambda client: post(client, url, image, detector), clients, seconds)


def concurrent_requests(
    send: Callable[[httpx.Client], httpx.Response], clients: int, seconds: float
) -> Load:
    """``clients`` threads, each with its own connection, calling ``send`` until ``seconds`` have
    passed; the answers counted by status (200 is ok)."""
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    counts = {"ok": 0, "errors": 0}
    statuses: dict[str, int] = {}

    def client_loop() -> None:
        with httpx.Client(timeout=120) as client:
            while time.monotonic() < deadline:
                try:
                    status = str(send(client).status_code)
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                with lock:
                    counts["ok" if status == "200" else "errors"] += 1
                    statuses[status] = statuses.get(status, 0) + 1

    start = time.monotonic()
    threads = [threading.Thread(target=client_loop) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Load(counts["ok"], counts["errors"], time.monotonic() - start, statuses)


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def table_row(detector: str, latency: Latency, cpu_ms: float, load: Load) -> str:
    p50 = percentile(latency.wall_ms, 50)
    stages = {k: statistics.median(v) for k, v in latency.stages.items()}
    target = TARGETS.get(detector)
    rate = load.images / load.seconds
    cells = [
        detector,
        f"{p50:.1f}",
        f"{percentile(latency.wall_ms, 90):.1f}",
        "" if target is None else f"<= {target:g} {verdict(p50 <= target)}",
        *(f"{stages[k]:.1f}" for k in ("decode", "detect", "crop", "classify", "total")),
        f"{cpu_ms:.1f}",
        f"{rate:.1f} ({verdict(rate >= TARGET_IMAGES_PER_S)})",
        f"{load.errors} {load.statuses}",
    ]
    return "| " + " | ".join(cells) + " |"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--model-card", type=Path, default=default_model_card_path())
    parser.add_argument("--detectors", default="centerface,ssd")
    parser.add_argument("--requests", type=int, default=100, help="sequential, per detector")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--load-seconds", type=float, default=20.0, help="per detector")
    parser.add_argument("--long-seconds", type=float, default=120.0, help="the memory run")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--onnx-threads", type=int, default=2)
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for the server")
    args = parser.parse_args()
    if not args.model_card.is_file():
        raise SystemExit(f"no model card at {args.model_card}: export the model or --model-card")
    return args


def main() -> None:
    args = parse_args()
    image = face_on_scene_jpeg()
    detectors = args.detectors.split(",")
    print(f"model card: {args.model_card}")
    print(
        f"image: 1280x720 JPEG, {len(image)} bytes, one face; workers={args.workers} "
        f"onnx_threads={args.onnx_threads} env={args.env}; cpus={os.cpu_count()}; "
        f"load average before: {os.getloadavg()[0]:.2f}"
    )
    with served(args, args.model_card) as server:
        url = server.url
        for detector in detectors:
            sequential(url, image, detector, args.warmup)
        rss_warm = rss_mb(server.pid)
        print(f"RSS after warm-up: {rss_warm:.0f} MiB ({verdict(rss_warm <= TARGET_RSS_MB)})")
        print(
            "\n| detector | p50 ms | p90 ms | target p50 | decode | detect | crop | classify "
            f"| server total | server CPU ms/img | img/s ({args.clients} clients) | errors |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|---|", flush=True)
        for detector in detectors:
            cpu_before = cpu_s(server.pid)
            latency = sequential(url, image, detector, args.requests)
            cpu_ms = (cpu_s(server.pid) - cpu_before) * 1000 / args.requests
            load = concurrent(url, image, detector, args.clients, args.load_seconds)
            print(table_row(detector, latency, cpu_ms, load), flush=True)
        rss_loaded = rss_mb(server.pid)
        print(f"RSS after the concurrent runs: {rss_loaded:.0f} MiB", flush=True)
        long_run = concurrent(url, image, detectors[0], args.clients, args.long_seconds)
        rss_long = rss_mb(server.pid)
        # The service hands free memory back once idle (DFD_MEMORY_RELEASE_IDLE_S).
        time.sleep(IDLE_S)
        rss_idle = rss_mb(server.pid)
    print(
        f"\nlong run ({detectors[0]}, {args.clients} clients, {long_run.seconds:.0f} s): "
        f"{long_run.images} images, {long_run.images / long_run.seconds:.1f} img/s, "
        f"errors {long_run.errors} {long_run.statuses}"
    )
    print(
        f"RSS after the long run: {rss_long:.0f} MiB ({rss_long - rss_warm:+.0f} MiB since the "
        f"warm-up, {rss_long - rss_loaded:+.0f} MiB during the long run); "
        f"{IDLE_S:g} s later, idle: {rss_idle:.0f} MiB"
    )
    print(f"load average after: {os.getloadavg()[0]:.2f} (other processes share these CPUs)")


if __name__ == "__main__":
    main()
