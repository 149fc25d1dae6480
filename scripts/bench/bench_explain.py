"""Explanation cost: milliseconds per face for the occlusion map (one batch through the served ONNX
classifier) and its PNG overlay, on a real face (scikit-image's astronaut), with the service's
thread count. Goal: <= 300 ms per face with 2 threads.

Run: .venv/bin/python scripts/bench/bench_explain.py [--threads 2] [--runs 30] [--grid 8 --window 2]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
from skimage import data

from deepfake_detection.analysis.explain import GRID, WINDOW, explain_faces
from deepfake_detection.analysis.image import ImageAnalyzer
from deepfake_detection.classifiers.model_card import default_model_card_path
from deepfake_detection.classifiers.onnx_classifier import OnnxClassifier
from deepfake_detection.detectors.registry import create_detector

GOAL_MS = 300.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--card", type=Path, default=default_model_card_path())
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--grid", type=int, default=GRID)
    parser.add_argument("--window", type=int, default=WINDOW)
    args = parser.parse_args()
    classifier = OnnxClassifier(args.card, threads=args.threads)
    analyzer = ImageAnalyzer(create_detector("centerface", threads=args.threads), classifier)
    image = np.asarray(data.astronaut())
    analysis = analyzer.analyze(image)
    faces = analysis.faces[:1]
    if not faces:
        raise SystemExit("no face found in the test image")
    places = (args.grid - args.window + 1) ** 2
    print(
        f"model {classifier.card.name} {classifier.card.version}, {args.threads} threads, "
        f"grid {args.grid}, window {args.window}: {places} occluded crops + 1 per face"
    )
    options = {"grid": args.grid, "window": args.window}
    for _ in range(3):
        explain_faces(image, faces, classifier, analysis.detector, **options)
    maps, overlays = [], []
    for _ in range(args.runs):
        start = time.perf_counter()
        (explanation,) = explain_faces(image, faces, classifier, analysis.detector, **options)
        mapped = time.perf_counter()
        explanation.overlay_png()
        done = time.perf_counter()
        maps.append((mapped - start) * 1000)
        overlays.append((done - mapped) * 1000)
    # The machine's speed drifts (shared cores): the classifier alone, measured in the same
    # minutes, puts the numbers in proportion (the map costs about places + 1 crop scorings).
    size = classifier.card.input_size
    crops = np.random.default_rng(0).integers(0, 256, (8, size, size, 3), dtype=np.uint8)
    reference = []
    for _ in range(args.runs):
        start = time.perf_counter()
        classifier.predict(crops)
        reference.append((time.perf_counter() - start) * 1000 / len(crops))
    per_crop = statistics.median(reference)
    totals = sorted(m + o for m, o in zip(maps, overlays, strict=True))
    p50, p90 = statistics.median(totals), totals[int(0.9 * len(totals))]
    verdict = "ok" if p50 <= GOAL_MS else "MISSED"
    print(f"classifier alone, same minutes: p50 {per_crop:.2f} ms/crop (batch 8)")
    print(f"occlusion map: p50 {statistics.median(maps):.1f} ms/face")
    print(f"PNG overlay:   p50 {statistics.median(overlays):.1f} ms/face")
    print(
        f"total:         p50 {p50:.1f} ms/face, p90 {p90:.1f} ({args.runs} runs; goal <= {GOAL_MS:.0f}: {verdict})"
    )


if __name__ == "__main__":
    main()
