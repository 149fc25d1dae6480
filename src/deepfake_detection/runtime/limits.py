"""The limits on what a client may send, read from the settings once for every front end."""

from __future__ import annotations

from deepfake_detection.config import Settings
from deepfake_detection.media.image import ImageLimits
from deepfake_detection.media.video import VideoLimits


def image_limits(settings: Settings) -> ImageLimits:
    """The settings' limits on an image's bytes, pixels and decoding time."""
    return ImageLimits(
        max_bytes=settings.max_upload_bytes,
        max_pixels=settings.max_pixels,
        timeout_s=settings.decode_timeout_s,
    )


def video_limits(settings: Settings, *, max_duration_s: float | None = None) -> VideoLimits:
    """The settings' limits on a video's bytes, duration, frame size and decoding time."""
    return VideoLimits(
        max_bytes=settings.video_max_bytes,
        max_duration_s=max_duration_s or settings.video_max_duration_s,
        max_pixels=settings.video_max_pixels,
        timeout_s=settings.video_decode_timeout_s,
    )
