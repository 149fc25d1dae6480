"""The job interfaces: ``JobStore`` (where jobs live) and ``JobBackend`` (what runs them), with the
backend registry ``register_job_backend`` / ``create_job_backend`` / ``list_job_backends``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from deepfake_detection.jobs.job import Job, JobError, JobStatus, JSONObject, Outcome
from deepfake_detection.jobs.summary import JobSummary
from deepfake_detection.shared.registry import Registry


class JobStore(Protocol):
    """Every method is atomic: several workers may call it for the same job at once."""

    def add(self, job: Job) -> None: ...

    def get(self, job_id: str) -> Job | None: ...

    def start(self, job_id: str) -> Job | None:
        """queued or running (a redelivered job) -> running, one more attempt; ``None`` when the
        job is gone or finished (then there is nothing to run: tasks are idempotent)."""
        ...

    def set_progress(self, job_id: str, progress: float) -> JobStatus | None:
        """Record progress of a running job; the job's status (``cancelled`` tells it to stop)."""
        ...

    def finish(
        self,
        job_id: str,
        status: Outcome,
        result: JSONObject | None = None,
        error: JobError | None = None,
    ) -> Job | None:
        """Record the outcome, and the result's summary, unless the job was cancelled or deleted
        meanwhile."""
        ...

    def cancel(self, job_id: str) -> Job | None:
        """queued/running -> cancelled; the job as it now is (``None``: no such job)."""
        ...

    def delete(self, job_id: str) -> Job | None:
        """Remove the job; the job as it was (``None``: no such job)."""
        ...

    def finished_before(self, timestamp: float) -> list[Job]:
        """Finished jobs last updated before ``timestamp`` (to be removed)."""
        ...

    def requeue_running(self) -> list[str]:
        """running -> queued for every job (after a restart, no job can be running)."""
        ...

    def queued(self) -> list[str]:
        """Ids of the queued jobs, oldest first."""
        ...

    def list_jobs(
        self,
        owner: str | None,
        status: JobStatus | None,
        limit: int,
        before: tuple[float, str] | None = None,
    ) -> list[JobSummary]:
        """Up to ``limit`` jobs of ``owner`` (``None``: every job), newest first (creation time,
        then id), only those with ``status`` if given, and only those after ``before`` (the
        creation time and id of the last job of the previous page). Their summaries: a listing
        never reads the results."""
        ...


class JobBackend(Protocol):
    """Runs queued jobs with ``run_job`` (task.py), wherever its workers are."""

    name: str
    store: JobStore

    def start(self) -> None:
        """Start workers or connections; called once by the service's lifespan."""
        ...

    def enqueue(self, job: Job) -> None:
        """Hand a job (already in the store, status queued) to the workers."""
        ...

    def queue_length(self) -> int:
        """Jobs handed to the workers that none has started yet."""
        ...

    def problem(self) -> str | None:
        """Why queued jobs cannot progress now, as this process sees it (``None``: they can)."""
        ...

    def stop(self) -> None: ...


BackendFactory = Callable[..., JobBackend]
F = TypeVar("F", bound=BackendFactory)

_BACKENDS: Registry[JobBackend] = Registry(
    "job backend",
    "backends",
    {
        "embedded": "deepfake_detection.jobs.embedded",
        "celery": "deepfake_detection.jobs.celery_backend",
    },
)


def register_job_backend(name: str) -> Callable[[F], F]:
    """Class decorator: make a backend available to ``create_job_backend`` under ``name``."""
    return _BACKENDS.register(name)


def list_job_backends() -> list[str]:
    """Names accepted by ``create_job_backend``, sorted."""
    return _BACKENDS.names()


def create_job_backend(name: str, **kwargs: object) -> JobBackend:
    """A new backend; an unknown name is an ``InvalidOptions`` naming the valid ones. Built-in
    backends are imported only when chosen (Celery is not imported for the embedded one)."""
    return _BACKENDS.create(name, **kwargs)
