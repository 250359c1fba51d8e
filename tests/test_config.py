"""The local config file: the database, the theme (also SUMTUI_THEME) and the console's keymap."""

from __future__ import annotations

import pytest

from sumtui import config, paths


def write_config(text: str) -> None:
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_no_file_means_defaults():
    local = config.load()
    assert (local.theme, local.keymap, local.db) == ("textual-dark", {}, None)


def test_a_keymap_table_maps_binding_ids_to_keys():
    write_config('''
theme = "textual-light"

[keymap]
"sync.start" = "ctrl+s"
"app.back" = ["escape", "backspace"]
"app.jump" = " semicolon , colon "
''')
    local = config.load()
    assert local.theme == "textual-light"
    assert local.keymap == {"sync.start": "ctrl+s", "app.back": "escape,backspace", "app.jump": "semicolon,colon"}


def test_the_theme_variable_wins_over_the_file(monkeypatch):
    write_config('theme = "textual-light"\n')
    monkeypatch.setenv("SUMTUI_THEME", "nord")
    assert config.load().theme == "nord"


@pytest.mark.parametrize("keys", ['""', '"ctrl + s"', "3", "[]"])
def test_a_keymap_entry_that_is_not_a_key_list_names_the_file_and_the_id(keys):
    write_config(f'[keymap]\n"sync.start" = {keys}\n')
    with pytest.raises(config.ConfigError) as caught:
        config.load()
    message = str(caught.value)
    assert str(paths.config_file()) in message and "keymap" in message and "sync.start" in message
