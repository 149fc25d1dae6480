"""The ``KeyStore`` interface and the store a service uses: SQLite in ``DFD_DATA_DIR`` for the
embedded set-up, Redis for the Celery one (the API replicas and ``dfd keys`` then share it)."""

from __future__ import annotations

from typing import Protocol

from deepfake_detection.config import Settings
from deepfake_detection.keys.key import ApiKey


class KeyStore(Protocol):
    where: str
    """Where the keys are, for messages: a file, or a Redis server without its password."""

    def create(
        self, name: str, rate_limit: str | None = None, daily_frames: int | None = None
    ) -> tuple[ApiKey, str]:
        """A new key and its secret (the only time the secret exists outside the caller);
        ``InvalidOptions`` when the name is taken."""
        ...

    def list(self) -> list[ApiKey]:
        """Every key, revoked ones included, oldest first."""
        ...

    def revoke(self, name: str) -> ApiKey:
        """Revoke the key named ``name``; ``NotFound`` when there is none."""
        ...

    def lookup(self, secret: str) -> ApiKey | None:
        """The key whose secret this is, revoked or not; ``None`` for an unknown secret."""
        ...


def create_key_store(settings: Settings) -> KeyStore:
    """Where the keys of this set-up live (the same place as its jobs)."""
    if settings.job_backend == "celery":
        from deepfake_detection.keys.redis_store import RedisKeyStore

        return RedisKeyStore(settings.redis_url)
    from deepfake_detection.keys.sqlite_store import SqliteKeyStore

    return SqliteKeyStore(settings.data_dir / "keys.sqlite3")
