"""The long fuzz run: seeded, structure-aware mutations of every supported image and video format
and of the requests that carry them, against the real service (``dfd serve`` on 127.0.0.1).

Prints a status histogram per route, and saves each case that got a 5xx (other than a 503 with
Retry-After), hung, or made a job fail with ``internal_error`` as a JSON file in ``--save-to``;
``--replay FILE...`` sends saved cases again (to a server it starts, or ``--url``).

    .venv/bin/python scripts/bench/fuzz.py --cases 10000 --seconds 900 --seed 1
    .venv/bin/python scripts/bench/fuzz.py --replay fuzz-failures/*.json
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from deepfake_detection.testing.fuzzing import campaign
from deepfake_detection.testing.fuzzing.campaign import Report
from deepfake_detection.testing.fuzzing.seeds import image_seeds, video_seeds
from deepfake_detection.testing.server import Server, serve


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=900.0, help="stop after this long")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--save-to", type=Path, default=Path("fuzz-failures"))
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds before a hang")
    parser.add_argument("--url", help="a running service (default: start one)")
    parser.add_argument("--replay", type=Path, nargs="*", help="saved cases to send again")
    args = parser.parse_args()
    with service(args.url) as server:
        if args.replay is not None:
            return replay(server, args.replay, args.timeout)
        started = time.monotonic()
        report = campaign.run(
            server.url,
            seed=args.seed,
            cases=args.cases,
            seconds=args.seconds,
            images=image_seeds(),
            videos=video_seeds(),
            save_to=args.save_to,
            timeout_s=args.timeout,
            progress=lambda r: print(f"  {r.cases} cases, {len(r.failures)} failures", flush=True),
        )
        elapsed = time.monotonic() - started
        rss = f"; server RSS {server.rss_mib():.0f} MiB" if server.pid else ""
    print(f"seed {args.seed}: {report.cases} cases in {elapsed:.0f} s{rss}")
    print(report.histogram())
    print_failures(report, args.save_to)
    return 1 if report.failures else 0


def print_failures(report: Report, folder: Path) -> None:
    print(f"failures (5xx, hangs, internal_error jobs): {len(report.failures)}")
    for i, case, problem in report.failures[:20]:
        print(f"  case {i} {case.route} ({case.note}): {problem[:200]}")
    if report.failures:
        print(f"saved in {folder}/; replay with --replay {folder}/*.json")


def replay(server: Server, files: list[Path], timeout_s: float) -> int:
    bad = 0
    with httpx.Client(base_url=server.url) as client:
        for path in files:
            case = campaign.load(path)
            outcome, problem = campaign.send(client, case, timeout_s)
            bad += bool(problem)
            print(f"{path}: {case.route} -> {outcome} {problem[:200]}")
    print(f"{bad} of {len(files)} still fail")
    return 1 if bad else 0


@contextmanager
def service(url: str | None) -> Iterator[Server]:
    if url:
        yield Server(url, 0, Path("/dev/null"))
        return
    with tempfile.TemporaryDirectory() as folder:
        settings = {"DFD_DATA_DIR": f"{folder}/data", "DFD_JOB_RETENTION_S": "60"}
        with serve(os.environ | settings, Path(folder) / "server.log", "--no-access-log") as server:
            try:
                yield server
            finally:
                log = server.log.read_text()
                if "Traceback" in log:
                    print("the server log has tracebacks:", file=sys.stderr)
                    print(log[-5000:], file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
