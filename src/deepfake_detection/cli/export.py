"""``dfd export``: turn a training checkpoint into the shipped ONNX model and its model card."""

from __future__ import annotations

import argparse
from pathlib import Path

from deepfake_detection.classifiers.model_card import DEFAULT_MODEL_NAME
from deepfake_detection.cli.environment import Environment, ExitStatus
from deepfake_detection.crop.recipe import CropRecipe

HELP = "Calibrate, pick the threshold and export a checkpoint to ONNX with its model card."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, required=True, help="the run's training config JSON")
    parser.add_argument("--checkpoint", type=Path, help="default: the run folder's last.pt")
    parser.add_argument("--out", type=Path, default=Path("src/deepfake_detection/models"))
    parser.add_argument("--name", default=DEFAULT_MODEL_NAME)
    parser.add_argument("--version", required=True)
    parser.add_argument(
        "--crop-recipe",
        type=Path,
        required=True,
        help="JSON of the measured CropRecipe (box_scale, shift_y, square)",
    )
    parser.add_argument(
        "--flip-average",
        action="store_true",
        help="ship test-time flip averaging in the graph (twice the classifier's time)",
    )


def run(args: argparse.Namespace, env: Environment) -> ExitStatus:
    from deepfake_detection.evaluation.metrics import to_markdown
    from deepfake_detection.training.config import TrainConfig
    from deepfake_detection.training.export import export_model

    config = TrainConfig.from_file(args.config)
    checkpoint = args.checkpoint or config.run_dir / "last.pt"
    crop = CropRecipe.model_validate_json(args.crop_recipe.read_text())
    result = export_model(
        config, checkpoint, args.out, args.name, args.version, crop, args.flip_average
    )
    print(to_markdown(result.report, f"{args.name} {args.version}: validation"), file=env.stdout)
    print(
        f"ONNX vs torch max abs diff on 64 validation crops: {result.max_abs_diff:.2e}",
        file=env.stdout,
    )
    print(f"wrote {args.out / (args.name + '.onnx')} and its model card", file=env.stdout)
    return ExitStatus.OK
