"""What ``dfd scan`` does with one file: sniff it, analyse it as an image or a video, report it.
The models, limits and sniffing come from the runtime and media layers, as for the service."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deepfake_detection.analysis.results import ImageAnalysis
from deepfake_detection.analysis.video import VideoAnalysis, VideoAnalyzer, VideoOptions
from deepfake_detection.config import Settings
from deepfake_detection.errors import DetectionError
from deepfake_detection.media.kind import Kind, file_kind
from deepfake_detection.runtime.models import load_models
from deepfake_detection.runtime.options import resolve_video_options
from deepfake_detection.shared.faces import Box


@dataclass(frozen=True)
class FileResult:
    """One line of ``dfd scan``. ``label`` is the verdict (``real``, ``fake``, ``uncertain`` with a
    ``reason``, ``no_face``), or ``None`` with an ``error`` code and ``message`` when the file could
    not be analysed."""

    path: Path
    kind: Kind | None
    label: str | None = None
    fake_probability: float | None = None
    faces: tuple[dict[str, Any], ...] = field(default=())
    reason: str | None = None
    error: str | None = None
    message: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "kind": self.kind,
            "label": self.label,
            "reason": self.reason,
            "fake_probability": _round(self.fake_probability),
            "faces": list(self.faces),
            "error": self.error,
            "message": self.message,
        }


class Scanner:
    """Holds the model and the detector, built once; ``scan`` never raises for a bad file."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.models = load_models(settings, detector_names=[settings.detector])
        self.detector = self.models.detector(None)
        self._videos: VideoAnalyzer | None = None

    def scan(self, path: Path) -> FileResult:
        kind: Kind | None = None
        try:
            kind = file_kind(path)
            if kind == "image":
                analysis = self.models.analyzer.analyze(self.models.read_image(path))
                return _image_result(path, analysis)
            return _video_result(path, self.video_analyzer().analyze(path, self._video_options()))
        except DetectionError as exc:
            return FileResult(path, kind, error=exc.code, message=exc.message)
        except Exception as exc:  # one broken file must not end a scan of thousands
            return FileResult(
                path, kind, error="internal_error", message=f"{type(exc).__name__}: {exc}"
            )

    def video_analyzer(self) -> VideoAnalyzer:
        if self._videos is None:
            self._videos = self.models.video_analyzer()
        return self._videos

    def _video_options(self) -> VideoOptions:
        return resolve_video_options(self.settings)


def _image_result(path: Path, analysis: ImageAnalysis) -> FileResult:
    faces = tuple(
        {
            "box": _box(f.box),
            "confidence": _round(f.confidence),
            "fake_probability": _round(f.fake_probability),
            "label": f.label,
            "reason": f.reason,
        }
        for f in analysis.faces
    )
    return FileResult(
        path,
        "image",
        analysis.verdict,
        analysis.fake_probability,
        faces,
        reason=analysis.verdict_reason,
    )


def _video_result(path: Path, analysis: VideoAnalysis) -> FileResult:
    faces = tuple(
        {
            "person": person.id,
            "box": _box(max(person.timeline, key=lambda s: s.confidence).box),
            "frames": len(person.timeline),
            "fake_probability": _round(person.score),
            "label": person.label,
            "reason": person.reason,
            "coverage": round(person.coverage, 4),
            "decisive": person.decisive,
        }
        for person in analysis.persons
    )
    return FileResult(
        path,
        "video",
        analysis.verdict,
        analysis.fake_probability,
        faces,
        reason=analysis.verdict_reason,
    )


def _box(box: Box) -> list[float]:
    return [round(box.x1, 1), round(box.y1, 1), round(box.x2, 1), round(box.y2, 1)]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
