"""Measure the crop recipe (box_scale, shift_y) that reproduces the DFDC training crops' framing.

Two independent measurements per detector:

1. Crops: each 224x224 DFDC crop is padded with a grey border (so the detector sees the whole face,
   whose chin and forehead the crop cuts), the face is detected, and the crop's square is compared
   with the detector box: box_scale = crop side / longer box side, shift_y = (crop centre y - box
   centre y) / box height, dx likewise for x. Medians over the sampled crops.
2. Video: the sample videos' source groups have training crops (see VIDEO_CROPS). The face is
   detected in frames of each video and, around each detector box, the (box_scale, shift_y, dx)
   whose crop best matches the training crop (normalised cross-correlation of 64x64 greys) is
   searched; the best frame wins. Here the detector sees the whole head, as in serving; in 1. it
   sees a face cut at the forehead and chin, which moves its box.

3. Calibration of 1.: crops of known framing are cut from the sample videos and measured as in 1.;
   the linear map from true to measured framing is fitted and inverted at 1.'s medians.

The numbers describe the whole DFDC crop; training validates (and serving should crop) the centred
``eval_crop_side`` fraction of it, so the card's box_scale is the measured one times that fraction.

    nice -n 10 .venv/bin/python scripts/research/measure_crop_framing.py --crops 300
"""

from __future__ import annotations

import argparse
import csv
import statistics
from collections.abc import Iterator
from pathlib import Path

import av
import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image

from deepfake_detection.crop.face_crop import crop_face
from deepfake_detection.crop.recipe import CropRecipe
from deepfake_detection.detectors.base import FaceDetector
from deepfake_detection.detectors.registry import create_detector
from deepfake_detection.shared.faces import Box, DetectedFace

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
Gray = npt.NDArray[np.float32]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--crops", type=int, default=300, help="DFDC crops to sample")
    parser.add_argument("--pad", type=int, default=112, help="grey border around each crop, px")
    parser.add_argument("--step", type=int, default=3, help="video: look at every STEP-th frame")
    parser.add_argument("--detectors", nargs="+", default=["centerface", "ssd"])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    files = _sample_crops(args.data / "dfdc-faces", args.crops, args.seed)
    for name in args.detectors:
        detector = create_detector(name)
        print(f"== {name}")
        measured = _measure_on_crops(detector, files, args.pad)
        _measure_on_video(detector, args.data, args.step)
        if measured is not None:
            _calibrate(detector, args.data, args.pad, measured, args.step)


def _sample_crops(folder: Path, count: int, seed: int) -> list[Path]:
    with (folder / "metadata.csv").open() as f:
        rows = [row["file"].strip() for row in csv.DictReader(f)]
    picks = np.random.default_rng(seed).choice(len(rows), size=min(count, len(rows)), replace=False)
    return [folder / rows[i] for i in sorted(picks)]


def _central_face(faces: list[DetectedFace], cx: float, cy: float, limit: float) -> Box | None:
    near = [
        f for f in faces if abs(f.box.center[0] - cx) < limit and abs(f.box.center[1] - cy) < limit
    ]
    return max(near, key=lambda f: f.confidence).box if near else None


def _framing_in_crop(
    detector: FaceDetector, crop: npt.NDArray[np.uint8], pad: int
) -> tuple[float, float, float, float] | None:
    """(box_scale, shift_y, dx, box h/w) of a square crop, from the box found in it when padded."""
    side = crop.shape[0]
    canvas = cv2.copyMakeBorder(crop, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=(127,) * 3)
    centre = pad + side / 2
    box = _central_face(detector.detect(canvas), centre, centre, side / 4)
    if box is None:
        return None
    return (
        side / max(box.width, box.height),
        (centre - box.center[1]) / box.height,
        (centre - box.center[0]) / box.width,
        box.height / box.width,
    )


def _measure_on_crops(
    detector: FaceDetector, files: list[Path], pad: int
) -> tuple[float, float] | None:
    scales, shifts, dxs, aspects = [], [], [], []
    for path in files:
        framing = _framing_in_crop(detector, np.asarray(Image.open(path).convert("RGB")), pad)
        if framing is not None:
            for values, value in zip((scales, shifts, dxs, aspects), framing, strict=True):
                values.append(value)
    found = len(scales)
    print(f"crops: detected {found}/{len(files)} (grey pad {pad}px)")
    if found:
        for label, values in [
            ("box_scale", scales),
            ("shift_y", shifts),
            ("dx", dxs),
            ("box h/w", aspects),
        ]:
            q1, med, q3 = np.percentile(values, [25, 50, 75])
            print(f"  {label:9s} median {med:.3f}  IQR {q1:.3f}..{q3:.3f}")
        return float(np.median(scales)), float(np.median(shifts))
    return None


# Known framings cut from the sample videos' frames for the calibration (box_scale, shift_y).
CALIBRATION = ((1.0, 0.0), (1.0, 0.1), (0.9, 0.1), (0.9, 0.0))


def _calibrate(
    detector: FaceDetector, data: Path, pad: int, measured: tuple[float, float], step: int
) -> None:
    """Measurement 1 sees faces cut at forehead and chin, which moves the detector's box. Cut
    crops of known framing from the sample videos, measure them the same way, fit the linear map
    true -> measured, and invert it at the DFDC medians."""
    frames = []
    for video in VIDEO_CROPS:
        for frame in _frames(data / "sample-videos" / video, step * 5):
            faces = detector.detect(frame)
            if faces:
                frames.append((frame, faces[0].box))
    rows, outputs = [], []
    for scale, shift in CALIBRATION:
        recipe = CropRecipe(box_scale=scale, shift_y=shift)
        found = [_framing_in_crop(detector, crop_face(f, b, recipe, 224), pad) for f, b in frames]
        got = np.median([m[:2] for m in found if m is not None], axis=0)
        print(f"calibration: true {scale:.2f} {shift:+.2f} -> measured {got[0]:.3f} {got[1]:+.3f}")
        rows.append((1.0, scale, shift))
        outputs.append(got)
    fit, *_ = np.linalg.lstsq(np.array(rows), np.array(outputs), rcond=None)
    # measured = fit[0] + fit[1] * scale + fit[2] * shift (per output column): solve for the truth.
    scale, shift = np.linalg.solve(fit[1:].T, np.array(measured) - fit[0])
    print(f"  corrected crop estimate: box_scale {scale:.2f}  shift_y {shift:+.2f}")


def _frames(path: Path, step: int) -> Iterator[npt.NDArray[np.uint8]]:
    with av.open(str(path)) as container:
        for index, frame in enumerate(container.decode(video=0)):
            if index % step == 0:
                yield frame.to_ndarray(format="rgb24")


def _gray(image: npt.NDArray[np.uint8]) -> Gray:
    g = cv2.cvtColor(cv2.resize(image, (64, 64), interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2GRAY)
    v = g.astype(np.float32)
    return (v - v.mean()) / (v.std() + 1e-6)


# (sample video, training crops of its source group). DFDC fakes are frame-aligned with their
# source video, so a group's REAL and FAKE crops both show where the face was cut. lynaeydofd's
# crops are named by the metadata; the other two groups were found by searching every crop for the
# video's face (24x24 grey correlation) and checked by eye: gggxkzqtvh is the same person and room
# as yhffcuhhjy; mgowkzsbyx is the best match for abofeumbvv, but the same actress has other videos.
VIDEO_CROPS = {
    "REAL/lynaeydofd.mp4": ("REAL/lynaeydofd.jpg", "FAKE/lhvrpmfzrh.jpg"),
    "FAKE/yhffcuhhjy.mp4": ("REAL/gggxkzqtvh.jpg", "FAKE/hsffsyqlbl.jpg"),
    "FAKE/abofeumbvv.mp4": ("REAL/mgowkzsbyx.jpg", "FAKE/jdzkmwbdyu.jpg"),
}


def _measure_on_video(detector: FaceDetector, data: Path, step: int) -> None:
    results = []
    for video, crops in VIDEO_CROPS.items():
        path = data / "sample-videos" / video
        if not path.is_file():
            print(f"video {video}: missing, skipped")
            continue
        targets = [
            _gray(np.asarray(Image.open(data / "dfdc-faces" / c).convert("RGB"))) for c in crops
        ]
        # The training crop was cut from one frame: find the frames that look most like it with
        # a coarse framing, then search the framing finely on those.
        candidates: list[list[tuple[float, int, npt.NDArray[np.uint8], Box]]] = [[] for _ in crops]
        for index, frame in enumerate(_frames(path, step)):
            faces = detector.detect(frame)
            if not faces:
                continue
            for pool, target in zip(candidates, targets, strict=True):
                ncc = _best_framing(frame, faces[0].box, target, COARSE)[0]
                pool.append((ncc, index, frame, faces[0].box))
                pool.sort(key=lambda c: c[0], reverse=True)
                del pool[3:]
        for crop, pool, target in zip(crops, candidates, targets, strict=True):
            if not pool:
                print(f"video {video}: no face found")
                continue
            ncc, scale, shift, dx = max(_best_framing(f, b, target, FINE) for _, _, f, b in pool)
            results.append((scale, shift, dx))
            print(
                f"video {video} ~ {crop}: best NCC {ncc:.3f} at box_scale {scale:.2f} "
                f"shift_y {shift:+.2f} dx {dx:+.3f}"
            )
    if results:
        scale, shift, dx = (statistics.median(r[i] for r in results) for i in range(3))
        print(f"  video median: box_scale {scale:.2f}  shift_y {shift:+.2f}  dx {dx:+.3f}")


Grid = tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]
COARSE: Grid = (np.array([0.9, 1.0, 1.1]), np.array([0.0, 0.08, 0.16]), np.array([0.0]))
FINE: Grid = (
    np.arange(0.70, 1.41, 0.02),
    np.arange(-0.16, 0.33, 0.02),
    np.arange(-0.15, 0.16, 0.05),
)


def _best_framing(
    frame: npt.NDArray[np.uint8], box: Box, target: Gray, grid: Grid
) -> tuple[float, float, float, float]:
    best = (-2.0, 0.0, 0.0, 0.0)
    scales, shifts, dxs = grid
    for dx in dxs:
        moved = Box(box.x1 + dx * box.width, box.y1, box.x2 + dx * box.width, box.y2)
        for scale in scales:
            for shift in shifts:
                recipe = CropRecipe(box_scale=float(scale), shift_y=float(shift))
                ncc = float((_gray(crop_face(frame, moved, recipe, 96)) * target).mean())
                if ncc > best[0]:
                    best = (ncc, float(scale), float(shift), float(dx))
    return best


if __name__ == "__main__":
    main()
