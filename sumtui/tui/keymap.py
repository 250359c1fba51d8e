"""The console's bindings, to check a keymap from the config file against them.

Every Binding in the console has an id (`?` lists them with their keys); the `[keymap]` table of the
config file maps ids to keys and Textual applies it (App.set_keymap). Two mistakes must be heard about,
as Textual says nothing of either: an id that no binding has (a typo: nothing changes), and a key given
to a binding that another binding of the same screen or widget already answers (Textual keeps one and
silently drops the other, e.g. `"sync.start" = "i"` takes `i` from "import files"). The App checks once
at start, in a worker: finding every binding means importing every screen module, which the first frame
does not need.
"""

from __future__ import annotations

import pkgutil
from importlib import import_module

from textual.binding import Binding
from textual.keys import _normalize_key_list

PACKAGES = ("sumtui.tui.screens", "sumtui.tui.widgets")


def _binding_classes() -> list[type]:
    """Every class of the console (the App, its screens and widgets) that declares BINDINGS."""
    modules = [import_module("sumtui.tui.app")]
    for package in PACKAGES:
        root = import_module(package)
        modules += [import_module(f"{package}.{info.name}") for info in pkgutil.iter_modules(root.__path__)]
    return [value for module in modules for value in vars(module).values()
            if isinstance(value, type) and value.__module__ == module.__name__ and "BINDINGS" in vars(value)]


def _bindings(cls: type) -> list[Binding]:
    """The class's bindings with those it inherits (Textual merges BINDINGS along the MRO)."""
    return [b for klass in reversed(cls.__mro__) for b in vars(klass).get("BINDINGS", ()) if isinstance(b, Binding)]


def binding_ids() -> set[str]:
    """The id of every Binding declared by a class of the console."""
    return {b.id for cls in _binding_classes() for b in _bindings(cls) if b.id}


def unknown_ids(keymap: dict[str, str]) -> list[str]:
    """The keymap's ids that no binding of the console has, sorted."""
    known = binding_ids()
    return sorted(binding_id for binding_id in keymap if binding_id not in known)


def clashes(keymap: dict[str, str]) -> list[tuple[str, tuple[str, ...]]]:
    """(key, ids) for every key that, with the keymap applied, two bindings of one class answer, where
    the keymap made it so (clashes the console ships with are not the operator's to fix)."""
    found: dict[tuple[str, tuple[str, ...]], None] = {}
    for cls in _binding_classes():
        by_key: dict[str, set[str]] = {}
        for binding in _bindings(cls):
            if not binding.id:
                continue
            keys = _normalize_key_list(keymap.get(binding.id, binding.key))
            for key in keys.split(","):
                by_key.setdefault(key, set()).add(binding.id)
        for key, ids in by_key.items():
            if len(ids) > 1 and ids & keymap.keys():
                found[(key, tuple(sorted(ids)))] = None
    return sorted(found)
