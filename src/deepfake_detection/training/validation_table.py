"""The fixed validation table every candidate model is measured on.

One validation split, seen six ways: clean; re-encoded as one H.264 frame at CRF 40; halved in
size then H.264 CRF 40 (a small face in heavily compressed video); halved then JPEG 35 (the
ablation's measure); self-blended (the split's REAL crops against self-blends of the same
crops, the proxy for manipulation methods that DFDC does not contain); and re-encoded as one H.265
frame at CRF 40 (a codec that no model before 2.1 trained on: the proxy for compression unlike
training's, added after the shipping rule was fixed, so reported beside it, not in it). Each condition is built once
with a fixed seed, so every candidate is scored on the same pixels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt
from sklearn.metrics import roc_auc_score

from deepfake_detection.training.augment import center_crop, jpeg
from deepfake_detection.training.blend import self_blend
from deepfake_detection.training.dataset import REAL
from deepfake_detection.training.edits import HELD_OUT_EDITS, VALIDATION_EDITS
from deepfake_detection.training.video_codec import Encoding, encode, h264_frame, h265_frame

Image = npt.NDArray[np.uint8]
Labels = npt.NDArray[np.int64]
Probabilities = npt.NDArray[np.float64]
# A model under test: RGB uint8 crops at its input size -> fake probabilities.
Predict = Callable[[list[Image]], Probabilities]

CLEAN = "clean"
H264_CRF40 = "h264_crf40"
HALF_H264_CRF40 = "half_h264_crf40"
HALF_JPEG35 = "half_jpeg35"
SELF_BLEND = "self_blend"
H265_CRF40 = "h265_crf40"
# The columns of the shipping rule's mean (docs/training.md), fixed before the candidates were scored.
RULE_SHIFTED = (H264_CRF40, HALF_H264_CRF40, HALF_JPEG35, SELF_BLEND)


def _half(image: Image) -> Image:
    side = image.shape[0] // 2
    return np.asarray(cv2.resize(image, (side, side), interpolation=cv2.INTER_AREA))


@dataclass(frozen=True)
class Condition:
    labels: Labels
    images: list[Image]


def build_conditions(
    pixels: npt.NDArray[np.uint8],
    rows: list[int],
    labels: Labels,
    input_size: int,
    crop_side: float,
    seed: int,
) -> dict[str, Condition]:
    """The six conditions of the table from the cached validation crops.

    A codec works on the whole cached crop (as it would on the face in a frame), and the centred
    crop that the model sees is cut out afterwards, as the service would cut it.
    """
    rng = np.random.default_rng(seed)

    def framed(image: Image) -> Image:
        return center_crop(image, input_size, crop_side)

    def upsized(image: Image) -> Image:
        size = pixels.shape[1]
        return np.asarray(cv2.resize(image, (size, size), interpolation=cv2.INTER_LINEAR))

    originals = [np.array(pixels[i]) for i in rows]
    reals = [image for image, label in zip(originals, labels, strict=True) if label == REAL]
    blends = [self_blend(image, rng, partial=0.5) for image in reals]
    blend_labels = np.array([0] * len(reals) + [1] * len(blends), dtype=np.int64)
    return {
        CLEAN: Condition(labels, [framed(i) for i in originals]),
        H264_CRF40: Condition(labels, [framed(h264_frame(i, 40)) for i in originals]),
        HALF_H264_CRF40: Condition(
            labels, [framed(upsized(h264_frame(_half(i), 40))) for i in originals]
        ),
        HALF_JPEG35: Condition(
            labels, [framed(upsized(jpeg(_half(i), (35, 35), rng))) for i in originals]
        ),
        SELF_BLEND: Condition(blend_labels, [framed(i) for i in reals + blends]),
        # Last and without random numbers: the other conditions' pixels are those they were.
        H265_CRF40: Condition(labels, [framed(h265_frame(i, 40)) for i in originals]),
    }


# Model 3's columns. Compression by encoders that training never draws (both at about the PSNR of
# the H.264 CRF 40 column, 33.4 dB on DFDC crops), each the last frame of a 3-frame clip; the
# shipping rule from 3.0 on uses their mean.
MPEG4_Q24 = "mpeg4_q24"
VP9_CRF61 = "vp9_crf61"
HELD_OUT_ENCODERS = (MPEG4_Q24, VP9_CRF61)
# FaceForensics++ c40's encoding: ffmpeg's libx264 defaults (preset medium, no tune) at CRF 40, a
# later frame of a clip; inside model 3's training ranges, so informative only.
X264_DEFAULTS_CRF40 = "x264_defaults_crf40"
EDIT_PREFIX = "edit:"
HELD_OUT_EDIT_PREFIX = "held_out_edit:"
# The real portraits and composites held out of training (ciplab-faces, split by file).
PORTRAITS = "portraits"


def edit_columns() -> list[str]:
    return [EDIT_PREFIX + name for name in VALIDATION_EDITS] + [
        HELD_OUT_EDIT_PREFIX + name for name in HELD_OUT_EDITS
    ]


def build_model3_conditions(
    pixels: npt.NDArray[np.uint8],
    rows: list[int],
    labels: Labels,
    input_size: int,
    crop_side: float,
    portraits: tuple[npt.NDArray[np.uint8], list[int], Labels] | None = None,
) -> dict[str, Condition]:
    """The columns added for model 3: held-out encoders, libx264's defaults, each everyday edit
    (those training draws and those it never draws), and the held-out portraits. Deterministic:
    no random numbers."""

    def framed(image: Image) -> Image:
        return center_crop(image, input_size, crop_side)

    originals = [np.array(pixels[i]) for i in rows]

    def column(transform: Callable[[Image], Image]) -> Condition:
        return Condition(labels, [framed(transform(image)) for image in originals])

    conditions = {
        MPEG4_Q24: column(lambda i: encode(i, Encoding("mpeg4", 24, None, None, 3))),
        VP9_CRF61: column(lambda i: encode(i, Encoding("vp9", 61, None, None, 3))),
        X264_DEFAULTS_CRF40: column(lambda i: encode(i, Encoding("h264", 40, None, None, 3))),
    }
    for name, edit in VALIDATION_EDITS.items():
        conditions[EDIT_PREFIX + name] = column(edit)
    for name, edit in HELD_OUT_EDITS.items():
        conditions[HELD_OUT_EDIT_PREFIX + name] = column(edit)
    if portraits is not None:
        portrait_pixels, portrait_rows, portrait_labels = portraits
        conditions[PORTRAITS] = Condition(
            portrait_labels, [framed(np.array(portrait_pixels[i])) for i in portrait_rows]
        )
    return conditions


def reals_called_fake(
    condition: Condition, probabilities: Probabilities, threshold: float
) -> float:
    """Share of the REAL items whose probability is at or above ``threshold``."""
    reals = condition.labels == REAL
    return float((probabilities[reals] >= threshold).mean())


def expected_calibration_error(
    labels: Labels, probabilities: Probabilities, bins: int = 15
) -> float:
    """ECE: the mean gap between confidence and accuracy over equal-width probability bins,
    weighted by the share of items in each bin (on the fake probability, both classes)."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(probabilities, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        inside = which == b
        if inside.any():
            total += inside.mean() * abs(probabilities[inside].mean() - labels[inside].mean())
    return float(total)


@dataclass(frozen=True)
class TableRow:
    """One candidate's line of the table."""

    name: str
    roc_auc: dict[str, float]
    ece_clean: float
    # Calibration is fitted on clean and half + H.264 CRF 40 crops together (decision.py).
    ece_half_h264_crf40: float
    # Share of REAL crops called fake at the threshold, halved then H.264 CRF 40.
    real_called_fake_half_h264_crf40: float
    ms_per_face: float


def score(
    name: str,
    predict: Predict,
    conditions: dict[str, Condition],
    threshold: float,
    ms_per_face: float,
) -> tuple[TableRow, dict[str, Probabilities]]:
    """The candidate's row, and its probabilities per condition (for fitting bands and plots)."""
    probabilities = {key: predict(c.images) for key, c in conditions.items()}
    aucs = {
        key: float(roc_auc_score(c.labels, probabilities[key])) for key, c in conditions.items()
    }
    compressed = conditions[HALF_H264_CRF40]
    reals = compressed.labels == REAL
    called_fake = float((probabilities[HALF_H264_CRF40][reals] >= threshold).mean())
    row = TableRow(
        name=name,
        roc_auc=aucs,
        ece_clean=expected_calibration_error(conditions[CLEAN].labels, probabilities[CLEAN]),
        ece_half_h264_crf40=expected_calibration_error(
            compressed.labels, probabilities[HALF_H264_CRF40]
        ),
        real_called_fake_half_h264_crf40=called_fake,
        ms_per_face=ms_per_face,
    )
    return row, probabilities


def rule_mean(roc_auc: dict[str, float]) -> float:
    """The mean AUC over the shipping rule's four shifted columns."""
    return float(np.mean([roc_auc[key] for key in RULE_SHIFTED]))


def to_markdown(rows: list[TableRow]) -> str:
    keys = [CLEAN, *RULE_SHIFTED]
    head = (
        "| candidate | clean AUC | H.264 CRF 40 AUC | half + CRF 40 AUC | half + JPEG 35 AUC "
        "| self-blend AUC | mean of the 4 shifted | H.265 CRF 40 AUC | ECE clean "
        "| ECE half + CRF 40 | reals called fake, half + CRF 40 | ms/face |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    lines = [
        f"| {r.name} | "
        + " | ".join(f"{r.roc_auc[k]:.4f}" for k in keys)
        + f" | {rule_mean(r.roc_auc):.4f} | {r.roc_auc[H265_CRF40]:.4f}"
        + f" | {r.ece_clean:.4f} | {r.ece_half_h264_crf40:.4f} | {r.real_called_fake_half_h264_crf40:.1%} "
        f"| {r.ms_per_face:.2f} |"
        for r in rows
    ]
    return head + "\n".join(lines) + "\n"
