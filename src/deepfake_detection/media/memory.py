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
