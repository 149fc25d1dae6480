"""Real Redis and real ``dfd worker`` processes: jobs complete, and a job whose worker is killed
with SIGKILL mid-job completes on another worker.

Each test starts its own redis-server on a free port (skipped only when redis-server is not
installed; ``.ci/run`` installs it). The workers load a tiny ONNX model these tests write.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from deepfake_detection.config import Settings
from deepfake_detection.errors import Overloaded
from deepfake_detection.jobs.celery_backend import CeleryJobBackend
from deepfake_detection.jobs.job import Job
from deepfake_detection.jobs.service import JobService
from deepfake_detection.runtime.options import AnalysisOptions
from deepfake_detection.testing.images import astronaut_face
from deepfake_detection.testing.video import face_scene, write_video
from jobs.receiver import Receiver
from support.live_server import free_port, redis_server
from support.tiny_model import write_tiny_model

pytestmark = [pytest.mark.redis, pytest.mark.slow]


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    with redis_server(tmp_path) as url:
        yield url


@pytest.fixture
def settings(tmp_path: Path, redis_url: str) -> Settings:
    return Settings(
        model_card=write_tiny_model(tmp_path),
        data_dir=tmp_path / "data",
        redis_url=redis_url,
        job_backend="celery",
        job_timeout_s=120,
        # Short, for the test: a killed worker's job comes back after 4 s, not after 2 x 120 s.
        job_visibility_timeout_s=4,
    )


class Workers:
    def __init__(self, settings: Settings, logs: Path) -> None:
        self.env = os.environ | {
            "DFD_MODEL_CARD": str(settings.model_card),
            "DFD_DATA_DIR": str(settings.data_dir),
            "DFD_REDIS_URL": settings.redis_url,
            "DFD_JOB_TIMEOUT_S": str(settings.job_timeout_s),
            "DFD_JOB_VISIBILITY_TIMEOUT_S": str(settings.job_visibility_timeout_s),
            "DFD_WEBHOOK_SECRET": settings.webhook_secret or "",
            "DFD_WEBHOOK_ALLOW_PRIVATE": str(settings.webhook_allow_private).lower(),
            "DFD_WEBHOOK_RETRIES": str(settings.webhook_retries),
            "DFD_WEBHOOK_BACKOFF_S": str(settings.webhook_backoff_s),
        }
        self.logs = logs
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.files: list[IO[bytes]] = []

    def start(self, name: str, *options: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("wb")
        self.files.append(log)
        command = [sys.executable, "-m", "deepfake_detection.cli.main", "worker", *options]
        command += ["--pool", "solo", "--hostname", f"{name}@test", "--log-level", "info"]
        process = subprocess.Popen(command, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.processes[name] = process
        return process

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for file in self.files:
            file.close()


@pytest.fixture
def workers(settings: Settings, tmp_path: Path) -> Iterator[Workers]:
    pool = Workers(settings, tmp_path)
    yield pool
    pool.stop_all()


@pytest.fixture
def service(settings: Settings) -> Iterator[JobService]:
    backend = CeleryJobBackend(settings=settings)
    backend.start()
    yield JobService(backend, settings.data_dir, settings.job_retention_s)
    backend.stop()


def _video(path: Path, count: int) -> bytes:
    face = astronaut_face()
    write_video(path, face_scene([face], width=480, height=270, count=count))
    return path.read_bytes()


def _submit(service: JobService, content: bytes, options: AnalysisOptions) -> str:
    job_id, path = service.new_upload()
    path.write_bytes(content)
    return service.submit(job_id, options, None).id


def _wait(service: JobService, job_id: str, until: str, timeout_s: float, logs: Path) -> Job:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        job = service.get(job_id)
        if job.status == until or job.finished:
            return job
        time.sleep(0.05)
    worker_logs = "\n".join(p.read_text()[-3000:] for p in logs.glob("*.log"))
    raise AssertionError(f"job {job_id} not {until} in {timeout_s} s: {job}\n{worker_logs}")


def test_jobs_run_on_a_worker_process(
    service: JobService, workers: Workers, tmp_path: Path
) -> None:
    content = _video(tmp_path / "clip.mp4", count=30)
    ids = [_submit(service, content, AnalysisOptions(frames=4)) for _ in range(3)]
    # No worker yet: the three wait in the broker, and a service limited to three takes no more.
    assert service.backend.queue_length() == 3
    limited = JobService(service.backend, tmp_path / "data", 3600, max_queued=3)
    with pytest.raises(Overloaded):
        limited.check_capacity()
    metrics_port = free_port()
    workers.start("w1", "--metrics-port", str(metrics_port), "--metrics-host", "127.0.0.1")
    jobs = [_wait(service, job_id, "succeeded", 90, tmp_path) for job_id in ids]
    assert [j.status for j in jobs] == ["succeeded"] * 3
    result = jobs[0].result
    assert result is not None
    assert result["verdict"] in ("real", "fake")
    assert result["sampled_frames"] == 4
    assert result["model"] == {"name": "tiny", "version": "1.2.3"}
    # Idempotent: a finished job delivered again is not run again.
    assert jobs[0].attempts == 1
    # The worker's own metrics: its jobs, their stages and verdicts.
    text = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10).text
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    assert samples[("dfd_jobs_total", (("status", "succeeded"),))] == 3
    detect = ("dfd_stage_duration_seconds_count", (("kind", "video"), ("stage", "detect")))
    assert samples[detect] == 3
    verdicts = [v for (name, _), v in samples.items() if name == "dfd_verdicts_total"]
    assert sum(verdicts) == 3


def test_a_job_whose_worker_is_killed_completes_on_another(
    service: JobService, workers: Workers, tmp_path: Path
) -> None:
    first = workers.start("w1")
    content = _video(tmp_path / "long.mp4", count=60)
    job_id = _submit(service, content, AnalysisOptions(frames=40))
    job = _wait(service, job_id, "running", 120, tmp_path)
    deadline = time.monotonic() + 120
    while job.status == "running" and job.progress < 0.05 and time.monotonic() < deadline:
        job = service.get(job_id)
        time.sleep(0.02)
    assert job.status == "running", "the job ended before the worker could be killed"
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    workers.start("w2")
    done = _wait(service, job_id, "succeeded", 300, tmp_path)
    assert done.status == "succeeded"
    assert done.attempts == 2
    assert done.result is not None
    assert done.result["sampled_frames"] == 40


def test_webhooks_are_their_own_tasks_and_retried_without_holding_the_worker(
    settings: Settings, tmp_path: Path, receiver: Receiver
) -> None:
    hooked = settings.model_copy(
        update={
            "webhook_secret": "k",
            "webhook_allow_private": True,
            "webhook_retries": 3,
            "webhook_backoff_s": 4.0,
        }
    )
    receiver.statuses = [503, 503]  # the third attempt gets through, 4 + 8 s of backoff later
    backend = CeleryJobBackend(settings=hooked)
    service = JobService(backend, hooked.data_dir, hooked.job_retention_s)
    pool = Workers(hooked, tmp_path)
    pool.start("w1")
    try:
        content = _video(tmp_path / "clip.mp4", count=10)
        job_id, path = service.new_upload()
        path.write_bytes(content)
        service.submit(job_id, AnalysisOptions(frames=2), receiver.url)
        assert _wait(service, job_id, "succeeded", 90, tmp_path).status == "succeeded"
        # One worker (solo pool): while the webhook waits 12 s for its retries, jobs still run.
        started = time.monotonic()
        plain = _submit(service, content, AnalysisOptions(frames=2))
        assert _wait(service, plain, "succeeded", 30, tmp_path).status == "succeeded"
        assert time.monotonic() - started < 6
        assert receiver.arrived.wait(30)
    finally:
        pool.stop_all()
        backend.stop()
    assert len(receiver.requests) == 3
    assert job_id.encode() in receiver.requests[-1][1]
