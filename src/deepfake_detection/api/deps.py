"""Dependencies of the routes, as ``Annotated`` aliases: ``ServicesDep``, ``AnalysisSlot``."""

from __future__ import annotations

from collections.abc import AsyncIterator
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


async def analysis_slot(request: Request, services: ServicesDep) -> AsyncIterator[None]:
    """Holds one in-flight slot for the request (503 ``overloaded`` when none is free), once the
    caller's daily quota is known to have room (429). Resolved before the body is read, so a
    refused request costs no upload."""
    await check_quota(request)
    with services.in_flight.slot():
        yield


AnalysisSlot = Annotated[None, Depends(analysis_slot)]
