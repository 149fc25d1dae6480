"""The API docs, offline: Swagger UI's files come from the ``swagger-ui-bundle`` package (no CDN),
every route gets an example answer, and the description lists every error code.

``install_docs(app)`` serves ``/docs`` and its assets and adds the examples to ``/openapi.json``;
build the app with ``docs_url=None`` so FastAPI's CDN page is not mounted as well.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, Response

from deepfake_detection.errors import DetectionError, NotFound

router = APIRouter(include_in_schema=False)

ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
}
# Errors Starlette raises itself (not from the package's hierarchy), with their HTTP status.
_ROUTING_ERRORS = {"method_not_allowed": (405, "the route does not take this method")}
# What each code means to a client; a code missing here shows its class's docstring.
_MEANINGS = {
    "bad_request": "malformed request: empty upload, missing or unknown field, bad JSON or base64",
    "corrupt_media": "the bytes announce an image or a video but do not decode",
    "too_large": "upload, pixels, duration or decoding time over the service's limits",
    "unsupported_media": "not a supported image or video (sniffed from the bytes), or body type",
    "invalid_options": "an option out of range, an unknown detector, an unknown key",
    "overloaded": "too many analyses in flight or jobs queued: retry after Retry-After",
    "model_unavailable": "the model could not be loaded (see /readyz)",
    "not_found": "no such route, or no such job (finished jobs expire)",
    "internal_error": "a bug: the details are in the server log, not the answer",
}


@cache
def asset(name: str) -> bytes:
    from swagger_ui_bundle import swagger_ui_path  # the bundle's files, read once per process

    data: bytes = (swagger_ui_path / name).read_bytes()
    return data


@router.get("/docs")
async def swagger_ui() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="Deepfake detection: API",
        swagger_js_url="/docs/assets/swagger-ui-bundle.js",
        swagger_css_url="/docs/assets/swagger-ui.css",
        swagger_favicon_url="/ui/favicon.svg",
    )


@router.get("/docs/assets/{name}")
async def swagger_asset(name: str) -> Response:
    if name not in ASSETS:
        raise NotFound(f"no docs asset {name!r}")
    return Response(
        asset(name), media_type=ASSETS[name], headers={"Cache-Control": "public, max-age=3600"}
    )


def error_codes() -> list[tuple[int, str, str]]:
    """(status, code, meaning) of every error the API answers, from the error hierarchy."""
    found: dict[str, tuple[int, str]] = {}
    pending: list[type[DetectionError]] = [DetectionError]
    while pending:
        cls = pending.pop()
        doc = (cls.__doc__ or "").strip().split("\n")[0]
        found.setdefault(cls.code, (cls.http_status, _MEANINGS.get(cls.code, doc)))
        pending.extend(cls.__subclasses__())
    found.update(_ROUTING_ERRORS)
    return sorted((status, code, text) for code, (status, text) in found.items())


def api_description() -> str:
    rows = "\n".join(f"| {status} | `{code}` | {text} |" for status, code, text in error_codes())
    return (
        "Every face in an image or a video, scored real or fake by the model this service "
        "runs. The page for people is at `/`.\n\n"
        'Errors are JSON `{"error": {"code": ..., "message": ...}}`:\n\n'
        "| status | code | meaning |\n|---|---|---|\n" + rows
    )


@cache
def examples() -> dict[str, dict[str, Any]]:
    """Example answers by ``"METHOD /path"`` and status (``openapi_examples.json``)."""
    text = (files("deepfake_detection.web") / "openapi_examples.json").read_text()
    loaded: dict[str, dict[str, Any]] = json.loads(text)
    return loaded


def with_examples(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with the example answers set on their routes' JSON responses."""
    for operation, by_status in examples().items():
        method, path = operation.split(" ", 1)
        responses = schema["paths"].get(path, {}).get(method.lower(), {}).get("responses", {})
        for status, example in by_status.items():
            content = responses.get(status, {}).get("content", {}).get("application/json")
            if content is not None:
                content["example"] = example
    return schema


def install_docs(app: FastAPI) -> None:
    """Serve the offline docs and the OpenAPI schema with its examples and error codes."""
    app.include_router(router)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=api_description(),
                routes=app.routes,
            )
            app.openapi_schema = with_examples(schema)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
