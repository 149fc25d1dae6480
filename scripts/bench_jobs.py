"""Job benchmark: embedded backend (50 short videos queued at once: none lost, RSS before/after)
and Celery throughput with 1 and then 2 worker processes (a redis-server of its own).

    .venv/bin/python scripts/bench_jobs.py                         # the shipped model
    .venv/bin/python scripts/bench_jobs.py --model-card other.json --celery-jobs 12
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from deepfake_detection.api.app import load_services
from deepfake_detection.config import Settings
from deepfake_detection.jobs.base import create_job_backend
from deepfake_detection.jobs.job import JobOptions
from deepfake_detection.jobs.runtime import media_analyzer
from deepfake_detection.jobs.service import JobService
from deepfake_detection.media.video_writer import face_scene, write_video
from deepfake_detection.model_card import default_model_card_path


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def short_clip(folder: Path) -> bytes:
    from skimage import data

    face = np.ascontiguousarray(data.astronaut()[20:220, 150:330])
    path = folder / "short.mp4"
    write_video(path, face_scene([face], width=480, height=270, count=50))
    return path.read_bytes()


def submit_all(service: JobService, content: bytes, count: int, frames: int) -> list[str]:
    ids = []
    for _ in range(count):
        job_id, path = service.new_upload()
        path.write_bytes(content)
        ids.append(service.submit(job_id, JobOptions(frames=frames), None).id)
    return ids


def wait_all(service: JobService, ids: list[str], timeout_s: float) -> dict[str, int]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        statuses = [service.get(job_id).status for job_id in ids]
        if all(s in ("succeeded", "failed", "cancelled") for s in statuses):
            break
        time.sleep(0.1)
    counts: dict[str, int] = {}
    for job_id in ids:
        status = service.get(job_id).status
        counts[status] = counts.get(status, 0) + 1
    return counts


def embedded(card: Path, folder: Path, jobs: int, frames: int) -> None:
    settings = Settings(model_card=card, data_dir=folder / "embedded", job_workers=2)
    services = load_services(settings)
    backend = create_job_backend("embedded", settings=settings, analyze=media_analyzer(services))
    service = JobService(backend, settings.data_dir, settings.job_retention_s)
    content = short_clip(folder)
    backend.start()
    before = rss_mb()
    start = time.perf_counter()
    ids = submit_all(service, content, jobs, frames)
    counts = wait_all(service, ids, timeout_s=3600)
    elapsed = time.perf_counter() - start
    backend.stop()
    lost = jobs - counts.get("succeeded", 0)
    print(
        f"embedded: {jobs} jobs x {frames} frames in {elapsed:.1f} s ({jobs / elapsed:.2f} jobs/s)"
        f"; {counts}; lost {lost}; RSS before {before:.0f} MB, after {rss_mb():.0f} MB"
    )


def celery(card: Path, folder: Path, jobs: int, frames: int) -> None:
    server = shutil.which("redis-server")
    if server is None:
        print("celery: skipped, redis-server is not installed")
        return
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    redis = subprocess.Popen([server, "--port", str(port), "--save", ""], stdout=subprocess.DEVNULL)
    settings = Settings(
        model_card=card,
        data_dir=folder / "celery",
        redis_url=f"redis://127.0.0.1:{port}/0",
        job_backend="celery",
    )
    env = os.environ | {
        "DFD_MODEL_CARD": str(card),
        "DFD_DATA_DIR": str(settings.data_dir),
        "DFD_REDIS_URL": settings.redis_url,
    }
    backend = create_job_backend("celery", settings=settings)
    service = JobService(backend, settings.data_dir, settings.job_retention_s)
    content = short_clip(folder)
    workers: list[subprocess.Popen[bytes]] = []
    try:
        time.sleep(0.5)
        for count in (1, 2):
            while len(workers) < count:
                command = [sys.executable, "-m", "deepfake_detection.cli.main", "worker"]
                command += ["--pool", "solo", "--hostname", f"w{len(workers)}@bench"]
                command += ["--log-level", "warning"]
                workers.append(subprocess.Popen(command, env=env))
            # Warm-up: each worker loads its models on its first job.
            wait_all(service, submit_all(service, content, count * 2, 1), timeout_s=600)
            start = time.perf_counter()
            counts = wait_all(service, submit_all(service, content, jobs, frames), 3600)
            elapsed = time.perf_counter() - start
            print(
                f"celery, {count} worker process(es): {jobs} jobs x {frames} frames in "
                f"{elapsed:.1f} s = {jobs / elapsed:.2f} jobs/s; {counts}"
            )
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(30)
        backend.stop()
        redis.terminate()
        redis.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model-card", type=Path, default=default_model_card_path())
    parser.add_argument("--jobs", type=int, default=50)
    parser.add_argument("--celery-jobs", type=int, default=12)
    parser.add_argument("--frames", type=int, default=8)
    parser.add_argument("--skip-celery", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        embedded(args.model_card, Path(tmp), args.jobs, args.frames)
        if not args.skip_celery:
            celery(args.model_card, Path(tmp), args.celery_jobs, args.frames)


if __name__ == "__main__":
    main()
