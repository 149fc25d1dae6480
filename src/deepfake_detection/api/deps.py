"""Dependencies of the routes, as ``Annotated`` aliases: the loaded services (``ServicesDep``,
``VideoServicesDep``), the caller's key (``Caller``) and room in its daily quota (``QuotaRoom``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from deepfake_detection.api.limits import check_quota
from deepfake_detection.api.middleware.auth import caller_key
from deepfake_detection.api.services import Services, VideoServices
from deepfake_detection.errors import ModelUnavailable
from deepfake_detection.keys.key import ApiKey


async def get_services(request: Request) -> Services:
    """The loaded services; ``ModelUnavailable`` (503) while the model is not loaded."""
    services: Services | None = request.app.state.services
    if services is None:
        raise ModelUnavailable(f"the model is not loaded: {request.app.state.unavailable}")
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_video_services(request: Request) -> VideoServices:
    """The job service and the video analyzer; ``ModelUnavailable`` (503) until they are started."""
    videos: VideoServices | None = getattr(request.app.state, "videos", None)
    if videos is None:
        raise ModelUnavailable(f"the model is not loaded: {request.app.state.unavailable}")
    return videos


VideoServicesDep = Annotated[VideoServices, Depends(get_video_services)]


async def get_caller(request: Request) -> ApiKey | None:
    return caller_key(request.scope)


Caller = Annotated[ApiKey | None, Depends(get_caller)]
"""The calling key in a route (``None`` with keys off: one user owns everything)."""


def owner_of(caller: ApiKey | None) -> str | None:
    """The owner a job of ``caller`` carries, and the one every look-up of a job checks."""
    return None if caller is None else caller.id


async def quota_room(request: Request) -> None:
    """The caller's daily quota has room (429 otherwise). Resolved before the body is read, so a
    refused request costs no upload; the analysis slot itself is taken once the body has been read
    (``Services.run_cpu``)."""
    await check_quota(request)


QuotaRoom = Annotated[None, Depends(quota_room)]
