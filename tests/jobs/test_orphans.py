"""Files in the uploads folder that no job needs (issue 22 S12): removed at start-up once they are
older than any upload in progress, and with their job on ``DELETE``."""

from __future__ import annotations

import os
import time
from pathlib import Path

from deepfake_detection.config import Settings
from deepfake_detection.jobs.embedded import EmbeddedJobBackend
from deepfake_detection.jobs.service import JobService
from jobs.test_embedded import count_bytes, submit


def service_in(tmp_path: Path) -> JobService:
    backend = EmbeddedJobBackend(settings=Settings(data_dir=tmp_path), analyze=count_bytes)
    return JobService(backend, tmp_path, retention_s=3600)


def aged(path: Path, content: bytes = b"x", age_s: float = 3600) -> Path:
    path.write_bytes(content)
    then = time.time() - age_s
    os.utime(path, (then, then))
    return path


def test_orphans_are_removed_and_what_a_job_needs_is_kept(tmp_path: Path) -> None:
    service = service_in(tmp_path)
    job_id = submit(service, b"queued, not run: the backend is not started")
    upload = service.upload_path(job_id)
    os.utime(upload, (time.time() - 3600,) * 2)
    uploads = service.uploads
    orphans = [
        aged(uploads / f"{'a' * 32}.upload"),  # a download whose job was never created
        aged(uploads / f"{job_id}.annotated.mp4.x1y2.part.mp4"),  # a drawing cut short
        aged(uploads / "stray.tmp"),
    ]
    fresh = aged(uploads / f"{'b' * 32}.upload", age_s=5)  # being written right now, maybe
    assert service.remove_orphans(older_than_s=600) == 3
    assert not any(path.exists() for path in orphans)
    assert upload.exists()
    assert fresh.exists()


def test_delete_removes_every_file_of_the_job(tmp_path: Path) -> None:
    service = service_in(tmp_path)
    job_id = submit(service, b"abc")
    part = aged(service.uploads / f"{job_id}.annotated.mp4.q9.part.mp4", age_s=1)
    other = submit(service, b"def")
    assert service.cancel_or_delete(job_id) == "cancelled"
    assert not part.exists()
    assert not service.upload_path(job_id).exists()
    assert service.upload_path(other).exists()


def test_no_uploads_folder_is_nothing_to_do(tmp_path: Path) -> None:
    assert service_in(tmp_path / "new").remove_orphans(older_than_s=0) == 0
