"""A shipped ONNX model's weights go back into the torch network, in eval and in training mode."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from deepfake_detection.training.export import export_onnx
from deepfake_detection.training.network import ExportedClassifier, FakeClassifier
from deepfake_detection.training.warm_start import load_onnx_weights

pytestmark = pytest.mark.slow


def _network() -> FakeClassifier:
    return FakeClassifier(64, dropout=0.0, first_trainable_block=5, pretrained=False)


def test_weights_round_trip_through_onnx_in_eval_and_training_mode(tmp_path: Path) -> None:
    torch.manual_seed(0)
    shipped = _network()
    with torch.no_grad():
        # Batch norms that do something, so that folding them into the convolutions matters.
        for module in shipped.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.running_mean.uniform_(-0.2, 0.2)
                module.running_var.uniform_(0.5, 2.0)
                module.weight.uniform_(0.5, 1.5)
                module.bias.uniform_(-0.3, 0.3)
    exported = ExportedClassifier(shipped.eval(), scale=0.8, bias=-0.1)
    export_onnx(exported, 64, tmp_path / "shipped.onnx")
    images = torch.randn(128, 3, 64, 64)

    restarted = _network()
    diff = load_onnx_weights(restarted, tmp_path / "shipped.onnx", images)
    assert diff < 1e-4
    with torch.no_grad():
        expected = shipped.eval()(images[:32])
        assert torch.allclose(restarted.eval()(images[:32]), expected, atol=1e-3)
        # In training mode batch norm uses the batch's own statistics: the same network still.
        trained_mode = restarted.train()(images[:64])
    # (Batch norms left as folded, unit statistics, are off by about 0.8 here.)
    assert (trained_mode[:32] - expected).abs().max() < 0.01


def test_a_model_of_another_shape_is_refused(tmp_path: Path) -> None:
    other = FakeClassifier(64, dropout=0.0, first_trainable_block=5, pretrained=False)
    export_onnx(ExportedClassifier(other.eval(), 1.0, 0.0), 64, tmp_path / "m.onnx")
    network = _network()
    # One convolution (and its batch norm) fewer.
    network.backbone._conv_head = torch.nn.Identity()
    network.backbone._bn1 = torch.nn.Identity()
    with pytest.raises(RuntimeError, match="convolutions"):
        load_onnx_weights(network, tmp_path / "m.onnx", torch.randn(8, 3, 64, 64))
