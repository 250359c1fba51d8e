"""uvicorn's httptools connection with the deadlines uvicorn lacks, and its error answers in the API's shape.

uvicorn waits for a request's headers and body as long as a client keeps sending them (a byte every
few seconds keeps a connection forever: slowloris) and accepts headers of any size. Here a request's
headers must arrive within `Limits.header_timeout` of its first byte (or of the connection's opening)
and stay under `Limits.max_header_bytes`, and its body within `Limits.body_timeout` of its headers;
a late one is answered 408 (the app, still waiting for the body, sees the client gone) and the
connection closed. The deadlines are timers of the connection, re-armed per request: nothing for the
app to pay on the hot path. Malformed requests get `{"error": ...}` like every other refusal.
"""

from __future__ import annotations

from sumtui.server.errors import raw_error
from sumtui.server.limits import Limits

class _HeadersTooLarge(Exception):
    pass


def guarded_protocol(limits: Limits) -> type:
    """The protocol class to give uvicorn (`http=`)."""
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class GuardedHttpToolsProtocol(HttpToolsProtocol):
        def connection_made(self, transport) -> None:
            self._deadline = None
            self._header_bytes = 0
            self._refusal: tuple[int, str] | None = None
            super().connection_made(transport)
            self._arm(limits.header_timeout, self._headers_late)

        def connection_lost(self, exc) -> None:
            self._disarm()
            super().connection_lost(exc)

        # -------------------------------------------------------------- deadlines

        def _arm(self, seconds: float, handler) -> None:
            self._disarm()
            self._deadline = self.loop.call_later(seconds, handler)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _headers_late(self) -> None:
            self._deadline = None
            # A reason for the client, unless an answer to an earlier (pipelined) request is still being written.
            quiet = self.cycle is None or self.cycle.response_complete
            self._close_with(408, f"request headers not received within {limits.header_timeout:g} s", answer=quiet)

        def _body_late(self) -> None:
            self._deadline = None
            cycle = self.cycle
            if cycle is not None and not cycle.response_started and not self.pipeline:
                # The app is still waiting for the body: it gets "disconnected" and writes nothing more.
                self._close_with(408, f"request body not received within {limits.body_timeout:g} s", answer=True)
                cycle.disconnected = True
                cycle.message_event.set()
            else:
                self._close_with(408, "", answer=False)  # answered already (e.g. 413): the rest is not awaited

        def _close_with(self, status: int, message: str, *, answer: bool) -> None:
            if self.transport.is_closing():
                return
            if answer:
                self.transport.write(raw_error(status, message))
            self.transport.close()

        # -------------------------------------------------------------- parser callbacks

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._header_bytes = 0
            if self._deadline is None:
                self._arm(limits.header_timeout, self._headers_late)

        def on_url(self, url: bytes) -> None:
            self._count(len(url))
            super().on_url(url)

        def on_header(self, name: bytes, value: bytes) -> None:
            self._count(len(name) + len(value))
            super().on_header(name, value)

        def _count(self, size: int) -> None:
            self._header_bytes += size
            if self._header_bytes > limits.max_header_bytes:
                self._refusal = (431, f"request headers larger than {limits.max_header_bytes} bytes")
                raise _HeadersTooLarge  # stops the parser: data_received answers through send_400_response

        def on_headers_complete(self) -> None:
            self._arm(limits.body_timeout, self._body_late)
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            self._disarm()
            super().on_message_complete()
            cycle = self.cycle
            if (cycle is not None and cycle.response_complete and self.timeout_keep_alive_task is None
                    and not self.transport.is_closing()):
                # Answered before its body was in (e.g. 413): uvicorn armed the idle timeout at the
                # answer, and the rest of the body cancelled it; arm it again now the request is over.
                self.timeout_keep_alive_task = self.loop.call_later(self.timeout_keep_alive, self.timeout_keep_alive_handler)

        def send_400_response(self, msg: str) -> None:
            status, message = self._refusal or (400, f"malformed HTTP request ({msg.rstrip('.').lower()})")
            self._disarm()
            if not self.transport.is_closing():
                self.transport.write(raw_error(status, message))
                self.transport.close()

    return GuardedHttpToolsProtocol
