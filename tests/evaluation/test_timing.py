"""The benchmarks' timing loop: warm-up calls are not timed, and the time is per item."""

from __future__ import annotations

import time

from deepfake_detection.evaluation.timing import ms_per_item


def test_warmup_calls_are_untimed_and_time_is_per_item() -> None:
    calls: list[float] = []

    def call() -> None:
        # The first (warm-up) calls are slow, as a session's first runs are.
        time.sleep(0.05 if len(calls) < 2 else 0.004)
        calls.append(time.perf_counter())

    times = ms_per_item(call, runs=5, items=4, warmup=2)
    assert len(calls) == 7
    assert len(times) == 5
    # 4 ms per call over 4 items: about 1 ms each, and nowhere near the 50 ms warm-up calls.
    assert all(0.9 <= t < 10.0 for t in times)
