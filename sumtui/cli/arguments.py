"""Argument types shared by the commands, so a value the console would understand is understood here too,
and anything else is bad usage (exit 2, naming the valid values) rather than an empty result."""

from __future__ import annotations

import argparse

SEVERITIES = ("Critical", "Important", "Moderate", "Low")  # sumtui.catalog.models.SEVERITIES, without importing it


def severity_list(text: str) -> str:
    """'crit,imp' → 'Critical,Important': each comma-separated word is a severity or the start of one
    ("Crit", as the console shows it), in any case."""
    chosen = []
    for word in (w.strip() for w in text.split(",")):
        matches = [s for s in SEVERITIES if word and s.lower().startswith(word.lower())]
        if len(matches) != 1:
            raise argparse.ArgumentTypeError(
                f"{word!r} is not a severity: use {', '.join(SEVERITIES[:-1])} or {SEVERITIES[-1]} "
                "(or the start of one, such as Crit; comma-separated for several)")
        if matches[0] not in chosen:
            chosen.append(matches[0])
    return ",".join(chosen)
