"""HTTP/1.1 over a bare socket, for the clients that misbehave on purpose (a body announced and
never sent, headers trickled in): what an HTTP library will not do."""

from __future__ import annotations

import socket


def connect(url: str, timeout_s: float = 30.0) -> socket.socket:
    """A TCP connection to ``url`` (``http://host:port``)."""
    host, port = url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=timeout_s)


def read_answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """The status, headers (names in lower case) and JSON body of the answer on ``sock``."""
    data = b""
    while b"\r\n\r\n" not in data or not data.rstrip().endswith(b"}"):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body
