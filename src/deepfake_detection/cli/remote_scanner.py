"""What ``dfd scan --server URL`` does with one file: the service analyses it (``client``), and the
answer becomes the same ``FileResult`` line a local scan prints.

Images go to ``POST /v1/images``; videos to a job (any duration the service accepts), waited for.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from deepfake_detection.cli.scanner import FileResult
from deepfake_detection.client import ApiError, Client, ImageResult, VideoResult
from deepfake_detection.client.results import Box
from deepfake_detection.errors import DetectionError
from deepfake_detection.media.kind import Kind, file_kind


class RemoteScanner:
    def __init__(
        self,
        server: str,
        api_key: str | None,
        *,
        detector: str | None = None,
        threshold: float | None = None,
        max_faces: int | None = None,
    ) -> None:
        self.client = Client(server, api_key)
        self.options: dict[str, Any] = {
            "detector": detector,
            "threshold": threshold,
            "max_faces": max_faces,
        }

    def scan(self, path: Path) -> FileResult:
        kind: Kind | None = None
        try:
            kind = file_kind(path)
            if kind == "image":
                return image_result(path, self.client.analyze_image(path, **self.options))
            job = self.client.wait(self.client.submit_job(path, **self.options).id)
            if job.result is None:
                return FileResult(path, kind, error=job.error_code, message=job.error_message)
            if not isinstance(job.result, VideoResult):
                raise ApiError(200, "bad_response", "a video job answered an image result")
            return video_result(path, job.result)
        except DetectionError as exc:
            return FileResult(path, kind, error=exc.code, message=exc.message)
        except ApiError as exc:
            return FileResult(path, kind, error=exc.code, message=exc.message)
        except httpx.HTTPError as exc:
            message = f"the service did not answer: {type(exc).__name__}: {exc}"
            return FileResult(path, kind, error="unavailable", message=message)

    def close(self) -> None:
        self.client.close()


def image_result(path: Path, result: ImageResult) -> FileResult:
    faces = tuple(
        {
            "box": _box(face.box),
            "confidence": _round(face.detector_confidence),
            "fake_probability": _round(face.fake_probability),
            "label": face.label,
            "reason": face.reason,
        }
        for face in result.faces
    )
    return FileResult(
        path,
        "image",
        result.verdict,
        result.fake_probability,
        faces,
        reason=result.verdict_reason,
    )


def video_result(path: Path, result: VideoResult) -> FileResult:
    faces = tuple(
        {
            "person": person.id,
            "box": _box(max(person.timeline, key=lambda s: s.detector_confidence).box),
            "frames": len(person.timeline),
            "fake_probability": _round(person.score),
            "label": person.label,
            "reason": person.reason,
            "coverage": None if person.coverage is None else round(person.coverage, 4),
            "decisive": person.decisive,
        }
        for person in result.persons
    )
    return FileResult(
        path,
        "video",
        result.verdict,
        result.fake_probability,
        faces,
        reason=result.verdict_reason,
    )


def _box(box: Box) -> list[float]:
    return [round(box.x1, 1), round(box.y1, 1), round(box.x2, 1), round(box.y2, 1)]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
