"""Score the same faces through the training crops' framing and through detect + crop, compare.

Training framing: the DFDC crop resized to the cache size (bicubic), its centred ``eval_crop_side``
square, resized to the model's input (what validation feeds the model). Serving framing: the DFDC
crop padded with a grey border, the face detected, and cropped by the model card's recipe for that
detector (``crop/face_crop.py``), as the service does. Validation-split crops only.

    nice -n 10 .venv/bin/python scripts/research/compare_crop_scores.py --items 400
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np
from PIL import Image
from sklearn.metrics import roc_auc_score

from deepfake_detection.analysis.image import crop_recipe
from deepfake_detection.classifiers.model_card import default_model_card_path
from deepfake_detection.classifiers.onnx_classifier import OnnxClassifier
from deepfake_detection.crop.face_crop import crop_face
from deepfake_detection.detectors.registry import create_detector
from deepfake_detection.training.augment import center_crop
from deepfake_detection.training.config import TrainConfig
from deepfake_detection.training.dataset import load_crop, read_metadata, split_by_group

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "dfdc-faces"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--card", type=Path, default=default_model_card_path())
    parser.add_argument("--items", type=int, default=400)
    parser.add_argument("--pad", type=int, default=112)
    parser.add_argument("--detectors", nargs="+", default=["centerface", "ssd"])
    args = parser.parse_args()
    config = TrainConfig()
    classifier = OnnxClassifier(args.card)
    card = classifier.card
    records = split_by_group(read_metadata(args.data), config.validation_fraction, config.seed)
    picks = np.random.default_rng(0).choice(len(records.validation), args.items, replace=False)
    chosen = [records.validation[i] for i in sorted(picks)]
    crops = [np.asarray(Image.open(args.data / r.file).convert("RGB")) for r in chosen]
    labels = np.array([r.label for r in chosen])
    training = np.stack(
        [
            center_crop(
                load_crop(args.data / r.file, config.cache_size),
                card.input_size,
                config.eval_crop_side,
            )
            for r in chosen
        ]
    )
    reference = classifier.predict(training)
    print(f"card {args.card.name}: crop {card.crop.model_dump()}")
    print(f"{len(chosen)} validation crops; training framing AUC {_auc(labels, reference)}")
    for name in args.detectors:
        detector = create_detector(name)
        recipe = crop_recipe(card.crop, name)
        served, kept = [], []
        for i, crop in enumerate(crops):
            canvas = cv2.copyMakeBorder(
                crop, args.pad, args.pad, args.pad, args.pad, cv2.BORDER_CONSTANT, value=(127,) * 3
            )
            faces = detector.detect(canvas)
            if faces:
                served.append(crop_face(canvas, faces[0].box, recipe, card.input_size))
                kept.append(i)
        scores = classifier.predict(np.stack(served))
        diff = scores - reference[kept]
        threshold = card.threshold
        agree = np.mean((scores >= threshold) == (reference[kept] >= threshold))
        print(
            f"{name}: {len(kept)}/{len(crops)} faces found; score difference detect+crop minus "
            f"training: mean {diff.mean():+.4f}, mean |d| {np.abs(diff).mean():.4f}, "
            f"p90 |d| {np.percentile(np.abs(diff), 90):.4f}; same label {agree:.1%}; "
            f"AUC {_auc(labels[kept], scores)} (training framing on the same faces "
            f"{_auc(labels[kept], reference[kept])})"
        )


def _auc(labels: np.ndarray, scores: np.ndarray) -> str:
    return f"{roc_auc_score(labels, scores):.3f}" if len(set(labels.tolist())) == 2 else "n/a"


if __name__ == "__main__":
    main()
