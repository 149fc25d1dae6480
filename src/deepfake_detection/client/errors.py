"""The one error the client raises for an answer it cannot use."""

from __future__ import annotations


class ApiError(Exception):
    """The service answered an error (``status``, its JSON ``code`` and ``message``), or a job
    ended without a result."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"[{code}] {message} (HTTP {status})")
        self.status = status
        self.code = code
        self.message = message
