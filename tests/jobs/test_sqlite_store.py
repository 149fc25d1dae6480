import time
from pathlib import Path

from deepfake_detection.jobs.job import Job, JobError
from deepfake_detection.jobs.sqlite_store import SqliteJobStore
from deepfake_detection.runtime.options import AnalysisOptions


def job(job_id: str, created: float = 0.0) -> Job:
    options = AnalysisOptions(frames=8, detector="centerface")
    return Job(job_id, "queued", 0.0, options, f"/uploads/{job_id}", None, created, created)


def test_a_job_goes_through_its_states(tmp_path: Path) -> None:
    store = SqliteJobStore(tmp_path / "jobs.sqlite3")
    store.add(job("a"))
    assert store.queued() == ["a"]
    started = store.start("a")
    assert started is not None
    assert started.status == "running"
    assert started.attempts == 1
    assert store.set_progress("a", 0.5) == "running"
    done = store.finish("a", "succeeded", result={"verdict": "real"})
    assert done is not None
    assert done.result == {"verdict": "real"}
    assert done.progress == 1.0
    # Finished: it cannot start or finish again (tasks are idempotent).
    assert store.start("a") is None
    assert store.finish("a", "failed", error=JobError("x", "y")) is None
    fresh = store.get("a")
    assert fresh is not None
    assert fresh.options == AnalysisOptions(frames=8, detector="centerface")


def test_cancel_stops_progress_and_the_outcome(tmp_path: Path) -> None:
    store = SqliteJobStore(tmp_path / "jobs.sqlite3")
    store.add(job("a"))
    store.start("a")
    cancelled = store.cancel("a")
    assert cancelled is not None
    assert cancelled.status == "cancelled"
    assert store.set_progress("a", 0.7) == "cancelled"
    assert store.finish("a", "succeeded", result={}) is None
    assert store.delete("a") is not None
    assert store.get("a") is None
    assert store.set_progress("a", 0.1) is None


def test_the_store_survives_a_restart_and_requeues_running_jobs(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    first = SqliteJobStore(path)
    first.add(job("old", created=1.0))
    first.add(job("new", created=2.0))
    first.start("old")
    second = SqliteJobStore(path)  # the process restarted
    assert second.requeue_running() == ["old"]
    assert second.queued() == ["old", "new"]


def test_finished_jobs_expire(tmp_path: Path) -> None:
    store = SqliteJobStore(tmp_path / "jobs.sqlite3")
    store.add(job("a"))
    store.add(job("b"))
    store.start("a")
    store.finish("a", "failed", error=JobError("corrupt_media", "bad"))
    assert [j.id for j in store.finished_before(time.time() + 1)] == ["a"]
    assert store.finished_before(time.time() - 60) == []
