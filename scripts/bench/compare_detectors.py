"""Two face detectors side by side on the same inputs: ms per frame, and the share of the
reference's faces the candidate also finds (IoU >= 0.5).

Inputs: evenly sampled frames of each video in ../shared/data/sample-videos (FAKE/ and REAL/), and
1280x720 canvases with the astronaut's face (scikit-image) pasted at 24-400 px wide, one canvas per
size, as many copies as fit (up to 6). On the canvases the pasted faces are the truth too, so each
detector's recall is printed beside the agreement. Each input goes through both detectors in turn,
so machine load falls on both alike.

    nice -n 19 .venv/bin/python scripts/bench/compare_detectors.py                # yunet vs centerface
    nice -n 19 .venv/bin/python scripts/bench/compare_detectors.py --threshold 0.5 --frames 16
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from skimage import data

from deepfake_detection.detectors.base import FaceDetector
from deepfake_detection.detectors.registry import create_detector
from deepfake_detection.media.video import open_video
from deepfake_detection.media.video_sampling import Sampling
from deepfake_detection.shared.faces import Box
from deepfake_detection.shared.images import RGBImage

VIDEOS = Path(__file__).resolve().parents[3] / "shared/data/sample-videos"
FACE_SIZES = (24, 32, 48, 64, 96, 128, 192, 256, 400)
CANVAS_W, CANVAS_H = 1280, 720
# The astronaut's face in the 512x512 photograph (tests/detectors/conftest.py), and the crop pasted
# around it (the head), 680 px high at the largest size.
FACE = Box(175, 50, 275, 185)
HEAD = (150, 35, 300, 205)  # x1, y1, x2, y2
MATCH_IOU = 0.5


@dataclass
class Tally:
    """One group of inputs (a video, a canvas size)."""

    frames: int = 0
    reference: int = 0
    candidate: int = 0
    matched: int = 0  # reference faces the candidate also found
    truth: int = 0
    reference_found: int = 0  # pasted faces each detector found (canvases only)
    candidate_found: int = 0
    ms: dict[str, list[float]] = field(default_factory=lambda: {"reference": [], "candidate": []})


def video_frames(folder: Path, frames: int) -> Iterator[tuple[str, RGBImage, list[Box]]]:
    for path in sorted(folder.glob("*/*.mp4")):
        with open_video(path) as video:
            for frame in video.sample(Sampling(frames=frames)):
                yield f"{path.parent.name}/{path.name}", frame.image, []


def canvases() -> Iterator[tuple[str, RGBImage, list[Box]]]:
    x1, y1, x2, y2 = HEAD
    head = data.astronaut()[y1:y2, x1:x2]
    for size in FACE_SIZES:
        scale = size / FACE.width
        pasted = cv2.resize(
            head, (round((x2 - x1) * scale), round((y2 - y1) * scale)), interpolation=cv2.INTER_AREA
        )
        h, w = pasted.shape[:2]
        canvas = np.full((CANVAS_H, CANVAS_W, 3), 90, np.uint8)
        truth = []
        cols = max(1, min(3, CANVAS_W // (w + 20)))
        rows = max(1, min(2, CANVAS_H // (h + 20)))
        for row in range(rows):
            for col in range(cols):
                left = 20 + col * (CANVAS_W - 40) // cols
                top = 20 + row * (CANVAS_H - 40) // rows
                canvas[top : top + h, left : left + w] = pasted
                truth.append(
                    Box(
                        left + (FACE.x1 - x1) * scale,
                        top + (FACE.y1 - y1) * scale,
                        left + (FACE.x2 - x1) * scale,
                        top + (FACE.y2 - y1) * scale,
                    )
                )
        yield f"canvas, face {size} px", canvas, truth


def matched(found: list[Box], wanted: list[Box]) -> int:
    """How many of ``wanted`` have a box in ``found`` at IoU >= 0.5 (each found box used once)."""
    free = list(found)
    count = 0
    for box in wanted:
        best = max(free, key=box.iou, default=None)
        if best is not None and box.iou(best) >= MATCH_IOU:
            free.remove(best)
            count += 1
    return count


def timed(detector: FaceDetector, image: RGBImage) -> tuple[list[Box], float]:
    start = time.perf_counter()
    faces = detector.detect(image)
    return [f.box for f in faces], (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidate", default="yunet")
    parser.add_argument("--reference", default="centerface")
    parser.add_argument("--threshold", type=float, help="the candidate's (default: its own)")
    parser.add_argument("--threads", type=int, default=2, help="onnxruntime's, both detectors")
    parser.add_argument("--frames", type=int, default=16, help="sampled per video")
    parser.add_argument("--videos", type=Path, default=VIDEOS)
    args = parser.parse_args()
    options: dict[str, object] = {} if args.threshold is None else {"threshold": args.threshold}
    detectors = {
        "reference": create_detector(args.reference, threads=args.threads),
        "candidate": create_detector(args.candidate, threads=args.threads, **options),
    }
    warm = np.full((CANVAS_H, CANVAS_W, 3), 90, np.uint8)
    for detector in detectors.values():
        for _ in range(3):
            detector.detect(warm)
    tallies: dict[str, Tally] = {}
    inputs = [video_frames(args.videos, args.frames), canvases()]
    for group, image, truth in (item for source in inputs for item in source):
        tally = tallies.setdefault(group, Tally())
        boxes = {}
        for role, detector in detectors.items():
            boxes[role], ms = timed(detector, image)
            tally.ms[role].append(ms)
        tally.frames += 1
        tally.reference += len(boxes["reference"])
        tally.candidate += len(boxes["candidate"])
        tally.matched += matched(boxes["candidate"], boxes["reference"])
        tally.truth += len(truth)
        tally.reference_found += matched(boxes["reference"], truth)
        tally.candidate_found += matched(boxes["candidate"], truth)
    print_table(args.candidate, args.reference, tallies)


def print_table(candidate: str, reference: str, tallies: dict[str, Tally]) -> None:
    print(
        f"| input | frames | {reference} faces | {candidate} faces | {reference}'s matched "
        f"| pasted found {reference} / {candidate} | ms per frame {reference} / {candidate} |"
    )
    print("|---|---|---|---|---|---|---|")
    total = Tally()
    for group, t in tallies.items():
        share = (
            f"{t.matched}/{t.reference} ({100 * t.matched / t.reference:.0f}%)"
            if t.reference
            else "-"
        )
        found = f"{t.reference_found}/{t.truth} / {t.candidate_found}/{t.truth}" if t.truth else "-"
        ms = f"{statistics.median(t.ms['reference']):.1f} / {statistics.median(t.ms['candidate']):.1f}"
        print(
            f"| {group} | {t.frames} | {t.reference} | {t.candidate} | {share} | {found} | {ms} |"
        )
        total.frames += t.frames
        total.reference += t.reference
        total.candidate += t.candidate
        total.matched += t.matched
        for role in total.ms:
            total.ms[role] += t.ms[role]
    ref_ms, cand_ms = (statistics.median(total.ms[r]) for r in ("reference", "candidate"))
    print(
        f"all inputs: {total.frames} frames; {reference}'s faces matched by {candidate}: "
        f"{total.matched}/{total.reference} ({100 * total.matched / max(1, total.reference):.1f}%); "
        f"faces found {total.reference} / {total.candidate}; median ms per frame "
        f"{ref_ms:.1f} / {cand_ms:.1f} ({ref_ms / cand_ms:.1f}x)"
    )


if __name__ == "__main__":
    main()
