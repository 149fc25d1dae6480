"""Classifier latency: milliseconds per face in onnxruntime, batch 1 and batch 8, for 1 and 2 threads.

Run: .venv/bin/python scripts/bench/bench_classifier.py [--card PATH] [--runs 200]
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

import numpy as np

from deepfake_detection.classifiers.model_card import default_model_card_path
from deepfake_detection.classifiers.onnx_classifier import OnnxClassifier
from deepfake_detection.evaluation.timing import ms_per_item


def bench(card: Path, threads: int, batch: int, runs: int) -> list[float]:
    classifier = OnnxClassifier(card, threads=threads)
    size = classifier.card.input_size
    crops = np.random.default_rng(0).integers(0, 256, (batch, size, size, 3), dtype=np.uint8)
    return ms_per_item(lambda: classifier.predict(crops), runs, items=batch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--card", type=Path, default=default_model_card_path())
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    print(f"model card: {args.card}")
    print("| threads | batch | p50 ms/face | p90 ms/face |")
    print("|---|---|---|---|")
    for threads in (1, 2):
        for batch in (1, 8):
            times = sorted(bench(args.card, threads, batch, args.runs))
            p50 = statistics.median(times)
            p90 = times[int(0.9 * len(times))]
            print(f"| {threads} | {batch} | {p50:.2f} | {p90:.2f} |")


if __name__ == "__main__":
    main()
