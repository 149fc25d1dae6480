"""Bounds on clients that send their request body slowly (or never finish it).

- The whole body must arrive within ``timeout_s`` of the request's headers; past that the request is
  answered 408 ``request_timeout`` and the connection closed.
- At most ``max_uploads`` bodies are being received at once; the next request is answered 503
  ``overloaded`` (``Retry-After``) before a byte of its body is read.

Together with analysis slots that are taken only once a body has been read (``Services.run_cpu``),
a few connections that announce a body and trickle it in no longer lock every client out: they hold
an upload place for at most ``timeout_s``, and it takes ``max_uploads`` of them to refuse uploads.
"""

from __future__ import annotations

import anyio
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from deepfake_detection.api.errors import package_error_response
from deepfake_detection.errors import Overloaded

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class UploadGuardMiddleware:
    def __init__(self, app: ASGIApp, *, timeout_s: float, max_uploads: int) -> None:
        self.app = app
        self.timeout_s = timeout_s
        self.max_uploads = max_uploads
        # Read and changed on the event loop only: no lock needed.
        self.receiving = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        if self.receiving >= self.max_uploads:
            message = f"{self.max_uploads} uploads are in progress; retry shortly"
            response = package_error_response(Overloaded(message), {"Connection": "close"})
            await response(scope, receive, send)
            return
        self.receiving += 1
        receiving = True
        deadline = anyio.current_time() + self.timeout_s

        def done() -> None:
            nonlocal receiving
            if receiving:
                receiving = False
                self.receiving -= 1

        async def guarded_receive() -> Message:
            if not receiving:  # the body is in: waiting for a disconnect has no deadline
                return await receive()
            with anyio.move_on_after(deadline - anyio.current_time()) as scope_:
                message = await receive()
            if scope_.cancelled_caught:
                done()
                # An HTTPException passes the body parsers unchanged; the error handlers answer it.
                raise HTTPException(
                    408,
                    detail=f"the request body did not arrive within {self.timeout_s:g} s",
                    headers={"Connection": "close"},
                )
            if message["type"] != "http.request" or not message.get("more_body", False):
                done()
            return message

        try:
            await self.app(scope, guarded_receive, send)
        finally:
            done()
