"""What ``dfd scan --server URL`` does with one file: the service analyses it (``client``), and the
answer becomes the same ``FileResult`` line a local scan prints.

Images go to ``POST /v1/images``; videos to a job (any duration the service accepts), waited for.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from deepfake_detection.analysis.video import FrameProgress
from deepfake_detection.cli.scanner import FileResult
from deepfake_detection.client import ApiError, Client, ImageResult, VideoResult
from deepfake_detection.errors import DetectionError
from deepfake_detection.media.kind import Kind, file_kind
from deepfake_detection.schemas.provenance import ProvenanceOut
from deepfake_detection.schemas.scan import ScanFace, ScanLine, ScanPerson, error_line
from deepfake_detection.schemas.wire import BoxOut


class RemoteScanner:
    def __init__(
        self,
        server: str,
        api_key: str | None,
        *,
        detector: str | None = None,
        threshold: float | None = None,
        max_faces: int | None = None,
        sampling: str | None = None,
    ) -> None:
        self.client = Client(server, api_key)
        self.video_options: dict[str, Any] = {"sampling": sampling}
        self.api_key = api_key
        # Once the service refuses the key, the other files are not sent: each would be refused.
        self.refused = False
        self.options: dict[str, Any] = {
            "detector": detector,
            "threshold": threshold,
            "max_faces": max_faces,
        }

    def scan(self, path: Path, frames: FrameProgress | None = None) -> FileResult:
        """``frames`` is not called: the service reports a job's progress as a share, not in
        frames."""
        kind: Kind | None = None
        try:
            kind = file_kind(path)
            if self.refused:
                message = "not sent: the service refused the API key for an earlier file"
                return FileResult(error_line(path, kind, "unauthorized", message))
            if kind == "image":
                return image_result(path, self.client.analyze_image(path, **self.options))
            submitted = self.client.submit_job(path, **self.options, **self.video_options)
            job = self.client.wait(submitted.id)
            if job.result is None:
                code, message = job.error_code or "job_failed", job.error_message or ""
                return FileResult(error_line(path, kind, code, message))
            if not isinstance(job.result, VideoResult):
                raise ApiError(200, "bad_response", "a video job answered an image result")
            return video_result(path, job.result)
        except DetectionError as exc:
            return FileResult(error_line(path, kind, exc.code, exc.message))
        except ApiError as exc:
            self.refused |= exc.status == 401
            return FileResult(error_line(path, kind, exc.code, self.message_of(exc)))
        except httpx.HTTPError as exc:
            message = f"the service did not answer: {type(exc).__name__}: {exc}"
            return FileResult(error_line(path, kind, "unavailable", message))

    def message_of(self, exc: ApiError) -> str:
        """The service's message, but a refused key in this command's terms (the service's own
        tells a client which header to send)."""
        if exc.status != 401:
            return exc.message
        if self.api_key is None:
            return "the service needs an API key: pass --api-key KEY or set DFD_API_KEY"
        return (
            "the service refused the API key (unknown or revoked): "
            "check --api-key, or DFD_API_KEY when --api-key is not given"
        )

    def close(self) -> None:
        self.client.close()


def image_result(path: Path, result: ImageResult) -> FileResult:
    raw = result.raw
    faces = [
        ScanFace(
            box=BoxOut.model_validate(face["box"]),
            detector_confidence=face["detector_confidence"],
            fake_probability=face["fake_probability"],
            label=face["label"],
            reason=face.get("reason"),
            confidence=face["detector_confidence"],
        )
        for face in raw["faces"]
    ]
    return FileResult(_line(path, "image", raw, faces, skipped=len(raw.get("skipped_faces", []))))


def video_result(path: Path, result: VideoResult) -> FileResult:
    raw = result.raw
    persons = []
    for person in raw["persons"]:
        best = max(person["timeline"], key=lambda s: s["detector_confidence"])
        persons.append(
            ScanPerson(
                id=person["id"],
                score=person["score"],
                label=person["label"],
                reason=person.get("reason"),
                coverage=person["coverage"],
                decisive=person["decisive"],
                frames=len(person["timeline"]),
                box=BoxOut.model_validate(best["box"]),
                detector_confidence=best["detector_confidence"],
                fake_probability=person["score"],
                person=person["id"],
            )
        )
    return FileResult(_line(path, "video", raw, persons, skipped=int(raw["skipped_faces"])))


def _line(
    path: Path,
    kind: Kind,
    raw: dict[str, Any],
    faces: list[ScanFace] | list[ScanPerson],
    skipped: int,
) -> ScanLine:
    """The service's answer as the line a local scan prints: the same names, already rounded."""
    return ScanLine(
        path=str(path),
        kind=kind,
        verdict=raw["verdict"],
        verdict_reason=raw.get("verdict_reason"),
        fake_probability=raw.get("fake_probability"),
        faces=faces,
        skipped_faces=skipped,
        error=None,
        message=None,
        label=raw["verdict"],
        provenance=None
        if raw.get("provenance") is None
        else ProvenanceOut.model_validate(raw["provenance"]),
    )
