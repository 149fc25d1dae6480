"""A real HTTP server on 127.0.0.1 with media to download, and answers that must be refused."""

from __future__ import annotations

import gzip
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler

from api.images import encode, one_face
from support.http_server import http_server

FACE = encode(one_face())


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/face.jpg":
            self._answer(200, FACE)
        elif self.path == "/declared-big":
            self._answer(200, b"x" * 5000)
        elif self.path == "/undeclared-big":
            self.send_response(200)
            self.end_headers()  # no Content-Length: the body ends when the connection does
            self.wfile.write(b"x" * 5000)
            self.close_connection = True
        elif self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/face.jpg")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/slow":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            try:
                for _ in range(10):
                    self.wfile.write(b"x" * 10)
                    self.wfile.flush()
                    time.sleep(0.3)
            except ConnectionError:
                pass  # the client gave up, as it should
        elif self.path == "/trickled-headers":
            self._trickle_headers()
        elif self.path == "/gzip-bomb":
            # 2 MB of zeros inside two gzip layers: a few KB on the wire.
            body = gzip.compress(gzip.compress(bytes(2_000_000)))
            self.send_response(200)
            self.send_header("Content-Encoding", "gzip, gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self._answer(404, b"no")

    def _trickle_headers(self) -> None:
        """A status line, then one header byte every 0.2 s for 6 s: each read gets something."""
        try:
            self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            self.wfile.flush()
            for _ in range(30):
                time.sleep(0.2)
                self.wfile.write(b"x")
                self.wfile.flush()
            self.wfile.write(b"\r\nContent-Length: 0\r\n\r\n")
        except ConnectionError:
            pass  # the client gave up, as it should
        self.close_connection = True

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def media_origin() -> Iterator[str]:
    with http_server(Handler) as url:
        yield url
