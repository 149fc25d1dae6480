"""``dfd evaluate PATH``: the metrics table of the whole pipeline on a folder with REAL/ and FAKE/."""

from __future__ import annotations

import argparse
from pathlib import Path

from deepfake_detection.cli.environment import Environment, ExitStatus

HELP = "Evaluate on a folder with REAL/ and FAKE/ (images or videos); writes JSON, Markdown, ROC."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", type=Path, help="folder with REAL/ and FAKE/ subfolders")
    parser.add_argument("--out", type=Path, default=Path("evaluation"), help="output folder")
    parser.add_argument(
        "--detector", help="face detector (default: the settings'); 'none' for crops"
    )
    parser.add_argument("--frames", type=int, default=32, help="frames sampled per video")
    parser.add_argument("--threshold", type=float, help="decision threshold (default: the card's)")


def run(args: argparse.Namespace, env: Environment) -> ExitStatus:
    from tqdm import tqdm

    from deepfake_detection.config import get_settings
    from deepfake_detection.evaluation.folder import evaluate_folder, write_outputs
    from deepfake_detection.runtime.models import load_models

    overrides: dict[str, object] = {}
    if args.detector:
        overrides["detector"] = args.detector
    if args.threshold is not None:
        overrides["threshold"] = args.threshold
    settings = get_settings(**overrides)
    models = load_models(settings, detector_names=[settings.detector])
    with tqdm(total=0, file=env.stderr, disable=not env.stderr_is_tty, unit="file") as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        result = evaluate_folder(args.path, models, frames=args.frames, progress=progress)
    text = write_outputs(result, args.out, f"{args.path.name} ({models.detector(None).name})")
    print(text, file=env.stdout)
    print(f"wrote {args.out}/metrics.json, metrics.md, roc.png", file=env.stdout)
    return ExitStatus.OK
