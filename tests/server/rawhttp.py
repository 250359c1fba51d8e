"""A bare HTTP/1.1 connection for tests that need what an HTTP library hides: one connection reused on
purpose, bodies sent chunked or slowly, headers sent a byte at a time."""

from __future__ import annotations

import json
import socket


class RawConnection:
    def __init__(self, port: int, *, timeout: float = 30.0) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buffer = b""

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> RawConnection:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None):
        lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        if body is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        self.send(("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b""))
        return self.response()

    def chunked(self, method: str, path: str, total: int, *, chunk: int = 65536, headers: dict[str, str] | None = None):
        """A body of `total` bytes sent in chunks, to the end, whatever the server says meanwhile."""
        lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json",
                 "Transfer-Encoding: chunked"] + [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.send(("\r\n".join(lines) + "\r\n\r\n").encode())
        piece = b"{" + b" " * (chunk - 1)
        sent = 0
        while sent < total:
            self.send(b"%x\r\n" % len(piece) + piece + b"\r\n")
            sent += len(piece)
        self.send(b"0\r\n\r\n")
        return self.response()

    def _more(self) -> bool:
        data = self.sock.recv(65536)
        self.buffer += data
        return bool(data)

    def closed(self) -> bool:
        """Whether the server closes the connection (reads what is left; False if it stays open)."""
        try:
            while self._more():
                pass
        except ConnectionResetError:
            pass
        except TimeoutError:
            return False
        return True

    def response(self) -> tuple[int, dict[str, str], bytes]:
        while b"\r\n\r\n" not in self.buffer:
            if not self._more():
                raise ConnectionError(f"connection closed before an answer: {self.buffer[:200]!r}")
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(self.buffer) < length:
            if not self._more():
                raise ConnectionError("connection closed inside an answer")
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return int(status_line.split()[1]), headers, body


def error_of(body: bytes) -> str:
    """The message of an error answer; fails unless the body has exactly the API's error shape."""
    decoded = json.loads(body)
    assert isinstance(decoded, dict) and set(decoded) == {"error"} and isinstance(decoded["error"], str), decoded
    return decoded["error"]
