"""Peak memory of a piece of code, run alone in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from dataclasses import dataclass

_REPORT = """
for line in open("/proc/self/status"):
    if line.startswith("VmHWM:"):
        print("VmHWM", int(line.split()[1]))
"""


@dataclass(frozen=True)
class Peak:
    mb: float
    """The process's most resident memory (``VmHWM``), in MB (10^6 bytes)."""
    output: str
    """What the code printed (the peak line excluded)."""


def peak_memory(code: str, timeout_s: float = 300) -> Peak:
    """Run ``code`` (Python source) in a new interpreter, then read its high-water mark of resident
    memory. The code should catch what it expects to raise and print what the test checks."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code) + _REPORT],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=True,
    )
    *lines, last = done.stdout.strip().splitlines()
    name, kib = last.split()
    assert name == "VmHWM", done.stdout
    return Peak(int(kib) * 1024 / 1e6, "\n".join(lines))
