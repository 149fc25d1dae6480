"""The embedded backend (default): worker threads in the service's own process, jobs in SQLite.

No extra server is needed. On start, jobs that were running when the process died go back to the
queue, then every queued job is queued again in creation order. One process owns the store: scale
out with the Celery backend, not with several embedded processes on one data directory. Webhooks
are sent by their own threads (``delivery.py``), never by a job worker.

A worker survives whatever its loop raises. A full data volume (``InsufficientStorage``: the store
or the job's files cannot be written) puts the job back on the queue after a wait that doubles up to
30 s, and ``problem()`` says so until a job gets through again, so ``/readyz`` reports the service
not ready meanwhile. Any other error fails that one job (``internal_error``, traceback in the log).
"""

from __future__ import annotations

import logging
import queue
import threading

from deepfake_detection.config import Settings
from deepfake_detection.errors import InsufficientStorage, out_of_space
from deepfake_detection.jobs.base import JobStore, register_job_backend
from deepfake_detection.jobs.delivery import WebhookDelivery
from deepfake_detection.jobs.job import Job, JobError
from deepfake_detection.jobs.sqlite_store import SqliteJobStore
from deepfake_detection.jobs.task import AnalyzeMedia, Notify, run_job

logger = logging.getLogger(__name__)

_FIRST_WAIT_S = 1.0
_LONGEST_WAIT_S = 30.0


@register_job_backend("embedded")
class EmbeddedJobBackend:
    name = "embedded"

    def __init__(
        self,
        *,
        settings: Settings,
        analyze: AnalyzeMedia,
        notify: Notify | None = None,
        store: JobStore | None = None,
    ) -> None:
        self.store: JobStore = store or SqliteJobStore(settings.data_dir / "jobs.sqlite3")
        self._analyze = analyze
        # Webhooks go out on their own threads: a slow receiver never holds up the next job.
        self._delivery = None if notify is None else WebhookDelivery(notify)
        self._notify = None if self._delivery is None else self._delivery.submit
        self._workers = settings.job_workers
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._fault: str | None = None
        self._wait_s = _FIRST_WAIT_S
        self._retrying: set[str] = set()

    def start(self) -> None:
        requeued = self.store.requeue_running()
        if requeued:
            logger.warning(
                "re-queued %d jobs that were running when the service stopped", len(requeued)
            )
        for job_id in self.store.queued():
            self._queue.put(job_id)
        self._stopping.clear()
        if self._delivery is not None:
            self._delivery.start()
        for i in range(self._workers):
            # Daemon threads: a stop that times out must not keep the process alive; a job cut
            # short that way is still ``running`` in the store and is re-queued on the next start.
            thread = threading.Thread(target=self._work, name=f"dfd-job-{i}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def enqueue(self, job: Job) -> None:
        self._queue.put(job.id)

    def queue_length(self) -> int:
        return len(self.store.queued())

    def problem(self) -> str | None:
        """Why queued jobs cannot progress now (``None``: they can)."""
        with self._lock:
            fault = self._fault
        if self._threads and not any(thread.is_alive() for thread in self._threads):
            return "every job worker has stopped"
        return fault

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stopping.set()
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout_s)
        self._threads = []
        if self._delivery is not None:
            self._delivery.stop(timeout_s)

    def _work(self) -> None:
        while (job_id := self._queue.get()) is not None:
            try:
                self._run(job_id)
            except InsufficientStorage as exc:
                self._wait_and_retry(job_id, exc.message)
            except Exception as exc:
                if out_of_space(exc):
                    self._wait_and_retry(job_id, str(exc))
                else:
                    logger.exception("job %s stopped its worker's loop; the job fails", job_id)
                    self._fail(job_id)

    def _run(self, job_id: str) -> None:
        job = self.store.get(job_id)
        with self._lock:
            retry = job_id in self._retrying
            self._retrying.discard(job_id)
        # A job put back after a storage fault may be left running: it runs again.
        if job is None or not (job.status == "queued" or (retry and job.status == "running")):
            return
        run_job(
            job.id,
            job.upload_path,
            job.options,
            store=self.store,
            analyze=self._analyze,
            notify=self._notify,
        )
        with self._lock:
            if self._fault is not None:
                logger.warning("jobs progress again: %s is over", self._fault)
            self._fault, self._wait_s = None, _FIRST_WAIT_S

    def _wait_and_retry(self, job_id: str, reason: str) -> None:
        with self._lock:
            if self._fault is None:
                logger.error("jobs cannot progress: %s; retrying", reason)
            self._fault = f"jobs cannot progress: {reason}"
            wait_s, self._wait_s = self._wait_s, min(self._wait_s * 2, _LONGEST_WAIT_S)
            self._retrying.add(job_id)
        if not self._stopping.wait(wait_s):
            self._queue.put(job_id)

    def _fail(self, job_id: str) -> None:
        error = JobError("internal_error", "the job could not be run; the server log has details")
        try:
            self.store.finish(job_id, "failed", error=error)
        except Exception:
            logger.exception("job %s could not be marked failed", job_id)
