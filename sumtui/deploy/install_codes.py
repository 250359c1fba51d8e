"""What an installer's exit code means: wusa.exe and DISM codes normalised to what the agent does next.

- 0: installed;
- 3010 (ERROR_SUCCESS_REBOOT_REQUIRED), 1641 (ERROR_SUCCESS_REBOOT_INITIATED), 0x00240005
  (WU_S_REBOOT_REQUIRED): installed, restart pending;
- 0x00240006 (WU_S_ALREADY_INSTALLED): already installed;
- 0x80240017 (WU_E_NOT_APPLICABLE): not applicable: the agent rescans (its inventory was out of date);
- 1618 (ERROR_INSTALL_ALREADY_RUNNING), 0x80240016 (WU_E_INSTALL_NOT_ALLOWED: another install or a
  pending restart): busy, the agent tries again later;
- anything else failed, and the raw code is kept as unsigned hex (wusa returns HRESULTs that a
  signed 32-bit exit status shows as negative numbers: -2145124329 is 0x80240017).

Pure standard library: the agent normalises with it, the management point and the console explain
stored codes with the same words.
"""

from __future__ import annotations

from dataclasses import dataclass

INSTALLED, RESTART, ALREADY, NOT_APPLICABLE, BUSY, FAILED = (
    "installed", "restart", "already_installed", "not_applicable", "busy", "failed")

_KIND = {
    0: INSTALLED,
    3010: RESTART, 1641: RESTART, 0x00240005: RESTART,
    0x00240006: ALREADY,
    0x80240017: NOT_APPLICABLE,
    1618: BUSY, 0x80240016: BUSY,
}

# Codes operators meet most, in the words of Microsoft's documentation, shortened.
MEANINGS = {
    0: "success",
    3010: "installed; a restart is required to finish",
    1641: "installed; the installer started a restart",
    1618: "another installation is already in progress",
    0x00240005: "installed; a restart is required to finish",
    0x00240006: "the update is already installed",
    0x80240017: "the update is not applicable to this computer",
    0x80240016: "another installation is in progress or a restart is pending",
    0x80070643: "installation failure",
    0x80070005: "access denied",
    0x80070002: "a file the installer needs was not found",
    0x80070003: "a path the installer needs was not found",
    0x8007000E: "out of memory",
    0x80070020: "a file is in use by another process",
    0x80070070: "not enough disk space",
    0x80070422: "the Windows Update service is disabled",
    0x800F081F: "the source files for the installation were not found",
    0x800F0922: "the installation could not complete (often a full system reserved partition)",
    0x800F0823: "the package needs a newer servicing stack update first",
    0x80073712: "the component store is damaged",
    0x80240020: "the installation needs a logged-on interactive user",
    0x80240022: "every update in the operation failed",
    0x8024200D: "the update must be downloaded again",
    0x80242006: "the update handler could not read the package",
    0x80246007: "the update was not downloaded",
    0x80092004: "the package's signature could not be verified",
    0x800705B4: "the installer did not finish in time",
}


def unsigned(code: int) -> int:
    """An exit status as the 32-bit unsigned value Windows documents (-2145124329 → 0x80240017)."""
    return code & 0xFFFFFFFF


def hex_code(code: int) -> str:
    """'0x80070643' (small Win32 codes too: 3010 is '0x00000BC2', written beside its decimal by `describe`)."""
    return f"0x{unsigned(code):08X}"


@dataclass(frozen=True)
class Outcome:
    kind: str  # one of INSTALLED, RESTART, ALREADY, NOT_APPLICABLE, BUSY, FAILED
    code: int  # unsigned
    meaning: str

    @property
    def hex(self) -> str:
        return hex_code(self.code)


def meaning(code: int) -> str:
    return MEANINGS.get(unsigned(code), "no description known for this code")


def normalise(code: int) -> Outcome:
    value = unsigned(code)
    return Outcome(_KIND.get(value, FAILED), value, meaning(value))


def describe(code: int) -> str:
    """'0x80070643 (installation failure)'; small Win32 codes also in decimal: '3010 (0x00000BC2: ...)'."""
    value = unsigned(code)
    if value < 0x10000:
        return f"{value} ({hex_code(value)}: {meaning(value)})"
    return f"{hex_code(value)} ({meaning(value)})"


def parse_code(text: str) -> int:
    """'0x80070643', '80070643h', '3010' or '-2147023293' → the unsigned code; ValueError otherwise."""
    value = text.strip().lower()
    if value.endswith("h") and len(value) > 1:
        value = "0x" + value[:-1]
    number = int(value, 16) if value.startswith("0x") else int(value)
    if not -(2**31) <= number <= 0xFFFFFFFF:
        raise ValueError(f"{text!r} is not a 32-bit exit code")
    return unsigned(number)
