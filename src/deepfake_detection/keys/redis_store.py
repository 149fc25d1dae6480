"""API keys in Redis, for the Celery set-up: every API replica and ``dfd keys`` share them.

``{prefix}key:{id}`` is a hash of the record, ``{prefix}keys:by_hash`` maps the secret's hash to
the id and ``{prefix}keys:by_name`` the name to the id (``HSETNX``: a name is taken once).
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import redis

from deepfake_detection.errors import InvalidOptions, NotFound
from deepfake_detection.keys.key import (
    ApiKey,
    hash_secret,
    new_secret,
)


class RedisKeyStore:
    """Implements ``KeyStore`` on Redis (``redis_url``)."""

    def __init__(self, url: str, prefix: str = "dfd:") -> None:
        self._redis = redis.Redis.from_url(url, decode_responses=True)
        self._prefix = prefix
        self.where = _without_credentials(url)

    def create(
        self, name: str, rate_limit: str | None = None, daily_frames: int | None = None
    ) -> tuple[ApiKey, str]:
        key = ApiKey.new(name, rate_limit, daily_frames)
        if not self._redis.hsetnx(self._by_name, name, key.id):
            raise InvalidOptions(f"a key named {name!r} exists already")
        secret = new_secret()
        fields = {"id": key.id, "name": name, "created_at": repr(key.created_at)}
        if rate_limit is not None:
            fields["rate_limit"] = rate_limit
        if daily_frames is not None:
            fields["daily_frames"] = str(daily_frames)
        pipe = self._redis.pipeline()
        pipe.hset(self._key(key.id), mapping=fields)  # type: ignore[arg-type]
        pipe.hset(self._by_hash, hash_secret(secret), key.id)
        pipe.execute()
        return key, secret

    def list(self) -> list[ApiKey]:
        ids: dict[str, str] = self._redis.hgetall(self._by_name)  # type: ignore[assignment]
        keys = [k for k in (self._get(key_id) for key_id in ids.values()) if k is not None]
        return sorted(keys, key=lambda k: k.created_at)

    def revoke(self, name: str) -> ApiKey:
        key_id: str | None = self._redis.hget(self._by_name, name)  # type: ignore[assignment]
        key = None if key_id is None else self._get(key_id)
        if key is None:
            raise NotFound(f"no key named {name!r}")
        if not key.revoked:
            self._redis.hsetnx(self._key(key.id), "revoked_at", repr(time.time()))
        return self._get(key.id) or key

    def lookup(self, secret: str) -> ApiKey | None:
        key_id: str | None = self._redis.hget(self._by_hash, hash_secret(secret))  # type: ignore[assignment]
        return None if key_id is None else self._get(key_id)

    def _get(self, key_id: str) -> ApiKey | None:
        data: dict[str, str] = self._redis.hgetall(self._key(key_id))  # type: ignore[assignment]
        if not data:
            return None
        return ApiKey(
            id=data["id"],
            name=data["name"],
            created_at=float(data["created_at"]),
            rate_limit=data.get("rate_limit"),
            daily_frames=int(data["daily_frames"]) if "daily_frames" in data else None,
            revoked_at=float(data["revoked_at"]) if "revoked_at" in data else None,
        )

    def _key(self, key_id: str) -> str:
        return f"{self._prefix}key:{key_id}"

    @property
    def _by_hash(self) -> str:
        return f"{self._prefix}keys:by_hash"

    @property
    def _by_name(self) -> str:
        return f"{self._prefix}keys:by_name"


def _without_credentials(url: str) -> str:
    # A password sits before the "@" or, for a Unix socket, in the query.
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"
