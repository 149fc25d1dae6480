"""Per-image face detection time at 1280x720 for each detector (one face, the astronaut photo).

nice -n 10 .venv/bin/python scripts/bench/bench_detectors.py --repeat 30

Two detectors compared on the same frames, with how many faces they agree on:
scripts/bench/compare_detectors.py.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from skimage import data

from deepfake_detection.detectors.registry import create_detector, list_detectors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument(
        "--threads", type=int, nargs="+", default=[1, 2], help="centerface and yunet"
    )
    args = parser.parse_args()
    canvas = np.full((720, 1280, 3), 90, np.uint8)
    canvas[104:616, 384:896] = data.astronaut()
    for name in list_detectors():
        options = (
            [{"threads": t} for t in args.threads] if name in ("centerface", "yunet") else [{}]
        )
        for kwargs in options:
            detector = create_detector(name, **kwargs)
            for _ in range(3):
                detector.detect(canvas)
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                faces = detector.detect(canvas)
                times.append((time.perf_counter() - start) * 1000)
            label = name + "".join(f" {k}={v}" for k, v in kwargs.items())
            print(
                f"{label:22s} faces {len(faces)}  p50 {statistics.median(times):6.1f} ms  "
                f"min {min(times):6.1f} ms"
            )


if __name__ == "__main__":
    main()
