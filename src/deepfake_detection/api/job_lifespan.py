"""The job backend's lifespan in a running service: the job service and the synchronous video
analyzer that the video and job routes share (``VideoServices``), started and stopped with the
app."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import anyio.to_thread
from fastapi import FastAPI

from deepfake_detection.api.services import Services, VideoServices
from deepfake_detection.jobs.base import create_job_backend
from deepfake_detection.jobs.media_analyzer import MediaAnalyzer
from deepfake_detection.jobs.service import JobService
from deepfake_detection.jobs.webhook import webhook_notifier, webhook_policy

logger = logging.getLogger(__name__)


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
