"""The candidates' validation table: each served ONNX model (and its flip-averaged variant) scored on
the same validation split, clean, H.264 CRF 40, half size + CRF 40, half size + JPEG 35,
self-blended and H.265 CRF 40, with calibration error and milliseconds per face; then model 3's
table: held-out encoders, libx264's defaults, every everyday edit (held-out ones included) with
the share of reals called fake, the held-out real portraits, and the score's correlation with
sharpness.

Run: .venv/bin/python scripts/research/validation_table.py --config configs/effnetlite0-160-v2.json \
        --model src/deepfake_detection/models/dfd-effnetlite0.json [--model other.json] [--flip]
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

from deepfake_detection.classifiers.model_card import ModelCard, default_model_card_path
from deepfake_detection.classifiers.onnx_classifier import OnnxClassifier
from deepfake_detection.evaluation.timing import ms_per_item
from deepfake_detection.training.config import TrainConfig
from deepfake_detection.training.shortcut import score_sharpness_correlation
from deepfake_detection.training.trainer import prepare_data
from deepfake_detection.training.validation_set import model3_conditions
from deepfake_detection.training.validation_table import (
    CLEAN,
    HELD_OUT_ENCODERS,
    PORTRAITS,
    X264_DEFAULTS_CRF40,
    Condition,
    Image,
    Predict,
    Probabilities,
    TableRow,
    build_conditions,
    edit_columns,
    reals_called_fake,
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


MODEL3_HEAD = (
    "| candidate | clean AUC | held-out encoders AUC (MPEG-4 q24 / VP9 CRF 61 / mean) "
    "| libx264 defaults CRF 40 AUC | everyday edits AUC, mean (min) "
    "| reals called fake: clean / worst edit / mean over edits | portraits: reals called fake, "
    "AUC | clean: uncertain, decided right | score-sharpness correlation, clean reals |\n"
    "|---|---|---|---|---|---|---|---|---|\n"
)


def model3_row(
    name: str,
    card: ModelCard,
    conditions: dict[str, Condition],
    probabilities: dict[str, Probabilities],
) -> str:
    """One line of the model-3 table, labels by the card's rule (``fake`` at or above its band)."""
    band = card.uncertain_band
    high = band.high if band else card.threshold
    low = band.low if band else card.threshold

    def auc(key: str) -> float:
        return float(roc_auc_score(conditions[key].labels, probabilities[key]))

    def fake_share(key: str) -> float:
        return reals_called_fake(conditions[key], probabilities[key], high)

    encoders = [auc(k) for k in HELD_OUT_ENCODERS]
    edits = edit_columns()
    edit_aucs = [auc(k) for k in edits]
    edit_fakes = {k: fake_share(k) for k in edits}
    worst = max(edit_fakes, key=lambda k: edit_fakes[k])
    clean = probabilities[CLEAN]
    clean_labels = conditions[CLEAN].labels
    decided = (clean < low) | (clean >= high)
    right = ((clean >= high) == (clean_labels == 1))[decided].mean()
    reals = clean_labels == 0
    rho = score_sharpness_correlation(
        [i for i, r in zip(conditions[CLEAN].images, reals, strict=True) if r], clean[reals]
    )
    portraits = (
        f"{fake_share(PORTRAITS):.1%}, {auc(PORTRAITS):.4f}" if PORTRAITS in conditions else "-"
    )
    print(json.dumps({"name": name, "reals_called_fake": edit_fakes}), flush=True)
    return (
        f"| {name} | {auc(CLEAN):.4f} | {encoders[0]:.4f} / {encoders[1]:.4f} / "
        f"{np.mean(encoders):.4f} | {auc(X264_DEFAULTS_CRF40):.4f} | {np.mean(edit_aucs):.4f} "
        f"({min(edit_aucs):.4f}) | {fake_share(CLEAN):.1%} / {edit_fakes[worst]:.1%} "
        f"({worst.split(':')[1]}) / {np.mean(list(edit_fakes.values())):.1%} | {portraits} "
        f"| {1 - decided.mean():.1%}, {right:.1%} | {rho:+.3f} |"
    )


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
    extra = model3_conditions(data, labels, config)
    model3_lines: list[str] = []
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
            extra_probabilities = {k: predict(c.images) for k, c in extra.items()}
            saved |= {f"{variant}/{k}": v for k, v in extra_probabilities.items()}
            model3_lines.append(
                model3_row(
                    variant,
                    classifier.card,
                    conditions | extra,
                    probabilities | extra_probabilities,
                )
            )
    saved |= {f"labels/{k}": c.labels for k, c in conditions.items()}
    print(to_markdown(table))
    print(MODEL3_HEAD + "\n".join(model3_lines))
    if args.out:
        np.savez(args.out, **saved)


if __name__ == "__main__":
    main()
