"""Greedy non-maximum suppression, shared by the detectors that decode their own network outputs."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]


def nms(boxes: FloatArray, scores: FloatArray, iou_limit: float) -> npt.NDArray[np.intp]:
    """Indices of the kept boxes (N, 4: x1 y1 x2 y2), best first: each box that overlaps a better
    kept one at IoU >= ``iou_limit`` is dropped."""
    order = np.argsort(-scores)
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    keep: list[int] = []
    while order.size:
        best, rest = order[0], order[1:]
        keep.append(int(best))
        iw = np.clip(
            np.minimum(boxes[best, 2], boxes[rest, 2]) - np.maximum(boxes[best, 0], boxes[rest, 0]),
            0,
            None,
        )
        ih = np.clip(
            np.minimum(boxes[best, 3], boxes[rest, 3]) - np.maximum(boxes[best, 1], boxes[rest, 1]),
            0,
            None,
        )
        inter = iw * ih
        iou = inter / np.maximum(areas[best] + areas[rest] - inter, 1e-9)
        order = rest[iou < iou_limit]
    return np.asarray(keep, dtype=np.intp)
