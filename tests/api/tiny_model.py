"""A tiny real ONNX classifier and its model card, written by the tests (no trained model needed):
fake_probability = sigmoid(mean of the normalised crop)."""

from __future__ import annotations

from pathlib import Path

import pytest

from deepfake_detection.model_card import ModelCard

SIZE = 16


def write_tiny_model(folder: Path) -> Path:
    """Write ``tiny.onnx`` and ``tiny.json`` into ``folder``; returns the card's path."""
    onnx = pytest.importorskip("onnx")
    helper, tp = onnx.helper, onnx.TensorProto.FLOAT
    graph = helper.make_graph(
        [
            helper.make_node("ReduceMean", ["input"], ["m"], axes=[1, 2, 3], keepdims=0),
            helper.make_node("Sigmoid", ["m"], ["fake_probability"]),
        ],
        "tiny",
        [helper.make_tensor_value_info("input", tp, ["N", 3, SIZE, SIZE])],
        [helper.make_tensor_value_info("fake_probability", tp, ["N"])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    (folder / "tiny.onnx").write_bytes(model.SerializeToString())
    card = ModelCard(
        name="tiny",
        version="1.2.3",
        architecture="mean + sigmoid",
        input_size=SIZE,
        mean=(0.5, 0.5, 0.5),
        std=(0.5, 0.5, 0.5),
        threshold=0.4,
        onnx_file="tiny.onnx",
        metrics={"auc": 0.5},
    )
    card.write(folder / "tiny.json")
    return folder / "tiny.json"
