from deepfake_detection.config import Settings
from deepfake_detection.runtime.limits import image_limits, video_limits


def test_the_limits_are_the_settings() -> None:
    settings = Settings(
        max_upload_bytes=1000,
        max_pixels=2000,
        decode_timeout_s=3.0,
        video_max_bytes=4000,
        video_max_duration_s=50.0,
        video_max_pixels=6000,
        video_decode_timeout_s=7.0,
    )
    images = image_limits(settings)
    assert (images.max_bytes, images.max_pixels, images.timeout_s) == (1000, 2000, 3.0)
    videos = video_limits(settings)
    assert (videos.max_bytes, videos.max_duration_s, videos.max_pixels, videos.timeout_s) == (
        4000,
        50.0,
        6000,
        7.0,
    )
    assert video_limits(settings, max_duration_s=5.0).max_duration_s == 5.0
