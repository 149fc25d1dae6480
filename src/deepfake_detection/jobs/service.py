"""Submitting, reading, cancelling and expiring jobs, whichever backend runs them.

Uploads live in ``<data_dir>/uploads/<job id>.upload``: the name comes from the job id (a random
UUID), never from the client, so two uploads can never share a file. The directory is the service
user's only (0700), each upload file too (0600). An upload is deleted as soon as its job has an
outcome (``run_job``); the finished job is kept for ``job_retention_s``, then removed.
"""

from __future__ import annotations

import base64
import logging
import re
import shutil
import time
import uuid
from pathlib import Path

from deepfake_detection.errors import InvalidOptions, NotFound, Overloaded, human_size
from deepfake_detection.jobs.base import JobBackend
from deepfake_detection.jobs.job import Job, JobStatus, Removal
from deepfake_detection.jobs.summary import JobSummary
from deepfake_detection.media.kind import Kind
from deepfake_detection.runtime.options import AnalysisOptions

logger = logging.getLogger(__name__)

_JOB_ID = re.compile(r"[0-9a-f]{32}")


class JobService:
    def __init__(
        self,
        backend: JobBackend,
        data_dir: Path,
        retention_s: float,
        max_queued: int = 1000,
        min_free_bytes: int = 0,
    ) -> None:
        self.backend = backend
        self.store = backend.store
        self.data_dir = data_dir
        self.uploads = data_dir / "uploads"
        self.retention_s = retention_s
        self.max_queued = max_queued
        self.min_free_bytes = min_free_bytes

    def problem(self) -> str | None:
        """Why jobs cannot be taken or progress now (``None``: they can): the backend's own
        trouble, or a data volume with less than ``min_free_bytes`` free."""
        if (trouble := self.backend.problem()) is not None:
            return trouble
        try:
            free = shutil.disk_usage(_existing(self.data_dir)).free
        except OSError as exc:
            return f"the data directory cannot be read: {exc.strerror}"
        if free < self.min_free_bytes:
            return (
                f"the data volume has {human_size(free)} free; jobs need at least "
                f"{human_size(self.min_free_bytes)} (DFD_DATA_MIN_FREE_BYTES)"
            )
        return None

    def check_capacity(self) -> None:
        """``Overloaded`` (503, retry later) while ``max_queued`` jobs wait: a burst of uploads
        must not fill the data volume faster than the workers empty it."""
        waiting = self.backend.queue_length()
        if waiting >= self.max_queued:
            raise Overloaded(
                f"{waiting} jobs are waiting to start (the limit is {self.max_queued}); retry later"
            )

    def new_upload(self) -> tuple[str, Path]:
        """A fresh job id and the path its upload must be written to."""
        job_id = uuid.uuid4().hex
        private_dir(self.uploads)
        return job_id, self.upload_path(job_id)

    def upload_path(self, job_id: str) -> Path:
        return self.uploads / f"{job_id}.upload"

    def annotated_path(self, job_id: str) -> Path:
        """Where the job's annotated video is kept once drawn (removed with the upload)."""
        return self.uploads / f"{job_id}.annotated.mp4"

    def submit(
        self,
        job_id: str,
        options: AnalysisOptions,
        callback_url: str | None,
        owner: str | None = None,
        kind: Kind | None = None,
    ) -> Job:
        """Queue the job whose upload (of ``kind``) is already at ``upload_path(job_id)``, owned
        by the API key ``owner`` (``None`` with keys off)."""
        now = time.time()
        job = Job(
            id=job_id,
            status="queued",
            progress=0.0,
            options=options,
            upload_path=str(self.upload_path(job_id)),
            callback_url=callback_url,
            created_at=now,
            updated_at=now,
            owner=owner,
            kind=kind,
        )
        self.store.add(job)
        self.backend.enqueue(job)
        return job

    def get(self, job_id: str, owner: str | None = None) -> Job:
        """The job; ``NotFound`` when there is none, or when ``owner`` is given and the job is
        another key's (the same answer: a job id says nothing about other clients' jobs)."""
        job = self.store.get(job_id) if _JOB_ID.fullmatch(job_id) else None
        if job is not None and owner is not None and job.owner != owner:
            job = None
        if job is None:
            raise NotFound(f"no job {job_id!r} (finished jobs are removed after their retention)")
        return job

    def list_jobs(
        self,
        owner: str | None,
        status: JobStatus | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> tuple[list[JobSummary], str | None]:
        """A page of ``owner``'s jobs (every job for ``None``), newest first, and the cursor of
        the next page (``None`` on the last). Summaries: ``get`` has a job's result."""
        before = None if cursor is None else decode_cursor(cursor)
        jobs = self.store.list_jobs(owner, status, limit + 1, before)
        if len(jobs) <= limit:
            return jobs, None
        last = jobs[limit - 1]
        return jobs[:limit], encode_cursor(last.created_at, last.id)

    def cancel_or_delete(self, job_id: str, owner: str | None = None) -> Removal:
        """A queued or running job is cancelled; a finished one is deleted. Either way its upload
        is removed (a worker still reading it keeps its open file until it stops)."""
        job = self.get(job_id, owner)
        if not job.finished:
            cancelled = self.store.cancel(job_id)
            if cancelled is not None and cancelled.status == "cancelled":
                self._remove_upload(job_id)
                return "cancelled"
        self.store.delete(job_id)
        self._remove_upload(job_id)
        return "deleted"

    def purge_expired(self, now: float | None = None) -> int:
        """Remove the jobs (and uploads) finished more than ``retention_s`` ago; how many."""
        cutoff = (time.time() if now is None else now) - self.retention_s
        expired = self.store.finished_before(cutoff)
        for job in expired:
            self.store.delete(job.id)
            self._remove_upload(job.id)
        return len(expired)

    def remove_orphans(self, older_than_s: float, now: float | None = None) -> int:
        """Remove files in the uploads folder untouched for ``older_than_s`` that no job needs: an
        upload or a download whose job was never created (the process died first), a drawing cut
        short (``*.part.mp4``), anything not named after a job; how many. The age keeps a file
        that another replica is writing right now."""
        if not self.uploads.is_dir():
            return 0
        cutoff = (time.time() if now is None else now) - older_than_s
        removed = 0
        for path in self.uploads.iterdir():
            try:
                if path.stat().st_mtime >= cutoff:
                    continue
                job_id = path.name.split(".", 1)[0]
                partial = path.name.endswith(".part.mp4")
                if partial or not _JOB_ID.fullmatch(job_id) or self.store.get(job_id) is None:
                    path.unlink(missing_ok=True)
                    removed += 1
            except FileNotFoundError:
                continue  # removed meanwhile
        return removed

    def _remove_upload(self, job_id: str) -> None:
        # The upload, the annotated video and any drawing of it cut short.
        if self.uploads.is_dir():
            for path in self.uploads.glob(f"{job_id}.*"):
                path.unlink(missing_ok=True)


def _existing(path: Path) -> Path:
    """``path``, or its nearest parent that exists (the data directory is made with the first
    job)."""
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def encode_cursor(created_at: float, job_id: str) -> str:
    return base64.urlsafe_b64encode(f"{created_at!r}:{job_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[float, str]:
    """The creation time and id a cursor points after; ``InvalidOptions`` for anything else."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        created_at, job_id = text.split(":")
        if not _JOB_ID.fullmatch(job_id):
            raise ValueError(job_id)
        return float(created_at), job_id
    except ValueError as exc:  # binascii.Error and UnicodeDecodeError are ValueErrors
        raise InvalidOptions(f"cursor {cursor!r} is not one this service gave") from exc


def private_dir(path: Path) -> None:
    """Create ``path`` (and missing parents) readable by this user only; make it so if it exists."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
