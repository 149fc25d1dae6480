"""``dfd train``: train the face classifier from a JSON config (needs the ``[train]`` extra)."""

from __future__ import annotations

import argparse
from pathlib import Path

from deepfake_detection.cli.environment import Environment, ExitStatus
from deepfake_detection.errors import InvalidOptions


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, required=True, help="training config JSON")
    parser.add_argument("--resume", action="store_true", help="continue from the run's last.pt")
    parser.add_argument("--steps", type=int, help="override the config's number of steps")
    parser.add_argument("--device", help="override the config's device (cpu, cuda, cuda:N)")
    parser.add_argument(
        "--stop-at", type=int, help="stop (checkpointed) at this step of the config's schedule"
    )


def run(args: argparse.Namespace, env: Environment) -> ExitStatus:
    from pydantic import ValidationError

    from deepfake_detection.training.config import TrainConfig
    from deepfake_detection.training.trainer import train

    overrides = {"steps": args.steps, "device": args.device}
    try:
        config = TrainConfig.from_file(args.config)
        changes = {k: v for k, v in overrides.items() if v is not None}
        config = TrainConfig.model_validate(config.model_dump() | changes)
    except ValidationError as exc:
        raise InvalidOptions(f"training config {args.config}: {exc}") from exc
    run_dir = train(config, resume=args.resume, stop_at=args.stop_at)
    print(f"run folder: {run_dir}", file=env.stdout)
    return ExitStatus.OK
