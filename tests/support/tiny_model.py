"""A tiny real ONNX classifier and its model card, written by the tests (no trained model needed):
fake_probability = sigmoid(mean of the normalised crop), so brighter crops score higher."""

from __future__ import annotations

from pathlib import Path

import pytest

from deepfake_detection.classifiers.model_card import ModelCard


def write_tiny_model(
    folder: Path,
    *,
    size: int = 16,
    mean: float = 0.5,
    std: float = 0.5,
    threshold: float = 0.4,
    graph_input: str = "input",
    version: str = "1.2.3",
) -> Path:
    """Write ``tiny.onnx`` and ``tiny.json`` into ``folder``; returns the card's path. The card
    always names the input ``input``: ``graph_input`` gives the graph another name, a mismatch."""
    onnx = pytest.importorskip("onnx")
    helper, tp = onnx.helper, onnx.TensorProto.FLOAT
    graph = helper.make_graph(
        [
            helper.make_node("ReduceMean", [graph_input], ["m"], axes=[1, 2, 3], keepdims=0),
            helper.make_node("Sigmoid", ["m"], ["fake_probability"]),
        ],
        "tiny",
        [helper.make_tensor_value_info(graph_input, tp, ["N", 3, size, size])],
        [helper.make_tensor_value_info("fake_probability", tp, ["N"])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    (folder / "tiny.onnx").write_bytes(model.SerializeToString())
    card = ModelCard(
        name="tiny",
        version=version,
        architecture="mean + sigmoid",
        input_size=size,
        mean=(mean, mean, mean),
        std=(std, std, std),
        threshold=threshold,
        onnx_file="tiny.onnx",
        metrics={"auc": 0.5},
    )
    card.write(folder / "tiny.json")
    return folder / "tiny.json"
