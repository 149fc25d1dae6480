"""Runs fuzz cases against a running service and keeps what went wrong as replayable files.

A case fails when the service answers 5xx other than a 503 with ``Retry-After`` (which is how it
says "busy, retry", not a fault), when it does not answer within the timeout (a hang), or when a job
it accepted fails with ``internal_error`` or never finishes.
"""

from __future__ import annotations

import json
import random
import socket
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from deepfake_detection.testing.fuzzing.cases import Case, make_case

HANG = "hang"
JOB_TIMEOUT_S = 60.0


@dataclass
class Report:
    statuses: Counter[tuple[str, str]] = field(default_factory=Counter)
    failures: list[tuple[int, Case, str]] = field(default_factory=list)
    cases: int = 0

    def histogram(self) -> str:
        """One line per route: status counts, most frequent first."""
        routes = sorted({route for route, _ in self.statuses})
        lines = []
        for route in routes:
            counts = {s: n for (r, s), n in self.statuses.items() if r == route}
            text = ", ".join(f"{s}: {n}" for s, n in sorted(counts.items(), key=lambda i: -i[1]))
            lines.append(f"{route:24s} {sum(counts.values()):6d}  {text}")
        return "\n".join(lines)


def send(client: httpx.Client, case: Case, timeout_s: float) -> tuple[str, str]:
    """The outcome of one case (status, or ``hang``) and what is wrong with it (``""``: nothing)."""
    if case.cut is not None:
        return leave_mid_body(str(client.base_url), case)
    try:
        response = client.request(
            case.method, case.path, headers=case.headers, content=case.body, timeout=timeout_s
        )
    except httpx.TimeoutException:
        return HANG, f"no answer within {timeout_s:g} s"
    status = response.status_code
    if status >= 500 and not (status == 503 and "retry-after" in response.headers):
        return str(status), response.text[:500]
    if case.job and status == 202:
        return _follow_job(client, response.json()["status_url"], status)
    return str(status), ""


def leave_mid_body(url: str, case: Case) -> tuple[str, str]:
    """Announce the whole body, send ``case.cut`` bytes of it and close: what the service does then
    shows only in its log and metrics (the fuzz test checks the log for tracebacks)."""
    parts = urlsplit(url)
    head = [f"{case.method} {case.path} HTTP/1.1", f"Host: {parts.netloc}"]
    head += [f"{name}: {value}" for name, value in case.headers.items()]
    head.append(f"Content-Length: {len(case.body)}")
    request = ("\r\n".join(head) + "\r\n\r\n").encode() + case.body[: case.cut]
    with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), 10) as sock:
        sock.sendall(request)
    return "client left", ""


def _follow_job(client: httpx.Client, status_url: str, status: int) -> tuple[str, str]:
    deadline = time.monotonic() + JOB_TIMEOUT_S
    while time.monotonic() < deadline:
        job = client.get(status_url, timeout=10).json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            error = job.get("error") or {}
            outcome = f"{status} job {job['status']}" + (f" {error['code']}" if error else "")
            bad = error.get("code") == "internal_error"
            client.delete(status_url, timeout=10)
            return outcome, json.dumps(job)[:500] if bad else ""
        time.sleep(0.05)
    return f"{status} job {HANG}", f"the job did not finish within {JOB_TIMEOUT_S:g} s"


def run(
    url: str,
    *,
    seed: int,
    cases: int,
    seconds: float,
    images: Mapping[str, bytes],
    videos: Mapping[str, bytes],
    save_to: Path | None = None,
    timeout_s: float = 30.0,
    progress: Callable[[Report], None] | None = None,
) -> Report:
    """Send up to ``cases`` cases (stopping after ``seconds``); case ``i`` depends only on
    ``seed`` and ``i``, so a run can be replayed case by case."""
    report = Report()
    deadline = time.monotonic() + seconds
    with httpx.Client(base_url=url) as client:
        for i in range(cases):
            if time.monotonic() > deadline:
                break
            case = make_case(random.Random(f"{seed}:{i}"), images, videos)
            outcome, problem = send(client, case, timeout_s)
            report.cases += 1
            report.statuses[(case.route, outcome)] += 1
            if problem:
                report.failures.append((i, case, problem))
                if save_to is not None:
                    save(save_to / f"seed{seed}-case{i}.json", case, outcome, problem)
            if progress is not None and report.cases % 100 == 0:
                progress(report)
    return report


def save(path: Path, case: Case, outcome: str, problem: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**case.to_json(), "outcome": outcome, "problem": problem}))


def load(path: Path) -> Case:
    return Case.from_json(json.loads(path.read_text()))
