"""The latency side of the backbone study (issue 8): milliseconds per face of EfficientNet-Lite0,
Lite1 and Lite2 at several input sizes, as onnxruntime runs them in the service (2 threads,
batch 8, p50), against the classifier budget of 8 ms per face.

Timing does not depend on the weights, so the networks are built untrained (no training, no
weights download): this says which candidates are worth training, not how good they would be.
The network alone, without the classifier's preprocessing
(``scripts/bench/bench_classifier.py`` times that).

Run: .venv/bin/python scripts/research/bench_backbones.py [--sizes 160 192 224] [--runs 100]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

import numpy as np
import onnxruntime as ort

from deepfake_detection.evaluation.timing import ms_per_item
from deepfake_detection.shared.onnx_session import session_options
from deepfake_detection.training.export import export_onnx
from deepfake_detection.training.network import WEIGHTS, ExportedClassifier, FakeClassifier

BUDGET_MS = 8.0
BATCH = 8


def export(architecture: str, size: int, path: Path) -> None:
    """The network as ``dfd export`` ships it (calibration of no effect), untrained."""
    network = FakeClassifier(size, 0.0, 0, pretrained=False, architecture=architecture)
    export_onnx(ExportedClassifier(network, scale=1.0, bias=0.0), size, path)


def ms_per_face(path: Path, size: int, runs: int) -> float:
    session = ort.InferenceSession(
        str(path), session_options(2), providers=["CPUExecutionProvider"]
    )
    batch = np.random.default_rng(0).standard_normal((BATCH, 3, size, size)).astype(np.float32)
    times = ms_per_item(lambda: session.run(None, {"input": batch}), runs, items=BATCH)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--architectures", nargs="+", default=list(WEIGHTS))
    parser.add_argument("--sizes", nargs="+", type=int, default=[160, 192, 224])
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    print(f"| network | input | p50 ms/face (2 threads, batch {BATCH}) | within {BUDGET_MS:g} ms |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for name in args.architectures:
            for size in args.sizes:
                path = Path(folder) / f"{name}-{size}.onnx"
                export(name, size, path)
                ms = ms_per_face(path, size, args.runs)
                fits = "yes" if ms <= BUDGET_MS else "no"
                print(f"| {name} | {size} | {ms:.2f} | {fits} |", flush=True)


if __name__ == "__main__":
    main()
