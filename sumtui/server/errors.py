"""The management point's one error shape, `{"error": "..."}`: the FastAPI app's handlers, and the same
body written as plain ASGI messages (for the request guard) or as raw HTTP/1.1 bytes (for the
connection layer, before any ASGI app runs)."""

from __future__ import annotations

import json
from http import HTTPStatus


def error_body(message: str) -> bytes:
    return json.dumps({"error": message}).encode()


def error_headers(body: bytes, *, close: bool = False, extra: list[tuple[bytes, bytes]] = ()) -> list[tuple[bytes, bytes]]:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *extra]
    if close:
        headers.append((b"connection", b"close"))
    return headers


async def send_error(send, status: int, message: str, *, close: bool = False) -> None:
    """An error answer through ASGI; `close`: the connection is not reused (its request was not read to the end)."""
    body = error_body(message)
    await send({"type": "http.response.start", "status": status, "headers": error_headers(body, close=close)})
    await send({"type": "http.response.body", "body": body})


def raw_error(status: int, message: str) -> bytes:
    """An error answer as bytes on the wire, always closing the connection."""
    body = error_body(message)
    lines = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}".encode()]
    lines += [name + b": " + value for name, value in error_headers(body, close=True)]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def install_error_handlers(app) -> None:
    """Every refusal and error of the FastAPI app in the one shape: validation (422), the protocol's
    refusals, HTTP errors down to unknown routes (404) and methods (405), and internal errors (500)."""
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from starlette.exceptions import HTTPException

    from sumtui.workflows.agent_protocol import ProtocolError

    def answer(status: int, message: str, headers=None) -> JSONResponse:
        return JSONResponse(status_code=status, content={"error": message}, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "path", "query", "header"))
        return answer(422, f"{where}: {first.get('msg')}" if where else first.get("msg"))

    @app.exception_handler(ProtocolError)
    async def _protocol(_request, exc: ProtocolError):
        return answer(exc.status, str(exc))

    @app.exception_handler(HTTPException)
    async def _http(request, exc: HTTPException):
        message = str(exc.detail)
        if exc.status_code == 404 and message == "Not Found":
            message = f"no such endpoint: {request.url.path}"
        elif exc.status_code == 405 and message == "Method Not Allowed":
            message = f"{request.method} is not allowed on {request.url.path}"
        return answer(exc.status_code, message, exc.headers)

    @app.exception_handler(Exception)
    async def _internal(_request, _exc: Exception):
        # Starlette sends this, then re-raises: the request guard logs it and keeps the connection.
        return answer(500, "internal error in the management point (see its log)")
