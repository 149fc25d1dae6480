from datetime import UTC, datetime

from deepfake_detection.schemas.wire import (
    box_out,
    hundredths,
    landmarks_out,
    probability,
    seconds,
    utc_time,
)
from deepfake_detection.shared.faces import Box


def test_one_rounding_rule() -> None:
    assert probability(0.17306541204452515) == 0.173065
    assert seconds(1.2345678) == 1.2346
    assert hundredths(42.14567) == 42.15
    box = box_out(Box(358.6952209472656, 10.04, 400.25, 99.99))
    assert box.model_dump() == {"x1": 358.7, "y1": 10.0, "x2": 400.2, "y2": 100.0}
    assert landmarks_out([(1.26, 2.34)]) == [(1.3, 2.3)]
    assert landmarks_out(None) is None


def test_times_are_iso_8601_utc_to_the_millisecond() -> None:
    moment = datetime(2026, 12, 1, 23, 17, 49, 123456, tzinfo=UTC)
    assert utc_time(moment.timestamp()) == "2026-12-01T23:17:49.123Z"
    assert datetime.fromisoformat(utc_time(0.0)) == datetime(1970, 1, 1, tzinfo=UTC)
