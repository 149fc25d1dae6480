"""Entry point of ``dfd``: builds the parser from the sub-commands and maps errors to exit codes."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence
from typing import Protocol

from deepfake_detection import __version__
from deepfake_detection.cli.environment import Environment, ExitStatus
from deepfake_detection.errors import DetectionError

# Sub-commands, each a module of this package with ``HELP``, ``add_arguments`` and ``run``. They are
# imported only when used, so that `dfd serve` never imports torch.
COMMANDS = ("scan", "serve", "evaluate", "train", "export", "worker", "keys")


class Command(Protocol):
    HELP: str

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
    for name in COMMANDS:
        if name == chosen:
            command = _command(name)
            command.add_arguments(sub.add_parser(name, help=command.HELP, description=command.HELP))
        else:
            # Only the chosen command's module is imported; the others are listed by name.
            sub.add_parser(name, help=f"see `dfd {name} --help`")
    return parser


def main(argv: Sequence[str] | None = None, env: Environment | None = None) -> int:
    import sys

    argv = list(sys.argv[1:] if argv is None else argv)
    env = env or Environment()
    args = build_parser(argv).parse_args(argv)
    try:
        return int(_command(args.command).run(args, env))
    except DetectionError as exc:
        print(f"dfd {args.command}: error: [{exc.code}] {exc.message}", file=env.stderr)
        return int(ExitStatus.ERROR)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
