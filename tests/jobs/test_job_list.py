"""Listing a key's jobs, newest first, a page at a time: both stores (SQLite, real Redis), the
service's cursors, and ownership (another key's job does not exist for the caller)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from deepfake_detection.errors import InvalidOptions, NotFound
from deepfake_detection.jobs.base import JobStore
from deepfake_detection.jobs.job import Job
from deepfake_detection.jobs.redis_store import RedisJobStore
from deepfake_detection.jobs.service import JobService
from deepfake_detection.jobs.store import SqliteJobStore
from deepfake_detection.runtime.options import AnalysisOptions
from live_server import redis_server


def job(n: int, owner: str | None, created: float | None = None) -> Job:
    at = float(n) if created is None else created
    return Job(f"{n:032x}", "queued", 0.0, AnalysisOptions(), "/x", None, at, at, owner=owner)


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[JobStore]:
    if request.param == "sqlite":
        yield SqliteJobStore(tmp_path / "jobs.sqlite3")
        return
    with redis_server(tmp_path) as url:
        yield RedisJobStore(url)


def test_lists_an_owners_jobs_newest_first(store: JobStore) -> None:
    for n in range(1, 8):
        store.add(job(n, "alice" if n % 2 else "bob"))
    store.add(job(9, "alice", created=5.0))  # same time as job 5: the greater id first
    alices = [j.id for j in store.list_jobs("alice", None, 100)]
    assert alices == [job(n, None).id for n in (7, 9, 5, 3, 1)]
    assert [j.id for j in store.list_jobs("alice", None, 2, before=(5.0, job(9, None).id))] == [
        job(5, None).id,
        job(3, None).id,
    ]
    assert len(store.list_jobs(None, None, 100)) == 8
    store.start(job(3, None).id)
    assert [j.id for j in store.list_jobs("alice", "running", 10)] == [job(3, None).id]
    store.delete(job(7, None).id)
    assert job(7, None).id not in [j.id for j in store.list_jobs("alice", None, 10)]


def test_the_service_pages_with_cursors_and_hides_other_keys_jobs(
    store: JobStore, tmp_path: Path
) -> None:
    class Backend:
        name = "test"

        def __init__(self) -> None:
            self.store = store

        def enqueue(self, job: Job) -> None:
            pass

        def queue_length(self) -> int:
            return 0

    service = JobService(Backend(), tmp_path, 3600)  # type: ignore[arg-type]
    ids = []
    for _ in range(5):
        job_id, path = service.new_upload()
        path.write_bytes(b"x")
        ids.append(service.submit(job_id, AnalysisOptions(), None, owner="alice").id)
    pages, cursor = [], None
    while True:
        page, cursor = service.list_jobs("alice", limit=2, cursor=cursor)
        pages.append([j.id for j in page])
        if cursor is None:
            break
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [job_id for page in pages for job_id in page] == ids[::-1]
    assert service.list_jobs("bob") == ([], None)

    assert service.get(ids[0], "alice").id == ids[0]
    with pytest.raises(NotFound):
        service.get(ids[0], "bob")
    with pytest.raises(NotFound):
        service.cancel_or_delete(ids[0], "bob")
    assert service.cancel_or_delete(ids[0], "alice") == "cancelled"
    with pytest.raises(InvalidOptions, match="cursor"):
        service.list_jobs("alice", cursor="not-a-cursor")


def test_an_older_sqlite_file_gets_the_owner_column(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE jobs (id TEXT PRIMARY KEY, status TEXT NOT NULL, progress REAL NOT "
            "NULL, options TEXT NOT NULL, upload_path TEXT NOT NULL, callback_url TEXT, "
            "created_at REAL NOT NULL, updated_at REAL NOT NULL, attempts INTEGER NOT NULL, "
            "result TEXT, error_code TEXT, error_message TEXT)"
        )
        db.execute(
            "INSERT INTO jobs VALUES ('a', 'queued', 0, '{}', '/x', NULL, 1, 1, 0, NULL, NULL, "
            "NULL)"
        )
    store = SqliteJobStore(path)
    store.add(replace(job(2, "alice"), id="b"))
    old = store.get("a")
    assert old is not None
    assert old.owner is None
    assert [j.id for j in store.list_jobs("alice", None, 10)] == ["b"]
