"""Keys typed ahead through a real terminal: `sumtui` runs as its own process on a pseudo-terminal, as in
an SSH session, and a whole `:sync⏎` arrives in one write (one read for the console's input thread)."""

from __future__ import annotations

import os
import select
import signal
import struct
import sys
import time

import pytest

pty = pytest.importorskip("pty")
termios = pytest.importorskip("termios")
fcntl = pytest.importorskip("fcntl")

FIRST_FRAME = "sumtui › Home".encode()
DEADLINE = 90  # seconds: a slow machine gets there eventually; nothing here measures time


class Console:
    """`sumtui --db URL` on a pseudo-terminal; `output` is everything it wrote."""

    def __init__(self, db: str, size: tuple[int, int] = (100, 30)) -> None:
        env = dict(os.environ)
        env["TERM"] = "xterm-256color"
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child becomes the console
            os.execvpe(sys.executable, [sys.executable, "-m", "sumtui", "--db", db], env)
        cols, rows = size
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.output = bytearray()

    def read_until(self, marker: bytes, *, after: int = 0) -> None:
        deadline = time.monotonic() + DEADLINE
        while marker not in self.output[after:]:
            if time.monotonic() > deadline:
                raise AssertionError(f"{marker!r} never appeared; the screen ends with {bytes(self.output[-300:])!r}")
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            if ready:
                try:
                    self.output += os.read(self.fd, 65536)
                except OSError:
                    raise AssertionError("the console exited") from None

    def send(self, data: bytes) -> int:
        """Write in one go; returns where the output stood, to look for what follows."""
        mark = len(self.output)
        os.write(self.fd, data)
        return mark

    def close(self) -> None:
        try:
            os.write(self.fd, b"q")
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                if os.waitpid(self.pid, os.WNOHANG)[0]:
                    return
                ready, _, _ = select.select([self.fd], [], [], 0.1)
                if ready:
                    try:
                        os.read(self.fd, 65536)
                    except OSError:
                        pass
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        finally:
            os.close(self.fd)


def test_a_jump_typed_ahead_in_one_write_lands_on_its_page(console_site):
    console = Console(console_site.url)
    try:
        console.read_until(FIRST_FRAME)
        mark = console.send(b":sync\r")
        console.read_until("sumtui › Synchronize".encode(), after=mark)
        mark = console.send(b":updates\r")
        console.read_until("sumtui › Updates".encode(), after=mark)
    finally:
        console.close()
