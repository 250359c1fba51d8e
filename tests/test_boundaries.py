"""Package boundaries (DESIGN.md §4): only the console imports textual, only the server imports the web framework."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import sumtui

ROOT = Path(sumtui.__file__).resolve().parent
DOMAIN_PACKAGES = ("catalog", "fleet", "compliance", "deploy")
DOMAIN_MODULES = ("sumtui.checklist", "sumtui.prereqs")

# Imports each module in turn in a fresh interpreter and reports the first one after which textual is loaded.
_PROBE = """
import importlib, json, sys
found = []
for name in json.loads(sys.argv[1]):
    importlib.import_module(name)
    if "textual" in sys.modules:
        found.append(name)
        break
print(json.dumps(found))
"""


def domain_modules() -> list[str]:
    names = list(DOMAIN_MODULES)
    for package in DOMAIN_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            names.append("sumtui." + ".".join(parts))
    return names


def test_domain_modules_do_not_import_textual():
    names = domain_modules()
    assert "sumtui.catalog.folders" in names and "sumtui.checklist" in names
    result = subprocess.run([sys.executable, "-c", _PROBE, json.dumps(names)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [], "imports textual"


def test_each_domain_module_alone_does_not_import_textual():
    # One interpreter per module, so a module cannot hide behind another already imported.
    for name in DOMAIN_MODULES:
        result = subprocess.run([sys.executable, "-c", _PROBE, json.dumps([name])], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) == [], f"{name} imports textual"


_WEB = re.compile(r"^\s*(from|import)\s+(fastapi|starlette)\b", re.MULTILINE)
_TEXTUAL = re.compile(r"^\s*(from|import)\s+textual\b", re.MULTILINE)


def test_only_the_server_imports_the_web_framework():
    offenders = [
        str(path.relative_to(ROOT)) for path in ROOT.rglob("*.py")
        if _WEB.search(path.read_text(encoding="utf-8")) and path.relative_to(ROOT).parts[0] != "server"
    ]
    assert offenders == []


def test_only_the_console_imports_textual():
    offenders = [
        str(path.relative_to(ROOT)) for path in ROOT.rglob("*.py")
        if _TEXTUAL.search(path.read_text(encoding="utf-8")) and path.relative_to(ROOT).parts[0] != "tui"
    ]
    assert offenders == []
