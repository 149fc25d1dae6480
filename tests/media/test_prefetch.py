from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from deepfake_detection.errors import CorruptMedia
from deepfake_detection.media.prefetch import prefetched


def _numbers(n: int, fail_at: int | None = None) -> Iterator[int]:
    for i in range(n):
        if i == fail_at:
            raise CorruptMedia("broken at frame 3")
        yield i


def test_items_arrive_in_order() -> None:
    with prefetched(_numbers(50), depth=3) as items:
        assert list(items) == list(range(50))


def test_an_error_in_the_producer_reaches_the_consumer_after_the_good_items() -> None:
    seen = []
    with pytest.raises(CorruptMedia, match="frame 3"), prefetched(_numbers(10, fail_at=3)) as items:
        seen.extend(items)
    assert seen == [0, 1, 2]


def test_stopping_early_stops_the_producer_thread() -> None:
    before = threading.active_count()
    with prefetched(_numbers(10_000), depth=2) as items:
        assert next(items) == 0
    assert threading.active_count() == before
