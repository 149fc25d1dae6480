"""The model card: metadata that travels with every classifier ``.onnx`` and drives preprocessing."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from deepfake_detection.crop.recipe import CropRecipe
from deepfake_detection.errors import ModelUnavailable

DEFAULT_MODEL_NAME = "dfd-effnetlite0"


class TrainingInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    data: str
    split: str
    train_items: int
    validation_items: int
    augmentations: list[str]
    epochs: float
    steps: int
    seed: int
    config: dict[str, object] = Field(default_factory=dict)
    weights: str | None = Field(
        None, description="where the weights come from when not from this training run alone"
    )

    def shown(self) -> dict[str, object]:
        """The record as the service shows it: the training settings without those of the machine
        that ran them (its checkpoint and cache folders, threads, device, loader workers)."""
        record = self.model_dump(mode="json")
        record["config"] = {k: v for k, v in self.config.items() if k not in RUN_LOCAL_SETTINGS}
        return record


# How and where a training run was executed, not what was trained.
RUN_LOCAL_SETTINGS = frozenset({"cache_dir", "run_dir", "threads", "device", "loader_workers"})


class UncertainBand(BaseModel):
    """Scores in ``[low, high)`` are answered ``uncertain`` (``low <= threshold <= high``)."""

    model_config = ConfigDict(frozen=True)

    low: float = Field(ge=0.0, le=1.0)
    high: float = Field(ge=0.0, le=1.0)
    rule: str = ""


class QualityLimits(BaseModel):
    """Below these a face is not judged (``uncertain``, with the reason): a face's shorter side in
    pixels of the media, and the sharpness of its crop (variance of the Laplacian of the grey crop
    at the model's input size; compression and blur lower it)."""

    model_config = ConfigDict(frozen=True)

    min_face_px: float = Field(32.0, ge=0.0)
    min_sharpness: float = Field(0.0, ge=0.0)
    rule: str = ""


class ModelCard(BaseModel):
    """Everything the service must know to use a classifier the way it was trained."""

    model_config = ConfigDict(frozen=True)

    name: str
    version: str
    architecture: str
    input_size: int = Field(gt=0)
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    color_order: str = "RGB"
    crop: CropRecipe = CropRecipe()
    threshold: float = Field(0.5, ge=0.0, le=1.0)
    onnx_file: str
    onnx_input: str = "input"
    onnx_output: str = "fake_probability"
    training: TrainingInfo | None = None
    metrics: dict[str, object] = Field(default_factory=dict)
    # No band: every score is real or fake at the threshold.
    uncertain_band: UncertainBand | None = None
    quality: QualityLimits = QualityLimits()

    def onnx_path(self, card_path: Path) -> Path:
        return card_path.parent / self.onnx_file

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.model_dump(mode="json"), indent=2) + "\n")


def load_model_card(path: Path) -> ModelCard:
    """Read and validate a model card; a missing or invalid card is a clear ``ModelUnavailable``."""
    try:
        return ModelCard.model_validate_json(path.read_text())
    except FileNotFoundError as exc:
        raise ModelUnavailable(f"model card not found: {path}") from exc
    except ValueError as exc:
        raise ModelUnavailable(f"model card {path} is invalid: {exc}") from exc


def default_model_card_path() -> Path:
    """The card of the model shipped inside the package."""
    return Path(
        str(resources.files("deepfake_detection") / "models" / f"{DEFAULT_MODEL_NAME}.json")
    )
