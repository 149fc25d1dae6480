"""What a running service holds: settings, the analyzer (one classifier session), the detectors and
the limits. Built once per process in the app's lifespan and shared by every request."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

import anyio.to_thread
import numpy as np
from anyio import CapacityLimiter

from deepfake_detection.analysis import ImageAnalysis
from deepfake_detection.analysis_options import AnalysisOptions, resolve_video_options
from deepfake_detection.api.limiter import InFlightLimiter
from deepfake_detection.config import Settings
from deepfake_detection.detectors.base import FaceDetector
from deepfake_detection.errors import InvalidOptions
from deepfake_detection.media.decode_budget import DecodeBudget
from deepfake_detection.media.image import ImageLimits, open_image
from deepfake_detection.media.memory import release_free_memory
from deepfake_detection.model_card import ModelCard
from deepfake_detection.pipeline import ImageAnalyzer
from deepfake_detection.video_analysis import VideoOptions

T = TypeVar("T")
# After an image this large (16 MB decoded and more), freed memory goes back to the OS at once.
_TRIM_AFTER_PIXELS = 4_000_000


@dataclass(frozen=True)
class Analyzed:
    """An image analysis and the time its decoding took (the analyzer times the other stages)."""

    analysis: ImageAnalysis
    decode_ms: float


@dataclass
class Services:
    settings: Settings
    analyzer: ImageAnalyzer
    detectors: Mapping[str, FaceDetector]
    in_flight: InFlightLimiter
    # CPU-bound stages run in worker threads, at most this many at once: more would only make each
    # request slower (they compete for the same cores) without raising throughput.
    cpu_slots: CapacityLimiter
    decode_budget: DecodeBudget

    @property
    def card(self) -> ModelCard:
        return self.analyzer.classifier.card

    def detector(self, name: str | None) -> FaceDetector:
        """The shared detector called ``name`` (the configured default when ``None``)."""
        chosen = (name or self.settings.detector).strip().lower()
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
        """A client's video options over this service's defaults, checked against its limits
        (``InvalidOptions``: 422 when out of range)."""
        return resolve_video_options(
            self.settings,
            frames=options.frames,
            every_s=options.every_s,
            threshold=options.threshold,
            aggregate=options.aggregate,
            max_faces=self.max_faces(options.max_faces),
        )

    def analyze(
        self,
        data: bytes,
        detector: FaceDetector,
        threshold: float | None,
        max_faces: int,
        *,
        wait_s: float | None = None,
    ) -> Analyzed:
        """Decode and analyse one uploaded image (blocking: call it through ``run_cpu``). Its
        pixels are held in the decode budget meanwhile, waiting for room up to ``wait_s``
        (default ``decode_wait_s``; then ``Overloaded``)."""
        start = time.perf_counter()
        opened = open_image(data, self.image_limits())
        wait_s = self.settings.decode_wait_s if wait_s is None else wait_s
        with self.decode_budget.reserve(opened.pixels, wait_s) as reservation:
            reservation.hold()  # for the decoding thread, which may outlive a timeout
            image = opened.decode(on_finish=reservation.release)
            decode_ms = (time.perf_counter() - start) * 1000
            analysis = self.analyzer.analyze(
                image, detector=detector, threshold=threshold, max_faces=max_faces
            )
            del image  # freed before the next image in the budget is decoded
        if opened.pixels >= _TRIM_AFTER_PIXELS:
            release_free_memory()
        return Analyzed(analysis, decode_ms)

    def image_limits(self) -> ImageLimits:
        s = self.settings
        return ImageLimits(s.max_upload_bytes, s.max_pixels, s.decode_timeout_s)

    async def run_cpu(self, work: Callable[[], T]) -> T:
        """Run CPU-bound ``work`` in a worker thread, off the event loop, holding one in-flight slot
        (``Overloaded``, 503, when none is free). Routes call it once the request's body has been
        read, so a client that sends slowly holds no slot (``upload_guard.py`` bounds those)."""
        with self.in_flight.slot():
            return await anyio.to_thread.run_sync(work, limiter=self.cpu_slots)

    def warm_up(self) -> None:
        """One pass through every detector and the classifier, so the first request is not slow
        (a 1280x720 frame: onnxruntime sizes its buffers for the shapes it has seen)."""
        size = self.card.input_size
        image = np.zeros((720, 1280, 3), np.uint8)
        for detector in self.detectors.values():
            detector.detect(image)
        self.analyzer.classifier.predict(np.zeros((1, size, size, 3), np.uint8))
