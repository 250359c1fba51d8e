"""What the App's probe found changed in the site by another process: the areas, and a serial so that
two changes to the same areas in a row are still two changes for the pages that watch them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SiteChanges:
    serial: int
    areas: frozenset[str]
