"""What ``dfd scan`` does with one file: sniff it, analyse it as an image or a video, report it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from deepfake_detection.analysis import ImageAnalysis
from deepfake_detection.analysis_options import resolve_video_options, video_limits
from deepfake_detection.config import Settings
from deepfake_detection.detectors.base import RGBImage
from deepfake_detection.detectors.registry import create_detector
from deepfake_detection.errors import (
    DetectionError,
    InvalidRequest,
    NotFound,
    PayloadTooLarge,
    UnsupportedMedia,
)
from deepfake_detection.faces import Box
from deepfake_detection.media.image import ImageLimits, decode_image, sniff_image_format
from deepfake_detection.media.video import sniff_video_container
from deepfake_detection.onnx_classifier import OnnxClassifier
from deepfake_detection.pipeline import ImageAnalyzer
from deepfake_detection.video_analysis import VideoAnalysis, VideoAnalyzer, VideoOptions

Kind = Literal["image", "video"]


def sniff_kind(head: bytes) -> Kind | None:
    """``image`` or ``video`` from a file's first bytes, ``None`` for anything else."""
    if sniff_image_format(head) is not None:
        return "image"
    if sniff_video_container(head) is not None:
        return "video"
    return None


@dataclass(frozen=True)
class FileResult:
    """One line of ``dfd scan``. ``label`` is the verdict (``real``, ``fake``, ``no_face``), or
    ``None`` with an ``error`` code and ``message`` when the file could not be analysed."""

    path: Path
    kind: Kind | None
    label: str | None = None
    fake_probability: float | None = None
    faces: tuple[dict[str, Any], ...] = field(default=())
    error: str | None = None
    message: str | None = None
    analysis: ImageAnalysis | VideoAnalysis | None = field(default=None, repr=False, compare=False)
    """What the line was made from (for ``--annotate`` and ``--report``); not part of the JSON."""

    def as_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "kind": self.kind,
            "label": self.label,
            "fake_probability": _round(self.fake_probability),
            "faces": list(self.faces),
            "error": self.error,
            "message": self.message,
        }


class Scanner:
    """Holds the model and the detector, built once; ``scan`` never raises for a bad file."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.detector = create_detector(settings.detector, threads=settings.onnx_threads)
        self.classifier = OnnxClassifier(settings.model_card, threads=settings.onnx_threads)
        self.images = ImageAnalyzer(
            self.detector,
            self.classifier,
            threshold=settings.threshold,
            max_faces=settings.max_faces,
            min_face_size=settings.min_face_size,
        )
        self.limits = ImageLimits(
            max_bytes=settings.max_upload_bytes,
            max_pixels=settings.max_pixels,
            timeout_s=settings.decode_timeout_s,
        )
        self._videos: VideoAnalyzer | None = None

    def scan(self, path: Path) -> FileResult:
        kind: Kind | None = None
        try:
            kind = kind_of(path)
            if kind == "image":
                return _image_result(path, self.images.analyze(self.read_image(path)))
            return _video_result(path, self.video_analyzer().analyze(path, self._video_options()))
        except DetectionError as exc:
            return FileResult(path, kind, error=exc.code, message=exc.message)
        except Exception as exc:  # one broken file must not end a scan of thousands
            return FileResult(
                path, kind, error="internal_error", message=f"{type(exc).__name__}: {exc}"
            )

    def read_image(self, path: Path) -> RGBImage:
        size = path.stat().st_size
        if size > self.limits.max_bytes:
            raise PayloadTooLarge(
                f"the image has {size} bytes; the limit is {self.limits.max_bytes}"
            )
        return decode_image(path.read_bytes(), self.limits)

    def video_analyzer(self) -> VideoAnalyzer:
        if self._videos is None:
            self._videos = VideoAnalyzer(
                self.detector,
                self.classifier,
                video_limits(self.settings),
                decode_threads=self.settings.video_decode_threads,
            )
        return self._videos

    def _video_options(self) -> VideoOptions:
        return resolve_video_options(self.settings)


def kind_of(path: Path) -> Kind:
    try:
        with path.open("rb") as f:
            head = f.read(32)
    except FileNotFoundError as exc:
        raise NotFound(f"no such file: {path}") from exc
    except OSError as exc:
        raise InvalidRequest(f"cannot read {path}: {exc.strerror or exc}") from exc
    if not head:
        raise InvalidRequest("the file is empty (0 bytes)")
    kind = sniff_kind(head)
    if kind is None:
        raise UnsupportedMedia("neither a supported image nor a supported video (content checked)")
    return kind


def _image_result(path: Path, analysis: ImageAnalysis) -> FileResult:
    faces = tuple(
        {
            "box": _box(f.box),
            "confidence": _round(f.confidence),
            "fake_probability": _round(f.fake_probability),
            "label": f.label,
        }
        for f in analysis.faces
    )
    return FileResult(
        path, "image", analysis.verdict, analysis.fake_probability, faces, analysis=analysis
    )


def _video_result(path: Path, analysis: VideoAnalysis) -> FileResult:
    faces = tuple(
        {
            "person": person.id,
            "box": _box(max(person.timeline, key=lambda s: s.confidence).box),
            "frames": len(person.timeline),
            "fake_probability": _round(person.score),
            "label": person.label,
        }
        for person in analysis.persons
    )
    probability = max((p.score for p in analysis.persons), default=None)
    return FileResult(path, "video", analysis.verdict, probability, faces, analysis=analysis)


def _box(box: Box) -> list[float]:
    return [round(box.x1, 1), round(box.y1, 1), round(box.x2, 1), round(box.y2, 1)]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
