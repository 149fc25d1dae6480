"""What every analysis reports once it is done: its frames against the caller's daily quota, its
stage times, faces and verdict to the metrics. One call per analysis route."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import Request

from deepfake_detection.api.auth import caller_key
from deepfake_detection.api.ratelimit import RateLimits, charge_frames, check_frames
from deepfake_detection.config import Settings
from deepfake_detection.media.kind import Kind
from deepfake_detection.monitoring.metrics import get_metrics
from deepfake_detection.runtime.options import AnalysisOptions


def rate_limits(request: Request) -> RateLimits | None:
    limits: RateLimits | None = getattr(request.app.state, "rate_limits", None)
    return limits


async def check_quota(request: Request) -> None:
    """``QuotaExceeded`` (429) when the caller's key has no frames left today."""
    await check_frames(rate_limits(request), caller_key(request.scope))


async def record_analysis(request: Request, result: Mapping[str, object]) -> None:
    """Charge the analysis's frames to the caller and record it in the metrics."""
    get_metrics().observe_analysis(result)
    await charge(request, frames_analysed(result))


async def charge(request: Request, frames: int) -> None:
    await charge_frames(rate_limits(request), caller_key(request.scope), frames)


def frames_analysed(result: Mapping[str, object]) -> int:
    """1 for an image; the sampled frames for a video."""
    frames = result.get("sampled_frames") if "video" in result else 1
    return frames if isinstance(frames, int) else 0


def job_frames(settings: Settings, kind: Kind, options: AnalysisOptions) -> int:
    """What a job is charged when it is queued: the most frames it may analyse (its result is not
    known yet, and the worker that computes it may run anywhere)."""
    if kind == "image":
        return 1
    if options.every_s is not None:
        return settings.video_max_frames
    return min(options.frames or settings.video_frames, settings.video_max_frames)
