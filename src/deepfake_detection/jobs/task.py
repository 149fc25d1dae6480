"""The one job function every backend runs: analyse the upload, record the outcome, notify.

``run_job`` is idempotent: a job that is already finished, cancelled or deleted is skipped, and a
job found ``running`` (its worker died; the broker redelivered it) simply runs again, up to
``max_attempts`` times.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from deepfake_detection.errors import DetectionError, InsufficientStorage, out_of_space
from deepfake_detection.jobs.base import JobStore
from deepfake_detection.jobs.job import Job, JobError, JobStatus, JSONObject, Outcome
from deepfake_detection.monitoring.metrics import get_metrics
from deepfake_detection.runtime.options import AnalysisOptions

logger = logging.getLogger(__name__)

Progress = Callable[[float], None]
AnalyzeMedia = Callable[[Path, AnalysisOptions, Progress], JSONObject]
"""Analyses an uploaded file; returns the JSON answer; raises ``DetectionError`` for bad input."""
Notify = Callable[[Job], None]

MAX_ATTEMPTS = 3


class JobCancelled(Exception):
    """Raised by the progress callback when the job was cancelled or deleted meanwhile."""


def run_job(
    job_id: str,
    upload_path: str | Path,
    options: AnalysisOptions,
    *,
    store: JobStore,
    analyze: AnalyzeMedia,
    notify: Notify | None = None,
    max_attempts: int = MAX_ATTEMPTS,
) -> JobStatus | None:
    """Run one job to its end; the status it ended in (``None``: nothing to run). The upload is
    deleted as soon as the job has its outcome: nothing a client sent is kept longer than needed,
    unless the client asked to have its media annotated (``annotate``) and the job succeeded; then
    it goes with the job (retention or ``DELETE``)."""
    job = store.start(job_id)
    if job is None:
        return None
    path = Path(upload_path)
    status = _run(job, path, options, store, analyze, notify, max_attempts)
    # Reached only with an outcome recorded (or the job cancelled or deleted meanwhile): a worker
    # that dies before this line leaves the upload for the redelivered job.
    if not (options.annotate and status == "succeeded"):
        path.unlink(missing_ok=True)
    return status


def _run(
    job: Job,
    path: Path,
    options: AnalysisOptions,
    store: JobStore,
    analyze: AnalyzeMedia,
    notify: Notify | None,
    max_attempts: int,
) -> JobStatus | None:
    job_id = job.id
    if job.attempts > max_attempts:
        error = JobError("worker_lost", f"the job stopped its worker {max_attempts} times")
        return _finish(store, job_id, None, error, notify)

    def progress(value: float) -> None:
        if store.set_progress(job_id, round(value, 3)) != "running":
            raise JobCancelled(job_id)

    try:
        result = analyze(path, options, progress)
    except JobCancelled:
        return "cancelled"
    except DetectionError as exc:
        message = exc.message.replace(str(path), "the upload")  # never the server's layout
        return _finish(store, job_id, None, JobError(exc.code, message), notify)
    except Exception as exc:
        if out_of_space(exc):
            logger.error("job %s: the storage is full: %s", job_id, exc)
            full = InsufficientStorage.writing("the job's files")
            return _finish(store, job_id, None, JobError(full.code, full.message), notify)
        logger.exception("job %s failed", job_id)
        error = JobError("internal_error", "the analysis failed; the worker log has the details")
        return _finish(store, job_id, None, error, notify)
    return _finish(store, job_id, result, None, notify)


def _finish(
    store: JobStore,
    job_id: str,
    result: JSONObject | None,
    error: JobError | None,
    notify: Notify | None,
) -> JobStatus | None:
    status: Outcome = "failed" if error is not None else "succeeded"
    job = store.finish(job_id, status, result=result, error=error)
    if job is None:  # cancelled or deleted while it ran
        current = store.get(job_id)
        return None if current is None else current.status
    metrics = get_metrics()
    metrics.jobs.labels(job.status).inc()
    if result is not None:
        metrics.observe_analysis(result)
    if notify is not None and job.callback_url:
        try:
            notify(job)
        except Exception:
            logger.exception("the webhook of job %s could not be sent", job_id)
    return job.status
