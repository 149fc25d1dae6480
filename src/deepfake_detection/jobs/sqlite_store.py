"""The SQLite job store: one file in the data directory, so jobs survive a restart.

A finished job's result is stored with its summary (``jobs/summary.py``) in a column of its own:
listing jobs reads the summaries, never the results.

Each call opens its own connection (cheap for SQLite, and safe from any thread); every change is one
``UPDATE ... WHERE status ... RETURNING`` statement, so two workers can never both claim a job. The
file is created with the first job: a service that never gets one writes nothing.

A full data volume shows up as SQLite's ``SQLITE_FULL`` or ``SQLITE_IOERR`` (a write of the WAL that
failed): both are ``InsufficientStorage`` (507) here, so a client reads "storage is full" instead of
a 500, and the job workers know to wait and try again.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from deepfake_detection.errors import InsufficientStorage, out_of_space
from deepfake_detection.jobs.job import (
    Job,
    JobError,
    JobStatus,
    JSONObject,
    Outcome,
    parse_kind,
    parse_status,
)
from deepfake_detection.jobs.summary import (
    JobSummary,
    ResultSummary,
    result_kind,
    summarize,
    summary_json,
)
from deepfake_detection.runtime.options import AnalysisOptions

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    progress REAL NOT NULL,
    options TEXT NOT NULL,
    upload_path TEXT NOT NULL,
    callback_url TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    attempts INTEGER NOT NULL,
    result TEXT,
    error_code TEXT,
    error_message TEXT
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs (status, created_at);
"""
# Added after the first release: older files get them when opened.
_ADDED_COLUMNS = ("owner", "kind", "summary")
_OWNER_INDEX = "CREATE INDEX IF NOT EXISTS jobs_owner ON jobs (owner, created_at, id);"
_COLUMNS = (
    "id, status, progress, options, upload_path, callback_url, created_at, updated_at, attempts, "
    "result, error_code, error_message, owner, kind"
)
# A job stored before summaries were has none: its result is read instead (and only then).
_LISTED = (
    "id, status, kind, progress, created_at, updated_at, attempts, error_code, error_message, "
    "summary, CASE WHEN summary IS NULL THEN result END"
)


class SqliteJobStore:
    """Implements ``JobStore`` on a SQLite file (created on first use)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._created = False
        self._lock = threading.Lock()

    def add(self, job: Job) -> None:
        with self._connect() as db:
            db.execute(
                f"INSERT INTO jobs ({_COLUMNS}, summary) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*_row(job), summary_json(job.result)),
            )

    def get(self, job_id: str) -> Job | None:
        if not self._exists():
            return None
        return self._one(f"SELECT {_COLUMNS} FROM jobs WHERE id = ?", job_id)

    def start(self, job_id: str) -> Job | None:
        return self._one(
            "UPDATE jobs SET status = 'running', attempts = attempts + 1, updated_at = ? "
            f"WHERE id = ? AND status IN ('queued', 'running') RETURNING {_COLUMNS}",
            time.time(),
            job_id,
        )

    def set_progress(self, job_id: str, progress: float) -> JobStatus | None:
        with self._connect() as db:
            db.execute(
                "UPDATE jobs SET progress = ?, updated_at = ? WHERE id = ? AND status = 'running'",
                (progress, time.time(), job_id),
            )
            row = db.execute("SELECT status FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return None if row is None else parse_status(row[0])

    def finish(
        self,
        job_id: str,
        status: Outcome,
        result: JSONObject | None = None,
        error: JobError | None = None,
    ) -> Job | None:
        return self._one(
            "UPDATE jobs SET status = ?, progress = ?, result = ?, summary = ?, error_code = ?, "
            "error_message = ?, updated_at = ? "
            f"WHERE id = ? AND status IN ('queued', 'running') RETURNING {_COLUMNS}",
            status,
            1.0 if status == "succeeded" else 0.0,
            None if result is None else json.dumps(result),
            summary_json(result),
            None if error is None else error.code,
            None if error is None else error.message,
            time.time(),
            job_id,
        )

    def cancel(self, job_id: str) -> Job | None:
        self._one(
            "UPDATE jobs SET status = 'cancelled', updated_at = ? "
            f"WHERE id = ? AND status IN ('queued', 'running') RETURNING {_COLUMNS}",
            time.time(),
            job_id,
        )
        return self.get(job_id)

    def delete(self, job_id: str) -> Job | None:
        return self._one(f"DELETE FROM jobs WHERE id = ? RETURNING {_COLUMNS}", job_id)

    def finished_before(self, timestamp: float) -> list[Job]:
        if not self._exists():
            return []
        with self._connect() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM jobs WHERE status IN ('succeeded', 'failed', "
                "'cancelled') AND updated_at < ?",
                (timestamp,),
            ).fetchall()
        return [_job(row) for row in rows]

    def requeue_running(self) -> list[str]:
        if not self._exists():
            return []
        with self._connect() as db:
            rows = db.execute(
                "UPDATE jobs SET status = 'queued', progress = 0, updated_at = ? "
                "WHERE status = 'running' RETURNING id",
                (time.time(),),
            ).fetchall()
        return [row[0] for row in rows]

    def queued(self) -> list[str]:
        if not self._exists():
            return []
        with self._connect() as db:
            rows = db.execute(
                "SELECT id FROM jobs WHERE status = 'queued' ORDER BY created_at, id"
            ).fetchall()
        return [row[0] for row in rows]

    def list_jobs(
        self,
        owner: str | None,
        status: JobStatus | None,
        limit: int,
        before: tuple[float, str] | None = None,
    ) -> list[JobSummary]:
        if not self._exists():
            return []
        clauses, params = ["1"], list[object]()
        if owner is not None:
            clauses.append("owner = ?")
            params.append(owner)
        if status is not None:
            clauses.append("status = ?")
            params.append(status)
        if before is not None:
            clauses.append("(created_at < ? OR (created_at = ? AND id < ?))")
            params += [before[0], before[0], before[1]]
        sql = (
            f"SELECT {_LISTED} FROM jobs WHERE {' AND '.join(clauses)} "
            "ORDER BY created_at DESC, id DESC LIMIT ?"
        )
        with self._connect() as db:
            rows = db.execute(sql, (*params, limit)).fetchall()
        return [_listed(row) for row in rows]

    def _exists(self) -> bool:
        return self._created or self.path.exists()

    def _one(self, sql: str, *params: Any) -> Job | None:
        with self._connect() as db:
            row = db.execute(sql, params).fetchone()
        return None if row is None else _job(row)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            with self._open() as db:
                yield db
        except (sqlite3.OperationalError, OSError) as exc:
            if not _storage_fault(exc):
                raise
            raise InsufficientStorage.writing("the job store") from exc

    @contextmanager
    def _open(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if not self._created:
                self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                # Jobs hold results and callback URLs: the service's user only. SQLite gives its
                # -wal and -shm files the database file's mode.
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
                self.path.chmod(0o600)
                with closing(sqlite3.connect(self.path, timeout=30, isolation_level=None)) as db:
                    db.execute("PRAGMA journal_mode=WAL")
                    db.executescript(_SCHEMA)
                    columns = {row[1] for row in db.execute("PRAGMA table_info(jobs)")}
                    for name in _ADDED_COLUMNS:
                        if name not in columns:
                            db.execute(f"ALTER TABLE jobs ADD COLUMN {name} TEXT")
                    db.execute(_OWNER_INDEX)
                self._created = True
        # Autocommit: each statement is its own transaction.
        with closing(sqlite3.connect(self.path, timeout=30, isolation_level=None)) as db:
            yield db


def _storage_fault(exc: BaseException) -> bool:
    if isinstance(exc, sqlite3.OperationalError):
        name = getattr(exc, "sqlite_errorname", "")
        return name.startswith(("SQLITE_FULL", "SQLITE_IOERR")) or "disk is full" in str(exc)
    return out_of_space(exc)


def _row(job: Job) -> tuple[object, ...]:
    return (
        job.id,
        job.status,
        job.progress,
        job.options.to_json(),
        job.upload_path,
        job.callback_url,
        job.created_at,
        job.updated_at,
        job.attempts,
        None if job.result is None else json.dumps(job.result),
        None if job.error is None else job.error.code,
        None if job.error is None else job.error.message,
        job.owner,
        job.kind,
    )


def _job(row: tuple[Any, ...]) -> Job:
    (id_, status, progress, options, upload, callback, created, updated, attempts) = row[:9]
    result, error_code, error_message, owner, kind = row[9:]
    return Job(
        id=id_,
        status=parse_status(status),
        progress=progress,
        options=AnalysisOptions.from_json(options),
        upload_path=upload,
        callback_url=callback,
        created_at=created,
        updated_at=updated,
        attempts=attempts,
        result=None if result is None else json.loads(result),
        error=None if error_code is None else JobError(error_code, error_message or ""),
        owner=owner,
        kind=parse_kind(kind),
    )


def _listed(row: tuple[Any, ...]) -> JobSummary:
    (id_, status, kind, progress, created, updated, attempts, error_code, error_message) = row[:9]
    summary, result = row[9:]
    old = None if result is None else json.loads(result)
    return JobSummary(
        id=id_,
        status=parse_status(status),
        kind=parse_kind(kind) or result_kind(old),
        progress=progress,
        created_at=created,
        updated_at=updated,
        attempts=attempts,
        error=None if error_code is None else JobError(error_code, error_message or ""),
        summary=summarize(old) if summary is None else ResultSummary.from_json(summary),
    )
