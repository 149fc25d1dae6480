"""A job's media on the data volume: an upload copied, or a URL downloaded (``jobs/download.py``),
kept only when it is a supported image or video (sniffed from its first bytes)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import IO

from deepfake_detection.api.usage import MediaKind
from deepfake_detection.config import Settings
from deepfake_detection.errors import InvalidRequest, UnsupportedMedia
from deepfake_detection.jobs.download import download
from deepfake_detection.media.image import sniff_image_format
from deepfake_detection.media.video import sniff_video_container


def save_upload(source: IO[bytes], path: Path) -> MediaKind:
    """Copy the upload to the job's file; 400/415 (and nothing kept) unless it is a supported
    image or video."""
    source.seek(0)
    kind = media_kind(source.read(16))
    source.seek(0)
    try:
        with path.open("xb") as target:
            shutil.copyfileobj(source, target, 1024 * 1024)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return kind


def fetch_url(url: str, path: Path, settings: Settings) -> MediaKind:
    """Download ``url`` to the job's file with the uploads' size limit and the fetch time limit;
    the same 400/415 as an upload for what it holds."""
    download(
        url,
        path,
        max_bytes=max(settings.video_max_bytes, settings.max_upload_bytes),
        timeout_s=settings.fetch_timeout_s,
        allow_private=settings.fetch_allow_private,
    )
    try:
        with path.open("rb") as file:
            return media_kind(file.read(16))
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def media_kind(head: bytes) -> MediaKind:
    if not head:
        raise InvalidRequest("the upload is empty (0 bytes)")
    if sniff_image_format(head) is not None:
        return "image"
    if sniff_video_container(head) is not None:
        return "video"
    raise UnsupportedMedia(
        "neither a supported image nor a supported video (the content is checked, not the "
        "file name)"
    )
