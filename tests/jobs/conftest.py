"""Fixtures of the job tests: a real HTTP receiver on 127.0.0.1 for webhooks."""

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest

from jobs.receiver import Receiver
from support.http_server import http_server


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.requests.append((dict(self.headers.items()), body))
            status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()
            if status == 200:
                state.arrived.set()

        def log_message(self, format: str, *args: object) -> None:
            pass

    with http_server(Handler) as url:
        state.url = f"{url}/hook"
        yield state
