"""Model soups: the weight average of exported models, back in torch for ``dfd export``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
from onnx import numpy_helper

from deepfake_detection.training.export import export_onnx
from deepfake_detection.training.network import ExportedClassifier, FakeClassifier
from deepfake_detection.training.soup import average_onnx, soup_checkpoint

pytestmark = pytest.mark.slow


def _exported(seed: int, path: Path, scale: float = 1.0, bias: float = 0.0) -> FakeClassifier:
    torch.manual_seed(seed)
    network = FakeClassifier(64, dropout=0.0, first_trainable_block=5, pretrained=False)
    with torch.no_grad():
        for module in network.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.running_mean.uniform_(-0.2, 0.2)
                module.running_var.uniform_(0.5, 2.0)
                module.weight.uniform_(0.5, 1.5)
                module.bias.uniform_(-0.3, 0.3)
        network.backbone._fc.weight.normal_(0.0, 0.5)  # outputs that differ between the models
    export_onnx(ExportedClassifier(network.eval(), scale=scale, bias=bias), 64, path)
    return network


def _probabilities(path: Path, images: torch.Tensor) -> np.ndarray:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return np.asarray(session.run(None, {"input": images.numpy()})[0])


def test_a_soup_averages_the_folded_weights_and_drops_the_calibration(tmp_path: Path) -> None:
    a = _exported(0, tmp_path / "a.onnx", scale=0.5, bias=0.3)
    _exported(1, tmp_path / "b.onnx")
    images = torch.randn(16, 3, 64, 64)
    with torch.no_grad():
        raw_a = torch.sigmoid(a.eval()(images)).numpy()

    # All of one model: its function, uncalibrated.
    average_onnx([tmp_path / "a.onnx", tmp_path / "b.onnx"], [1.0, 0.0], tmp_path / "only-a.onnx")
    assert np.allclose(_probabilities(tmp_path / "only-a.onnx", images), raw_a, atol=1e-5)

    # Half and half: every folded weight is the mean of the two models'.
    average_onnx([tmp_path / "a.onnx", tmp_path / "b.onnx"], [0.5, 0.5], tmp_path / "soup.onnx")

    def weights(name: str) -> dict[str, np.ndarray]:
        model = onnx.load(str(tmp_path / name))
        return {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}

    wa, wb, ws = weights("a.onnx"), weights("b.onnx"), weights("soup.onnx")
    head = "network.backbone._fc.weight"
    assert np.allclose(ws[head], (wa[head] + wb[head]) / 2)
    assert float(ws["scale"]) == 1.0
    assert float(ws["bias"]) == 0.0
    soup = _probabilities(tmp_path / "soup.onnx", images)
    assert not np.allclose(soup, raw_a, atol=1e-3)

    # Back into torch, as a checkpoint: the same function.
    network = FakeClassifier(64, dropout=0.0, first_trainable_block=5, pretrained=False)
    diff = soup_checkpoint(network, tmp_path / "soup.onnx", images, tmp_path / "soup.pt", "a+b")
    assert diff < 1e-4
    state = torch.load(tmp_path / "soup.pt", weights_only=False)
    assert state["weights"] == "a+b"  # what dfd export writes into the card
    restored = FakeClassifier(64, dropout=0.0, first_trainable_block=5, pretrained=False)
    restored.load_state_dict(state["ema"])
    with torch.no_grad():
        assert np.allclose(torch.sigmoid(restored.eval()(images)).numpy(), soup, atol=1e-4)


def test_shares_must_make_a_mean(tmp_path: Path) -> None:
    _exported(0, tmp_path / "a.onnx")
    with pytest.raises(ValueError, match="sum to 1"):
        average_onnx([tmp_path / "a.onnx"], [0.7], tmp_path / "x.onnx")
