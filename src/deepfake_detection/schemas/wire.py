"""The rounding rule and the shared pieces of every answer: HTTP routes, job results, webhooks and
``dfd scan --json`` all write numbers, boxes and times through these helpers, so one analysis reads
the same everywhere.

The rule: probabilities and scores (``fake_probability``, ``detector_confidence``, ``score``,
``threshold``, the uncertain band) to 6 decimals; pixels (boxes, landmarks, face sizes) to 1
decimal; shares (``coverage``, ``weight``) and seconds in a media file to 4 decimals; stage timings
(ms) and sharpness to 2 decimals; times of day as ISO-8601 UTC with milliseconds
(``2026-12-01T23:17:49.123Z``). The models' float32 outputs carry about 7 significant digits, so
more would be noise, and a tenth of a pixel is below what any detector resolves.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from pydantic import BaseModel

from deepfake_detection.shared.faces import Box, Point

PROBABILITY_DIGITS = 6
PIXEL_DIGITS = 1
SHARE_DIGITS = SECONDS_DIGITS = 4
HUNDREDTHS = 2


class BoxOut(BaseModel):
    x1: float
    y1: float
    x2: float
    y2: float


def probability(value: float) -> float:
    """A probability, score or threshold as answers carry it."""
    return round(float(value), PROBABILITY_DIGITS)


def optional_probability(value: float | None) -> float | None:
    return None if value is None else probability(value)


def pixels(value: float) -> float:
    return round(float(value), PIXEL_DIGITS)


def share(value: float) -> float:
    """A fraction of a whole, e.g. of the sampled frames."""
    return round(float(value), SHARE_DIGITS)


def seconds(value: float) -> float:
    """A duration or a timestamp inside a media file."""
    return round(float(value), SECONDS_DIGITS)


def hundredths(value: float) -> float:
    """Stage timings in milliseconds, sharpness."""
    return round(float(value), HUNDREDTHS)


def box_out(box: Box) -> BoxOut:
    return BoxOut(x1=pixels(box.x1), y1=pixels(box.y1), x2=pixels(box.x2), y2=pixels(box.y2))


def landmarks_out(landmarks: Iterable[Point] | None) -> list[tuple[float, float]] | None:
    if landmarks is None:
        return None
    return [(pixels(x), pixels(y)) for x, y in landmarks]


def utc_time(unix_time: float) -> str:
    """A Unix time as ISO-8601 UTC to the millisecond, e.g. ``2026-12-01T23:17:49.123Z``."""
    moment = datetime.fromtimestamp(unix_time, tz=UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
