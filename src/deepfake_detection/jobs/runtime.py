"""What a process needs to run jobs, built from its settings: the analysis function and the webhook
sender. Used by the service's lifespan (embedded backend) and by every Celery worker."""

from __future__ import annotations

from deepfake_detection.analysis_options import video_limits
from deepfake_detection.api.services import Services
from deepfake_detection.api.video_schemas import job_response
from deepfake_detection.config import Settings
from deepfake_detection.jobs.job import Job
from deepfake_detection.jobs.media import MediaAnalyzer
from deepfake_detection.jobs.task import Notify
from deepfake_detection.jobs.webhook import WebhookPolicy, send_webhook
from deepfake_detection.video_analysis import VideoAnalyzer


def video_analyzer(services: Services, *, max_duration_s: float | None = None) -> VideoAnalyzer:
    return VideoAnalyzer(
        services.detector(None),
        services.analyzer.classifier,
        video_limits(services.settings, max_duration_s=max_duration_s),
        decode_threads=services.settings.video_decode_threads,
    )


def media_analyzer(services: Services) -> MediaAnalyzer:
    return MediaAnalyzer(services, video_analyzer(services))


def webhook_policy(settings: Settings) -> WebhookPolicy | None:
    """``None`` when no secret is configured: then jobs with a ``callback_url`` are refused."""
    if not settings.webhook_secret:
        return None
    return WebhookPolicy(
        secret=settings.webhook_secret,
        allow_private=settings.webhook_allow_private,
        retries=settings.webhook_retries,
        backoff_s=settings.webhook_backoff_s,
        timeout_s=settings.webhook_timeout_s,
    )


def webhook_notifier(settings: Settings) -> Notify | None:
    policy = webhook_policy(settings)
    if policy is None:
        return None

    def notify(job: Job) -> None:
        if job.callback_url:
            send_webhook(job.callback_url, job_response(job).model_dump(mode="json"), policy)

    return notify
