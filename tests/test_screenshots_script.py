"""scripts/screenshots.py writes SVGs every viewer draws as the terminal showed them, and the committed
screenshots are such SVGs: without `xml:space="preserve"`, rsvg-convert and Inkscape collapse runs of
spaces and the columns of every grid slide left."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _load():
    spec = importlib.util.spec_from_file_location("screenshots_script", ROOT / "scripts" / "screenshots.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_svg_keeps_its_spaces_in_every_viewer():
    svg = '<svg class="rich-terminal" viewBox="0 0 10 10" xmlns="http://www.w3.org/2000/svg"><text>a  b</text></svg>'
    portable = _load().portable_svg(svg)
    assert portable.startswith('<svg xml:space="preserve" class="rich-terminal"')
    assert _load().portable_svg(portable) == portable  # once only


def test_the_committed_screenshots_keep_their_spaces():
    shots = sorted((ROOT / "screenshots").glob("*.svg"))
    assert shots
    for path in shots:
        head = path.read_text(encoding="utf-8")[:2000]
        assert 'xml:space="preserve"' in head, path.name
