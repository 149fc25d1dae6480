"""What a job runs: an uploaded file, image or video (sniffed from its bytes), analysed and answered
as the JSON that ``POST /v1/images`` or ``POST /v1/videos`` would give."""

from __future__ import annotations

import time
from pathlib import Path

from deepfake_detection.jobs.job import JSONObject
from deepfake_detection.jobs.task import Progress
from deepfake_detection.media.kind import SNIFF_BYTES, media_kind, read_image_file
from deepfake_detection.runtime.models import Models
from deepfake_detection.runtime.options import AnalysisOptions
from deepfake_detection.schemas.images import image_response
from deepfake_detection.schemas.videos import video_response


class MediaAnalyzer:
    """Implements ``AnalyzeMedia`` with the process's shared detectors and classifier."""

    def __init__(self, models: Models) -> None:
        self.models = models
        self.videos = models.video_analyzer()

    def __call__(self, path: Path, options: AnalysisOptions, progress: Progress) -> JSONObject:
        start = time.perf_counter()
        with path.open("rb") as file:
            head = file.read(SNIFF_BYTES)
        models = self.models
        detector = models.detector(options.detector)
        # A job waits for room in the decode budget as long as it may run; a request does not.
        wait_s = models.settings.job_timeout_s
        if media_kind(head, source="the upload") == "image":
            data = read_image_file(path, models.image_limits())
            max_faces = models.max_faces(options.max_faces)
            analyzed = models.analyze(
                data,
                detector,
                options.threshold,
                max_faces,
                wait_s=wait_s,
                explain=bool(options.explain),
            )
            provenance = models.provenance.read(data)
            total_ms = (time.perf_counter() - start) * 1000
            response = image_response(analyzed, total_ms=total_ms, provenance=provenance)
            return response.model_dump(mode="json")
        chosen = models.video_options(options)
        analysis = self.videos.analyze(
            path, chosen, progress, detector=detector, budget_wait_s=wait_s
        )
        return video_response(analysis, models.provenance.read(path)).model_dump(mode="json")
