"""The candidates' validation table: each served ONNX model (and its flip-averaged variant) scored on
the same validation split, clean, H.264 CRF 40, half size + CRF 40, half size + JPEG 35,
self-blended and H.265 CRF 40, with calibration error and milliseconds per face.

Run: .venv/bin/python scripts/validation_table.py --config configs/effnetlite0-160-v2.json \
        --model src/deepfake_detection/models/dfd-effnetlite0.json [--model other.json] [--flip]
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

import numpy as np

from deepfake_detection.classifiers.model_card import default_model_card_path
from deepfake_detection.classifiers.onnx_classifier import OnnxClassifier
from deepfake_detection.evaluation.timing import ms_per_item
from deepfake_detection.training.config import TrainConfig
from deepfake_detection.training.trainer import prepare_data
from deepfake_detection.training.validation_table import (
    Image,
    Predict,
    Probabilities,
    TableRow,
    build_conditions,
    score,
    to_markdown,
)


def predictor(classifier: OnnxClassifier, flip: bool) -> Predict:
    def predict(images: list[Image]) -> Probabilities:
        out = []
        for start in range(0, len(images), 64):
            batch = np.stack(images[start : start + 64])
            probabilities = classifier.predict(batch).astype(np.float64)
            if flip:
                flipped = classifier.predict(np.ascontiguousarray(batch[:, :, ::-1]))
                probabilities = (probabilities + flipped) / 2
            out.append(probabilities)
        return np.concatenate(out)

    return predict


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", type=Path, default=Path("configs/effnetlite0-160-v2.json"))
    parser.add_argument("--model", type=Path, action="append", help="model card(s)")
    parser.add_argument("--flip", action="store_true", help="also score flip-averaged variants")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, help="write the rows and probabilities here (.npz)")
    args = parser.parse_args()
    config = TrainConfig.from_file(args.config)
    data = prepare_data(config)
    rows = data.validation_rows
    labels = np.array([data.cache.records[i].label for i in rows], dtype=np.int64)
    conditions = build_conditions(
        data.cache.pixels, rows, labels, config.input_size, config.eval_crop_side, config.seed
    )
    table: list[TableRow] = []
    saved: dict[str, np.ndarray] = {}
    for card in args.model or [default_model_card_path()]:
        classifier = OnnxClassifier(card, threads=args.threads)
        name = f"{classifier.card.name} {classifier.card.version}"
        one = conditions["clean"].images[:1]
        for flip in [False, True] if args.flip else [False]:
            variant = f"{name} + flip" if flip else name
            predict = predictor(classifier, flip)
            ms = float(np.median(ms_per_item(lambda p=predict, face=one: p(face), runs=200)))
            row, probabilities = score(variant, predict, conditions, classifier.card.threshold, ms)
            table.append(row)
            print(json.dumps(asdict(row)), flush=True)
            saved |= {f"{variant}/{k}": v for k, v in probabilities.items()}
    saved |= {f"labels/{k}": c.labels for k, c in conditions.items()}
    print(to_markdown(table))
    if args.out:
        np.savez(args.out, **saved)


if __name__ == "__main__":
    main()
