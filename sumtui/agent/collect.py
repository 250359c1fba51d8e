"""Collecting the inventory of the machine the agent runs on, as a sumtui-inventory/1 document.

On Windows: systeminfo and Get-HotFix (the same outputs `clients import` reads) plus the build
revision (UBR) from the registry, so cumulative updates can be credited by build. Elsewhere: an
inventory file given with --inventory (any format `clients import` takes; a hotfix list makes a
partial report, which adds KBs and leaves the OS facts the site has alone), or the OS facts Python
can read (such a machine maps to no Windows product and is kept as unmapped).
"""

from __future__ import annotations

import platform
import re
import socket
import subprocess
import sys
from pathlib import Path

from sumtui import __version__
from sumtui.agent.machine import local_zone_name
from sumtui.fleet.inventory import AGENT_FORMAT, Inventory, parse_inventory
from sumtui.timeutil import utcnow

HOTFIX_FORMATS = ("qfe", "get-hotfix")  # lists of KBs that say nothing about the OS
_ARCH = {"amd64": "x64", "x86_64": "x64", "x64": "x64", "i386": "x86", "i686": "x86", "x86": "x86",
         "arm64": "arm64", "aarch64": "arm64"}


class CollectError(Exception):
    pass


def to_document(inventory: Inventory, *, name: str | None = None) -> dict:
    """An Inventory (from any source) as the agent's JSON document. A source without the OS facts (a
    hotfix list) gives a partial document: the facts it lacks are left out, never made up, so the site
    keeps what it knows about the machine (agentjson.py describes the format)."""
    facts = {"domain": inventory.domain, "os_name": inventory.os_name, "build": inventory.build, "ubr": inventory.ubr,
             "architecture": inventory.architecture, "is_server": inventory.is_server}
    partial = (inventory.partial or inventory.source_format in HOTFIX_FORMATS
               or any(facts[key] is None for key in ("os_name", "build", "architecture", "is_server")))
    doc = {"format": AGENT_FORMAT, "name": name or inventory.name}
    if partial:
        doc["partial"] = True
        doc.update({key: value for key, value in facts.items() if value is not None})
    else:
        doc.update(facts)
    doc["installed_kbs"] = [f"KB{kb}" for kb in inventory.installed_kbs]
    if inventory.products:
        doc["products"] = list(inventory.products)
    if inventory.time_zone:
        doc["time_zone"] = inventory.time_zone
    doc["agent_version"] = __version__
    doc["collected_at"] = utcnow().isoformat().replace("+00:00", "Z")
    return doc


def collect(*, inventory_file: Path | None = None, name: str | None = None) -> dict:
    if inventory_file is not None:
        try:
            data = inventory_file.read_bytes()
        except OSError as exc:
            raise CollectError(f"{inventory_file}: cannot read ({exc.strerror or exc})") from None
        return to_document(parse_inventory(data, name=str(inventory_file), host=name), name=name)
    if sys.platform == "win32":
        return _collect_windows(name)
    return _collect_generic(name)


def _run(command: list[str]) -> bytes:
    try:
        return subprocess.run(command, capture_output=True, check=True, timeout=300).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise CollectError(f"{' '.join(command[:2])}: {exc}") from None


def _collect_windows(name: str | None) -> dict:  # pragma: no cover - runs on Windows machines only
    inventory = parse_inventory(_run(["systeminfo"]), name="systeminfo")
    hotfixes = parse_inventory(
        _run(["powershell", "-NoProfile", "-Command", "Get-HotFix | Format-Table -AutoSize | Out-String -Width 300"]),
        name="Get-HotFix",
    )
    inventory.installed_kbs = sorted(set(inventory.installed_kbs) | set(hotfixes.installed_kbs), key=int)
    try:
        import winreg

        with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, r"SOFTWARE\Microsoft\Windows NT\CurrentVersion") as key:
            inventory.ubr = int(winreg.QueryValueEx(key, "UBR")[0])
    except OSError:
        pass
    return to_document(inventory, name=name)


def _collect_generic(name: str | None) -> dict:
    release = platform.release()
    numbers = re.match(r"(\d+)\.(\d+)(?:\.(\d+))?", release)
    build = ".".join(n or "0" for n in numbers.groups()) if numbers else "0.0.0"
    pretty = platform.system()
    os_release = Path("/etc/os-release")
    if os_release.exists():
        found = re.search(r'^PRETTY_NAME="?([^"\n]+)', os_release.read_text(errors="replace"), re.M)
        if found:
            pretty = found.group(1)
    return {
        "format": AGENT_FORMAT,
        "name": name or socket.gethostname().split(".")[0] or "localhost",
        "domain": None,
        "os_name": pretty[:200],
        "build": build,
        "ubr": None,
        "architecture": _ARCH.get(platform.machine().lower(), "x64"),
        "is_server": False,
        "installed_kbs": [],
        "products": [],
        "agent_version": __version__,
        "collected_at": utcnow().isoformat().replace("+00:00", "Z"),
        "time_zone": local_zone_name(),
    }
