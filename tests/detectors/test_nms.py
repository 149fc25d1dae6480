import numpy as np

from deepfake_detection.detectors.nms import nms


def test_keeps_the_best_of_overlapping_boxes_and_the_separate_ones() -> None:
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30], [0, 0, 10, 10]], np.float32)
    scores = np.array([0.6, 0.9, 0.7, 0.5], np.float32)
    assert nms(boxes, scores, 0.3).tolist() == [1, 2]


def test_boxes_under_the_iou_limit_all_stay() -> None:
    boxes = np.array([[0, 0, 10, 10], [5, 0, 15, 10]], np.float32)  # IoU 1/3
    scores = np.array([0.8, 0.9], np.float32)
    assert nms(boxes, scores, 0.5).tolist() == [1, 0]
    assert nms(boxes, scores, 0.3).tolist() == [1]


def test_no_boxes() -> None:
    assert nms(np.zeros((0, 4), np.float32), np.zeros(0, np.float32), 0.3).tolist() == []
