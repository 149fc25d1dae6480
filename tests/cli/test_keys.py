"""``dfd keys create|list|revoke`` on the embedded store (``DFD_DATA_DIR``)."""

from __future__ import annotations

import io
import json
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
    monkeypatch.setenv("DFD_DATA_DIR", str(tmp_path))
    return tmp_path


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
