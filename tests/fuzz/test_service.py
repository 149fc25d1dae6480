"""A short, bounded fuzz run against the real service (``scripts/fuzz.py`` is the long one)."""

import os
from collections.abc import Iterator

import pytest
from dfd_serve import Server, serve
from fuzzing import campaign

from tiny_model import write_tiny_model

pytestmark = [pytest.mark.fuzz, pytest.mark.slow]

SECONDS = 30.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("fuzz")
    settings = {
        "DFD_MODEL_CARD": str(write_tiny_model(folder)),
        "DFD_DATA_DIR": str(folder / "data"),
        "DFD_WEBHOOK_SECRET": "fuzz",
    }
    log = folder / "server.log"
    with serve(os.environ | settings, log, "--no-access-log") as running:
        yield running
    assert "Traceback" not in log.read_text()


def test_no_mutated_request_gets_a_5xx_or_hangs(
    server: Server, images: dict[str, bytes], videos: dict[str, bytes]
) -> None:
    report = campaign.run(
        server.url, seed=2026, cases=3000, seconds=SECONDS, images=images, videos=videos
    )
    assert report.cases >= 100, report.histogram()
    failures = [(i, case.route, case.note, problem) for i, case, problem in report.failures]
    assert failures == [], report.histogram()
    statuses = {status for _, status in report.statuses}
    assert {"200", "400"} <= statuses, report.histogram()
