"""Where sumtui keeps its files: the one place that knows the config, data and content folders.

Everything follows the XDG folders (platformdirs) and can be moved with SUMTUI_* variables, so tests
and the demo site run in folders of their own.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP = "sumtui"


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value).expanduser() if value else None


def config_dir() -> Path:
    from platformdirs import user_config_dir

    return _env_path("SUMTUI_CONFIG_DIR") or Path(user_config_dir(APP))


def data_dir() -> Path:
    from platformdirs import user_data_dir

    return _env_path("SUMTUI_DATA_DIR") or Path(user_data_dir(APP))


def state_dir() -> Path:
    from platformdirs import user_state_dir

    return _env_path("SUMTUI_STATE_DIR") or Path(user_state_dir(APP))


def config_file() -> Path:
    return config_dir() / "config.toml"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def bundled_data_dir() -> Path:
    """The sample catalog shipped with sumtui: `sumtui/_data` in a wheel, `data/` in a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_data", here.parent / "data"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("the bundled sample data is missing from this installation")


@dataclass(frozen=True)
class SitePaths:
    """The folders of one site: its database file (when SQLite) and its content store."""

    root: Path

    @property
    def database(self) -> Path:
        return self.root / "site.db"

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def database_url(self) -> str:
        return sqlite_url(self.database)


def default_site() -> SitePaths:
    return SitePaths(data_dir())


def demo_site() -> SitePaths:
    return SitePaths(data_dir() / "demo")
