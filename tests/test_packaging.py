"""The agent-only install (agent-dist/pyproject.toml) carries exactly the modules the agent imports,
and no dependency the agent does not need."""

from __future__ import annotations

import tomllib
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]


def _agent_modules() -> set[str]:
    graph = grimp.build_graph("sumtui")
    agent = graph.find_descendants("sumtui.agent") | {"sumtui.agent"}
    needed = set(agent)
    for module in agent:
        needed |= graph.find_upstream_modules(module)
    return needed


def _packaged_modules(force_include: dict[str, str]) -> set[str]:
    modules = set()
    for source in force_include:
        path = (ROOT / "agent-dist" / source).resolve()
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for file in files:
            parts = file.relative_to(ROOT).with_suffix("").parts
            modules.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return modules


def test_agent_install_carries_exactly_what_the_agent_imports():
    config = tomllib.loads((ROOT / "agent-dist" / "pyproject.toml").read_text(encoding="utf-8"))
    packaged = _packaged_modules(config["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"])
    needed = _agent_modules()
    assert needed - packaged == set(), "the agent imports modules its install lacks"
    # Parent packages come along (sumtui.fleet, sumtui.deploy); nothing else that the agent does not import.
    assert packaged - needed <= {"sumtui.fleet", "sumtui.deploy"}


def test_agent_install_depends_on_no_framework():
    config = tomllib.loads((ROOT / "agent-dist" / "pyproject.toml").read_text(encoding="utf-8"))
    names = {dep.split(">")[0].split("=")[0].split("[")[0].strip().lower() for dep in config["project"]["dependencies"]}
    assert names == {"httpx", "pydantic", "platformdirs"}
