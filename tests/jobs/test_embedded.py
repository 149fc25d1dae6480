"""The embedded backend with a real SQLite store and worker threads; the analysis is a stand-in."""

import threading
import time
from pathlib import Path

import pytest

from deepfake_detection.config import Settings
from deepfake_detection.errors import CorruptMedia
from deepfake_detection.jobs.base import create_job_backend, list_job_backends
from deepfake_detection.jobs.embedded import EmbeddedJobBackend
from deepfake_detection.jobs.job import Job, JSONObject
from deepfake_detection.jobs.service import JobService
from deepfake_detection.jobs.task import Progress
from deepfake_detection.jobs.webhook import WebhookPolicy, send_webhook
from deepfake_detection.runtime.options import AnalysisOptions
from jobs.receiver import Receiver
from support.waiting import wait_until


def count_bytes(path: Path, options: AnalysisOptions, progress: Progress) -> JSONObject:
    data = path.read_bytes()
    if data.startswith(b"corrupt"):
        raise CorruptMedia("the test upload says it is corrupt")
    for i in range(4):
        progress((i + 1) / 4)
    return {"bytes": len(data), "frames": options.frames}


def settings(tmp_path: Path, workers: int = 2) -> Settings:
    return Settings(data_dir=tmp_path, job_workers=workers)


def wait_for(service: JobService, job_id: str, timeout_s: float = 10.0) -> Job:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        job = service.get(job_id)
        if job.finished:
            return job
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} did not finish: {service.get(job_id)}")


def submit(service: JobService, content: bytes, **options: int) -> str:
    job_id, path = service.new_upload()
    path.write_bytes(content)
    return service.submit(job_id, AnalysisOptions(**options), None).id  # type: ignore[arg-type]


def test_the_registry_knows_both_backends(tmp_path: Path) -> None:
    assert list_job_backends() == ["celery", "embedded"]
    backend = create_job_backend("embedded", settings=settings(tmp_path), analyze=count_bytes)
    assert isinstance(backend, EmbeddedJobBackend)
    with pytest.raises(Exception, match="valid backends: celery, embedded"):
        create_job_backend("rq")


def test_fifty_jobs_all_complete(tmp_path: Path) -> None:
    backend = EmbeddedJobBackend(settings=settings(tmp_path), analyze=count_bytes)
    service = JobService(backend, tmp_path, retention_s=3600)
    backend.start()
    try:
        ids = [submit(service, b"x" * i, frames=i + 1) for i in range(50)]
        jobs = [wait_for(service, job_id) for job_id in ids]
    finally:
        backend.stop()
    assert [j.status for j in jobs] == ["succeeded"] * 50
    assert [j.result for j in jobs] == [{"bytes": i, "frames": i + 1} for i in range(50)]


def test_bad_input_fails_with_its_error_code(tmp_path: Path) -> None:
    backend = EmbeddedJobBackend(settings=settings(tmp_path), analyze=count_bytes)
    service = JobService(backend, tmp_path, retention_s=3600)
    backend.start()
    try:
        job = wait_for(service, submit(service, b"corrupt!"))
    finally:
        backend.stop()
    assert job.status == "failed"
    assert job.error is not None
    assert job.error.code == "corrupt_media"


def test_a_job_running_when_the_process_died_runs_again_after_restart(tmp_path: Path) -> None:
    release = threading.Event()

    def stuck(path: Path, options: AnalysisOptions, progress: Progress) -> JSONObject:
        progress(0.1)
        release.wait(10)
        return {"never": "stored"}

    first = EmbeddedJobBackend(settings=settings(tmp_path, workers=1), analyze=stuck)
    service = JobService(first, tmp_path, retention_s=3600)
    first.start()
    job_id = submit(service, b"abc")
    wait_until(lambda: service.get(job_id).status == "running", "the job is running")
    first.stop(timeout_s=0.1)  # the process "dies": its worker never finishes the job
    assert service.get(job_id).status == "running"

    second = EmbeddedJobBackend(settings=settings(tmp_path, workers=1), analyze=count_bytes)
    restarted = JobService(second, tmp_path, retention_s=3600)
    second.start()
    try:
        job = wait_for(restarted, job_id)
    finally:
        second.stop()
        release.set()
    assert job.status == "succeeded"
    assert job.result == {"bytes": 3, "frames": None}
    assert job.attempts == 2


def test_cancel_delete_and_expiry_remove_uploads(tmp_path: Path) -> None:
    started = threading.Event()

    def slow(path: Path, options: AnalysisOptions, progress: Progress) -> JSONObject:
        started.set()
        for _ in range(200):
            progress(0.5)
            time.sleep(0.01)
        return {}

    backend = EmbeddedJobBackend(settings=settings(tmp_path, workers=1), analyze=slow)
    service = JobService(backend, tmp_path, retention_s=3600)
    backend.start()
    try:
        running = submit(service, b"1")
        started.wait(5)
        assert service.cancel_or_delete(running) == "cancelled"
        assert not service.upload_path(running).exists()
        assert wait_for(service, running).status == "cancelled"
        assert service.cancel_or_delete(running) == "deleted"
        with pytest.raises(Exception, match="no job"):
            service.get(running)
    finally:
        backend.stop()
    finished = submit(service, b"2")  # not started: the backend is stopped
    service.store.start(finished)
    service.store.finish(finished, "succeeded", result={})
    assert service.purge_expired(now=time.time() + 7200) == 1
    assert not service.upload_path(finished).exists()


def test_a_finished_job_with_a_callback_is_posted(tmp_path: Path, receiver: Receiver) -> None:
    policy = WebhookPolicy(secret="k", allow_private=True)

    def notify(job: Job) -> None:
        assert job.callback_url is not None
        send_webhook(job.callback_url, {"id": job.id, "status": job.status}, policy)

    backend = EmbeddedJobBackend(settings=settings(tmp_path), analyze=count_bytes, notify=notify)
    service = JobService(backend, tmp_path, retention_s=3600)
    backend.start()
    try:
        job_id, path = service.new_upload()
        path.write_bytes(b"hello")
        service.submit(job_id, AnalysisOptions(), receiver.url)
        assert receiver.arrived.wait(10)
    finally:
        backend.stop()
    assert b'"status":"succeeded"' in receiver.requests[0][1]


def test_an_unreachable_callback_does_not_delay_the_next_job(tmp_path: Path) -> None:
    # Webhooks used to be sent by the job worker: each unreachable callback held it through its
    # retries (142 s for five jobs in the campaign).
    release = threading.Event()
    sent: list[str] = []

    def stuck_receiver(job: Job) -> None:
        release.wait(30)  # a receiver that never answers, until the test ends
        sent.append(job.id)

    backend = EmbeddedJobBackend(
        settings=settings(tmp_path, workers=1), analyze=count_bytes, notify=stuck_receiver
    )
    service = JobService(backend, tmp_path, retention_s=3600)
    backend.start()
    try:
        hooked = []
        for _ in range(5):
            job_id, path = service.new_upload()
            path.write_bytes(b"with a callback")
            hooked.append(service.submit(job_id, AnalysisOptions(), "http://hooks.invalid/").id)
        started = time.monotonic()
        plain = submit(service, b"an ordinary job")
        assert wait_for(service, plain).status == "succeeded"
        assert time.monotonic() - started < 5
        assert all(service.get(job_id).status == "succeeded" for job_id in hooked)
        assert sent == []
        release.set()
        deadline = time.monotonic() + 10
        while len(sent) < 5 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert sorted(sent) == sorted(hooked)
    finally:
        release.set()
        backend.stop()
