"""``dfd scan``: analyse image and video files and folders; JSON Lines or a table on stdout.

One result per file, in the order given (folders recursively, sorted). A file that cannot be
analysed gives a result with an ``error`` code and ``message``; it never stops the scan. In folders,
files are taken when their name has an image or video suffix or their first bytes say they are one;
files named on the command line are always analysed.

Exit status: 3 (``FAKE_FOUND``) if any file was found fake, otherwise 1 (``ERROR``) if any file
could not be analysed, otherwise 0. A fake wins over an error because it is a finding about the
content; the per-file lines still report every error.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from deepfake_detection.cli.environment import Environment, ExitStatus
from deepfake_detection.cli.scanner import FileResult, Scanner
from deepfake_detection.config import get_settings
from deepfake_detection.media.kind import SNIFF_BYTES, sniff_kind

HELP = "Analyse image and video files or folders for deepfaked faces."

IMAGE_SUFFIXES = (
    ".jpg",
    ".jpeg",
    ".png",
    ".webp",
    ".bmp",
    ".gif",
    ".tif",
    ".tiff",
    ".heic",
    ".avif",
)
VIDEO_SUFFIXES = (".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi")
MEDIA_SUFFIXES = frozenset(IMAGE_SUFFIXES + VIDEO_SUFFIXES + (".heif",))
_PROGRESS_FROM = 5  # files; fewer finish before a bar is worth drawing


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--detector", help="face detector (default: DFD_DETECTOR or centerface)")
    parser.add_argument(
        "--threshold", type=_probability, help="fake at or above this (default: the model card's)"
    )
    parser.add_argument("--max-faces", type=int, help="faces per image (default: DFD_MAX_FACES)")


def run(args: argparse.Namespace, env: Environment) -> ExitStatus:
    overrides = {
        name: value
        for name, value in (("detector", args.detector), ("threshold", args.threshold))
        if value is not None
    }
    if args.max_faces is not None:
        overrides["max_faces"] = args.max_faces
    settings = get_settings(**overrides)
    scanner = Scanner(settings)  # loads the model and the detector once, before any file
    files = list(collect_files(args.paths))
    results = _with_progress(files, env)
    fake = errors = False
    if not args.json:
        print(f"{'LABEL':8} {'P(FAKE)':>7} {'FACES':>5}  PATH", file=env.stdout)
    for path in results:
        result = scanner.scan(path)
        fake |= result.label == "fake"
        errors |= result.error is not None
        line = json.dumps(result.as_json()) if args.json else _table_row(result)
        print(line, file=env.stdout, flush=True)
    if fake:
        return ExitStatus.FAKE_FOUND
    return ExitStatus.ERROR if errors else ExitStatus.OK


def collect_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Named files as given (missing ones too: they get an error line), folders' media files."""
    for path in paths:
        if path.is_dir():
            yield from (p for p in sorted(path.rglob("*")) if p.is_file() and _looks_like_media(p))
        else:
            yield path


def _looks_like_media(path: Path) -> bool:
    if path.suffix.lower() in MEDIA_SUFFIXES:
        return True
    try:
        with path.open("rb") as f:
            return sniff_kind(f.read(SNIFF_BYTES)) is not None
    except OSError:
        return True  # unreadable: report it rather than skip it silently


def _with_progress(files: list[Path], env: Environment) -> Iterable[Path]:
    if len(files) < _PROGRESS_FROM or not env.stderr_is_tty:
        return files
    from tqdm import tqdm

    progress: Iterable[Path] = tqdm(files, file=env.stderr, unit="file", leave=False)
    return progress


def _table_row(result: FileResult) -> str:
    label = result.label or "error"
    probability = "" if result.fake_probability is None else f"{result.fake_probability:.3f}"
    faces = "" if result.error else str(len(result.faces))
    suffix = f"  [{result.error}] {result.message}" if result.error else ""
    return f"{label:8} {probability:>7} {faces:>5}  {result.path}{suffix}"


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be a number in 0..1, not {text!r}")
    return value
