"""The page: ``GET /`` for a browser (content negotiation, see ``wants_html``) and its static files
under ``/ui/``. Everything is served from the package: no CDN, no outside font, so the page works
on a machine without internet."""

from __future__ import annotations

import html
from functools import cache
from importlib.resources import files

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from deepfake_detection.analysis import wording
from deepfake_detection.config import Settings
from deepfake_detection.errors import NotFound

router = APIRouter(include_in_schema=False)

# The page's own files, by name: nothing outside this list is ever read from the package.
STATIC_FILES = {
    "app.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}
IMAGE_TYPES = "JPEG, PNG, WebP, BMP, GIF, TIFF, HEIC/HEIF, AVIF"
VIDEO_TYPES = "MP4, MOV, WebM, MKV, AVI"


@cache
def static_file(name: str) -> bytes:
    """A file of ``web/static`` (read once per process)."""
    return (files("deepfake_detection.web") / "static" / name).read_bytes()


@router.get("/ui/wording.json")
async def ui_wording() -> JSONResponse:
    """What the verdicts and reasons mean, in the words the report uses too."""
    return JSONResponse(wording.as_json(), headers={"Cache-Control": "public, max-age=300"})


@router.get("/ui/{name}")
async def ui_file(name: str) -> Response:
    if name not in STATIC_FILES:
        raise NotFound(f"no page file {name!r}")
    return Response(
        static_file(name),
        media_type=STATIC_FILES[name],
        headers={"Cache-Control": "public, max-age=300"},
    )


def wants_html(request: Request) -> bool:
    """A browser asks for ``text/html`` first; API clients (curl, httpx, the original's clients)
    send ``*/*`` or ``application/json`` and keep the JSON welcome."""
    first = request.headers.get("accept", "").split(",")[0]
    return first.split(";")[0].strip().lower() == "text/html"


def page(settings: Settings) -> HTMLResponse:
    """The page, with this service's limits written into it."""
    text = static_file("index.html").decode()
    values = {
        "limits_text": limits_text(settings),
        # The form's limits are the server's: a file or a frame count over them is refused in
        # the page, before a byte is uploaded.
        "max_image_bytes": str(settings.max_upload_bytes),
        "max_video_bytes": str(max(settings.video_max_bytes, settings.max_upload_bytes)),
        "max_frames": str(settings.video_max_frames),
        "default_frames": str(min(settings.video_frames, settings.video_max_frames)),
    }
    for name, value in values.items():
        text = text.replace("{{" + name + "}}", html.escape(value))
    return HTMLResponse(text, headers={"Cache-Control": "no-cache"})


def limits_text(settings: Settings) -> str:
    """The upload limits, as the page states them before an upload."""
    megapixels = settings.max_pixels / 1e6
    minutes = settings.video_max_duration_s / 60
    return (
        f"Images ({IMAGE_TYPES}) up to {_mib(settings.max_upload_bytes)} and {megapixels:g} "
        f"megapixels; videos ({VIDEO_TYPES}) up to {_mib(settings.video_max_bytes)} and "
        f"{minutes:g} minutes."
    )


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):g} MiB"
