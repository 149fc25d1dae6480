"""``dfd scan`` in a real terminal (a pseudo-terminal): the progress bar shows on it and never
mixes with the table's rows, which share the terminal."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from api.videos import video_bytes

pytestmark = pytest.mark.slow  # dfd scan processes on a pseudo-terminal

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def run_in_terminal(args: list[str], env: dict[str, str], timeout_s: float = 240) -> str:
    """Run ``args`` with stdout and stderr on one pseudo-terminal; everything it wrote."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    process = subprocess.Popen(
        args, stdin=subprocess.DEVNULL, stdout=follower, stderr=follower, env=env, close_fds=True
    )
    os.close(follower)
    chunks = []
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        process.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(leader)
    return b"".join(chunks).decode("utf-8", errors="replace")


def as_displayed(line: str) -> str:
    """What a terminal shows of one line: the text after its last carriage return."""
    return _ANSI.sub("", line).rsplit("\r", 1)[-1].rstrip()


@pytest.fixture
def images(tmp_path: Path) -> list[Path]:
    rng = np.random.default_rng(0)
    paths = []
    for i in range(6):
        path = tmp_path / f"image{i}.png"
        Image.fromarray(rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)).save(path)
        paths.append(path)
    return paths


def test_the_bar_shows_on_a_terminal_and_rows_stay_clean(
    images: list[Path], tiny_model_card: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DFD_")}
    env |= {"DFD_MODEL_CARD": str(tiny_model_card), "TERM": "xterm"}
    command = [sys.executable, "-m", "deepfake_detection.cli.main", "scan", "--detector", "none"]
    output = run_in_terminal([*command, *map(str, images)], env)
    assert re.search(r"\d+/6", output), f"no progress bar in {output!r}"
    lines = output.replace("\r\n", "\n").split("\n")
    shown = [as_displayed(line) for line in lines]
    assert shown[0].split() == ["LABEL", "P(FAKE)", "FACES", "PATH"]
    file_rows = [row for row in shown if row.endswith(".png")]
    assert [row.split()[-1] for row in file_rows] == [str(p) for p in images]
    for row in shown[1:]:
        if row:
            assert "/6" not in row, f"bar mixed into {row!r}"
            assert "file/s" not in row, f"bar mixed into {row!r}"
            assert row.split()[0] in ("real", "fake", "uncertain"), row


def test_a_video_shows_its_frames_counted(tmp_path: Path, tiny_model_card: Path) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(video_bytes(tmp_path, "source.mp4", count=24))
    env = {k: v for k, v in os.environ.items() if not k.startswith("DFD_")}
    env |= {"DFD_MODEL_CARD": str(tiny_model_card), "TERM": "xterm"}
    command = [sys.executable, "-m", "deepfake_detection.cli.main", "scan", "--frames", "12"]
    output = run_in_terminal([*command, str(clip)], env)
    # One file: no files bar, but the video's frames are counted as they are sampled.
    counts = [int(n) for n in re.findall(r"clip\.mp4: .*?\b(\d+)/12 ", output)]
    assert counts, f"no frame count in {output!r}"
    assert max(counts) >= 1
    assert "frame/s" in output or "s/frame" in output
    shown = [as_displayed(line) for line in output.replace("\r\n", "\n").split("\n")]
    rows = [row for row in shown if row]
    assert rows[0].split() == ["LABEL", "P(FAKE)", "FACES", "PATH"]
    assert rows[1].split()[-1] == str(clip)
    for row in rows[1:]:
        assert "/12" not in row, f"bar mixed into {row!r}"
