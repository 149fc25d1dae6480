"""Starting a run from a model we shipped: its ONNX weights put back into the torch network.

The exporter folded every batch norm into the convolution before it, so the ONNX graph holds one
(weight, bias) pair per convolution, in forward order. Each pair goes back into its convolution,
and the batch norm after it is set to pass the convolution's output on with the folded bias added.
Its statistics are then set to those the activations really have on training crops (and its scale
and shift to undo them), so that in training mode, where batch norm normalises with each batch's
statistics, the network still computes what the shipped model computed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnx import numpy_helper
from torch import nn

from deepfake_detection.training.network import FakeClassifier


def _conv_bn_pairs(backbone: nn.Module) -> list[tuple[nn.Conv2d, nn.BatchNorm2d]]:
    layers = [m for m in backbone.modules() if isinstance(m, nn.Conv2d | nn.BatchNorm2d)]
    pairs = list(zip(layers[::2], layers[1::2], strict=True))
    for conv, norm in pairs:
        if not isinstance(conv, nn.Conv2d) or not isinstance(norm, nn.BatchNorm2d):
            raise RuntimeError(f"expected a convolution then a batch norm, got {conv} {norm}")
    return pairs  # type: ignore[return-value]


def _running(norm: nn.BatchNorm2d) -> tuple[torch.Tensor, torch.Tensor]:
    if norm.running_mean is None or norm.running_var is None:
        raise RuntimeError(f"{norm} keeps no running statistics")
    return norm.running_mean, norm.running_var


@torch.no_grad()
def _set_statistics(network: FakeClassifier, images: torch.Tensor) -> None:
    """Batch norm statistics measured on ``images``, with scale and shift that undo them."""
    norms = [norm for _, norm in _conv_bn_pairs(network.backbone)]
    sums = {id(n): [torch.zeros(n.num_features, dtype=torch.float64)] * 2 for n in norms}
    counts = dict.fromkeys(sums, 0)

    def record(module: nn.Module, inputs: tuple[torch.Tensor, ...], _: torch.Tensor) -> None:
        x = inputs[0].double().transpose(0, 1).reshape(inputs[0].shape[1], -1)
        total, squares = sums[id(module)]
        sums[id(module)] = [total + x.sum(1), squares + (x * x).sum(1)]
        counts[id(module)] += x.shape[1]

    hooks = [norm.register_forward_hook(record) for norm in norms]
    network.eval()
    for start in range(0, len(images), 64):
        network(images[start : start + 64])
    for hook in hooks:
        hook.remove()
    for norm in norms:
        total, squares = sums[id(norm)]
        mean = total / counts[id(norm)]
        var = (squares / counts[id(norm)] - mean * mean).clamp_min(1e-6)
        shift = norm.bias.double()  # the folded bias, set by load_onnx_weights
        running_mean, running_var = _running(norm)
        running_mean.copy_(mean)
        running_var.copy_(var)
        norm.weight.copy_(torch.sqrt(var + norm.eps))
        norm.bias.copy_(shift + mean)


@torch.no_grad()
def load_onnx_weights(network: FakeClassifier, onnx_path: Path, images: torch.Tensor) -> float:
    """Put the weights of ``onnx_path`` (an exported :class:`ExportedClassifier`) into ``network``.

    ``images`` (normalised NCHW training crops) set the batch norm statistics and check the result:
    the returned maximum absolute difference of the probabilities against onnxruntime's must be
    tiny, or the mapping is wrong and this raises.
    """
    model = onnx.load(str(onnx_path))
    weights = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    convs = [(n.input[1], n.input[2]) for n in model.graph.node if n.op_type == "Conv"]
    pairs = _conv_bn_pairs(network.backbone)
    if len(convs) != len(pairs):
        raise RuntimeError(f"{onnx_path} has {len(convs)} convolutions, the network {len(pairs)}")
    for (conv, norm), (weight, bias) in zip(pairs, convs, strict=True):
        conv.weight.copy_(torch.from_numpy(weights[weight].copy()))
        running_mean, running_var = _running(norm)
        running_mean.zero_()
        running_var.fill_(1 - norm.eps)
        norm.weight.fill_(1.0)
        norm.bias.copy_(torch.from_numpy(weights[bias].copy()))
    head = network.backbone._fc
    head.weight.copy_(torch.from_numpy(weights["network.backbone._fc.weight"].copy()))
    head.bias.copy_(torch.from_numpy(weights["network.backbone._fc.bias"].copy()))
    _set_statistics(network, images)

    scale, bias = float(weights["scale"]), float(weights["bias"])
    network.eval()
    mine = torch.sigmoid(network(images[:64]) * scale + bias).numpy()
    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    theirs = session.run(None, {"input": images[:64].numpy()})[0]
    diff = float(np.abs(mine - theirs).max())
    if diff > 1e-3:
        raise RuntimeError(f"weights of {onnx_path} did not load: max difference {diff}")
    return diff
