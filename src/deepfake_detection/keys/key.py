"""An API key's record and its secret: generated here, shown once, stored only as a SHA-256 hash.

The secret carries 256 random bits, so a fast hash is enough (nothing to brute-force) and lets the
store find a key by its hash with one indexed lookup.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass

from limits import parse

from deepfake_detection.errors import InvalidOptions

SECRET_PREFIX = "dfd_"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass(frozen=True)
class ApiKey:
    """What the service knows about a key; never its secret."""

    id: str
    name: str
    created_at: float
    rate_limit: str | None = None
    """Requests, in the ``N/second|minute|hour|day`` notation; ``None``: the service's default."""
    daily_frames: int | None = None
    """Frames analysed per day (an image is one); ``None``: the service's default."""
    revoked_at: float | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @classmethod
    def new(cls, name: str, rate_limit: str | None, daily_frames: int | None) -> ApiKey:
        """A key about to be stored: a fresh id, the name and the limit checked."""
        return cls(
            id=new_key_id(),
            name=check_name(name),
            created_at=time.time(),
            rate_limit=check_rate_limit(rate_limit),
            daily_frames=daily_frames,
        )


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_key_id() -> str:
    return secrets.token_hex(8)


def check_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise InvalidOptions(
            f"key name {name!r}: 1 to 64 letters, digits, '.', '_' or '-', starting with a "
            "letter or digit"
        )
    return name


def check_rate_limit(text: str | None) -> str | None:
    """``text`` if the ``limits`` library reads it (e.g. ``10/second``, ``100 per minute``)."""
    if text is None:
        return None
    try:
        parse(text)
    except ValueError as exc:
        raise InvalidOptions(
            f"rate limit {text!r}: expected N/second, N/minute, N/hour or N/day"
        ) from exc
    return text
