"""What ``dfd scan`` does with one file: sniff it, analyse it as an image or a video, report it.
The models, limits and sniffing come from the runtime and media layers, and the report is the
wire format of ``schemas/scan.py``, as for the service."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deepfake_detection.analysis.results import ImageAnalysis
from deepfake_detection.analysis.video import (
    FrameProgress,
    VideoAnalysis,
    VideoAnalyzer,
    VideoOptions,
)
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
    analysis: ImageAnalysis | VideoAnalysis | None = field(default=None, repr=False, compare=False)
    """What the line was made from (for ``--annotate`` and ``--report``); not part of the JSON."""

    @property
    def verdict(self) -> str | None:
        return self.line.verdict

    @property
    def label(self) -> str | None:
        return self.line.verdict

    @property
    def error(self) -> str | None:
        return self.line.error

    @property
    def message(self) -> str | None:
        return self.line.message

    @property
    def path(self) -> Path:
        return Path(self.line.path)

    @property
    def kind(self) -> Kind | None:
        return self.line.kind

    @property
    def fake_probability(self) -> float | None:
        return self.line.fake_probability

    @property
    def faces(self) -> list[dict[str, Any]]:
        return [face.model_dump(mode="json") for face in self.line.faces]

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

    def scan(self, path: Path, frames: FrameProgress | None = None) -> FileResult:
        """``frames`` is called after each sampled frame of a video."""
        kind: Kind | None = None
        try:
            kind = file_kind(path)
            if kind == "image":
                analysis = self.models.analyze_file(path)
                line = image_line(path, analysis, self.models.provenance.read(path))
                return FileResult(line, analysis)
            analyzer = self.video_analyzer()
            video = analyzer.analyze(path, self.video_options, frame_progress=frames)
            return FileResult(video_line(path, video, self.models.provenance.read(path)), video)
        except DetectionError as exc:
            return FileResult(error_line(path, kind, exc.code, exc.message))
        except Exception as exc:  # one broken file must not end a scan of thousands
            message = f"{type(exc).__name__}: {exc}"
            return FileResult(error_line(path, kind, "internal_error", message))

    def video_analyzer(self) -> VideoAnalyzer:
        if self._videos is None:
            self._videos = self.models.video_analyzer()
        return self._videos
