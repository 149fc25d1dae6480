"""Service settings: typed, read from ``DFD_*`` environment variables and an optional settings file.

Nothing is read at import: call :func:`get_settings` (or build ``Settings(...)`` in a test). The
settings file is JSON or a dotenv file named by ``DFD_SETTINGS_FILE``; environment variables win
over it, and keyword arguments win over both.
"""

from __future__ import annotations

import json
import os
import shlex
from pathlib import Path
from typing import Any, Literal

import limits
import platformdirs
from pydantic import Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from deepfake_detection.classifiers.model_card import default_model_card_path
from deepfake_detection.errors import InvalidOptions
from deepfake_detection.shared.registry import normalise

ENV_PREFIX = "DFD_"
SETTINGS_FILE_VARIABLE = f"{ENV_PREFIX}SETTINGS_FILE"
APP_NAME = "deepfake-detection"
# Earlier versions kept their data here, in whatever directory the service was started in.
LEGACY_DATA_DIR = Path("dfd-data")


def default_data_dir() -> Path:
    """The user's data directory for this application, the same wherever ``dfd`` is started
    (``$XDG_DATA_HOME/deepfake-detection``, by default ``~/.local/share/...``, on Linux)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


class Settings(BaseSettings):
    """Everything the service and ``dfd scan`` can be configured with."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", frozen=True)

    # The classifier.
    classifier: str = Field("onnx", description="the classifier runtime (list_classifiers())")
    model_card: Path = Field(default_factory=default_model_card_path)
    threshold: float | None = Field(None, ge=0.0, le=1.0, description="None: the card's threshold")
    onnx_threads: int = Field(
        2, ge=1, le=64, description="onnxruntime intra-op threads: classifier, CenterFace and YuNet"
    )

    # Faces.
    # YuNet since 2026-12-07 (issue 20): 3-4x less time per frame than CenterFace, 97.6% of its faces
    # found (it loses faces about 16 px wide at its input), and the same validation AUC through
    # detect + crop (docs/performance.md).
    detector: str = "yunet"
    max_faces: int = Field(16, ge=1, le=256)
    explain_max_faces: int = Field(
        4,
        ge=1,
        le=256,
        description="explain=true: faces (images) or persons (videos) explained, highest first",
    )
    min_face_size: int = Field(20, ge=0, description="faces smaller (shorter side, px) are skipped")

    # Limits on what a client may send.
    max_upload_bytes: int = Field(20 * 1024 * 1024, gt=0)
    max_pixels: int = Field(50_000_000, gt=0, description="width x height, checked before decoding")
    decode_timeout_s: float = Field(10.0, gt=0)
    jpeg_reduce_above_pixels: int = Field(
        16_000_000,
        gt=0,
        description="JPEGs with more pixels are decoded at 1/2, 1/4 or 1/8 scale (DCT scaling) "
        "to at most this many; boxes are answered in the full image's pixels",
    )
    decode_budget_pixels: int = Field(
        64_000_000, gt=0, description="decoded image pixels in flight per process (memory)"
    )
    memory_release_idle_s: float = Field(
        2.0,
        ge=0,
        description="once no analysis has run for this long, free memory goes back to the OS "
        "(glibc's malloc_trim); 0: never",
    )
    decode_wait_s: float = Field(
        10.0, ge=0, description="a request waits this long for room in the budget (else 503)"
    )
    max_in_flight: int = Field(16, ge=1, description="concurrent analyses before answering 503")
    body_timeout_s: float = Field(
        60.0, gt=0, description="a request body must arrive within this (else 408)"
    )
    max_uploads: int = Field(64, ge=1, description="request bodies received at once (else 503)")
    header_timeout_s: float = Field(
        10.0, gt=0, description="a request's headers must arrive within this (else closed)"
    )

    # Videos (POST /v1/videos, video jobs).
    video_frames: int = Field(32, ge=1, le=1000, description="frames sampled evenly by default")
    video_max_frames: int = Field(300, ge=1, le=1000, description="most frames per video")
    video_aggregate: str = Field("mean", description="person score: mean/median/max")
    video_min_coverage: float = Field(
        0.2, ge=0.0, le=1.0, description="share of sampled frames a person needs to decide"
    )
    video_max_bytes: int = Field(500 * 1024 * 1024, gt=0)
    video_max_duration_s: float = Field(600.0, gt=0, description="longest video accepted (jobs)")
    video_sync_max_duration_s: float = Field(60.0, gt=0, description="longest for POST /v1/videos")
    video_max_pixels: int = Field(3840 * 2160, gt=0, description="width x height of a frame")
    video_decode_timeout_s: float = Field(120.0, gt=0)
    video_decode_threads: int | None = Field(
        None, ge=1, le=64, description="video decoder threads; None: one per usable CPU"
    )
    video_full_detection_every: int = Field(
        4,
        ge=1,
        le=64,
        description="a full-frame face detection at least every this many sampled frames; between "
        "them only the regions around known faces are searched (1: every frame in full)",
    )

    # Provenance: C2PA Content Credentials and the metadata that declares a file's origin.
    c2pa_trust_anchors: Path | None = Field(
        None,
        description="a PEM file of the C2PA signers' root certificates to trust; without it a "
        "valid signature reads 'signed; signer not on a trust list'",
    )
    c2pa_max_manifest_bytes: int = Field(
        4 * 1024 * 1024, gt=0, description="a larger C2PA manifest store is not parsed"
    )

    # Asynchronous jobs (POST /v1/jobs) and their webhooks.
    data_dir: Path = Field(
        default_factory=default_data_dir, description="job store, uploads (shared), API keys"
    )
    data_min_free_bytes: int = Field(
        64 * 1024 * 1024,
        ge=0,
        description="below this much free space on the data volume, /readyz says not ready",
    )
    job_backend: str = Field("embedded", description="embedded (in-process) or celery")
    job_workers: int = Field(1, ge=1, le=64, description="embedded backend: concurrent jobs")
    job_max_queued: int = Field(
        1000, ge=1, description="POST /v1/jobs answers 503 while this many jobs wait to start"
    )
    job_retention_s: float = Field(24 * 3600.0, gt=0, description="results kept, then removed")
    job_timeout_s: float = Field(900.0, gt=0, description="the longest a job may run")
    annotate_timeout_s: float = Field(
        300.0, gt=0, description="the longest drawing on a job's video may take (else 413)"
    )
    job_visibility_timeout_s: float | None = Field(
        None, gt=0, description="Celery: redeliver an unacknowledged job after; None: 2 x timeout"
    )
    redis_url: str = "redis://127.0.0.1:6379/0"
    webhook_secret: str | None = Field(None, description="HMAC-SHA256 key; webhooks need one")
    webhook_allow_private: bool = Field(False, description="allow callbacks to private addresses")
    webhook_retries: int = Field(4, ge=0, le=20)
    webhook_backoff_s: float = Field(1.0, ge=0)
    webhook_timeout_s: float = Field(10.0, gt=0, description="the longest one attempt may take")
    webhook_delivery_timeout_s: float = Field(
        120.0, gt=0, description="the longest a delivery may take, retries and waits included"
    )

    # Running it for many users: API keys, limits, metrics, logs, media by URL (README).
    auth: Literal["none", "keys"] = Field("none", description="keys: the API needs an API key")
    rate_limit: str | None = Field(None, description="all requests together, e.g. 200/second")
    key_rate_limit: str | None = Field(None, description="per key, unless the key has its own")
    key_daily_frames: int | None = Field(
        None, ge=1, description="frames a key may analyse per day (an image is one)"
    )
    rate_limit_storage: str | None = Field(
        None, description="limits storage URI; None: memory (embedded) or redis_url (celery)"
    )
    metrics_auth: bool = Field(False, description="/metrics needs an API key too (with keys on)")
    log_level: Literal["debug", "info", "warning", "error", "critical"] = "info"
    access_log: bool = Field(True, description="one JSON line per request")
    fetch_allow_private: bool = Field(False, description="media URLs to private addresses")
    fetch_timeout_s: float = Field(60.0, gt=0, description="the longest a media download may take")

    # The HTTP server.
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    workers: int = Field(1, ge=1)

    @field_validator("classifier", "detector", "job_backend")
    @classmethod
    def _normalise_name(cls, value: str) -> str:
        # Spelled as the registries file their names, so that every comparison agrees.
        return normalise(value)

    @field_validator("rate_limit", "key_rate_limit")
    @classmethod
    def _check_rate_limit(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                limits.parse(value)
            except ValueError as exc:
                raise ValueError("expected N/second, N/minute, N/hour or N/day") from exc
        return value

    @field_validator("c2pa_trust_anchors")
    @classmethod
    def _check_trust_anchors(cls, value: Path | None) -> Path | None:
        if value is not None:
            try:
                text = value.read_text(errors="replace")
            except OSError as exc:
                raise ValueError(f"cannot read {value}: {exc.strerror or exc}") from exc
            if "-----BEGIN CERTIFICATE-----" not in text:
                raise ValueError(f"{value} holds no PEM certificate")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, *_settings_file_sources(settings_cls))


class _JsonFileSource(PydanticBaseSettingsSource):
    """A flat JSON object of settings (field names without the prefix)."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path) -> None:
        super().__init__(settings_cls)
        self._path = path

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        # Unused: __call__ returns the whole mapping at once.
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        data = json.loads(self._path.read_text())
        if not isinstance(data, dict):
            raise InvalidOptions(f"settings file {self._path} must hold a JSON object")
        return data


def _settings_file_sources(
    settings_cls: type[BaseSettings],
) -> tuple[PydanticBaseSettingsSource, ...]:
    name = os.environ.get(SETTINGS_FILE_VARIABLE)
    if not name:
        return ()
    path = Path(name)
    if not path.is_file():
        raise InvalidOptions(f"{SETTINGS_FILE_VARIABLE}={name}: no such file")
    if path.suffix.lower() == ".json":
        return (_JsonFileSource(settings_cls, path),)
    return (DotEnvSettingsSource(settings_cls, env_file=path, env_prefix=ENV_PREFIX),)


def legacy_data_dir_hint(data_dir: Path) -> str | None:
    """What to do with a ``./dfd-data`` that an earlier version filled and this one no longer
    reads, so that no job or key is left behind unnoticed; ``None`` when there is none, when it is
    empty or when it is ``data_dir``."""
    old = LEGACY_DATA_DIR.resolve()
    new = data_dir.resolve()
    if old == new or not old.is_dir():
        return None
    held = sorted(entry.name for entry in old.iterdir())
    if not held:
        return None
    return (
        f"{old} ({', '.join(held)}) is the data directory of an earlier version and is not read: "
        f"the data directory is {new}. To keep its jobs and API keys, stop the service and run "
        f"`mkdir -p {shlex.quote(str(new))} && mv -n {shlex.quote(str(old))}/* "
        f"{shlex.quote(str(new))}/`, or set {ENV_PREFIX}DATA_DIR={shlex.quote(str(old))}"
    )


def get_settings(**overrides: Any) -> Settings:
    """Read and validate the settings once; an invalid value is an ``InvalidOptions`` naming it."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"{ENV_PREFIX}{'.'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
            for e in exc.errors()
        )
        raise InvalidOptions(f"invalid settings: {problems}") from exc
    except json.JSONDecodeError as exc:
        raise InvalidOptions(f"settings file is not valid JSON: {exc}") from exc
