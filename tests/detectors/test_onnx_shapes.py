import numpy as np
import onnxruntime as ort
import pytest

from deepfake_detection.detectors.onnx_shapes import with_shapes

onnx = pytest.importorskip("onnx")
helper = onnx.helper


def fixed_shape_model() -> bytes:
    """y = relu(x) declared for a fixed 1x3x8x8 input, with its weight also listed as an input
    (as old exporters did)."""
    tp = onnx.TensorProto.FLOAT
    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["r"]), helper.make_node("Mul", ["r", "k"], ["y"])],
        "fixed",
        [
            helper.make_tensor_value_info("x", tp, [1, 3, 8, 8]),
            helper.make_tensor_value_info("k", tp, [1]),
        ],
        [helper.make_tensor_value_info("y", tp, [1, 3, 8, 8])],
        initializer=[helper.make_tensor("k", tp, [1], [2.0])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    return bytes(model.SerializeToString())


def test_declared_shapes_become_symbolic_and_weights_leave_the_inputs() -> None:
    rewritten = with_shapes(fixed_shape_model(), {"x": ("B", 3, "H", "W"), "y": ("B", 3, "H", "W")})
    model = onnx.load_from_string(rewritten)
    onnx.checker.check_model(model)
    assert [i.name for i in model.graph.input] == ["x"]
    dims = [d.dim_param or d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
    assert dims == ["B", 3, "H", "W"]
    session = ort.InferenceSession(rewritten, providers=["CPUExecutionProvider"])
    x = np.linspace(-1, 1, 2 * 3 * 5 * 7, dtype=np.float32).reshape(2, 3, 5, 7)
    (y,) = session.run(None, {"x": x})
    np.testing.assert_allclose(y, 2 * np.maximum(x, 0))


def test_a_truncated_model_is_an_error() -> None:
    with pytest.raises(ValueError, match="truncated"):
        with_shapes(fixed_shape_model()[:-5], {"x": (1, 3, 8, 8)})
