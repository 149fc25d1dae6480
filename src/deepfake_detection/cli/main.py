"""Entry point of ``dfd``: builds the parser from the sub-commands and maps errors to exit codes."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence
from typing import Protocol

from deepfake_detection import __version__
from deepfake_detection.cli.environment import Environment, ExitStatus, UsageError
from deepfake_detection.errors import DetectionError

# Sub-commands, each a module of this package with ``add_arguments`` and ``run``, and what each does.
# A module is imported only when its command runs (so that `dfd serve` never imports torch): the
# descriptions live here, so that `dfd --help` can list every command without importing any.
COMMANDS: dict[str, str] = {
    "scan": "Analyse image and video files or folders for deepfaked faces.",
    "serve": "Serve the HTTP API (OpenAPI at /docs). Other settings come from DFD_* variables.",
    "evaluate": (
        "Evaluate on a folder with REAL/ and FAKE/ (images or videos); writes JSON, Markdown, ROC."
    ),
    "train": "Train the face-crop classifier on the DFDC crops (checkpointed, resumable).",
    "export": "Calibrate, pick the threshold and export a checkpoint to ONNX with its model card.",
    "worker": "Run a Celery worker for queued jobs (job backend `celery`; settings from DFD_*).",
    "keys": "Create, list and revoke API keys (used with DFD_AUTH=keys).",
}


class Command(Protocol):
    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace, env: Environment) -> ExitStatus: ...


def _command(name: str) -> Command:
    module: Command = importlib.import_module(f"deepfake_detection.cli.{name}")
    return module


def build_parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dfd", description="Deepfake detection for images and videos."
    )
    parser.add_argument("--version", action="version", version=f"dfd {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    chosen = next((a for a in argv if a in COMMANDS), None)
    for name, summary in COMMANDS.items():
        parser_of_command = sub.add_parser(name, help=summary, description=summary)
        if name == chosen:
            _command(name).add_arguments(parser_of_command)
    return parser


def main(argv: Sequence[str] | None = None, env: Environment | None = None) -> int:
    import sys

    argv = list(sys.argv[1:] if argv is None else argv)
    env = env or Environment()
    args = build_parser(argv).parse_args(argv)
    try:
        return int(_command(args.command).run(args, env))
    except UsageError as exc:
        print(f"dfd {args.command}: error: {exc}", file=env.stderr)
        return int(ExitStatus.USAGE)
    except DetectionError as exc:
        print(f"dfd {args.command}: error: [{exc.code}] {exc.message}", file=env.stderr)
        return int(ExitStatus.ERROR)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
