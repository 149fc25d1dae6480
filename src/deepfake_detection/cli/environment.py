"""I/O for the CLI in one object, so commands are testable without touching the real terminal."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from enum import IntEnum
from typing import TextIO


class ExitStatus(IntEnum):
    OK = 0
    ERROR = 1
    USAGE = 2
    # `dfd scan` found at least one fake: a result, not a failure.
    FAKE_FOUND = 3
    # `dfd scan --fail-on uncertain` found a file that needs a person to look (and no fake).
    UNCERTAIN_FOUND = 4


class UsageError(Exception):
    """A command-line value that only the command can check (e.g. against the settings): exit 2,
    like the values argparse refuses, with a message that names the flag."""


@dataclass
class Environment:
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)

    @property
    def stderr_is_tty(self) -> bool:
        return self.stderr.isatty()
