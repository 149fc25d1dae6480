"""``dfd serve`` in its own process on 127.0.0.1 and a free port, ready once ``/readyz`` answers 200:
the service exactly as users run it, for the tests (``tests/support/live_server.py``), the fuzzer,
the soak, the memory script, the HTTP benchmark and the screenshots."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx


@dataclass(frozen=True)
class Server:
    url: str
    pid: int
    """0 for a service this code did not start."""
    log: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False, compare=False)

    @property
    def returncode(self) -> int | None:
        """The exit status once ``serve`` has stopped the server (``None`` before)."""
        return None if self.process is None else self.process.returncode

    def rss_mib(self) -> float:
        """The server process's resident memory now (Linux ``/proc``)."""
        return rss_mib(self.pid)

    def peak_rss_mib(self) -> float:
        """The most resident memory the process has had (``VmHWM``)."""
        return _status_kib(self.pid, "VmHWM") / 1024


def rss_mib(pid: int) -> float:
    return _status_kib(pid, "VmRSS") / 1024


def _status_kib(pid: int, key: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return float(line.split()[1])
    raise ValueError(f"no {key} for process {pid}")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serve(
    env: Mapping[str, str],
    log: Path,
    *options: str,
    port: int | None = None,
    ready_timeout_s: float = 300.0,
) -> Iterator[Server]:
    """Run ``dfd serve *options`` with exactly ``env`` (its output in ``log``) until the block ends;
    then SIGTERM, and a kill after 30 s."""
    port = port or free_port()
    command = [sys.executable, "-m", "deepfake_detection.cli.main", "serve", *options]
    with log.open("w") as output:
        process = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", str(port)],
            env=dict(env),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(url, process, log, ready_timeout_s)
        yield Server(url, process.pid, log, process)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_ready(
    url: str, process: subprocess.Popen[bytes], log: Path, timeout_s: float = 300.0
) -> None:
    """Until ``/readyz`` answers 200; ``RuntimeError`` with the server's log if it exits or times
    out. The default is generous: on a shared 2-core machine, loading the detectors took minutes."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited ({process.returncode}):\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server was not ready after {timeout_s:g} s:\n{log.read_text()}")
