"""Every error the service answers, as JSON ``{"error": {"code", "message"}}``, mapped in one place.

- ``DetectionError`` (the package's own hierarchy) keeps its ``code`` and ``http_status``
  (``package_error_response``); the middlewares that refuse a request before any route (API keys
  401, rate limits 429, the upload cap 503, a declared body over the limit 413) answer through it
  too, with the error classes of ``errors.py``, never a status of their own.
- Starlette/FastAPI ``HTTPException`` (404, 405; 408 and a chunked body's 413, raised while a
  body is read, where only an ``HTTPException`` passes FastAPI's body parsing unchanged; 400 from
  the form parser) gets a code from its status.
- ``RequestValidationError``: a missing field or unreadable JSON is a malformed request (400
  ``bad_request``); a field with a wrong value is 422 ``invalid_options``.
- A client that closes its connection before its body is in (Starlette's ``ClientDisconnect``) is
  499 ``client_closed_request`` (nginx's code): no one reads the answer, but the access log and
  ``/metrics`` count the client's doing, not a server error.
- An ``OSError`` that says a disk is full (writing an upload, the form parser's temporary files) is
  507 ``insufficient_storage``: the operator's problem, not a bug, and the client may retry.
- Anything else is a bug: answered 500 ``internal_error`` (the server logs the traceback).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

from deepfake_detection.api.middleware.security_headers import DATA_HEADERS
from deepfake_detection.errors import (
    DetectionError,
    InsufficientStorage,
    InvalidOptions,
    InvalidRequest,
    RateLimited,
    out_of_space,
)

logger = logging.getLogger(__name__)

RETRY_AFTER_S = 1
"""What a 503 answer tells the client to wait before retrying (``Retry-After``, seconds)."""

_CODES_BY_STATUS = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    408: "request_timeout",
    413: "too_large",
    415: "unsupported_media",
    401: "unauthorized",
    429: "rate_limited",
    422: "invalid_options",
    499: "client_closed_request",
    503: "unavailable",
    507: "insufficient_storage",
}
# Errors from pydantic that mean "the request is not shaped as documented" rather than "a value is
# out of range": these are 400, the rest 422.
_MALFORMED_TYPES = frozenset({"missing", "json_invalid", "json_type", "model_attributes_type"})


def error_response(
    status: int, code: str, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message}}, status_code=status, headers=headers
    )


def describe_validation_errors(errors: Sequence[Any]) -> str:
    """``where: what`` per problem (the location without pydantic's ``body``/``query``)."""
    parts = []
    for error in errors:
        loc = [str(p) for p in error.get("loc", ()) if p not in ("body", "query", "form")]
        where = ".".join(loc) or "request"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(parts)


def validation_error(errors: Sequence[Any]) -> DetectionError:
    """The package error for pydantic validation errors of a request (400 malformed or 422)."""
    message = describe_validation_errors(errors)
    if any(error.get("type") in _MALFORMED_TYPES for error in errors):
        return InvalidRequest(message)
    return InvalidOptions(message)


def _retry_after(status: int) -> dict[str, str]:
    return {"Retry-After": str(RETRY_AFTER_S)} if status == 503 else {}


def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
    status = exc.status_code
    message = str(exc.detail)
    if status == 404:
        message = f"no route {request.url.path}; see /docs"
    elif status == 405:
        message = f"{request.method} is not allowed on {request.url.path}"
    headers = dict(exc.headers or {}) | _retry_after(status)
    return error_response(status, _CODES_BY_STATUS.get(status, f"http_{status}"), message, headers)


def package_error_response(
    exc: DetectionError, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """The answer to one of the package's errors, with ``Retry-After`` where it applies; also what
    the middlewares answer with (they refuse a request before any route or handler sees it)."""
    retry = (
        {"Retry-After": str(exc.retry_after_s)}
        if isinstance(exc, RateLimited)
        else _retry_after(exc.http_status)
    )
    return error_response(exc.http_status, exc.code, exc.message, retry | dict(headers or {}))


def to_response(request: Request, exc: Exception) -> JSONResponse:
    """The one mapping from an exception to the JSON error answer."""
    if isinstance(exc, DetectionError):
        return package_error_response(exc)
    if isinstance(exc, RequestValidationError):
        error = validation_error(exc.errors())
        return error_response(error.http_status, error.code, error.message)
    if isinstance(exc, HTTPException):
        return _http_error(request, exc)
    if isinstance(exc, ClientDisconnect):
        message = "the client closed the connection before the request body arrived"
        return error_response(499, "client_closed_request", message)
    if out_of_space(exc):
        logger.error("%s %s: the storage is full: %s", request.method, request.url.path, exc)
        full = InsufficientStorage.writing("the request's data")
        return error_response(full.http_status, full.code, full.message, DATA_HEADERS)
    # ServerErrorMiddleware re-raises after this answer, so the server logs the traceback. It sits
    # outside every other middleware: this answer gets the security headers here.
    return error_response(
        500, "internal_error", "internal error; the server log has the details", DATA_HEADERS
    )


async def _handle(request: Request, exc: Exception) -> JSONResponse:
    return to_response(request, exc)


async def _handle_os_error(request: Request, exc: Exception) -> JSONResponse:
    if not out_of_space(exc):
        raise exc  # a bug or an operator problem: 500, with the traceback in the server log
    return to_response(request, exc)


def install_error_handlers(app: FastAPI) -> None:
    for exc_class in (DetectionError, RequestValidationError, HTTPException, Exception):
        app.add_exception_handler(exc_class, _handle)
    app.add_exception_handler(OSError, _handle_os_error)
    app.add_exception_handler(ClientDisconnect, _handle)
