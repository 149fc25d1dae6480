"""The scale-out backend: Celery with Redis as broker and result store, workers anywhere.

A message carries the job id, the upload's path on the shared data volume and the options as JSON,
never the upload's bytes. Delivery is at least once and the task is idempotent (``run_job``):

- ``task_acks_late`` + ``task_reject_on_worker_lost``: a job is acknowledged only when it is done;
  a worker process that dies mid-job gives it back.
- ``worker_prefetch_multiplier = 1``: a worker reserves one job at a time, so a long job never holds
  others hostage behind it.
- Webhooks are their own task (``dfd.send_webhook``), one attempt each; a retry is sent again with
  a countdown, so a receiver that does not answer never holds a worker that could run a job.
- Redis ``visibility_timeout`` longer than the longest job (2 x ``job_timeout_s`` by default):
  after a whole worker machine is lost, its unacknowledged job is redelivered once the timeout has
  passed; kombu looks for such jobs every ``unacked_restore_interval`` seconds.
"""

from __future__ import annotations

from typing import Any

import redis
from celery import Celery

from deepfake_detection.config import Settings
from deepfake_detection.jobs.base import JobStore, register_job_backend
from deepfake_detection.jobs.job import Job
from deepfake_detection.jobs.redis_store import RedisJobStore
from deepfake_detection.jobs.schemas import job_response
from deepfake_detection.jobs.task import AnalyzeMedia, run_job
from deepfake_detection.jobs.webhook import post_webhook, retry_delay, webhook_policy
from deepfake_detection.runtime.options import AnalysisOptions

TASK_NAME = "dfd.run_job"
WEBHOOK_TASK_NAME = "dfd.send_webhook"


def visibility_timeout(settings: Settings) -> float:
    return settings.job_visibility_timeout_s or 2 * settings.job_timeout_s


def create_celery_app(settings: Settings) -> Celery:
    """The Celery app of the API (which only sends) and of ``dfd worker`` (which runs the task)."""
    visibility = visibility_timeout(settings)
    transport = {
        "visibility_timeout": visibility,
        # Look for abandoned jobs often enough that they come back soon after the timeout.
        "unacked_restore_interval": max(1, min(10, round(visibility / 4))),
        "unacked_restore_throttle": 1,
    }
    app = Celery("deepfake_detection", set_as_current=False)
    app.conf.update(
        broker_url=settings.redis_url,
        result_backend=settings.redis_url,
        broker_transport_options=transport,
        result_backend_transport_options={"visibility_timeout": visibility},
        broker_connection_retry_on_startup=True,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_soft_time_limit=settings.job_timeout_s,
        task_time_limit=settings.job_timeout_s + 30,
        result_expires=int(settings.job_retention_s),
        worker_hijack_root_logger=False,
    )
    store = RedisJobStore(settings.redis_url)
    runtime: list[AnalyzeMedia] = []
    policy = webhook_policy(settings)

    def notify(job: Job) -> None:
        # Its own task: a slow receiver's retries never hold a worker that could run a job.
        app.send_task(WEBHOOK_TASK_NAME, args=[job.id, 0])

    @app.task(name=TASK_NAME)  # type: ignore[untyped-decorator]
    def run(job_id: str, upload_path: str, options: str) -> str | None:
        if not runtime:  # first job of this worker process: load the models once
            runtime.append(worker_runtime(settings))
        return run_job(
            job_id,
            upload_path,
            AnalysisOptions.from_json(options),
            store=store,
            analyze=runtime[0],
            notify=notify if policy is not None else None,
        )

    @app.task(name=WEBHOOK_TASK_NAME)  # type: ignore[untyped-decorator]
    def deliver(job_id: str, attempt: int) -> str:
        """One attempt; a retry is a new task sent with a countdown, so no worker waits."""
        job = store.get(job_id)
        if policy is None or job is None or not job.callback_url:
            return "refused"
        payload = job_response(job).model_dump(mode="json")
        outcome = post_webhook(job.callback_url, payload, policy, attempt=attempt)
        if outcome == "retry" and attempt < policy.retries:
            # Redis hands a message whose countdown outlasts the visibility timeout to a second
            # worker as well: a longer wait would send the webhook twice.
            delay = min(retry_delay(policy, attempt + 1), visibility_timeout(settings) / 2)
            app.send_task(WEBHOOK_TASK_NAME, args=[job_id, attempt + 1], countdown=delay)
        return outcome

    return app


def worker_runtime(settings: Settings) -> AnalyzeMedia:
    """What a worker process runs jobs with: its own models, loaded from the runtime layer."""
    # Imported here: the API process, which only sends jobs, never loads the models for them.
    from deepfake_detection.jobs.media_analyzer import MediaAnalyzer
    from deepfake_detection.runtime.models import load_models

    models = load_models(settings)
    models.warm_up()
    return MediaAnalyzer(models)


@register_job_backend("celery")
class CeleryJobBackend:
    name = "celery"

    def __init__(
        self, *, settings: Settings, store: JobStore | None = None, **_unused: Any
    ) -> None:
        """``analyze``/``notify`` of the API process are unused: each worker builds its own."""
        self.store: JobStore = store or RedisJobStore(settings.redis_url)
        self.app = create_celery_app(settings)
        self._broker = redis.Redis.from_url(settings.redis_url)

    def start(self) -> None:
        pass

    def enqueue(self, job: Job) -> None:
        self.app.send_task(
            TASK_NAME, args=[job.id, job.upload_path, job.options.to_json()], task_id=job.id
        )

    def queue_length(self) -> int:
        # Kombu's Redis transport keeps a queue's waiting messages in a list of the queue's name.
        length: int = self._broker.llen(self.app.conf.task_default_queue)
        return length

    def problem(self) -> str | None:
        """The broker is what this process needs: the workers run elsewhere, with their own
        readiness."""
        try:
            self._broker.ping()
        except redis.RedisError as exc:
            return f"the job broker does not answer: {type(exc).__name__}"
        return None

    def stop(self) -> None:
        self.app.close()
        self._broker.close()
