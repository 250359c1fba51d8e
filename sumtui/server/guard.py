"""The request guard: plain ASGI around the management point's app, for what every endpoint shares.

- The body is read whole before the app sees it, with a cap on its size (Content-Length or chunked:
  counted as it streams in); a larger one is answered 413 and nothing runs. (How long it may take to
  arrive is the connection's deadline: `connections.py`.)
- An exception in the app becomes a JSON 500 that completes normally, so the keep-alive connection
  stays usable for the next request (uvicorn closes a connection whose app raised, and Starlette
  re-raises after sending its 500); the exception is logged here.
"""

from __future__ import annotations

import logging

from sumtui.server.errors import send_error
from sumtui.server.limits import Limits

log = logging.getLogger("sumtui.server")


class _TooLarge(Exception):
    pass


class RequestGuard:
    def __init__(self, app, *, limits: Limits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.limits.max_body
        too_large = f"request body larger than {limit} bytes"
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                # Refused before reading: the server discards the rest of the body itself.
                return await send_error(send, 413, too_large)
        try:
            body = await self._read(receive, limit)
        except _TooLarge:
            return await send_error(send, 413, too_large)
        if body is None:
            return  # the client went away, or its body came too late (the connection answered 408)
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # later calls wait for the disconnect, as the server's own would

        started = completed = False

        async def watched(message) -> None:
            nonlocal started, completed
            if message["type"] == "http.response.start":
                started = True
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                completed = True
            await send(message)

        try:
            await self.app(scope, replay, watched)
        except Exception:
            log.exception("%s %s failed", scope.get("method"), scope.get("path"))
            if not started:
                await send_error(send, 500, "internal error in the management point (see its log)")
            elif not completed:
                raise  # a response cut short: the server must drop this connection

    @staticmethod
    async def _read(receive, limit: int) -> bytes | None:
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise _TooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)
