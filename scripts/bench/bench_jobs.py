"""Job benchmark: embedded backend (50 short videos queued at once: none lost, RSS before/after)
and Celery throughput (a redis-server of its own) for worker processes x threads per job:
1 x 2 (each job may use both cores), 1 x 1 and 2 x 1 (``dfd worker --threads 1``).

    .venv/bin/python scripts/bench/bench_jobs.py                         # the shipped model
    .venv/bin/python scripts/bench/bench_jobs.py --model-card other.json --celery-jobs 12
    .venv/bin/python scripts/bench/bench_jobs.py --skip-embedded --celery-jobs 24 --rounds 6
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from deepfake_detection.classifiers.model_card import default_model_card_path
from deepfake_detection.config import Settings
from deepfake_detection.jobs.base import create_job_backend
from deepfake_detection.jobs.media_analyzer import MediaAnalyzer
from deepfake_detection.jobs.service import JobService
from deepfake_detection.runtime.models import load_models
from deepfake_detection.runtime.options import AnalysisOptions
from deepfake_detection.testing.images import astronaut_face
from deepfake_detection.testing.video import face_scene, write_video


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def short_clip(folder: Path) -> bytes:
    face = astronaut_face()
    path = folder / "short.mp4"
    write_video(path, face_scene([face], width=480, height=270, count=50))
    return path.read_bytes()


def submit_all(service: JobService, content: bytes, count: int, frames: int) -> list[str]:
    ids = []
    for _ in range(count):
        job_id, path = service.new_upload()
        path.write_bytes(content)
        ids.append(service.submit(job_id, AnalysisOptions(frames=frames), None).id)
    return ids


def wait_all(service: JobService, ids: list[str], timeout_s: float) -> dict[str, int]:
    deadline = time.monotonic() + timeout_s
    pending = list(ids)
    while pending and time.monotonic() < deadline:
        # Jobs finish about in order: polling only up to the first unfinished one keeps this
        # process from taking CPU time from the workers it measures.
        while pending and service.get(pending[0]).finished:
            pending.pop(0)
        if pending:
            time.sleep(0.1)
    counts: dict[str, int] = {}
    for job_id in ids:
        status = service.get(job_id).status
        counts[status] = counts.get(status, 0) + 1
    return counts


def embedded(card: Path, folder: Path, jobs: int, frames: int) -> None:
    settings = Settings(model_card=card, data_dir=folder / "embedded", job_workers=2)
    models = load_models(settings)
    models.warm_up()
    backend = create_job_backend("embedded", settings=settings, analyze=MediaAnalyzer(models))
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


# Celery set-ups measured: (worker processes, threads per job).
CELERY_SETUPS = ((1, 2), (1, 1), (2, 1))


@dataclass
class Setup:
    """Worker processes with a thread count, on a Redis database of their own, so that every
    set-up stays started and the rounds can alternate between them (this machine's speed drifts
    over minutes: set-ups measured one after the other would compare different machines)."""

    workers: int
    threads: int
    service: JobService
    processes: list[subprocess.Popen[bytes]]
    rates: list[float]

    @property
    def name(self) -> str:
        return f"{self.workers} worker process(es) x {self.threads} thread(s)"


def start_setup(
    workers: int, threads: int, card: Path, folder: Path, redis_url: str, env: dict[str, str]
) -> Setup:
    settings = Settings(model_card=card, data_dir=folder, redis_url=redis_url, job_backend="celery")
    backend = create_job_backend("celery", settings=settings)
    service = JobService(backend, settings.data_dir, settings.job_retention_s)
    env = env | {"DFD_DATA_DIR": str(folder), "DFD_REDIS_URL": redis_url}
    processes = []
    for i in range(workers):
        command = [sys.executable, "-m", "deepfake_detection.cli.main", "worker"]
        command += ["--pool", "solo", "--threads", str(threads)]
        command += ["--hostname", f"w{i}-{threads}@{folder.name}", "--log-level", "warning"]
        processes.append(subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL))
    return Setup(workers, threads, service, processes, [])


def stop_setup(setup: Setup) -> None:
    for process in setup.processes:
        process.terminate()
    for process in setup.processes:
        process.wait(30)
    setup.service.backend.stop()


def celery(card: Path, folder: Path, jobs: int, frames: int, rounds: int) -> None:
    server = shutil.which("redis-server")
    if server is None:
        print("celery: skipped, redis-server is not installed")
        return
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    redis = subprocess.Popen([server, "--port", str(port), "--save", ""], stdout=subprocess.DEVNULL)
    env = os.environ | {"DFD_MODEL_CARD": str(card)}
    content = short_clip(folder)
    setups: list[Setup] = []
    try:
        time.sleep(0.5)
        for db, (workers, threads) in enumerate(CELERY_SETUPS):
            url = f"redis://127.0.0.1:{port}/{db}"
            setups.append(start_setup(workers, threads, card, folder / f"celery{db}", url, env))
        for setup in setups:
            # Warm-up: each worker loads its models on its first job.
            wait_all(setup.service, submit_all(setup.service, content, setup.workers * 2, 1), 600)
        for _ in range(rounds):
            for setup in setups:
                start = time.perf_counter()
                ids = submit_all(setup.service, content, jobs, frames)
                counts = wait_all(setup.service, ids, 3600)
                setup.rates.append(jobs / (time.perf_counter() - start))
                if counts.get("succeeded", 0) != jobs:
                    print(f"celery, {setup.name}: not every job succeeded: {counts}")
        for setup in setups:
            rates = ", ".join(f"{r:.2f}" for r in setup.rates)
            print(
                f"celery, {setup.name}: {jobs} jobs x {frames} frames per round, median "
                f"{statistics.median(setup.rates):.2f} jobs/s (rounds: {rates})"
            )
    finally:
        for setup in setups:
            stop_setup(setup)
        redis.terminate()
        redis.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model-card", type=Path, default=default_model_card_path())
    parser.add_argument("--jobs", type=int, default=50)
    parser.add_argument("--celery-jobs", type=int, default=12)
    parser.add_argument("--frames", type=int, default=8)
    parser.add_argument("--skip-celery", action="store_true")
    parser.add_argument("--skip-embedded", action="store_true")
    parser.add_argument("--rounds", type=int, default=3, help="Celery rounds over the set-ups")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_embedded:
            embedded(args.model_card, Path(tmp), args.jobs, args.frames)
        if not args.skip_celery:
            celery(args.model_card, Path(tmp), args.celery_jobs, args.frames, args.rounds)


if __name__ == "__main__":
    main()
