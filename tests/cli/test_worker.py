"""`dfd worker`: its settings, checked before Celery starts (real workers run in tests/jobs)."""

from __future__ import annotations

import io

import pytest

from deepfake_detection.cli.environment import Environment, ExitStatus
from deepfake_detection.cli.main import build_parser, main
from deepfake_detection.cli.worker import worker_settings

pytestmark = pytest.mark.usefixtures("no_dfd_settings")


def test_threads_caps_the_models_and_the_video_decoder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DFD_ONNX_THREADS", "4")
    argv = ["worker", "--threads", "1"]
    settings = worker_settings(build_parser(argv).parse_args(argv))
    assert (settings.onnx_threads, settings.video_decode_threads) == (1, 1)
    settings = worker_settings(build_parser(["worker"]).parse_args(["worker"]))
    assert (settings.onnx_threads, settings.video_decode_threads) == (4, None)


def test_an_invalid_thread_count_is_a_clear_error() -> None:
    env = Environment(stdout=io.StringIO(), stderr=io.StringIO())
    assert main(["worker", "--threads", "0"], env) == ExitStatus.ERROR
    assert "DFD_ONNX_THREADS" in env.stderr.getvalue()
