"""Console start-up: time from process start to the first frame, and idle memory (DESIGN.md §5: < 1 s, < 80 MB).

    .venv/bin/python bench/bench_console.py [--runs 5] [--size 120x36]

Method: the demo site is built first (not timed) in a scratch folder. Each run starts `sumtui --db
<demo site>` as a child process on a pseudo-terminal of the given size, exactly as an operator's
shell would, and reads what it writes. "First frame" is the moment the header of the Home screen
("sumtui › Home") appears in the terminal output; "checklist" is when the checklist rows (loaded by a
worker) have been painted too. Idle memory is the child's VmRSS two seconds after the first frame.
Then `q` is sent and the process must exit. Figures are printed, nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import pty
import select
import shutil
import signal
import statistics
import struct
import sys
import tempfile
import termios
import time
from fcntl import ioctl
from pathlib import Path

FIRST_FRAME = "sumtui › Home".encode()
CHECKLIST = b"Inventory Tool"
ROOT = Path(__file__).resolve().parent.parent


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def one_run(db: str, env: dict[str, str], size: tuple[int, int]) -> dict[str, float]:
    command = [sys.executable, "-m", "sumtui", "--db", db]
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: becomes sumtui on the pty
        os.execvpe(command[0], command, env)
    cols, rows = size
    ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    output = bytearray()
    marks: dict[str, float] = {}
    deadline = started + 20
    try:
        while time.perf_counter() < deadline and "checklist" not in marks:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    output += os.read(fd, 65536)
                except OSError:
                    break
            now = time.perf_counter()
            if "first_frame" not in marks and FIRST_FRAME in output:
                marks["first_frame"] = now - started
            if "first_frame" in marks and CHECKLIST in output:
                marks["checklist"] = now - started
        # Idle: drain output for two seconds, then read the resident set size.
        idle_until = time.perf_counter() + 2
        while time.perf_counter() < idle_until:
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    os.read(fd, 65536)
                except OSError:
                    break
        marks["idle_rss_mb"] = rss_mb(pid)
        os.write(fd, b"q")
        quit_deadline = time.perf_counter() + 10
        while time.perf_counter() < quit_deadline:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    os.read(fd, 65536)
                except OSError:
                    pass
        else:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    finally:
        os.close(fd)
    return marks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--size", default="120x36")
    args = parser.parse_args()
    size = tuple(int(x) for x in args.size.split("x"))

    scratch = Path(tempfile.mkdtemp(prefix="sumtui-bench-console-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUMTUI_")}
    env.update(SUMTUI_DATA_DIR=str(scratch / "data"), SUMTUI_CONFIG_DIR=str(scratch / "config"),
               TERM=env.get("TERM", "xterm-256color") if env.get("TERM") not in (None, "dumb") else "xterm-256color")
    os.environ.update({k: env[k] for k in ("SUMTUI_DATA_DIR", "SUMTUI_CONFIG_DIR")})
    sys.path.insert(0, str(ROOT))
    from sumtui.workflows.demo import build_demo

    site = build_demo()
    db = site.url
    site.close()
    print(f"demo site: {db}; terminal {size[0]}×{size[1]}; {args.runs} runs")
    results = []
    for i in range(args.runs):
        marks = one_run(db, env, size)
        results.append(marks)
        print(f"  run {i + 1}: first frame {marks.get('first_frame', float('nan')) * 1000:.0f} ms, "
              f"checklist {marks.get('checklist', float('nan')) * 1000:.0f} ms, idle RSS {marks['idle_rss_mb']:.1f} MB")

    def summary(key: str, scale: float = 1000, unit: str = "ms") -> str:
        values = [r[key] for r in results if key in r]
        if not values:
            return "n/a"
        return f"median {statistics.median(values) * scale:.0f} {unit}, max {max(values) * scale:.0f} {unit}"

    print(f"first frame:   {summary('first_frame')}   (budget < 1000 ms)")
    print(f"checklist:     {summary('checklist')}")
    print(f"idle RSS:      {summary('idle_rss_mb', 1, 'MB')}   (budget < 80 MB)")
    shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
