"""The embedded backend (default): worker threads in the service's own process, jobs in SQLite.

No extra server is needed. On start, jobs that were running when the process died go back to the
queue, then every queued job is queued again in creation order. One process owns the store: scale
out with the Celery backend, not with several embedded processes on one data directory. Webhooks
are sent by their own threads (``delivery.py``), never by a job worker.
"""

from __future__ import annotations

import logging
import queue
import threading

from deepfake_detection.config import Settings
from deepfake_detection.jobs.base import JobStore, register_job_backend
from deepfake_detection.jobs.delivery import WebhookDelivery
from deepfake_detection.jobs.job import Job
from deepfake_detection.jobs.store import SqliteJobStore
from deepfake_detection.jobs.task import AnalyzeMedia, Notify, run_job

logger = logging.getLogger(__name__)


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

    def start(self) -> None:
        requeued = self.store.requeue_running()
        if requeued:
            logger.warning(
                "re-queued %d jobs that were running when the service stopped", len(requeued)
            )
        for job_id in self.store.queued():
            self._queue.put(job_id)
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

    def stop(self, timeout_s: float = 5.0) -> None:
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout_s)
        self._threads = []
        if self._delivery is not None:
            self._delivery.stop(timeout_s)

    def _work(self) -> None:
        while (job_id := self._queue.get()) is not None:
            job = self.store.get(job_id)
            if job is None or job.status != "queued":
                continue
            run_job(
                job.id,
                job.upload_path,
                job.options,
                store=self.store,
                analyze=self._analyze,
                notify=self._notify,
            )
