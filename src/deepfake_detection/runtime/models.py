"""What a process that analyses media holds, built once from its settings: the classifier (one
onnxruntime session), the detectors and the image analyzer, with the checks of a client's options
against the settings. The API, the job workers, ``dfd scan`` and ``dfd evaluate`` all build it
with ``load_models`` and share it between requests, jobs or files."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from deepfake_detection.analysis.annotate import Mark, Track, annotate_video, draw_marks, png_bytes
from deepfake_detection.analysis.explain import Explanation, explain_faces
from deepfake_detection.analysis.image import ImageAnalyzer
from deepfake_detection.analysis.regions import RegionOptions
from deepfake_detection.analysis.results import ImageAnalysis
from deepfake_detection.analysis.video import VideoAnalyzer, VideoOptions
from deepfake_detection.classifiers.base import Classifier
from deepfake_detection.classifiers.model_card import ModelCard
from deepfake_detection.config import Settings
from deepfake_detection.detectors.base import FaceDetector
from deepfake_detection.errors import InvalidOptions, ModelUnavailable
from deepfake_detection.media.decode_budget import DecodeBudget
from deepfake_detection.media.image import ImageLimits, decode_image, open_image
from deepfake_detection.media.kind import read_image_file
from deepfake_detection.media.memory import IdleRelease, release_free_memory
from deepfake_detection.provenance import ProvenanceLimits, ProvenanceReader
from deepfake_detection.runtime.limits import image_limits, video_limits
from deepfake_detection.runtime.options import AnalysisOptions, resolve_video_options
from deepfake_detection.shared.images import RGBImage
from deepfake_detection.shared.registry import normalise

# After an image this large (16 MB decoded and more), freed memory goes back to the OS at once.
_TRIM_AFTER_PIXELS = 4_000_000


@dataclass(frozen=True)
class Analyzed:
    """An image analysis and the time its decoding took (the analyzer times the other stages)."""

    analysis: ImageAnalysis
    decode_ms: float
    explanations: tuple[Explanation | None, ...] = ()
    """One per face, in order, when asked for (``explain``)."""
    explain_ms: float = 0.0


@dataclass
class Models:
    settings: Settings
    analyzer: ImageAnalyzer
    """The image analyzer with the settings' default detector, threshold and face limits."""
    detectors: Mapping[str, FaceDetector]
    decode_budget: DecodeBudget
    """Decoded pixels in flight in this process: every request and job worker reserves from it."""
    provenance: ProvenanceReader = field(default_factory=ProvenanceReader)
    """What a file says about its origin (C2PA, XMP, PNG text, EXIF), with the settings' trust
    anchors; the front ends read it beside the analysis, never into a score."""

    @property
    def card(self) -> ModelCard:
        return self.analyzer.classifier.card

    def detector(self, name: str | None) -> FaceDetector:
        """The shared detector called ``name`` (the configured default when ``None``)."""
        chosen = normalise(name) if name else self.settings.detector
        try:
            return self.detectors[chosen]
        except KeyError:
            valid = ", ".join(sorted(self.detectors))
            raise InvalidOptions(f"unknown detector {name!r}; valid detectors: {valid}") from None

    def max_faces(self, requested: int | None) -> int:
        limit = self.settings.max_faces
        if requested is not None and requested > limit:
            raise InvalidOptions(f"max_faces: at most {limit} faces per image (asked {requested})")
        return limit if requested is None else requested

    def video_options(self, options: AnalysisOptions) -> VideoOptions:
        """A client's video options over the settings' defaults, checked against their limits
        (``InvalidOptions``: 422 when out of range)."""
        return resolve_video_options(
            self.settings,
            frames=options.frames,
            every_s=options.every_s,
            sampling=options.sampling,
            threshold=options.threshold,
            aggregate=options.aggregate,
            max_faces=self.max_faces(options.max_faces),
            explain=options.explain,
            thumbnails=options.thumbnails,
        )

    def image_limits(self) -> ImageLimits:
        return image_limits(self.settings)

    def analyze(
        self,
        data: bytes,
        detector: FaceDetector,
        threshold: float | None,
        max_faces: int,
        *,
        wait_s: float | None = None,
        explain: bool = False,
    ) -> Analyzed:
        """Decode and analyse one uploaded image (blocking). Its pixels are held in the decode
        budget meanwhile, waiting for room up to ``wait_s`` (default ``decode_wait_s``; then
        ``Overloaded``); ``explain``: with an occlusion map per face. A JPEG over
        ``jpeg_reduce_above_pixels`` is decoded at reduced scale; the answer is in its full
        pixels."""
        start = time.perf_counter()
        opened = open_image(data, self.image_limits())
        full_width, full_height = opened.image.size
        factor = opened.reduce(self.settings.jpeg_reduce_above_pixels)
        reduced_size = opened.image.size
        wait_s = self.settings.decode_wait_s if wait_s is None else wait_s
        explanations: tuple[Explanation | None, ...] | None = None
        explain_ms = 0.0
        with self.decode_budget.reserve(opened.budget_pixels, wait_s) as reservation:
            reservation.hold()  # for the decoding thread, which may outlive a timeout
            image = opened.decode(on_finish=reservation.release)
            decode_ms = (time.perf_counter() - start) * 1000
            analysis = self.analyzer.analyze(
                image, detector=detector, threshold=threshold, max_faces=max_faces
            )
            if explain:
                started = time.perf_counter()
                classifier = self.analyzer.classifier
                explanations = explain_faces(
                    image,
                    analysis.faces,
                    classifier,
                    analysis.detector,
                    most=self.settings.explain_max_faces,
                )
                explain_ms = (time.perf_counter() - started) * 1000
            turned = (image.shape[1], image.shape[0]) != reduced_size  # by its EXIF orientation
            del image  # freed before the next image in the budget is decoded
        if factor > 1:
            width, height = (full_height, full_width) if turned else (full_width, full_height)
            analysis = analysis.scaled(factor, width, height)
            if explanations is not None:
                explanations = tuple(None if e is None else e.scaled(factor) for e in explanations)
        if opened.pixels >= _TRIM_AFTER_PIXELS:
            release_free_memory()
        if explanations is None:
            return Analyzed(analysis, decode_ms)
        return Analyzed(analysis, decode_ms, explanations, explain_ms)

    def analyze_file(self, path: Path) -> ImageAnalysis:
        """The image file at ``path`` analysed as an upload of it would be (``analyze``), with the
        default detector, threshold and face limit."""
        data = read_image_file(path, self.image_limits())
        return self.analyze(data, self.detector(None), None, self.max_faces(None)).analysis

    def read_image(self, path: Path) -> RGBImage:
        """Decode the image file at ``path`` within the settings' image limits."""
        limits = self.image_limits()
        return decode_image(read_image_file(path, limits), limits)

    def annotate_image(self, data: bytes, marks: Sequence[Mark]) -> bytes:
        """The image ``data`` as a PNG with ``marks`` drawn; decoded as an analysis decodes it
        (its limits, its pixels held in the decode budget while it is drawn and encoded)."""
        opened = open_image(data, self.image_limits())
        with self.decode_budget.reserve(
            opened.budget_pixels, self.settings.decode_wait_s
        ) as reservation:
            reservation.hold()  # for the decoding thread, which may outlive a timeout
            image = opened.decode(on_finish=reservation.release)
            drawn = draw_marks(image, marks)
            del image  # the PNG encoder's copy takes its place
            png = png_bytes(drawn)
            del drawn
        if opened.pixels >= _TRIM_AFTER_PIXELS:
            release_free_memory()
        return png

    def annotate_video(self, source: Path, target: Path, tracks: Sequence[Track]) -> int:
        """Draw ``tracks`` on every frame of the video at ``source`` into ``target``, within the
        video limits of a job's analysis and ``annotate_timeout_s``, its frames held in the
        decode budget (``annotate_video``)."""
        settings = self.settings
        return annotate_video(
            source,
            target,
            tracks,
            settings.annotate_timeout_s,
            limits=video_limits(settings),
            budget=self.decode_budget,
            wait_s=settings.decode_wait_s,
            threads=settings.video_decode_threads,
        )

    def video_analyzer(self, *, max_duration_s: float | None = None) -> VideoAnalyzer:
        """A video analyzer on the default detector and the shared classifier, with the settings'
        video limits (``max_duration_s`` over their longest duration); its frames are held in
        the decode budget with the images'."""
        return VideoAnalyzer(
            self.detector(None),
            self.analyzer.classifier,
            video_limits(self.settings, max_duration_s=max_duration_s),
            decode_threads=self.settings.video_decode_threads,
            budget=self.decode_budget,
            budget_wait_s=self.settings.decode_wait_s,
            regions=RegionOptions(full_every=self.settings.video_full_detection_every),
        )

    def warm_up(self) -> None:
        """One pass through every detector and the classifier, so the first request is not slow
        (a 1280x720 frame: onnxruntime sizes its buffers for the shapes it has seen)."""
        size = self.card.input_size
        image = np.zeros((720, 1280, 3), np.uint8)
        for detector in self.detectors.values():
            detector.detect(image)
        self.analyzer.classifier.predict(np.zeros((1, size, size, 3), np.uint8))


def load_models(
    settings: Settings,
    classifier: Classifier | None = None,
    detectors: Mapping[str, FaceDetector] | None = None,
    *,
    detector_names: Iterable[str] | None = None,
) -> Models:
    """Load the classifier and the detectors ``detector_names`` (default: every registered one)
    once for this process; ``classifier`` and ``detectors`` replace the loaded ones (tests)."""
    # Imported here: onnxruntime and the detectors' models are loaded only when they are needed.
    from deepfake_detection.classifiers.registry import create_classifier
    from deepfake_detection.detectors.registry import create_detector, list_detectors

    if classifier is None:
        classifier = create_classifier(
            settings.classifier, settings.model_card, threads=settings.onnx_threads
        )
    if detectors is None:
        names = list_detectors() if detector_names is None else detector_names
        detectors = {
            normalise(name): create_detector(name, threads=settings.onnx_threads) for name in names
        }
    default = settings.detector
    if default not in detectors:
        raise ModelUnavailable(
            f"the default detector {settings.detector!r} is not one of {sorted(detectors)}"
        )
    analyzer = ImageAnalyzer(
        detectors[default],
        classifier,
        threshold=settings.threshold,
        max_faces=settings.max_faces,
        min_face_size=settings.min_face_size,
    )
    idle = IdleRelease(settings.memory_release_idle_s) if settings.memory_release_idle_s else None
    budget = DecodeBudget(settings.decode_budget_pixels, idle)
    return Models(
        settings=settings,
        analyzer=analyzer,
        detectors=detectors,
        decode_budget=budget,
        provenance=provenance_reader(settings),
    )


def provenance_reader(settings: Settings) -> ProvenanceReader:
    """The provenance reader of ``settings``: its trust anchors and manifest limit."""
    anchors = settings.c2pa_trust_anchors
    limits = ProvenanceLimits(max_c2pa_bytes=settings.c2pa_max_manifest_bytes)
    return ProvenanceReader(None if anchors is None else anchors.read_text(), limits)
