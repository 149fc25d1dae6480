"""What a job runs: an uploaded file, image or video (sniffed from its bytes), analysed and answered
as the JSON that ``POST /v1/images`` or ``POST /v1/videos`` would give."""

from __future__ import annotations

import time
from pathlib import Path

from deepfake_detection.analysis_options import AnalysisOptions
from deepfake_detection.api.routes.images import image_response
from deepfake_detection.api.services import Services
from deepfake_detection.api.video_schemas import video_response
from deepfake_detection.errors import PayloadTooLarge, UnsupportedMedia
from deepfake_detection.jobs.job import JSONObject
from deepfake_detection.jobs.task import Progress
from deepfake_detection.media.image import sniff_image_format
from deepfake_detection.media.video import sniff_video_container
from deepfake_detection.video_analysis import VideoAnalyzer


class MediaAnalyzer:
    """Implements ``AnalyzeMedia`` with the service's shared detectors and classifier."""

    def __init__(self, services: Services, videos: VideoAnalyzer) -> None:
        self.services = services
        self.videos = videos

    def __call__(self, path: Path, options: AnalysisOptions, progress: Progress) -> JSONObject:
        start = time.perf_counter()
        with path.open("rb") as file:
            head = file.read(16)
        services = self.services
        detector = services.detector(options.detector)
        if sniff_image_format(head) is not None:
            size = path.stat().st_size
            if size > services.settings.max_upload_bytes:
                limit = services.settings.max_upload_bytes
                raise PayloadTooLarge(f"the image has {size} bytes; the limit is {limit}")
            max_faces = services.max_faces(options.max_faces)
            data, wait_s = path.read_bytes(), services.settings.job_timeout_s
            analyzed = services.analyze(data, detector, options.threshold, max_faces, wait_s=wait_s)
            total_ms = (time.perf_counter() - start) * 1000
            return image_response(analyzed, total_ms=total_ms).model_dump(mode="json")
        if sniff_video_container(head) is not None:
            chosen = services.video_options(options)
            analysis = self.videos.analyze(path, chosen, progress, detector=detector)
            return video_response(analysis).model_dump(mode="json")
        raise UnsupportedMedia("the upload is neither a supported image nor a supported video")
