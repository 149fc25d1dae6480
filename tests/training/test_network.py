import pydantic
import pytest
import torch

from deepfake_detection.training.config import TrainConfig
from deepfake_detection.training.network import FakeClassifier, imagenet_weights


@pytest.mark.parametrize("architecture", ["efficientnet-lite1", "efficientnet-lite2"])
def test_a_larger_backbone_starts_from_its_own_imagenet_weights(architecture: str) -> None:
    network = FakeClassifier(
        64, dropout=0.0, first_trainable_block=5, pretrained=True, architecture=architecture
    ).eval()
    imagenet = torch.load(imagenet_weights(architecture), map_location="cpu", weights_only=True)
    for name, value in network.backbone.state_dict().items():
        if not name.startswith("_fc."):
            assert torch.equal(value, imagenet[name]), name
    assert len(network.backbone._blocks) > 16  # deeper than Lite0
    with torch.no_grad():
        assert network(torch.zeros(2, 3, 64, 64)).shape == (2,)


def test_an_unknown_architecture_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="efficientnet-lite0, efficientnet-lite1"):
        FakeClassifier(64, 0.0, 5, pretrained=False, architecture="efficientnet-b0")
    with pytest.raises(pydantic.ValidationError, match="efficientnet-lite2"):
        TrainConfig(architecture="efficientnet-lite3")  # type: ignore[arg-type]
