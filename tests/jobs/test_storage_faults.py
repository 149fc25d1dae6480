"""A full data volume (issue 22 S13): the store says ``insufficient_storage``, the embedded worker
survives, waits and resumes once there is space again, and the backend reports its trouble for
``/readyz``; any other error in the worker's loop fails only that job."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from deepfake_detection.config import Settings
from deepfake_detection.errors import InsufficientStorage
from deepfake_detection.jobs import embedded
from deepfake_detection.jobs.embedded import EmbeddedJobBackend
from deepfake_detection.jobs.job import Job, JobStatus
from deepfake_detection.jobs.service import JobService
from deepfake_detection.jobs.sqlite_store import SqliteJobStore
from deepfake_detection.runtime.options import AnalysisOptions
from jobs.test_embedded import count_bytes, submit, wait_for
from support.tiny_volume import fill, tiny_volume
from support.waiting import wait_until


class FlakyStore(SqliteJobStore):
    """A real SQLite store whose ``start`` and ``finish`` fail as a full disk does while ``full``
    is set, or raise ``error`` once."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.full = threading.Event()
        self.error: Exception | None = None
        self.refused = 0
        """How many times ``start`` was refused for a full disk."""

    def start(self, job_id: str) -> Job | None:
        if self.full.is_set():
            self.refused += 1
            raise InsufficientStorage.writing("the job store")
        if self.error is not None:
            error, self.error = self.error, None
            raise error
        return super().start(job_id)

    def finish(self, job_id: str, status: Any, **kwargs: Any) -> Job | None:
        if self.full.is_set():
            raise OSError(28, "No space left on device")
        return super().finish(job_id, status, **kwargs)


def backend_with(store: FlakyStore, tmp_path: Path) -> tuple[EmbeddedJobBackend, JobService]:
    backend = EmbeddedJobBackend(
        settings=Settings(data_dir=tmp_path, job_workers=1), analyze=count_bytes, store=store
    )
    return backend, JobService(backend, tmp_path, retention_s=3600)


def status_of(service: JobService, job_id: str) -> JobStatus:
    return service.get(job_id).status


def test_the_sqlite_store_on_a_full_volume_says_insufficient_storage(tmp_path: Path) -> None:
    with tiny_volume(tmp_path / "volume") as volume:
        store = SqliteJobStore(volume / "jobs.sqlite3")
        fill(volume)
        job = Job(
            id="a" * 32,
            status="queued",
            progress=0.0,
            options=AnalysisOptions(),
            upload_path="",
            callback_url=None,
            created_at=0.0,
            updated_at=0.0,
        )
        with pytest.raises(InsufficientStorage, match="storage is full"):
            store.add(job)


def test_the_worker_waits_out_a_full_store_and_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(embedded, "_FIRST_WAIT_S", 0.05)
    store = FlakyStore(tmp_path / "jobs.sqlite3")
    backend, service = backend_with(store, tmp_path)
    backend.start()
    try:
        store.full.set()
        job_id = submit(service, b"12345")
        wait_until(lambda: backend.problem() is not None, "the worker reports a problem")
        assert "storage is full" in str(backend.problem())
        wait_until(lambda: store.refused >= 3, "a few retries, each refused")
        assert status_of(service, job_id) == "queued"
        store.full.clear()
        assert wait_for(service, job_id).result == {"bytes": 5, "frames": None}
        assert backend.problem() is None
        # The worker is still there for the next job.
        assert wait_for(service, submit(service, b"abc")).status == "succeeded"
    finally:
        backend.stop()


def test_a_job_left_running_by_a_full_store_finishes_once_there_is_space(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(embedded, "_FIRST_WAIT_S", 0.05)
    store = FlakyStore(tmp_path / "jobs.sqlite3")
    backend, service = backend_with(store, tmp_path)
    started = threading.Event()
    release = threading.Event()

    def analyze_then_fill(path: Path, options: AnalysisOptions, progress: Any) -> Any:
        started.set()
        release.wait(5)
        return count_bytes(path, options, progress)

    backend._analyze = analyze_then_fill  # the analysis runs while the disk fills up
    backend.start()
    try:
        job_id = submit(service, b"1234")
        assert started.wait(5)
        store.full.set()
        release.set()
        wait_until(lambda: backend.problem() is not None, "the worker reports a problem")
        assert status_of(service, job_id) == "running"  # its outcome could not be written
        store.full.clear()
        assert wait_for(service, job_id).status == "succeeded"
    finally:
        backend.stop()


def test_any_other_error_fails_that_job_and_the_worker_goes_on(tmp_path: Path) -> None:
    store = FlakyStore(tmp_path / "jobs.sqlite3")
    backend, service = backend_with(store, tmp_path)
    backend.start()
    try:
        store.error = RuntimeError("a bug in the store")
        failed = wait_for(service, submit(service, b"x"))
        assert failed.status == "failed"
        assert failed.error is not None
        assert failed.error.code == "internal_error"
        assert wait_for(service, submit(service, b"yz")).status == "succeeded"
        assert backend.problem() is None
    finally:
        backend.stop()


def test_a_volume_under_the_free_space_floor_is_a_problem(tmp_path: Path) -> None:
    store = FlakyStore(tmp_path / "jobs.sqlite3")
    backend = EmbeddedJobBackend(
        settings=Settings(data_dir=tmp_path), analyze=count_bytes, store=store
    )
    assert JobService(backend, tmp_path / "not yet made", 3600, min_free_bytes=0).problem() is None
    problem = JobService(backend, tmp_path, 3600, min_free_bytes=2**62).problem()
    assert problem is not None
    assert "DFD_DATA_MIN_FREE_BYTES" in problem
