"""The files ``dfd scan`` writes besides its lines, checked before the scan starts: a folder that is
missing or not writable is a usage error (exit 2, one line), not a traceback after hours of work.

Each check tries the real operation (creating the folder, creating and removing a file in it),
since permission bits say nothing for root, a read-only mount or /proc.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from deepfake_detection.cli.environment import UsageError


def check_report(path: Path) -> None:
    """``--report FILE``: a file that can be written, in a folder that exists."""
    if path.is_dir():
        raise UsageError(f"argument --report: {path} is a folder; give the report a file name")
    folder = path.parent
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise UsageError(f"argument --report: the folder {folder} {what}")
    try:
        if path.exists():
            with path.open("r+b"):  # opened for writing, nothing changed
                pass
        else:
            with path.open("xb"):
                pass
            path.unlink()
    except OSError as exc:
        raise UsageError(f"argument --report: cannot write {path}: {_reason(exc)}") from None


def prepare_annotate_dir(path: Path) -> None:
    """``--annotate DIR``: the folder, created if needed, where a file can be written."""
    if path.exists() and not path.is_dir():
        raise UsageError(f"argument --annotate: {path} is a file, not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".dfd-check-"):
            pass
    except OSError as exc:
        raise UsageError(f"argument --annotate: cannot write in {path}: {_reason(exc)}") from None


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)
