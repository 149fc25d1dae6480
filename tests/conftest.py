from pathlib import Path

import pytest

from deepfake_detection.model_card import ModelCard

onnx = pytest.importorskip("onnx")


@pytest.fixture
def tiny_model_card(tmp_path: Path) -> Path:
    """A tiny classifier built here: sigmoid(mean(x / 255 - 1)), so every photograph scores a
    little below 0.5 (real at the card's threshold) and an all-white crop exactly 0.5."""
    helper, tp = onnx.helper, onnx.TensorProto.FLOAT
    graph = helper.make_graph(
        [
            helper.make_node("ReduceMean", ["input"], ["m"], axes=[1, 2, 3], keepdims=0),
            helper.make_node("Sigmoid", ["m"], ["fake_probability"]),
        ],
        "tiny",
        [helper.make_tensor_value_info("input", tp, ["N", 3, 16, 16])],
        [helper.make_tensor_value_info("fake_probability", tp, ["N"])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "tiny.onnx").write_bytes(model.SerializeToString())
    ModelCard(
        name="tiny",
        version="0",
        architecture="mean",
        input_size=16,
        mean=(1.0, 1.0, 1.0),
        std=(1.0, 1.0, 1.0),
        threshold=0.5,
        onnx_file="tiny.onnx",
    ).write(folder / "tiny.json")
    return folder / "tiny.json"
