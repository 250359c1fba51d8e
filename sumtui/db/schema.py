"""Every table module, imported so that `SQLModel.metadata` is complete (for migrations and tests)."""

from __future__ import annotations

from sqlmodel import SQLModel


def metadata():
    import sumtui.catalog.models  # noqa: F401
    import sumtui.compliance.models  # noqa: F401
    import sumtui.db.site_settings  # noqa: F401
    import sumtui.fleet.models  # noqa: F401

    return SQLModel.metadata
