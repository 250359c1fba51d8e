"""Installing an update's files on this machine, and what the installer's exit code means
(sumtui.deploy.install_codes).

- Native, on Windows: `wusa.exe <file.msu> /quiet /norestart` for .msu files and
  `dism.exe /Online /Add-Package /PackagePath:<file.cab> /Quiet /NoRestart` for .cab files; the
  restart is the agent's to schedule (`shutdown /r /t 300`, the 5 minute countdown).
- Simulated, anywhere, only when named (`--installer simulated`): nothing is installed; every update
  "installs" with exit code 0, or with the code `--simulate-fail KB=CODE` names for it, and every
  state the agent reports says it was simulated. For demos and tests.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from sumtui.deploy.install_codes import Outcome, normalise, parse_code

INSTALL_TIMEOUT = 4 * 3600  # seconds: wusa has no time limit of its own; a hung install is a failure


class InstallerError(Exception):
    """The installer cannot run here; the message says why and what to do."""


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    detail: str = ""  # what ran, for the sentence


class NativeInstaller:
    simulated = False
    name = "native"

    def __init__(self, *, run=subprocess.run, platform: str = sys.platform) -> None:
        self.run = run
        self.platform = platform

    @property
    def available(self) -> bool:
        return self.platform == "win32"

    def unavailable_reason(self) -> str:
        return (f"no installer on this system ({self.platform}): the native installer runs on Windows; "
                "run the agent with --installer simulated for demos and tests")

    def needs_files(self) -> bool:
        return True

    def command(self, file: Path) -> list[str]:
        if file.suffix.lower() == ".msu":
            return ["wusa.exe", str(file), "/quiet", "/norestart"]
        if file.suffix.lower() == ".cab":
            return ["dism.exe", "/Online", "/Add-Package", f"/PackagePath:{file}", "/Quiet", "/NoRestart"]
        raise InstallerError(f"{file.name}: only .msu (wusa) and .cab (DISM) files are installed")

    def install(self, kb: str, files: list[Path]) -> Result:
        """Every installable file of the update, in order; the first that does not install settles it."""
        if not self.available:
            raise InstallerError(self.unavailable_reason())
        installable = [f for f in files if f.suffix.lower() in (".msu", ".cab")]
        if not installable:
            raise InstallerError(f"{kb}: none of its files is an .msu or .cab package")
        last = normalise(0)
        restart = False
        for file in installable:
            command = self.command(file)
            try:
                done = self.run(command, capture_output=True, timeout=INSTALL_TIMEOUT)
            except subprocess.TimeoutExpired:
                return Result(normalise(0x800705B4), f"{command[0]} ran longer than {INSTALL_TIMEOUT // 3600} h")  # timeout
            except OSError as exc:
                raise InstallerError(f"{command[0]}: {exc.strerror or exc}") from None
            last = normalise(done.returncode)
            if last.kind == "restart":
                restart = True
            elif last.kind not in ("installed", "already_installed"):
                return Result(last, f"{command[0]} {file.name}")
        return Result(normalise(3010) if restart else last, f"{len(installable)} file(s)")

    def restart(self, *, seconds: int) -> None:  # pragma: no cover - restarts the machine
        subprocess.run(["shutdown.exe", "/r", "/t", str(seconds), "/c",
                        "sumtui: restarting to finish installing updates"], check=False)


class SimulatedInstaller:
    """Installs nothing; answers 0, or the code named for a KB (module docstring)."""

    simulated = True
    name = "simulated"
    available = True

    def __init__(self, fail: dict[str, int] | None = None) -> None:
        self.fail = fail or {}
        self.installed: list[str] = []  # what it "installed", in order (tests read it)

    def unavailable_reason(self) -> str:
        return ""

    def needs_files(self) -> bool:
        return False

    def install(self, kb: str, files: list[Path]) -> Result:
        code = self.fail.get(kb.upper(), 0)
        self.installed.append(kb)
        return Result(normalise(code), "simulated")

    def restart(self, *, seconds: int) -> None:
        pass  # nothing to restart: the agent records the simulated restart


def parse_failures(text: str | None) -> dict[str, int]:
    """'KB5048652=0x80070643,KB5009557=1618' → {'KB5048652': 0x80070643, ...}; ValueError names a bad item."""
    out: dict[str, int] = {}
    for item in (text or "").split(","):
        if not item.strip():
            continue
        kb, sep, code = item.partition("=")
        digits = kb.strip().upper().removeprefix("KB")
        if not sep or not digits.isdigit():
            raise ValueError(f"{item.strip()!r}: expected KB=CODE, like KB5048652=0x80070643")
        try:
            out[f"KB{int(digits)}"] = parse_code(code)
        except ValueError:
            raise ValueError(f"{item.strip()!r}: {code.strip()!r} is not an exit code like 0x80070643 or 1618") from None
    return out


def make_installer(name: str, *, fail: dict[str, int] | None = None):
    if name == "simulated":
        return SimulatedInstaller(fail)
    if fail:
        raise InstallerError("--simulate-fail goes with --installer simulated")
    return NativeInstaller()
