"""The decoders on mutated files, in process: every failure is one of the package's errors.

A decoder error of any kind on client bytes must become ``corrupt_media``/``unsupported_media``
(or ``too_large``), never an exception the service answers with a 500."""

import random

import pytest

from deepfake_detection.errors import DetectionError
from deepfake_detection.media.image import ImageLimits, decode_image
from deepfake_detection.media.video import VideoLimits, open_video
from deepfake_detection.media.video_sampling import Sampling
from deepfake_detection.testing.fuzzing.mutate import mutate
from deepfake_detection.testing.fuzzing.seeds import base_format

pytestmark = pytest.mark.fuzz

LIMITS = ImageLimits(max_pixels=4_000_000, timeout_s=10)
VIDEO_LIMITS = VideoLimits(max_duration_s=60, max_pixels=1_000_000, timeout_s=10)


# Pillow warns about damaged metadata and decodes on, as it does in the service.
@pytest.mark.filterwarnings("ignore::UserWarning:PIL.*")
def test_mutated_images_decode_or_fail_with_a_client_error(images: dict[str, bytes]) -> None:
    outcomes: dict[str, int] = {}
    for name, seed in sorted(images.items()):
        for i in range(150):
            data = mutate(seed, base_format(name), random.Random(f"{name}:{i}"))
            try:
                decode_image(data, LIMITS)
                outcome = "decoded"
            except DetectionError as exc:
                outcome = exc.code
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    assert outcomes.get("decoded", 0) > 100
    assert outcomes.get("corrupt_media", 0) > 100


def test_mutated_videos_decode_or_fail_with_a_client_error(videos: dict[str, bytes]) -> None:
    outcomes: dict[str, int] = {}
    for name, seed in sorted(videos.items()):
        for i in range(60):
            data = mutate(seed, base_format(name), random.Random(f"{name}:{i}"))
            try:
                with open_video(data, VIDEO_LIMITS, threads=1) as video:
                    frames = list(video.sample(Sampling(frames=3)))
                outcome = "decoded" if frames else "empty"
            except DetectionError as exc:
                outcome = exc.code
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    assert outcomes.get("decoded", 0) > 30
    assert "empty" not in outcomes
