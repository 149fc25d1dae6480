"""``dfd scan``: analyse image and video files and folders; JSON Lines or a table on stdout.

One result per file, in the order given (folders recursively, sorted). A file that cannot be
analysed gives a result with an ``error`` code and ``message``; it never stops the scan. In folders,
files are taken when their name has an image or video suffix or their first bytes say they are one;
files named on the command line are always analysed.

Exit status: 3 (``FAKE_FOUND``) if any file was found fake, otherwise 1 (``ERROR``) if any file
could not be analysed, otherwise (with ``--fail-on uncertain``) 4 (``UNCERTAIN_FOUND``) if any
file was uncertain, otherwise 0. A fake wins over an error because it is a finding about the
content; an error wins over an uncertain file because a file not analysed at all is the larger
gap. The per-file lines still report every error.

The output paths (``--report``, ``--annotate``) are checked before the models load.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Annotated, Any, Protocol

from pydantic import TypeAdapter, ValidationError

from deepfake_detection.analysis.persons import person_name
from deepfake_detection.analysis.video import FrameProgress, VideoOptions
from deepfake_detection.cli.artefacts import ScanArtefacts
from deepfake_detection.cli.environment import Environment, ExitStatus, UsageError
from deepfake_detection.cli.output_paths import check_report, prepare_annotate_dir
from deepfake_detection.cli.progress import ScanProgress
from deepfake_detection.cli.remote_scanner import RemoteScanner
from deepfake_detection.cli.scanner import FileResult, Scanner
from deepfake_detection.config import Settings, get_settings
from deepfake_detection.detectors.registry import list_detectors
from deepfake_detection.errors import InvalidOptions
from deepfake_detection.media.kind import SNIFF_BYTES, sniff_kind
from deepfake_detection.runtime.options import resolve_video_options
from deepfake_detection.schemas.scan import ScanFace, ScanPerson
from deepfake_detection.shared.registry import normalise

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


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = (
        "Exit status: 0 every file real, uncertain or without a face, 3 at least one fake, 1 some "
        "file could not be analysed (and none was fake), 4 with --fail-on uncertain: some file "
        "uncertain (none fake, no error), 2 bad command line or an output path that cannot be "
        "written. Other settings come from the DFD_* variables, as for `dfd serve`."
    )
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument(
        "--detector",
        help="face detector: yunet (default: DFD_DETECTOR), centerface, ssd or none",
    )
    parser.add_argument(
        "--threshold", type=_setting("threshold", float), help="fake at or above this (0..1)"
    )
    parser.add_argument(
        "--max-faces",
        type=_setting("max_faces", int),
        help="faces scored per image or video frame (default: DFD_MAX_FACES, 16)",
    )
    videos = parser.add_mutually_exclusive_group()
    videos.add_argument(
        "--frames",
        type=_setting("video_frames", int),
        help="video frames sampled evenly (default: DFD_VIDEO_FRAMES, 32)",
    )
    videos.add_argument(
        "--every-s",
        type=_positive_seconds,
        metavar="S",
        help="instead of --frames: one video frame every S seconds",
    )
    parser.add_argument(
        "--sampling",
        choices=("exact", "fast"),
        help="video frames: exact (default), the frame shown at each instant; fast, the nearest "
        "keyframe or a frame just after one (far less decoding; frames may lie far from their "
        "instants)",
    )
    parser.add_argument(
        "--server", metavar="URL", help="let the service at URL analyse the files (no local model)"
    )
    parser.add_argument(
        "--api-key", help="the service's API key (default: DFD_API_KEY; with --server)"
    )
    parser.add_argument(
        "--annotate",
        type=Path,
        metavar="DIR",
        help="write each file with its faces drawn to DIR (images PNG, videos MP4)",
    )
    parser.add_argument(
        "--report", type=Path, metavar="FILE", help="write a self-contained HTML report to FILE"
    )
    parser.add_argument(
        "--fail-on",
        choices=("fake", "uncertain"),
        default="fake",
        help="the least finding that fails the scan: fake (exit 3, the default) or uncertain "
        "(also exit 4 when no file is fake and none failed)",
    )


def run(args: argparse.Namespace, env: Environment) -> ExitStatus:
    if args.detector is not None and normalise(args.detector) not in list_detectors():
        valid = ", ".join(list_detectors())
        raise UsageError(
            f"argument --detector: unknown face detector {args.detector!r}; valid detectors: {valid}"
        )
    overrides = {
        name: value
        for name, value in (
            ("detector", args.detector),
            ("threshold", args.threshold),
            ("max_faces", args.max_faces),
        )
        if value is not None
    }
    if args.server and (args.annotate or args.report):
        raise UsageError("--annotate and --report need a local scan: drop --server")
    if args.report is not None:
        check_report(args.report)
    if args.annotate is not None:
        prepare_annotate_dir(args.annotate)
    scanner: FileScanner
    artefacts: ScanArtefacts | None = None
    if args.server:
        api_key = args.api_key or os.environ.get("DFD_API_KEY") or None
        scanner = RemoteScanner(args.server, api_key, **_remote_options(args))
    else:
        settings = get_settings(**overrides)
        local = Scanner(settings, _video_options(settings, args))  # the models load once, here
        artefacts = ScanArtefacts(local, args.annotate, args.report, env.stderr)
        scanner = local
    files = list(collect_files(args.paths))
    verdicts: set[str | None] = set()
    errors = False
    if not args.json:
        print(f"{'LABEL':9} {'P(FAKE)':>7} {'FACES':>5}  PATH", file=env.stdout, flush=True)
    with ScanProgress(len(files), env) as progress:
        for path in files:
            result = scanner.scan(path, progress.frame_counter(path))
            verdicts.add(result.verdict)
            errors |= result.error is not None
            progress.show([json.dumps(result.as_json())] if args.json else table_rows(result))
            if artefacts is not None and artefacts.wanted:
                artefacts.add(result)
    if artefacts is not None:
        errors |= not artefacts.finish()
    return exit_status(verdicts, errors, fail_on=args.fail_on)


def exit_status(verdicts: set[str | None], errors: bool, *, fail_on: str = "fake") -> ExitStatus:
    """A fake first (a finding), then an error (a file not analysed at all), then, when asked
    for, an uncertain file (one that needs a person to look)."""
    if "fake" in verdicts:
        return ExitStatus.FAKE_FOUND
    if errors:
        return ExitStatus.ERROR
    if fail_on == "uncertain" and "uncertain" in verdicts:
        return ExitStatus.UNCERTAIN_FOUND
    return ExitStatus.OK


class FileScanner(Protocol):
    def scan(self, path: Path, frames: FrameProgress | None = None) -> FileResult: ...


def _remote_options(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "detector": args.detector,
        "threshold": args.threshold,
        "max_faces": args.max_faces,
        "sampling": args.sampling,
    }


def collect_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Named files as given (missing ones too: they get an error line), folders' media files."""
    for path in paths:
        if path.is_dir():
            yield from (p for p in sorted(path.rglob("*")) if p.is_file() and _looks_like_media(p))
        else:
            yield path


def table_rows(result: FileResult) -> list[str]:
    """The file's row, then one indented row per face (image) or person (video), so a group photo
    with one real face among fakes shows it."""
    line = result.line
    label = line.verdict or "error"
    probability = "" if line.fake_probability is None else f"{line.fake_probability:.3f}"
    faces = "" if line.error else str(len(line.faces))
    suffix = f"  [{line.error}] {line.message}" if line.error else ""
    if line.verdict_reason:
        suffix = f"  ({line.verdict_reason})"
    rows = [f"{label:9} {probability:>7} {faces:>5}  {line.path}{suffix}"]
    rows.extend(_face_row(face) for face in line.faces)
    return rows


def _face_row(face: ScanFace | ScanPerson) -> str:
    box = face.box
    where = f"box {box.x1:.0f},{box.y1:.0f} {box.x2:.0f},{box.y2:.0f}"
    if isinstance(face, ScanPerson):
        frames = f"{face.frames} frame{'s' if face.frames != 1 else ''}"
        what = f"person {person_name(face.id)}, {frames} ({face.coverage:.0%}), {where}"
    else:
        what = f"face, {where}"
    if face.reason:
        what += f" ({face.reason})"
    return f"  {face.label:9} {face.fake_probability:>5.3f} {'':>5}  {what}"


def _video_options(settings: Settings, args: argparse.Namespace) -> VideoOptions:
    try:
        return resolve_video_options(
            settings, frames=args.frames, every_s=args.every_s, sampling=args.sampling
        )
    except InvalidOptions as exc:
        flag = "--every-s" if args.every_s is not None else "--frames"
        raise UsageError(f"argument {flag}: {exc.message}") from exc


def _looks_like_media(path: Path) -> bool:
    if path.suffix.lower() in MEDIA_SUFFIXES:
        return True
    try:
        with path.open("rb") as f:
            return sniff_kind(f.read(SNIFF_BYTES)) is not None
    except OSError:
        return True  # unreadable: report it rather than skip it silently


def _setting(name: str, kind: type[Any]) -> Callable[[str], Any]:
    """An argparse type that checks a flag as the setting ``name`` is checked (its bounds), so a
    bad value is a usage error that names the flag, not the DFD_ variable."""
    checked: Any = Annotated[kind, *Settings.model_fields[name].metadata]
    adapter: TypeAdapter[Any] = TypeAdapter(checked)

    def parse(text: str) -> Any:
        try:
            return adapter.validate_python(text)
        except ValidationError as exc:
            message = exc.errors()[0]["msg"]
            raise argparse.ArgumentTypeError(
                f"{message[0].lower()}{message[1:]}, not {text!r}"
            ) from None

    return parse


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not (0.0 < value < float("inf")):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, not {text!r}")
    return value
