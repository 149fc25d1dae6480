"""Today's working tree beside a baseline commit, both served at once, requests alternating.

The machine's speed drifts by tens of percent within minutes, so a time measured now cannot be
compared with one measured earlier. This serves the baseline (checked out in a git worktree) and the
working tree side by side, with the same virtualenv, the same model card and the same settings, and
sends every request to both in turn (the order flips each round). It prints the medians of each side
and their ratio, working tree over baseline, for:

- one 1280x720 one-face JPEG, ``POST /v1/images``: sequential latency and per-stage times;
- the same from ``--clients`` concurrent clients: images/s, in alternating blocks;
- a 10 s 1080p H.264 clip, ``POST /v1/videos`` (32 frames, the default) and the original's
  ``POST /detect_deepfake_video`` (3 frames);
- each server's RSS (one worker) after warm-up, after the image load and after the videos.

Each side answers with its own default detector unless ``--detector`` names one. The code measured
against itself (``--baseline HEAD`` on a clean tree) shows the noise.

    .venv/bin/python scripts/bench/bench_side_by_side.py --baseline e9a14a8
    .venv/bin/python scripts/bench/bench_side_by_side.py --baseline HEAD --rounds 20   # the noise
    .venv/bin/python scripts/bench/bench_side_by_side.py --baseline HEAD --new-env DFD_ONNX_THREADS=1
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from bench_http import concurrent_requests, rss_mb
from bench_video import SAMPLE

from deepfake_detection.classifiers.model_card import default_model_card_path
from deepfake_detection.testing.images import face_on_scene_jpeg
from deepfake_detection.testing.server import Server, serve

ROOT = Path(__file__).resolve().parents[2]
IDLE_S = 5.0


@dataclass
class Side:
    name: str
    server: Server
    wall_ms: dict[str, list[float]] = field(default_factory=dict)
    stages_ms: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    rate: dict[str, tuple[int, int, float]] = field(default_factory=dict)  # ok, errors, seconds
    rss: dict[str, float] = field(default_factory=dict)
    detector: str = "?"

    def record(self, what: str, ms: float, stages: dict[str, float]) -> None:
        self.wall_ms.setdefault(what, []).append(ms)
        for stage, value in stages.items():
            self.stages_ms.setdefault(what, {}).setdefault(stage, []).append(value)


def worktree(rev: str, folder: Path | None) -> Path:
    """A detached git worktree of ``rev``: reused when it is already there at that commit."""
    commit = _git("rev-parse", f"{rev}^{{commit}}")
    path = folder or Path(tempfile.gettempdir()) / f"dfd-baseline-{commit[:10]}"
    if not (path / ".git").exists():
        _git("worktree", "add", "--detach", str(path), commit)
    elif _git("-C", str(path), "rev-parse", "HEAD") != commit:
        raise SystemExit(f"{path} is not at {commit}: remove it or name another --worktree")
    return path


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


@contextmanager
def served(name: str, source: Path, env: dict[str, str], logs: Path) -> Iterator[Side]:
    # PYTHONPATH comes before the virtualenv's editable install, so this tree's package is imported.
    side_env = env | {"PYTHONPATH": str(source / "src")}
    options = ("--no-access-log", "--workers", "1", "--log-level", "warning")
    with serve(side_env, logs / f"{name}.log", *options, ready_timeout_s=300) as server:
        yield Side(name, server)


def image_request(detector: str | None) -> Callable[[httpx.Client, str], httpx.Response]:
    image = face_on_scene_jpeg()
    data = {"detector": detector} if detector else {}

    def send(client: httpx.Client, url: str) -> httpx.Response:
        files = {"file": ("bench.jpg", image, "image/jpeg")}
        return client.post(f"{url}/v1/images", files=files, data=data)

    return send


def video_request(
    video: Path, route: str, detector: str | None
) -> Callable[[httpx.Client, str], httpx.Response]:
    content = video.read_bytes()

    def send(client: httpx.Client, url: str) -> httpx.Response:
        if route == "compat":
            files = {"video": (video.name, content, "video/mp4")}
            return client.post(f"{url}/detect_deepfake_video", files=files)
        data = {"detector": detector} if detector else {}
        files = {"file": (video.name, content, "video/mp4")}
        return client.post(f"{url}/v1/videos", files=files, data=data)

    return send


def alternate(
    sides: list[Side], what: str, send: Callable[[httpx.Client, str], httpx.Response], rounds: int
) -> None:
    """``rounds`` requests to each side, in turn, the first side flipping every round."""
    with httpx.Client(timeout=300) as client:
        for index in range(rounds):
            for side in sides if index % 2 == 0 else sides[::-1]:
                start = time.perf_counter()
                response = send(client, side.server.url)
                ms = (time.perf_counter() - start) * 1000
                if response.status_code != 200:
                    raise SystemExit(f"{side.name} {what}: {response.status_code} {response.text}")
                body = response.json()
                side.detector = body.get("detector", body.get("face_detection_method", "?"))
                side.record(what, ms, body.get("timings_ms", {}))


def load(
    side: Side,
    what: str,
    send: Callable[[httpx.Client, str], httpx.Response],
    clients: int,
    seconds: float,
) -> None:
    done = concurrent_requests(lambda client: send(client, side.server.url), clients, seconds)
    ok, errors, spent = side.rate.get(what, (0, 0, 0.0))
    side.rate[what] = (ok + done.images, errors + done.errors, spent + done.seconds)


def median_row(what: str, base: Side, new: Side, stage: str | None = None) -> str:
    def value(side: Side) -> float:
        if stage is None:
            return statistics.median(side.wall_ms[what])
        return statistics.median(side.stages_ms.get(what, {}).get(stage, [float("nan")]))

    b, n = value(base), value(new)
    label = f"{what}, {'wall' if stage is None else stage} (median ms)"
    return f"| {label} | {b:.1f} | {n:.1f} | {n / b:.2f} |"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--baseline", default="e9a14a8", help="commit to compare against")
    parser.add_argument("--worktree", type=Path, help="where the baseline is checked out")
    parser.add_argument("--model-card", type=Path, default=default_model_card_path())
    parser.add_argument("--detector", help="both sides use this detector (default: each its own)")
    parser.add_argument("--rounds", type=int, default=40, help="sequential images per side")
    parser.add_argument("--video-rounds", type=int, default=6, help="videos per side and route")
    parser.add_argument("--video", type=Path, default=SAMPLE)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--load-seconds", type=float, default=15.0, help="per block; 2 per side")
    parser.add_argument("--onnx-threads", type=int, default=2)
    parser.add_argument(
        "--new-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting for the working tree's server only (compare settings: --baseline HEAD)",
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if not args.video.is_file():
        raise SystemExit(f"no video at {args.video}: name one with --video")
    baseline = worktree(args.baseline, args.worktree)
    dirty = bool(_git("status", "--porcelain", "--untracked-files=no"))
    env = os.environ | {
        "DFD_MODEL_CARD": str(args.model_card),
        "DFD_ONNX_THREADS": str(args.onnx_threads),
    }
    print(
        f"baseline {_git('rev-parse', '--short', args.baseline)} ({baseline}) against the working "
        f"tree at {_git('rev-parse', '--short', 'HEAD')}{' with changes' if dirty else ''} "
        f"(its own settings: {args.new_env or 'none'}); "
        f"model card {args.model_card}; cpus {os.cpu_count()}; "
        f"load average before {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    image = image_request(args.detector)
    videos = {
        "video 32 frames": video_request(args.video, "v1", args.detector),
        "original's video route, 3 frames": video_request(args.video, "compat", args.detector),
    }
    with tempfile.TemporaryDirectory() as folder, ExitStack() as stack:
        logs = Path(folder)
        base = stack.enter_context(served("baseline", baseline, env, logs))
        new_env = env | dict(item.split("=", 1) for item in args.new_env)
        new = stack.enter_context(served("working tree", ROOT, new_env, logs))
        measure([base, new], args, image, videos)
    report(base, new, args, list(videos))


def measure(
    sides: list[Side],
    args: argparse.Namespace,
    image: Callable[[httpx.Client, str], httpx.Response],
    videos: dict[str, Callable[[httpx.Client, str], httpx.Response]],
) -> None:
    alternate(sides, "warm-up", image, 5)
    for send in videos.values():
        alternate(sides, "warm-up", send, 1)
    for side in sides:
        side.rss["after warm-up"] = rss_mb(side.server.pid)
    alternate(sides, "image", image, args.rounds)
    for side in (sides[0], sides[1], sides[1], sides[0]):  # ABBA: drift cancels
        load(side, "image load", image, args.clients, args.load_seconds)
    for side in sides:
        side.rss["after image load"] = rss_mb(side.server.pid)
    for what, send in videos.items():
        alternate(sides, what, send, args.video_rounds)
    for side in sides:
        side.rss["after videos"] = rss_mb(side.server.pid)
    time.sleep(IDLE_S)
    for side in sides:
        side.rss[f"idle {IDLE_S:g} s later"] = rss_mb(side.server.pid)


def report(base: Side, new: Side, args: argparse.Namespace, videos: list[str]) -> None:
    print(f"\ndetectors: baseline {base.detector}, working tree {new.detector}\n")
    print("| measure | baseline | working tree | ratio |")
    print("|---|---|---|---|")
    print(median_row("image", base, new))
    for stage in ("decode", "detect", "classify", "total"):
        print(median_row("image", base, new, stage))
    (b_rate, b_errors), (n_rate, n_errors) = (rate(side) for side in (base, new))
    print(
        f"| image, {args.clients} clients (images/s; errors) | {b_rate:.1f}; {b_errors} "
        f"| {n_rate:.1f}; {n_errors} | {n_rate / b_rate:.2f} |"
    )
    for what in videos:
        print(median_row(what, base, new))
        if what in base.stages_ms and what in new.stages_ms:
            for stage in ("decode", "detect", "classify"):
                print(median_row(what, base, new, stage))
    for moment in base.rss:
        b, n = base.rss[moment], new.rss[moment]
        print(f"| RSS {moment} (MiB) | {b:.0f} | {n:.0f} | {n / b:.2f} |")
    print(f"\nload average after {os.getloadavg()[0]:.2f} (other processes share these CPUs)")


def rate(side: Side) -> tuple[float, int]:
    ok, errors, seconds = side.rate["image load"]
    return ok / seconds, errors


if __name__ == "__main__":
    main()
