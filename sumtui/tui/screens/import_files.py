"""`i` on the Sync screen: which CVRF files to import (paths, folders or globs), previewed as you type.

Like `sumtui import`, a file is taken whatever its name (JSON or XML is told from its content when it is
read); a folder gives its .json and .xml files and its extensionless CVRF documents, so the mirror layout
(`cvrf/2025-Jan`, `cvrf/2025-Jan.xml`) imports as it is, each month once."""

from __future__ import annotations

import glob
import shlex
from collections.abc import Callable
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from sumtui.tui.cells import plain

SUFFIXES = (".json", ".xml")
SNIFF_BYTES = 4096
# What the start of a CVRF month holds, in JSON or XML (the mirror's index, also JSON, has neither).
CVRF_MARKS = (b'"DocumentTracking"', b"<cvrfdoc", b":cvrfdoc")


def looks_like_cvrf(path: Path) -> bool:
    """An extensionless file in a folder is a CVRF month when its start says so (an unreadable one is not)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError:
        return False
    return any(mark in head for mark in CVRF_MARKS)


def _folder_files(folder: Path, suffixes: tuple[str, ...], plain: Callable[[Path], bool] | None) -> list[Path]:
    """A folder's files with these suffixes, and its extensionless files that `plain` accepts; one file per
    name without its suffix (the mirror keeps a month as `2025-Jan` and `2025-Jan.xml`: the first is taken)."""
    taken: dict[str, Path] = {}
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        suffix = path.suffix.lower()
        if suffix in suffixes or (not suffix and plain is not None and plain(path)):
            taken.setdefault(path.stem if plain is not None else path.name, path)
    return list(taken.values())


def expand_paths(text: str, suffixes: tuple[str, ...] = SUFFIXES,
                 plain: Callable[[Path], bool] | None = None) -> tuple[list[Path], list[str]]:
    """(files, problems) for a line of paths: quoting as in a shell; a file named is taken as it is; folders
    give their files with these suffixes, and the extensionless ones `plain` accepts (None: none)."""
    try:
        tokens = shlex.split(text)
    except ValueError as exc:
        return [], [f"cannot read the paths: {exc}"]
    files: list[Path] = []
    problems: list[str] = []
    for token in tokens:
        expanded = str(Path(token).expanduser())
        if glob.has_magic(expanded):
            matches = [Path(m) for m in sorted(glob.glob(expanded)) if Path(m).is_file()]
            if not matches:
                problems.append(f"nothing matches {token}")
            files.extend(matches)
        elif Path(expanded).is_dir():
            inside = _folder_files(Path(expanded), suffixes, plain)
            if not inside:
                kinds = f"{', '.join(suffixes[:-1])} or {suffixes[-1]}" if len(suffixes) > 1 else suffixes[0]
                problems.append(f"no {kinds} files{' or CVRF documents' if plain else ''} in {token}")
            files.extend(inside)
        elif Path(expanded).is_file():
            files.append(Path(expanded))
        else:
            problems.append(f"no such file: {token}")
    return list(dict.fromkeys(files)), problems


def files_preview(files: list[Path]) -> Content:
    """'7 file(s): a.json, b.json, c.json, d.json, …' under the paths as they are typed (empty for none).
    File names are data: `report[1].txt` is not markup."""
    if not files:
        return Content("")
    names = ", ".join(f.name for f in files[:4]) + (", …" if len(files) > 4 else "")
    return plain(f"{len(files)} file(s): {names}")


def problems_line(problems: list[str]) -> Content:
    """The first three problems with the paths, for the form's error line."""
    return plain("; ".join(problems[:3]))


class ImportScreen(ModalScreen[list[Path] | None]):
    BINDINGS = [
        Binding("ctrl+s", "import", "Import", id="import.start"),
        Binding("escape", "dismiss(None)", "Cancel", key_display="esc", id="import.cancel"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="import-dialog", classes="dialog"):
            yield Label("Import CVRF documents from files", classes="dialog-title")
            yield Label("Paths, folders or globs separated by spaces (quote paths with spaces).", classes="hint")
            yield Input(placeholder="~/cvrf/*.json", id="import-paths")
            yield Static("", id="import-preview", classes="hint")
            yield Label("", id="import-error", classes="form-error")
            with Horizontal(classes="buttons"):
                yield Button("Import (enter)", id="import-go", variant="primary", compact=True)
                yield Button("Cancel (esc)", id="import-cancel", compact=True)

    @on(Input.Changed, "#import-paths")
    def _preview(self, event: Input.Changed) -> None:
        files, problems = expand_paths(event.value, plain=looks_like_cvrf)
        self.query_one("#import-preview", Static).update(files_preview(files))
        self.query_one("#import-error", Label).update(problems_line(problems))

    @on(Input.Submitted, "#import-paths")
    @on(Button.Pressed, "#import-go")
    def action_import(self) -> None:
        files, problems = expand_paths(self.query_one("#import-paths", Input).value, plain=looks_like_cvrf)
        error = self.query_one("#import-error", Label)
        if problems:
            error.update(problems_line(problems))
        elif not files:
            error.update("Name at least one file.")
        else:
            self.dismiss(files)

    @on(Button.Pressed, "#import-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
