"""Augmentation ablation: train every variant of ``training/ablation.py`` and compare them on the
full validation split, clean and halved then JPEG 35.

Each variant is a ``dfd train`` process; ``--parallel`` of them run at once. The table goes to
``OUT/ablation.md`` and ``OUT/ablation.json``. A run still going at ``--deadline-s`` is stopped and
scored at its last checkpoint (the steps column shows it; ``dfd train --resume`` can finish it).

    # on a GPU machine (16 cores): every variant at the shipped model's first-stage budget
    .venv/bin/python scripts/research/ablate_augmentations.py --device cuda --parallel 12 --loader-workers 1
    # a smoke run on the CPU
    .venv/bin/python scripts/research/ablate_augmentations.py --steps 20 --limit-items 400 --only all none
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from deepfake_detection.training.ablation import as_records, evaluate_run, to_markdown, variants
from deepfake_detection.training.config import TrainConfig
from deepfake_detection.training.trainer import CHECKPOINT, prepare_data
from deepfake_detection.training.validation_set import ValidationSet


def launch(config: TrainConfig, config_path: Path) -> subprocess.Popen[bytes]:
    config.run_dir.mkdir(parents=True, exist_ok=True)
    config_path.write_text(config.model_dump_json(indent=2))
    command = [sys.executable, "-m", "deepfake_detection.cli.main", "train"]
    with (config.run_dir / "stdout.log").open("ab") as log:
        return subprocess.Popen(
            [*command, "--config", str(config_path)], stdout=log, stderr=subprocess.STDOUT
        )


def run_all(runs: dict[str, TrainConfig], out: Path, parallel: int, deadline_s: float) -> set[str]:
    """Train the runs, ``parallel`` at a time; the names of those that finished."""
    started = time.monotonic()
    waiting, running, finished = list(runs), {}, set()
    while waiting or running:
        while waiting and len(running) < parallel:
            name = waiting.pop(0)
            running[name] = launch(runs[name], out / f"{name}.json")
            print(f"started {name}", flush=True)
        for name, process in list(running.items()):
            if process.poll() is not None:
                del running[name]
                print(f"{name}: exit {process.returncode}", flush=True)
                if process.returncode == 0:
                    finished.add(name)
        if time.monotonic() - started > deadline_s:
            for name, process in running.items():
                process.kill()
                print(f"{name}: stopped at the deadline", flush=True)
            break
        time.sleep(1.0)
    return finished


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, default=Path("configs/effnetlite0-160.json"))
    parser.add_argument("--out", type=Path, default=Path("runs/ablation"))
    parser.add_argument("--data-dir", type=Path, help="override the config's data_dir")
    parser.add_argument("--steps", type=int, help="override the config's steps (every variant)")
    parser.add_argument("--only", nargs="+", help="train only these variants")
    parser.add_argument("--long-steps", type=int, help="also train 'all_long' for this many steps")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--parallel", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2, help="torch threads per run")
    parser.add_argument("--loader-workers", type=int, default=0)
    parser.add_argument("--limit-items", type=int)
    parser.add_argument("--deadline-s", type=float, default=float("inf"))
    args = parser.parse_args()

    base = TrainConfig.from_file(args.config)
    update: dict[str, object] = {
        "device": args.device,
        "threads": args.threads,
        "loader_workers": args.loader_workers,
        "limit_items": args.limit_items,
    }
    if args.data_dir:
        update["data_dir"] = args.data_dir
    if args.steps:
        update["steps"] = args.steps
    base = base.model_copy(update=update)
    runs = variants(base, args.out)
    if args.only:
        runs = {name: runs[name] for name in args.only}
    if args.long_steps:
        runs["all_long"] = runs["all"].model_copy(
            update={"steps": args.long_steps, "run_dir": args.out / "all_long"}
        )

    # Decode the crops once here, before the runs start and map the same cache file.
    data = prepare_data(base)
    validation = ValidationSet.build(data, base)
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    finished = run_all(runs, args.out, args.parallel, args.deadline_s)
    print(f"training wall time {time.monotonic() - started:.0f} s", flush=True)

    results = [
        evaluate_run(runs[name], validation, name)
        for name in runs
        if (runs[name].run_dir / CHECKPOINT).exists()
    ]
    stopped = sorted(set(runs) - finished)
    if stopped:
        print(f"did not finish (scored at their last checkpoint, see steps): {stopped}")
    title = (
        f"Augmentation ablation: {base.steps} steps x batch {base.batch_size}, "
        f"{len(validation.labels)} validation crops (group split), final EMA weights"
    )
    markdown = to_markdown(results, title)
    (args.out / "ablation.md").write_text(markdown)
    (args.out / "ablation.json").write_text(json.dumps(as_records(results), indent=2))
    print(markdown)


if __name__ == "__main__":
    main()
