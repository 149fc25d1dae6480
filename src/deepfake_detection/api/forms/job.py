"""What ``POST /v1/jobs`` reads: its options and callback URL (``JobFormOptions``), and its media on
the data volume, an upload copied or a URL downloaded (``jobs/download.py``), kept only when it is a
supported image or video (sniffed from its first bytes)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import IO

from pydantic import Field

from deepfake_detection.config import Settings
from deepfake_detection.jobs.download import download
from deepfake_detection.media.kind import SNIFF_BYTES, Kind, media_kind
from deepfake_detection.runtime.options import AnalysisOptions


class JobFormOptions(AnalysisOptions):
    """The form fields of ``POST /v1/jobs``: the analysis options and the callback URL."""

    callback_url: str | None = Field(None, description="POSTed the finished job, signed")

    def analysis(self) -> AnalysisOptions:
        """The options the job carries (its callback URL is kept beside them)."""
        return AnalysisOptions.model_validate(self.model_dump(exclude={"callback_url"}))


JOB_OPTION_FIELDS = tuple(JobFormOptions.model_fields)


def save_upload(source: IO[bytes], path: Path) -> Kind:
    """Copy the upload to the job's file; 400/415 (and nothing kept) unless it is a supported
    image or video."""
    source.seek(0)
    kind = media_kind(source.read(SNIFF_BYTES), source="the upload")
    source.seek(0)
    try:
        # Readable by the service's user only; never an existing file.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as target:
            shutil.copyfileobj(source, target, 1024 * 1024)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return kind


def fetch_url(url: str, path: Path, settings: Settings) -> Kind:
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
            return media_kind(file.read(SNIFF_BYTES), source="the download")
    except BaseException:
        path.unlink(missing_ok=True)
        raise
