"""The progress bars of ``dfd scan`` on stderr, drawn only when it is a terminal: one that counts
files (for scans long enough to want one) and, while a video is analysed, one that counts its
sampled frames, so that a long video does not leave the scan looking stuck."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from deepfake_detection.analysis.video import FrameProgress
from deepfake_detection.cli.environment import Environment

if TYPE_CHECKING:
    from tqdm import tqdm

FILES_FROM = 5
"""Files in a scan before its files bar is drawn: fewer finish before one is worth drawing."""


class ScanProgress:
    """``with ScanProgress(files, env) as progress``: ``frame_counter`` for each file, ``show`` for
    its lines."""

    def __init__(self, files: int, env: Environment) -> None:
        self.env = env
        self.drawn = env.stderr_is_tty
        self.files: tqdm[Any] | None = None
        self.frames: tqdm[Any] | None = None
        if self.drawn and files >= FILES_FROM:
            self.files = _bar(env, total=files, unit="file", position=0)

    def __enter__(self) -> ScanProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self._end_frames()
        if self.files is not None:
            self.files.close()

    def frame_counter(self, path: Path) -> FrameProgress | None:
        """What a video analysis calls after each sampled frame (``None`` off a terminal); the
        bar appears with the first frame, so images never draw one."""
        if not self.drawn:
            return None

        def count(done: int, expected: int) -> None:
            if self.frames is None:
                position = 0 if self.files is None else 1
                # Redrawn at every sampled frame (300 at most), not every 0.1 s: a short video
                # would otherwise end before its first count is drawn.
                self.frames = _bar(
                    self.env,
                    total=expected,
                    unit="frame",
                    position=position,
                    desc=path.name,
                    mininterval=0,
                )
            self.frames.total = max(expected, done)
            self.frames.update(done - self.frames.n)

        return count

    def show(self, lines: list[str]) -> None:
        """Print one file's lines on stdout and advance the files bar. The bars are wiped first and
        the files bar drawn again below the lines: where stdout and stderr share a terminal, a row
        printed over a bar would keep its text."""
        self._end_frames()
        if self.files is not None:
            self.files.clear()
        print("\n".join(lines), file=self.env.stdout, flush=True)
        if self.files is not None:
            self.files.update()
            self.files.refresh()

    def _end_frames(self) -> None:
        if self.frames is not None:
            self.frames.close()
            self.frames = None


def _bar(
    env: Environment,
    *,
    total: int,
    unit: str,
    position: int,
    desc: str | None = None,
    mininterval: float = 0.1,
) -> tqdm[Any]:
    from tqdm import tqdm

    return tqdm(
        total=total,
        file=env.stderr,
        unit=unit,
        leave=False,
        position=position,
        desc=desc,
        mininterval=mininterval,
    )
