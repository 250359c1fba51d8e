"""Local settings of this machine's sumtui: a TOML file in the user config folder plus SUMTUI_* env.

Site-wide settings (update point, client agent) live in the site database, not here; this file only
says how to reach a site (database URL, content folder) and how the console looks.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from pydantic import BaseModel, ValidationError

from sumtui import paths


class ConfigError(Exception):
    """The config file cannot be read or holds a bad value."""


class LocalConfig(BaseModel):
    db: str | None = None
    content_dir: str | None = None
    theme: str = "textual-dark"

    def database_url(self) -> str:
        return self.db or paths.default_site().database_url

    def content_path(self) -> Path:
        return Path(self.content_dir).expanduser() if self.content_dir else paths.default_site().content


_ENV = {"db": "SUMTUI_DB", "content_dir": "SUMTUI_CONTENT_DIR", "theme": "SUMTUI_THEME"}


def load(path: Path | None = None) -> LocalConfig:
    path = path or paths.config_file()
    values: dict[str, object] = {}
    if path.exists():
        try:
            values = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not a valid TOML file ({exc})") from exc
    for key, env in _ENV.items():
        if os.environ.get(env):
            values[key] = os.environ[env]
    try:
        return LocalConfig.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError(f"{path}: {'.'.join(map(str, first['loc']))}: {first['msg']}") from exc
