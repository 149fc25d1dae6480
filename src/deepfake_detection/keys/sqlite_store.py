"""API keys in a SQLite file of the data directory: ``name`` unique, the secret's hash indexed."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from deepfake_detection.errors import InvalidOptions, NotFound
from deepfake_detection.keys.key import (
    ApiKey,
    hash_secret,
    new_secret,
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    secret_hash TEXT NOT NULL UNIQUE,
    rate_limit TEXT,
    daily_frames INTEGER,
    created_at REAL NOT NULL,
    revoked_at REAL
);
"""
_COLUMNS = "id, name, created_at, rate_limit, daily_frames, revoked_at"


class SqliteKeyStore:
    """Implements ``KeyStore``; each call opens its own connection (safe from any thread)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.where = str(path.absolute())
        self._created = False

    def create(
        self, name: str, rate_limit: str | None = None, daily_frames: int | None = None
    ) -> tuple[ApiKey, str]:
        key = ApiKey.new(name, rate_limit, daily_frames)
        secret = new_secret()
        try:
            with self._connect() as db:
                db.execute(
                    "INSERT INTO api_keys (id, name, secret_hash, rate_limit, daily_frames, "
                    "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        key.id,
                        key.name,
                        hash_secret(secret),
                        rate_limit,
                        daily_frames,
                        key.created_at,
                    ),
                )
        except sqlite3.IntegrityError as exc:
            raise InvalidOptions(f"a key named {name!r} exists already") from exc
        return key, secret

    def list(self) -> list[ApiKey]:
        # Listing creates no file: a store looked for in the wrong place stays visibly absent.
        if not self.path.exists():
            return []
        with self._connect() as db:
            rows = db.execute(f"SELECT {_COLUMNS} FROM api_keys ORDER BY created_at").fetchall()
        return [ApiKey(*row) for row in rows]

    def revoke(self, name: str) -> ApiKey:
        with self._connect() as db:
            db.execute(
                "UPDATE api_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
                (time.time(), name),
            )
            row = db.execute(f"SELECT {_COLUMNS} FROM api_keys WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise NotFound(f"no key named {name!r}")
        return ApiKey(*row)

    def lookup(self, secret: str) -> ApiKey | None:
        if not self.path.exists():
            return None
        with self._connect() as db:
            row: Any = db.execute(
                f"SELECT {_COLUMNS} FROM api_keys WHERE secret_hash = ?", (hash_secret(secret),)
            ).fetchone()
        return None if row is None else ApiKey(*row)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        if not self._created:
            # Key hashes and quotas: the service's user only (issue 22 L4: the file was 0644 in a
            # 0755 folder). SQLite gives its journal files the database file's mode.
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
            self.path.chmod(0o600)
        with closing(sqlite3.connect(self.path, timeout=30, isolation_level=None)) as db:
            if not self._created:
                db.executescript(_SCHEMA)
                self._created = True
            yield db
