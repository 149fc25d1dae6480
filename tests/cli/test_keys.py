"""``dfd keys create|list|revoke`` on the embedded store (``DFD_DATA_DIR``, by default the user's
data directory), and what they say about where it is."""

from __future__ import annotations

import io
import json
import re
import subprocess
from pathlib import Path

import pytest

from deepfake_detection.cli.environment import Environment, ExitStatus
from deepfake_detection.cli.main import main
from deepfake_detection.keys.sqlite_store import SqliteKeyStore


def run(*args: str) -> tuple[int, str, str]:
    env = Environment(stdout=io.StringIO(), stderr=io.StringIO())
    status = main(["keys", *args], env)
    return status, env.stdout.getvalue(), env.stderr.getvalue()  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DFD_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_create_prints_the_key_once_and_list_never(data_dir: Path) -> None:
    status, out, _ = run("create", "--name", "alice", "--rate-limit", "10/second", "--json")
    assert status == ExitStatus.OK
    created = json.loads(out)
    assert set(created) == {"name", "key"}
    assert created["name"] == "alice"
    found = SqliteKeyStore(data_dir / "keys.sqlite3").lookup(created["key"])
    assert found is not None
    assert found.rate_limit == "10/second"

    status, plain, _ = run("create", "--name", "bob")
    assert status == ExitStatus.OK
    assert plain.strip().startswith("dfd_")

    status, listed, _ = run("list", "--json")
    records = [json.loads(line) for line in listed.splitlines()]
    assert [r["name"] for r in records] == ["alice", "bob"]
    assert created["key"] not in listed
    assert plain.strip() not in listed
    assert "alice" in run("list")[1]


def test_revoke_and_errors() -> None:
    run("create", "--name", "alice")
    assert run("revoke", "alice")[0] == ExitStatus.OK
    assert json.loads(run("list", "--json")[1])["revoked"] is True
    status, _, err = run("revoke", "nobody")
    assert status == ExitStatus.ERROR
    assert "not_found" in err
    status, _, err = run("create", "--name", "alice")
    assert status == ExitStatus.ERROR
    assert "exists already" in err
    status, _, err = run("create", "--name", "x", "--rate-limit", "often")
    assert status == ExitStatus.ERROR
    assert "rate limit" in err


def test_list_names_the_store_and_says_when_it_is_empty(data_dir: Path) -> None:
    store = data_dir / "keys.sqlite3"
    status, out, err = run("list")
    assert status == ExitStatus.OK
    assert out == ""
    assert err == f"dfd keys: no keys in {store}\n"
    assert not store.exists()

    assert f"created 'alice' in {store}" in run("create", "--name", "alice")[2]
    assert run("list")[2] == f"dfd keys: 1 key in {store}\n"


def test_the_default_store_does_not_depend_on_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DFD_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    store = tmp_path / "xdg" / "deepfake-detection" / "keys.sqlite3"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()

    monkeypatch.chdir(tmp_path / "a")
    run("create", "--name", "alice")
    monkeypatch.chdir(tmp_path / "b")
    status, out, err = run("list")

    assert status == ExitStatus.OK
    assert "alice" in out
    assert err == f"dfd keys: 1 key in {store}\n"
    assert sorted(p.name for p in tmp_path.rglob("*.sqlite3")) == ["keys.sqlite3"]


def test_an_old_dfd_data_is_named_with_how_to_keep_its_keys(tmp_path: Path, data_dir: Path) -> None:
    old = tmp_path / "dfd-data"
    SqliteKeyStore(old / "keys.sqlite3").create("alice")

    status, out, err = run("list")
    assert status == ExitStatus.OK
    assert out == ""
    warning, listing = err.splitlines()
    assert warning.startswith(f"dfd keys: warning: {old} (keys.sqlite3) is the data directory of")
    assert f"DFD_DATA_DIR={old}" in warning
    assert listing == f"dfd keys: no keys in {data_dir / 'keys.sqlite3'}"

    move = re.search(r"`(.+)`", warning)
    assert move is not None
    subprocess.run(["sh", "-c", move.group(1)], check=True)
    _, out, err = run("list")
    assert "alice" in out
    assert "warning" not in err


def test_no_warning_when_the_old_dfd_data_is_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    SqliteKeyStore(tmp_path / "dfd-data" / "keys.sqlite3").create("alice")
    monkeypatch.setenv("DFD_DATA_DIR", "dfd-data")
    status, out, err = run("list")
    assert status == ExitStatus.OK
    assert "alice" in out
    assert err == f"dfd keys: 1 key in {tmp_path.resolve() / 'dfd-data' / 'keys.sqlite3'}\n"
