"""Materialise a training config's validation split as a REAL/ FAKE/ folder of symbolic links, so that
`dfd evaluate` can score it through the whole service pipeline.

Run: .venv/bin/python scripts/research/split_folder.py --config configs/effnetlite0-160.json --out /tmp/val
"""

from __future__ import annotations

import argparse
from pathlib import Path

from deepfake_detection.training.config import TrainConfig
from deepfake_detection.training.dataset import REAL, read_metadata, split_by_group


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--side", choices=["validation", "train"], default="validation")
    args = parser.parse_args()
    config = TrainConfig.from_file(args.config)
    split = split_by_group(read_metadata(config.data_dir), config.validation_fraction, config.seed)
    records = split.validation if args.side == "validation" else split.train
    for record in records:
        target = args.out / ("REAL" if record.label == REAL else "FAKE") / Path(record.file).name
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            target.symlink_to((config.data_dir / record.file).resolve())
    print(f"{len(records)} {args.side} crops linked under {args.out}")


if __name__ == "__main__":
    main()
