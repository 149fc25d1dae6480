"""Rate limits shared through real Redis by two API processes (the scale-out set-up): a key's
limit and the global limit hold for the pair, whichever process a request reaches."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from support.live_server import live_server, redis_server, server_env

pytestmark = [pytest.mark.slow, pytest.mark.redis]


def test_two_api_processes_share_the_limits(tmp_path: Path) -> None:
    with redis_server(tmp_path) as redis_url:
        env = server_env(
            tmp_path,
            DFD_AUTH="keys",
            DFD_JOB_BACKEND="celery",
            DFD_REDIS_URL=redis_url,
            DFD_RATE_LIMIT="7/minute",
        )
        with live_server(tmp_path, env) as first, live_server(tmp_path, env) as second:
            alice = first.create_key("alice", "--rate-limit", "4/minute")
            bob = second.create_key("bob")
            servers = [first.url, second.url]

            def status(i: int, key: str) -> int:
                url = f"{servers[i % 2]}/v1/jobs"
                response = httpx.get(url, headers={"X-API-Key": key}, timeout=10)
                if response.status_code == 429:
                    assert int(response.headers["Retry-After"]) >= 1
                return response.status_code

            # Alice's own limit: 4 in a minute over both processes.
            assert [status(i, alice) for i in range(6)] == [200] * 4 + [429] * 2
            # The global limit: 7 in a minute for everyone together, 4 of them Alice's.
            assert [status(i, bob) for i in range(5)] == [200] * 3 + [429] * 2
