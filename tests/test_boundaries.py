"""Package boundaries (DESIGN.md §4): the layers and their frameworks (import-linter contracts in
pyproject.toml), no import cycles (also none hidden inside functions), and what a process really loads."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import sumtui

ROOT = Path(sumtui.__file__).resolve().parent
DOMAIN_PACKAGES = ("catalog", "fleet", "compliance", "deploy", "workflows")
DOMAIN_MODULES = ("sumtui.workflows.checklist", "sumtui.workflows.prereqs", "sumtui.workflows.agent_protocol")

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
    assert "sumtui.catalog.folders" in names and "sumtui.workflows.checklist" in names
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


def test_import_contracts_hold():
    """The layers, shells that never import each other, and the frameworks' owners (pyproject.toml)."""
    result = subprocess.run([sys.executable, "-c", "from importlinter.cli import lint_imports; raise SystemExit(lint_imports())"],
                            capture_output=True, text=True, timeout=300, cwd=ROOT.parent)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def _cycles(graph) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), over every import statement."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in graph.find_modules_directly_imported_by(module):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycles_even_inside_functions():
    import grimp

    # grimp reads every import statement, those inside functions too; only TYPE_CHECKING ones are left out.
    graph = grimp.build_graph("sumtui", exclude_type_checking_imports=True)
    assert _cycles(graph) == []


_AGENT_PROBE = """
import sys
from sumtui.agent.command import main
from sumtui.agent import main as loop, client, collect, state  # httpx itself may load rich (its CLI): not ours
heavy = sorted(m for m in ("textual", "fastapi", "starlette", "uvicorn", "sqlalchemy", "sqlmodel", "alembic")
               if m in sys.modules)
print(",".join(heavy))
"""


def test_the_agent_loads_no_database_console_or_web_framework():
    result = subprocess.run([sys.executable, "-c", _AGENT_PROBE], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
