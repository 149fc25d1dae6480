"""Export a trained checkpoint, in three steps: score it on validation and choose its decision rule
(``evaluate.py``), write the ONNX model with the calibration in the graph and check it against
torch on real crops (here), write the model card (``card.py``) and the reports (``reports.py``)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch
from torch import nn

from deepfake_detection.classifiers.model_card import ModelCard
from deepfake_detection.crop.recipe import CropRecipe
from deepfake_detection.evaluation.metrics import Report
from deepfake_detection.training.batches import to_tensor
from deepfake_detection.training.card import build_card
from deepfake_detection.training.config import TrainConfig
from deepfake_detection.training.evaluate import evaluate
from deepfake_detection.training.network import MEAN, STD, ExportedClassifier, FlipAveraged
from deepfake_detection.training.reports import write_reports
from deepfake_detection.training.trainer import load_ema, prepare_data
from deepfake_detection.training.validation_set import ValidationSet

OPSET = 17


def export_onnx(model: ExportedClassifier, size: int, path: Path) -> None:
    model.eval()
    example = torch.zeros(1, 3, size, size)
    with warnings.catch_warnings():
        # The TorchScript-based exporter announces its own deprecation; its output is checked below.
        warnings.simplefilter("ignore", category=DeprecationWarning)
        warnings.simplefilter("ignore", category=UserWarning)
        torch.onnx.export(
            model,
            (example,),
            str(path),
            input_names=["input"],
            output_names=["fake_probability"],
            dynamic_axes={"input": {0: "batch"}, "fake_probability": {0: "batch"}},
            opset_version=OPSET,
            dynamo=False,
        )


def onnx_max_abs_diff(model: ExportedClassifier, path: Path, batch: torch.Tensor) -> float:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    onnx_out = session.run(None, {"input": batch.numpy()})[0]
    with torch.no_grad():
        torch_out = model(batch).numpy()
    return float(np.abs(onnx_out - torch_out).max())


@dataclass(frozen=True)
class ExportResult:
    card: ModelCard
    report: Report
    max_abs_diff: float


def export_model(
    config: TrainConfig,
    checkpoint: Path,
    out_dir: Path,
    name: str,
    version: str,
    crop: CropRecipe,
    flip_average: bool = False,
) -> ExportResult:
    """Score the checkpoint's EMA weights on validation and choose their decision rule
    (``evaluate``), write them as ``NAME.onnx`` with the calibration in the graph, checked against
    torch, then the model card (``build_card``) and the reports (``write_reports``).
    ``flip_average``: the shipped graph averages the logits of each crop and its mirror image
    (twice the classifier's time); calibration, threshold and band are fitted on those."""
    ema, steps, weights = load_ema(config, checkpoint)
    network: nn.Module = FlipAveraged(ema) if flip_average else ema
    data = prepare_data(config)
    validation = ValidationSet.build(data, config, table=True)
    evaluation = evaluate(network, validation, config)

    out_dir.mkdir(parents=True, exist_ok=True)
    calibration = evaluation.rule.calibration
    exported = ExportedClassifier(network, calibration.scale, calibration.bias)
    onnx_path = out_dir / f"{name}.onnx"
    export_onnx(exported, config.input_size, onnx_path)
    diff = onnx_max_abs_diff(exported, onnx_path, to_tensor(validation.clean[:64], MEAN, STD))

    card = build_card(
        config,
        data,
        evaluation,
        name=name,
        version=version,
        crop=crop,
        onnx_file=onnx_path.name,
        flip_average=flip_average,
        steps=steps,
        weights=weights,
        onnx_max_abs_diff=diff,
    )
    card.write(out_dir / f"{name}.json")
    write_reports(evaluation, out_dir, name, version)
    return ExportResult(card, evaluation.report, diff)
