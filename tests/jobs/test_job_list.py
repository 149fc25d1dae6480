"""Listing a key's jobs, newest first, a page at a time: both stores (SQLite, real Redis), the
service's cursors, ownership (another key's job does not exist for the caller), and summaries
instead of results (a page of 200 explained videos was megabytes)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from deepfake_detection.errors import InvalidOptions, NotFound
from deepfake_detection.jobs.base import JobStore
from deepfake_detection.jobs.job import Job, JobError, JSONObject
from deepfake_detection.jobs.redis_store import RedisJobStore
from deepfake_detection.jobs.service import JobService
from deepfake_detection.jobs.sqlite_store import SqliteJobStore
from deepfake_detection.jobs.summary import ResultSummary
from deepfake_detection.runtime.options import AnalysisOptions
from support.live_server import redis_server


def job(n: int, owner: str | None, created: float | None = None) -> Job:
    at = float(n) if created is None else created
    return Job(f"{n:032x}", "queued", 0.0, AnalysisOptions(), "/x", None, at, at, owner=owner)


def explained_video(persons: int, heatmap_bytes: int) -> JSONObject:
    """A video's result shaped as POST /v1/videos answers with explain=true, its heatmaps as
    large as asked."""
    sample = {"frame_index": 0, "timestamp_s": 0.0, "fake_probability": 0.9, "thumbnail": "A" * 900}
    return {
        "video": {"container": "mp4", "width": 1920, "height": 1080, "duration_s": 61.2},
        "detector": "centerface",
        "model": {"name": "dfd-effnetlite0", "version": "3.0.0"},
        "threshold": 0.493744,
        "verdict": "fake",
        "verdict_reason": None,
        "fake_probability": 0.912345,
        "persons": [
            {
                "id": i,
                "score": 0.9,
                "label": "fake",
                "timeline": [sample] * 32,
                "explanation": {"heatmap_png_base64": "A" * heatmap_bytes, "grid": 8},
            }
            for i in range(persons)
        ],
        "sampled_frames": 32,
        "timings_ms": {"total": 1234.5},
    }


def corrupt_result(store: JobStore, job_id: str) -> None:
    """Make the stored result unreadable: a listing that still answers never read it."""
    if isinstance(store, SqliteJobStore):
        with sqlite3.connect(store.path) as db:
            db.execute("UPDATE jobs SET result = '{not json' WHERE id = ?", (job_id,))
    else:
        assert isinstance(store, RedisJobStore)
        store._redis.hset(store._key(job_id), "result", "{not json")


def forget_summary(store: JobStore, job_id: str) -> None:
    """Make the job look stored before kinds and summaries were."""
    if isinstance(store, SqliteJobStore):
        with sqlite3.connect(store.path) as db:
            db.execute("UPDATE jobs SET summary = NULL, kind = NULL WHERE id = ?", (job_id,))
    else:
        assert isinstance(store, RedisJobStore)
        store._redis.hdel(store._key(job_id), "summary", "kind")


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


def test_the_list_has_summaries_and_get_the_whole_result(store: JobStore) -> None:
    result = explained_video(persons=4, heatmap_bytes=500_000)
    assert len(json.dumps(result)) > 2_000_000
    for n, kind in ((1, "video"), (2, "image"), (3, "video")):
        store.add(replace(job(n, "alice"), kind=kind))
    store.start(job(1, None).id)
    store.finish(job(1, None).id, "succeeded", result=result)
    store.start(job(2, None).id)
    store.finish(job(2, None).id, "failed", error=JobError("corrupt_media", "cannot decode"))

    queued, failed, succeeded = store.list_jobs("alice", None, 10)
    assert (queued.kind, queued.status, queued.summary, queued.error) == (
        "video",
        "queued",
        None,
        None,
    )
    assert (failed.kind, failed.summary) == ("image", None)
    assert failed.error == JobError("corrupt_media", "cannot decode")
    assert succeeded.kind == "video"
    assert succeeded.summary == ResultSummary(
        verdict="fake",
        verdict_reason=None,
        fake_probability=0.912345,
        threshold=0.493744,
        faces=4,
        model_version="3.0.0",
        duration_s=61.2,
    )
    assert not hasattr(succeeded, "result")
    whole = store.get(succeeded.id)
    assert whole is not None
    assert whole.result == result

    corrupt_result(store, succeeded.id)
    assert store.list_jobs("alice", "succeeded", 10)[0].summary == succeeded.summary


def test_a_job_stored_before_summaries_is_summarized_from_its_result(store: JobStore) -> None:
    store.add(job(1, "alice"))
    store.add(job(2, "alice"))
    store.start(job(1, None).id)
    image = {
        "image": {"width": 640, "height": 480},
        "model": {"name": "dfd-effnetlite0", "version": "2.0.0"},
        "threshold": 0.5,
        "verdict": "uncertain",
        "verdict_reason": "small_face",
        "fake_probability": 0.41,
        "faces": [{"fake_probability": 0.41}, {"fake_probability": 0.1}],
    }
    store.finish(job(1, None).id, "succeeded", result=image)
    for n in (1, 2):
        forget_summary(store, job(n, None).id)
    queued, old = store.list_jobs("alice", None, 10)
    assert (queued.kind, queued.summary) == (None, None)
    assert old.kind == "image"
    assert old.summary == ResultSummary("uncertain", "small_face", 0.41, 0.5, 2, "2.0.0", None)
