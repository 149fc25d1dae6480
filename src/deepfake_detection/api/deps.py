"""Dependencies of the routes, as ``Annotated`` aliases: ``ServicesDep``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from deepfake_detection.api.services import Services
from deepfake_detection.errors import ModelUnavailable


async def get_services(request: Request) -> Services:
    """The loaded services; ``ModelUnavailable`` (503) while the model is not loaded."""
    services: Services | None = request.app.state.services
    if services is None:
        raise ModelUnavailable(f"the model is not loaded: {request.app.state.unavailable}")
    return services


ServicesDep = Annotated[Services, Depends(get_services)]
