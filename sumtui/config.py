"""Local settings of this machine's sumtui: a TOML file in the user config folder plus SUMTUI_* env.

Site-wide settings (update point, client agent) live in the site database, not here; this file only
says how to reach a site (database URL, content folder) and how the console looks and answers keys:

    theme = "textual-light"          # or SUMTUI_THEME; any Textual theme name

    [keymap]                         # binding id = keys (comma-separated, or a list); `?` shows the ids
    "sync.start" = "ctrl+s"
    "app.back" = ["escape", "backspace"]
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from pydantic import BaseModel, ValidationError, field_validator

from sumtui import paths


class ConfigError(Exception):
    """The config file cannot be read or holds a bad value."""


class LocalConfig(BaseModel):
    db: str | None = None
    content_dir: str | None = None
    theme: str = "textual-dark"
    # Binding id -> keys, as Textual's App.set_keymap takes them ("ctrl+s,f5").
    keymap: dict[str, str] = {}

    @field_validator("keymap", mode="before")
    @classmethod
    def _keys_text(cls, value: object) -> object:
        """A TOML list of keys is the same as the keys joined by commas; every binding needs a key."""
        if not isinstance(value, dict):
            return value
        keymap = {}
        for binding_id, keys in value.items():
            if isinstance(keys, list | tuple):
                keys = ",".join(str(k) for k in keys)
            if not isinstance(keys, str):
                raise ValueError(f"{binding_id}: keys are a string like \"ctrl+s\" or a list of them")
            keys = ",".join(k.strip() for k in keys.split(",") if k.strip())
            if not keys or " " in keys:
                raise ValueError(f"{binding_id}: {value[binding_id]!r} is not a key list like \"ctrl+s,f5\"")
            keymap[str(binding_id)] = keys
        return keymap

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
