"""The job backend's lifespan in a running service: the job service and the synchronous video
analyzer that the video and job routes share, started and stopped with the app
(``video_lifespan``), and their body limits."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated

import anyio
import anyio.to_thread
from fastapi import Depends, FastAPI, Request

from deepfake_detection.analysis.video import VideoAnalyzer
from deepfake_detection.api.services import Services
from deepfake_detection.config import Settings
from deepfake_detection.errors import ModelUnavailable
from deepfake_detection.jobs.base import create_job_backend
from deepfake_detection.jobs.media_analyzer import MediaAnalyzer
from deepfake_detection.jobs.service import JobService
from deepfake_detection.jobs.webhook import WebhookPolicy, webhook_notifier, webhook_policy

logger = logging.getLogger(__name__)

VIDEO_PATHS = ("/v1/videos", "/v1/jobs", "/detect_deepfake_video")
# Room for the multipart framing and the option fields around the upload.
_FORM_OVERHEAD = 64 * 1024


@dataclass
class VideoServices:
    analyzer: VideoAnalyzer
    """For ``POST /v1/videos``: its duration limit is ``video_sync_max_duration_s``."""
    jobs: JobService
    webhooks: WebhookPolicy | None


def video_body_limits(settings: Settings) -> dict[str, int]:
    """Body limits (bytes) by path prefix, for the app's body limit middleware."""
    limit = max(settings.video_max_bytes, settings.max_upload_bytes) + _FORM_OVERHEAD
    return dict.fromkeys(VIDEO_PATHS, limit)


@asynccontextmanager
async def video_lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start the job backend (once the models are loaded) and stop it at shutdown; remove expired
    jobs every few minutes."""
    services: Services | None = app.state.services
    app.state.videos = None
    if services is None:
        yield
        return
    settings = services.models.settings
    backend = create_job_backend(
        settings.job_backend,
        settings=settings,
        analyze=MediaAnalyzer(services.models),
        notify=webhook_notifier(settings),
    )
    jobs = JobService(
        backend,
        settings.data_dir,
        settings.job_retention_s,
        settings.job_max_queued,
        settings.data_min_free_bytes,
    )
    await anyio.to_thread.run_sync(backend.start)
    # Older than any upload, download or drawing still in progress, in this process or another.
    orphan_age_s = max(
        settings.fetch_timeout_s, settings.annotate_timeout_s, settings.body_timeout_s
    )
    removed = await anyio.to_thread.run_sync(jobs.remove_orphans, orphan_age_s + 60)
    if removed:
        logger.warning("removed %d files in the uploads folder that no job needs", removed)
    sync = services.models.video_analyzer(max_duration_s=settings.video_sync_max_duration_s)
    app.state.videos = VideoServices(sync, jobs, webhook_policy(settings))
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(_purge_forever, jobs, min(300.0, settings.job_retention_s / 4))
        try:
            yield
        finally:
            tasks.cancel_scope.cancel()
            await anyio.to_thread.run_sync(backend.stop)


async def _purge_forever(jobs: JobService, every_s: float) -> None:
    while True:
        try:
            removed = await anyio.to_thread.run_sync(jobs.purge_expired)
            if removed:
                logger.info("removed %d expired jobs and their uploads", removed)
        except Exception:
            logger.exception("removing expired jobs failed; trying again later")
        await anyio.sleep(every_s)


async def get_video_services(request: Request) -> VideoServices:
    videos: VideoServices | None = getattr(request.app.state, "videos", None)
    if videos is None:
        raise ModelUnavailable(f"the model is not loaded: {request.app.state.unavailable}")
    return videos


VideoServicesDep = Annotated[VideoServices, Depends(get_video_services)]
