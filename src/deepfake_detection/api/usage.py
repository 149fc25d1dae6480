"""What every analysis reports: its frames against the caller's daily quota (reserved before the work
with ``reserved_frames``, the unused part given back after it), its stage times, faces and verdict
to the metrics (``record_analysis``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass

import anyio
from fastapi import Request

from deepfake_detection.api.auth import caller_key
from deepfake_detection.api.ratelimit import (
    RateLimits,
    charge_frames,
    check_frames,
    release_frames,
    reserve_frames,
)
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


@dataclass
class Reservation:
    frames: int
    """Frames taken from the caller's quota before the work (0: no quota applies)."""
    used: int = 0
    """Frames the work used: set once it succeeded; the rest goes back."""


@asynccontextmanager
async def reserved_frames(request: Request, frames: int) -> AsyncIterator[Reservation]:
    """Reserve the most ``frames`` the work may use (``QuotaExceeded``, 429, when the caller's day
    is used up), then settle: what the work did not use goes back, all of it when it failed."""
    limits, key = rate_limits(request), caller_key(request.scope)
    reservation = Reservation(await reserve_frames(limits, key, frames))
    try:
        yield reservation
    finally:
        with anyio.CancelScope(shield=True):  # a client gone meanwhile still gets its refund
            if reservation.used > reservation.frames:
                await charge_frames(limits, key, reservation.used - reservation.frames)
            else:
                await release_frames(limits, key, reservation.frames - reservation.used)


async def record_analysis(
    request: Request, result: Mapping[str, object], reservation: Reservation
) -> None:
    """Charge the analysis's frames against its reservation and record it in the metrics."""
    get_metrics().observe_analysis(result)
    reservation.used = frames_analysed(result)


def frames_analysed(result: Mapping[str, object]) -> int:
    """1 for an image, the sampled frames for a video; plus one per face or person explained
    (a map costs about 50 classifier runs: more than the analysis of a frame)."""
    frames = result.get("sampled_frames") if "video" in result else 1
    items = result.get("persons" if "video" in result else "faces")
    explained = (
        sum(
            1 for item in items if isinstance(item, Mapping) and item.get("explanation") is not None
        )
        if isinstance(items, list)
        else 0
    )
    return (frames if isinstance(frames, int) else 0) + explained


def most_frames(settings: Settings, kind: Kind, options: AnalysisOptions) -> int:
    """The most frames an analysis with ``options`` may be charged: its frames (``job_frames``)
    and, with ``explain``, one per face or person it may explain."""
    explained = settings.explain_max_faces if options.explain else 0
    return job_frames(settings, kind, options) + explained


def job_frames(settings: Settings, kind: Kind, options: AnalysisOptions) -> int:
    """What a job is charged when it is queued: the most frames it may analyse (its result is not
    known yet, and the worker that computes it may run anywhere)."""
    if kind == "image":
        return 1
    if options.every_s is not None:
        return settings.video_max_frames
    return min(options.frames or settings.video_frames, settings.video_max_frames)
