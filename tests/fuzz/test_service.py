"""A short, bounded fuzz run against the real service (``scripts/bench/fuzz.py`` is the long one)."""

from collections.abc import Iterator

import pytest

from deepfake_detection.testing.fuzzing import campaign
from support.live_server import LiveServer, live_server, server_env

pytestmark = [pytest.mark.fuzz, pytest.mark.slow]

SECONDS = 30.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("fuzz")
    env = server_env(folder, DFD_WEBHOOK_SECRET="fuzz")
    with live_server(folder, env, "--no-access-log") as running:
        yield running
    assert "Traceback" not in running.log.read_text()


def test_no_mutated_request_gets_a_5xx_or_hangs(
    server: LiveServer, images: dict[str, bytes], videos: dict[str, bytes]
) -> None:
    report = campaign.run(
        server.url, seed=2026, cases=3000, seconds=SECONDS, images=images, videos=videos
    )
    assert report.cases >= 100, report.histogram()
    failures = [(i, case.route, case.note, problem) for i, case, problem in report.failures]
    assert failures == [], report.histogram()
    statuses = {status for _, status in report.statuses}
    assert {"200", "400"} <= statuses, report.histogram()
