"""`dfd serve`: settings validated before uvicorn starts (the real server runs in tests/api)."""

from __future__ import annotations

import io

import pytest

from deepfake_detection.cli.environment import Environment, ExitStatus
from deepfake_detection.cli.main import main


def test_invalid_port_is_a_clear_error() -> None:
    env = Environment(stdout=io.StringIO(), stderr=io.StringIO())
    status = main(["serve", "--port", "70000"], env)
    assert status == ExitStatus.ERROR
    assert "DFD_PORT" in env.stderr.getvalue()


def test_invalid_setting_from_the_environment_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DFD_MAX_IN_FLIGHT", "0")
    env = Environment(stdout=io.StringIO(), stderr=io.StringIO())
    assert main(["serve"], env) == ExitStatus.ERROR
    assert "DFD_MAX_IN_FLIGHT" in env.stderr.getvalue()


def test_help_lists_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    out = capsys.readouterr().out
    assert all(option in out for option in ("--host", "--port", "--workers"))
