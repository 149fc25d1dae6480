"""Both key stores, SQLite and real Redis: create, look up, list, revoke; secrets kept hashed."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from deepfake_detection.errors import InvalidOptions, NotFound
from deepfake_detection.keys.base import KeyStore
from deepfake_detection.keys.redis_store import RedisKeyStore
from deepfake_detection.keys.sqlite_store import SqliteKeyStore
from support.live_server import redis_server


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[KeyStore]:
    if request.param == "sqlite":
        yield SqliteKeyStore(tmp_path / "keys.sqlite3")
        return
    with redis_server(tmp_path) as url:
        yield RedisKeyStore(url)


def test_a_created_key_is_found_by_its_secret(store: KeyStore) -> None:
    key, secret = store.create("alice", "10/second", 500)
    assert secret.startswith("dfd_")
    assert len(secret) > 40
    found = store.lookup(secret)
    assert found == key
    assert (found.rate_limit, found.daily_frames, found.revoked) == ("10/second", 500, False)
    assert store.lookup(secret + "x") is None
    assert store.lookup("") is None


def test_names_are_unique_and_checked(store: KeyStore) -> None:
    store.create("alice")
    with pytest.raises(InvalidOptions, match="exists already"):
        store.create("alice")
    with pytest.raises(InvalidOptions, match="key name"):
        store.create("no spaces")
    with pytest.raises(InvalidOptions, match="rate limit"):
        store.create("bob", "ten per fortnight")


def test_revoked_keys_are_listed_and_known_as_revoked(store: KeyStore) -> None:
    _, first = store.create("first")
    store.create("second")
    revoked = store.revoke("first")
    assert revoked.revoked
    found = store.lookup(first)
    assert found is not None
    assert found.revoked
    assert [(k.name, k.revoked) for k in store.list()] == [("first", True), ("second", False)]
    with pytest.raises(NotFound):
        store.revoke("nobody")


def test_the_sqlite_file_holds_no_secret(tmp_path: Path) -> None:
    store = SqliteKeyStore(tmp_path / "keys.sqlite3")
    _, secret = store.create("alice")
    assert secret.encode() not in (tmp_path / "keys.sqlite3").read_bytes()


def test_the_sqlite_file_and_its_new_folder_are_the_users_only(tmp_path: Path) -> None:
    store = SqliteKeyStore(tmp_path / "data" / "keys.sqlite3")
    store.create("alice")
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "data" / "keys.sqlite3").stat().st_mode) == 0o600


@pytest.mark.redis
def test_redis_holds_no_secret(tmp_path: Path) -> None:
    with redis_server(tmp_path) as url:
        _, secret = RedisKeyStore(url).create("alice")
        client = redis.Redis.from_url(url)
        dumped = b"".join(
            str(client.hgetall(k) if client.type(k) == b"hash" else client.get(k)).encode()
            for k in client.keys("*")
        )
        assert secret.encode() not in dumped
        assert b"alice" in dumped


@pytest.mark.parametrize(
    ("url", "where"),
    [
        ("redis://alice:secret@cache:6380/2", "redis://cache:6380/2"),
        ("redis://:secret@cache", "redis://cache"),
        ("unix:///run/redis.sock?db=1&password=secret", "unix:///run/redis.sock"),
    ],
)
def test_redis_is_named_without_its_password(url: str, where: str) -> None:
    assert RedisKeyStore(url).where == where
