"""A weight-space average of exported models of one architecture (a "model soup"; WiSE-FT when one
is a fine-tune of the other: Wortsman et al., CVPR 2022, "Robust fine-tuning of zero-shot models").

A model fine-tuned from another usually lies in the same basin of the loss: the straight line
between their weights stays low, and points on it often generalise better under distribution shift
than either end. Here the average is taken of the exported ONNX graphs' folded weights (each
convolution with its batch norm folded in, the head), which is the function each model computes;
the calibration of the ends is dropped (the average is exported, and so recalibrated, by
``dfd export``). The average goes back into the torch network as a warm start does
(``warm_start.load_onnx_weights``), to a checkpoint that ``dfd export --checkpoint`` takes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper

from deepfake_detection.training.network import FakeClassifier
from deepfake_detection.training.warm_start import load_onnx_weights

_HEAD = ("network.backbone._fc.weight", "network.backbone._fc.bias")
_CALIBRATION = ("scale", "bias")


def _weight_names(model: onnx.ModelProto) -> list[str]:
    """The folded weights in forward order: each convolution's (weight, bias), then the head's."""
    convs = [name for n in model.graph.node if n.op_type == "Conv" for name in n.input[1:3]]
    return [*convs, *_HEAD]


def average_onnx(paths: Sequence[Path], shares: Sequence[float], out: Path) -> None:
    """Write to ``out`` the first model's graph with every folded weight the ``shares``-weighted
    average of the models' (shares sum to 1), and no calibration (scale 1, bias 0)."""
    if len(paths) != len(shares) or not paths:
        raise ValueError("one share per model, at least one model")
    if not np.isclose(sum(shares), 1.0) or min(shares) < 0:
        raise ValueError(f"shares must be non-negative and sum to 1, not {list(shares)}")
    models = [onnx.load(str(path)) for path in paths]
    names = [_weight_names(model) for model in models]
    if len({len(n) for n in names}) != 1:
        raise ValueError("the models do not have the same architecture")
    arrays = [{i.name: numpy_helper.to_array(i) for i in m.graph.initializer} for m in models]
    averaged: dict[str, np.ndarray] = {}
    for position, name in enumerate(names[0]):
        parts = [weights[n[position]] for weights, n in zip(arrays, names, strict=True)]
        if len({part.shape for part in parts}) != 1:
            raise ValueError(f"{name}: shapes differ {[part.shape for part in parts]}")
        total = sum(
            share * part.astype(np.float64) for share, part in zip(shares, parts, strict=True)
        )
        averaged[name] = np.asarray(total, dtype=parts[0].dtype)
    averaged["scale"] = np.array(1.0, dtype=np.float32)
    averaged["bias"] = np.array(0.0, dtype=np.float32)
    soup = models[0]
    for initializer in soup.graph.initializer:
        if initializer.name in averaged:
            initializer.CopyFrom(
                numpy_helper.from_array(averaged[initializer.name], initializer.name)
            )
    onnx.save(soup, str(out))


def soup_checkpoint(
    network: FakeClassifier, onnx_path: Path, images: torch.Tensor, out: Path, weights: str
) -> float:
    """Load the averaged graph into ``network`` (batch norm statistics measured on ``images``,
    normalised training crops) and save it as a checkpoint ``dfd export`` reads, with ``weights``
    saying what was averaged (the model card's ``training.weights``); the largest difference
    against onnxruntime on the first 64 images."""
    diff = load_onnx_weights(network, onnx_path, images)
    torch.save({"ema": network.state_dict(), "step": 0, "weights": weights}, out)
    return diff
