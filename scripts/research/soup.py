"""A weight-space average of exported models (``training/soup.py``) as a checkpoint for
``dfd export --checkpoint``: WiSE-FT between a model and its fine-tune, or a soup of runs from the
same ImageNet start. The models are exports without flip averaging (``dfd export`` without
``--flip-average``) of one architecture.

    .venv/bin/python scripts/research/soup.py --config configs/effnetlite0-160-v2.json \\
        --models runs/dfd-effnetlite0-1.2.0.onnx runs/v2-noflip/dfd-effnetlite0.onnx \\
        --shares 0.5 0.5 --names "model 1.2.0" "its v2 fine-tune" --out runs/wise-0.5.pt
    .venv/bin/dfd export --config configs/effnetlite0-160-v2.json --checkpoint runs/wise-0.5.pt \\
        --out runs/wise-0.5 --version 2.0.0 --crop-recipe configs/crop_recipe.json
"""

from __future__ import annotations

import argparse
from pathlib import Path

from deepfake_detection.training.config import TrainConfig
from deepfake_detection.training.soup import average_onnx, soup_checkpoint
from deepfake_detection.training.trainer import build_network, prepare_data, statistics_images


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, required=True, help="for the data and input size")
    parser.add_argument("--models", type=Path, nargs="+", required=True, help="exported ONNX")
    parser.add_argument("--shares", type=float, nargs="+", required=True)
    parser.add_argument(
        "--names", nargs="+", help="what each model is, for the model card (default: file names)"
    )
    parser.add_argument("--out", type=Path, required=True, help="the checkpoint to write")
    args = parser.parse_args()
    config = TrainConfig.from_file(args.config)
    graph = args.out.with_suffix(".onnx")
    average_onnx(args.models, args.shares, graph)
    network = build_network(config.model_copy(update={"pretrained": False}))
    images = statistics_images(config, prepare_data(config))
    # The card names the models, not this machine's paths to them.
    names = args.names or [path.name for path in args.models]
    parts = " + ".join(
        f"{share:g} x {name}" for share, name in zip(args.shares, names, strict=True)
    )
    weights = f"weight average (model soup, WiSE-FT when one is a fine-tune of the other): {parts}"
    diff = soup_checkpoint(network, graph, images, args.out, weights)
    print(f"wrote {args.out} (torch vs onnxruntime on 64 crops: {diff:.2e}) and {graph}")


if __name__ == "__main__":
    main()
