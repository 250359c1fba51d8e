"""A deployment in words, as the operator confirms it before it is made: `sumtui deploy create` prints
these lines, the console's deployment wizard shows them on its summary page."""

from __future__ import annotations

from sumtui.deploy.deployments import ResolvedDeployment
from sumtui.deploy.status import when_text


def summary_lines(resolved: ResolvedDeployment) -> list[str]:
    """The deployment as the operator confirms it (outside text unescaped: the caller escapes it)."""
    r = resolved
    s = r.settings
    kbs = list(dict.fromkeys(f"KB{u.kb}" for u in r.updates))
    shown = ", ".join(kbs[:8]) + (f" and {len(kbs) - 8} more" if len(kbs) > 8 else "")
    suppress = [who for who, on in (("servers", s.suppress_restart_servers), ("workstations", s.suppress_restart_workstations)) if on]
    return [
        f"Deployment {r.name!r}" + (f": {r.description}" if r.description else ""),
        f"  collection:   {r.collection.name} ({r.collection.members} member(s))",
        f"  updates:      {len(r.updates)} ({shown})",
        f"  available:    {when_text(r.available, local=r.local_time, missing='as soon as possible')}",
        f"  deadline:     {when_text(r.deadline, local=r.local_time, missing='none: not enforced (optional)')}"
        + (" — mandatory" if r.deadline else ""),
        f"  time basis:   {'client local time (each client in its own zone)' if r.local_time else 'UTC'}",
        f"  windows:      {'installs outside maintenance windows at the deadline' if s.install_outside_windows_at_deadline else 'installs only in maintenance windows (or at once without any)'}",
        f"  restarts:     {'suppressed on ' + ' and '.join(suppress) if suppress else 'not suppressed'}; "
        f"{'allowed' if s.allow_restart_outside_windows else 'not allowed'} outside maintenance windows",
        f"  package:      {r.package.name if r.package else 'none named: any package holding the files'}",
        f"  NAP:          {'updates flagged for NAP evaluation' if r.nap else 'off'}",
    ]
