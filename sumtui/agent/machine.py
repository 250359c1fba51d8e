"""Facts about the machine the agent runs on that deployments need: its time zone (windows and
"client local time" deployments are evaluated in it) and a marker of its current boot (a restart is
noticed: a pending restart is done, an install cut short is tried again)."""

from __future__ import annotations

import os
import sys
import time
from datetime import timedelta
from pathlib import Path

from sumtui.deploy.schedule import is_zone_name, offset_zone_name


def local_zone_name() -> str:
    """This machine's zone as an IANA name when it can be told (TZ, /etc/timezone, the /etc/localtime
    link), else its current fixed offset ("UTC+01:00")."""
    tz = os.environ.get("TZ", "").lstrip(":")
    if tz and "/" in tz and is_zone_name(tz):
        return tz
    timezone_file = Path("/etc/timezone")
    try:
        name = timezone_file.read_text(encoding="utf-8").strip()
        if is_zone_name(name):
            return name
    except OSError:
        pass
    try:
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in target:
            name = target.split("zoneinfo/", 1)[1]
            if is_zone_name(name):
                return name
    except OSError:
        pass
    return offset_zone_name(timedelta(seconds=time.localtime().tm_gmtoff))


def boot_marker() -> str | None:
    """Something that changes with every boot of this machine (None when it cannot be told)."""
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip() or None
    except OSError:
        pass
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import ctypes

        uptime_ms = ctypes.windll.kernel32.GetTickCount64()
        return str(int(time.time() - uptime_ms / 1000) // 60)  # the boot time, to the minute
    return None
