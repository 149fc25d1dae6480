"""Dependencies of the routes, as ``Annotated`` aliases: ``ServicesDep``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from deepfake_detection.api.services import Services
from deepfake_detection.api.usage import check_quota
from deepfake_detection.errors import ModelUnavailable


async def get_services(request: Request) -> Services:
    """The loaded services; ``ModelUnavailable`` (503) while the model is not loaded."""
    services: Services | None = request.app.state.services
    if services is None:
        raise ModelUnavailable(f"the model is not loaded: {request.app.state.unavailable}")
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def quota_room(request: Request) -> None:
    """The caller's daily quota has room (429 otherwise). Resolved before the body is read, so a
    refused request costs no upload; the analysis slot itself is taken once the body has been read
    (``Services.run_cpu``)."""
    await check_quota(request)


QuotaRoom = Annotated[None, Depends(quota_room)]
