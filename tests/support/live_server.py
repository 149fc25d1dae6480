"""``dfd serve`` in its own process on 127.0.0.1 (a free port), with the tiny model these tests
write: the service as users run it, for the tests of the server, keys, limits, metrics, logs, slow
clients, the fuzzer and the client. Also a redis-server of its own on a free port."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from deepfake_detection.testing.server import Server, free_port, serve
from support.tiny_model import write_tiny_model

__all__ = [
    "LiveServer",
    "free_port",
    "live_server",
    "redis_server",
    "server_env",
]


@dataclass
class LiveServer:
    url: str
    env: dict[str, str]
    log: Path
    process: Server
    """Its pid, memory, and exit status once stopped."""

    def dfd(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run ``dfd`` with the server's settings (``dfd keys ...`` reaches the same store)."""
        command = [sys.executable, "-m", "deepfake_detection.cli.main", *args]
        return subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=60)

    def create_key(self, name: str, *options: str) -> str:
        import json

        done = self.dfd("keys", "create", "--name", name, "--json", *options)
        assert done.returncode == 0, done.stderr
        key: str = json.loads(done.stdout)["key"]
        return key


def server_env(folder: Path, **settings: str) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    card = write_tiny_model(folder)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DFD_")}
    return env | {
        "DFD_MODEL_CARD": str(card),
        "DFD_DATA_DIR": str(folder / "data"),
        "DFD_ONNX_THREADS": "1",
        **settings,
    }


@contextmanager
def live_server(
    folder: Path, env: dict[str, str], *options: str, ready_timeout_s: float = 300
) -> Iterator[LiveServer]:
    """A server started with ``env`` (see ``server_env``); stopped with SIGTERM afterwards."""
    port = free_port()
    log = folder / f"server-{port}.log"
    with serve(env, log, *options, port=port, ready_timeout_s=ready_timeout_s) as server:
        yield LiveServer(server.url, env, log, server)


@contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """A redis-server of its own on a free port; its URL (skips when none is installed)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (.ci/run installs it)")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        cwd=folder,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)
