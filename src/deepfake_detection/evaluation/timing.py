"""Wall time per item of a repeated call: the one timing loop of the latency benchmarks."""

from __future__ import annotations

import time
from collections.abc import Callable


def ms_per_item(
    call: Callable[[], object], runs: int, items: int = 1, warmup: int = 10
) -> list[float]:
    """Milliseconds per item of each of ``runs`` calls of ``call`` (which handles ``items``
    items, e.g. a batch of faces), after ``warmup`` untimed calls (session start, caches)."""
    for _ in range(warmup):
        call()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000 / items)
    return times
