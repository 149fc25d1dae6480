"""Returning freed memory to the operating system after a large decode.

glibc's allocator keeps freed blocks in its arenas for reuse; after a few 200 MB images, a process
that is idle again can hold a gigabyte it no longer uses (and a container limit counts it).
``malloc_trim(0)`` hands the free pages back. Elsewhere (musl, macOS) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import platform
import threading
from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim: Callable[[int], int] = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    return trim


def release_free_memory() -> bool:
    """Give the allocator's free memory back to the OS; whether that could be done here."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


class IdleRelease:
    """Gives free memory back once the process has been idle for ``after_s`` after some work.

    Freed memory sits in glibc's arenas, one per thread that allocated it (a service runs dozens),
    and fragments them: after a long run of mixed requests an idle process can hold 100-200 MB it
    no longer uses. Trimming after every request would cost each one the trim and the page faults
    of re-growing the heap; trimming once the service is quiet costs nothing under load.
    ``enter``/``leave`` bracket each piece of work; a daemon thread does the release.
    """

    def __init__(self, after_s: float = 2.0, release: Callable[[], object] = release_free_memory):
        self.after_s = after_s
        self._release = release
        self._active = 0
        self._worked = False
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None

    def enter(self) -> None:
        with self._changed:
            self._active += 1
            self._worked = True
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="idle-release", daemon=True)
                self._thread.start()
            self._changed.notify_all()

    def leave(self) -> None:
        with self._changed:
            self._active -= 1
            self._changed.notify_all()

    def _run(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._worked and self._active == 0)
                if self._changed.wait_for(lambda: self._active > 0, timeout=self.after_s):
                    continue  # busy again before the quiet period ended
                self._worked = False
            self._release()
