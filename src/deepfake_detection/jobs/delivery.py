"""Webhook delivery off the job path: finished jobs are handed to their own sender threads.

A webhook to a receiver that is slow or unreachable can take minutes with its retries and backoff
(``send_webhook``); sent from the job worker, five such jobs delayed an ordinary image job by 142 s.
Here the worker only queues the finished job and goes on to the next one. Eight sender threads, and
every attempt and delivery has a deadline (``webhook.send_webhook``): a receiver that trickles its
answer holds one thread until its delivery's deadline, and up to seven such receivers at once delay
no other webhook (with two threads, one receiver delayed another client's webhook by 397 s). The
threads wait on the queue when idle; they cost no CPU. The queue is bounded: past
``max_pending`` waiting deliveries a new one is dropped with a warning (the job's outcome stays in
the store for ``GET /v1/jobs/{id}``). Deliveries still queued when the service stops are lost.
"""

from __future__ import annotations

import logging
import queue
import threading

from deepfake_detection.jobs.job import Job
from deepfake_detection.jobs.task import Notify

logger = logging.getLogger(__name__)


class WebhookDelivery:
    def __init__(self, send: Notify, *, threads: int = 8, max_pending: int = 1000) -> None:
        self._send = send
        self._count = threads
        self._queue: queue.Queue[Job | None] = queue.Queue(maxsize=max_pending)
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for i in range(self._count):
            thread = threading.Thread(target=self._work, name=f"dfd-webhook-{i}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def submit(self, job: Job) -> None:
        """Queue ``job``'s webhook; returns at once."""
        try:
            self._queue.put_nowait(job)
        except queue.Full:
            logger.warning("webhook of job %s dropped: %d deliveries waiting", job.id, self.pending)

    @property
    def pending(self) -> int:
        return self._queue.qsize()

    def stop(self, timeout_s: float = 5.0) -> None:
        for _ in self._threads:
            try:
                self._queue.put(None, timeout=timeout_s)
            except queue.Full:
                break  # daemon threads: they end with the process
        for thread in self._threads:
            thread.join(timeout_s)
        self._threads = []

    def _work(self) -> None:
        while (job := self._queue.get()) is not None:
            try:
                self._send(job)
            except Exception:
                logger.exception("the webhook of job %s could not be sent", job.id)
