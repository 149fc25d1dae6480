"""The ``yunet`` detector: YuNet-n (Apache-2.0) run with onnxruntime, a small and fast detector.

The ONNX file ships inside this package (``yunet_n_dynamic.onnx``, with ``yunet.LICENSE``), from
the public repository ShiqiYu/libfacedetection.train, commit 0047ac24, folder ``onnx/``. Its input
is dynamic in height and width (multiples of 32), BGR in 0..255, unnormalised; OpenCV's
``FaceDetectorYN`` loads only the fixed 640x640 export, so the outputs are decoded here. For each
stride 8, 16 and 32 the network predicts, per grid cell in row-major order, a class score
(``cls``), an objectness (``obj``), a box (``bbox``: centre offset in cells, log size in cells)
and 5 landmarks (``kps``, in cells from the cell's corner), as OpenCV's ``face_detect.cpp``
decodes them. onnxruntime sessions are safe to run from several threads at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt
import onnxruntime as ort

from deepfake_detection.detectors.nms import nms
from deepfake_detection.detectors.registry import register_detector
from deepfake_detection.detectors.scaling import image_faces, network_input
from deepfake_detection.errors import ModelUnavailable
from deepfake_detection.shared.faces import DetectedFace
from deepfake_detection.shared.images import RGBImage
from deepfake_detection.shared.onnx_session import session_options

MODEL_FILE = "yunet_n_dynamic.onnx"
STRIDES = (8, 16, 32)
_INPUT = "input"
# Per stride: (cells, 1) class score and objectness, (cells, 4) box, (cells, 10) landmarks.
OUTPUTS = tuple(f"{kind}_{stride}" for kind in ("cls", "obj", "bbox", "kps") for stride in STRIDES)
_MULTIPLE = 32

FloatArray = npt.NDArray[np.float32]


@register_detector("yunet", threaded=True)
class YuNetDetector:
    name = "yunet"

    def __init__(
        self,
        *,
        threshold: float = 0.6,
        max_side: int = 640,
        nms_iou: float = 0.3,
        threads: int = 2,
        model_path: Path | None = None,
    ) -> None:
        """``max_side``: images are shrunk so their longer side is at most this, as for
        ``centerface``. ``threads``: onnxruntime intra-op."""
        # OpenCV's default threshold, 0.9, dropped 15 of 16 faces of a compressed sample video;
        # from 0.45 to 0.75, 83 of CenterFace's 85 faces were found on the sample videos and
        # pasted faces of scripts/bench/compare_detectors.py; at 0.3 it found 13 faces CenterFace did not.
        path = model_path or Path(str(resources.files("deepfake_detection.detectors") / MODEL_FILE))
        try:
            self._session = ort.InferenceSession(
                path.read_bytes(), session_options(threads), providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own untyped errors for bad files
            raise ModelUnavailable(f"cannot load the YuNet model {path}: {exc}") from exc
        inputs = [i.name for i in self._session.get_inputs()]
        outputs = {o.name for o in self._session.get_outputs()}
        if inputs != [_INPUT] or not outputs.issuperset(OUTPUTS):
            raise ModelUnavailable(
                f"the YuNet model {path} has inputs {inputs} and outputs {sorted(outputs)}; "
                f"expected [{_INPUT!r}] and {list(OUTPUTS)}"
            )
        self._threshold = threshold
        self._max_side = max_side
        self._nms_iou = nms_iou

    def detect(self, image: RGBImage) -> list[DetectedFace]:
        height, width = image.shape[:2]
        if height == 0 or width == 0:
            return []
        blob, scale = network_input(image, self._max_side, _MULTIPLE, bgr=True)
        results = self._session.run(list(OUTPUTS), {_INPUT: blob})
        outputs = {name: result[0] for name, result in zip(OUTPUTS, results, strict=True)}
        boxes, scores, points = decode(outputs, blob.shape[2], blob.shape[3], self._threshold)
        keep = nms(boxes, scores, self._nms_iou)
        return image_faces(boxes[keep], scores[keep], points[keep], scale, width, height)


def decode(
    outputs: Mapping[str, FloatArray], height: int, width: int, threshold: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Boxes (N, 4) as x1 y1 x2 y2, scores (N,), landmarks (N, 10) as x y pairs, in input pixels,
    for every cell scoring at least ``threshold``, before NMS. ``outputs``: YuNet's outputs for one
    image (``cls_8``: (cells, 1), ...); ``height`` x ``width``: the network input's size."""
    boxes, scores, points = [], [], []
    for stride in STRIDES:
        cls = np.clip(outputs[f"cls_{stride}"][:, 0], 0, 1)
        obj = np.clip(outputs[f"obj_{stride}"][:, 0], 0, 1)
        score = np.sqrt(cls * obj)
        expected = (height // stride) * (width // stride)
        if score.shape[0] != expected:
            raise ValueError(f"YuNet stride {stride}: {score.shape[0]} cells, not {expected}")
        (cells,) = np.nonzero(score >= threshold)
        rows, cols = np.divmod(cells, width // stride)
        corner = np.stack([cols, rows], axis=1).astype(np.float32)  # the cell's x, y
        bbox = outputs[f"bbox_{stride}"][cells]
        centre = (corner + bbox[:, :2]) * stride
        size = np.exp(bbox[:, 2:]) * stride
        boxes.append(np.concatenate([centre - size / 2, centre + size / 2], axis=1))
        kps = outputs[f"kps_{stride}"][cells].reshape(-1, 5, 2)
        points.append(((kps + corner[:, None, :]) * stride).reshape(-1, 10))
        scores.append(score[cells])
    return (
        np.concatenate(boxes).astype(np.float32),
        np.concatenate(scores).astype(np.float32),
        np.concatenate(points).astype(np.float32),
    )
