"""What ``dfd scan`` does with one file: sniff it, analyse it as an image or a video, report it.
The models, limits and sniffing come from the runtime and media layers, and the report is the
wire format of ``schemas/scan.py``, as for the service."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deepfake_detection.analysis.video import VideoAnalyzer, VideoOptions
from deepfake_detection.config import Settings
from deepfake_detection.errors import DetectionError
from deepfake_detection.media.kind import Kind, file_kind
from deepfake_detection.runtime.models import load_models
from deepfake_detection.schemas.scan import ScanLine, error_line, image_line, video_line


@dataclass(frozen=True)
class FileResult:
    """One file of ``dfd scan``: its line of the wire format (``verdict`` ``real``, ``fake``,
    ``no_face``, or ``None`` with an ``error`` code and ``message``)."""

    line: ScanLine

    @property
    def verdict(self) -> str | None:
        return self.line.verdict

    @property
    def error(self) -> str | None:
        return self.line.error

    def as_json(self) -> dict[str, Any]:
        return self.line.model_dump(mode="json")


class Scanner:
    """Holds the model and the detector, built once; ``scan`` never raises for a bad file."""

    def __init__(self, settings: Settings, video_options: VideoOptions) -> None:
        self.settings = settings
        self.video_options = video_options
        self.models = load_models(settings, detector_names=[settings.detector])
        self.detector = self.models.detector(None)
        self._videos: VideoAnalyzer | None = None

    def scan(self, path: Path) -> FileResult:
        kind: Kind | None = None
        try:
            kind = file_kind(path)
            if kind == "image":
                analysis = self.models.analyzer.analyze(self.models.read_image(path))
                return FileResult(image_line(path, analysis))
            videos = self.video_analyzer()
            return FileResult(video_line(path, videos.analyze(path, self.video_options)))
        except DetectionError as exc:
            return FileResult(error_line(path, kind, exc.code, exc.message))
        except Exception as exc:  # one broken file must not end a scan of thousands
            message = f"{type(exc).__name__}: {exc}"
            return FileResult(error_line(path, kind, "internal_error", message))

    def video_analyzer(self) -> VideoAnalyzer:
        if self._videos is None:
            self._videos = self.models.video_analyzer()
        return self._videos
