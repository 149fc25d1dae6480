"""Run an iterator in a background thread, a few items ahead of its consumer.

Video decoding (PyAV) and face detection (onnxruntime) both release the GIL, so decoding the next
sampled frame while the current one is being detected uses the second core instead of waiting.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

T = TypeVar("T")
PREFETCH_DEPTH = 2
"""Items produced ahead of the consumer by default."""
_POLL_S = 0.05


class _Done:
    pass


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


class _Prefetcher(Generic[T]):
    def __init__(self, source: Iterator[T], depth: int) -> None:
        self._source = source
        self._queue: queue.Queue[T | _Done | _Failed] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._produce, name="dfd-prefetch", daemon=True)
        self._thread.start()

    def _put(self, item: T | _Done | _Failed) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=_POLL_S)
                return True
            except queue.Full:
                continue
        return False

    def _produce(self) -> None:
        try:
            for item in self._source:
                if not self._put(item):
                    return
            self._put(_Done())
        except BaseException as exc:  # handed to the consumer, raised there
            self._put(_Failed(exc))

    def __iter__(self) -> Iterator[T]:
        while True:
            item = self._queue.get()
            if isinstance(item, _Done):
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item

    def close(self) -> None:
        self._stop.set()
        self._thread.join()


@contextmanager
def prefetched(source: Iterator[T], depth: int = PREFETCH_DEPTH) -> Iterator[Iterator[T]]:
    """``source``'s items, produced up to ``depth`` ahead in a thread; the thread is stopped and
    joined on exit, also when the consumer stops early or raises."""
    prefetcher = _Prefetcher(source, depth)
    try:
        yield iter(prefetcher)
    finally:
        prefetcher.close()
