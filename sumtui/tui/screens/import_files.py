"""`i` on the Sync screen: which CVRF files to import (paths, folders or globs), previewed as you type."""

from __future__ import annotations

import glob
import shlex
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


def expand_paths(text: str, suffixes: tuple[str, ...] = SUFFIXES) -> tuple[list[Path], list[str]]:
    """(files, problems) for a line of paths: quoting as in a shell, folders give their files with these suffixes."""
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
            inside = sorted(p for p in Path(expanded).iterdir() if p.is_file() and p.suffix.lower() in suffixes)
            if not inside:
                problems.append(f"no {', '.join(suffixes[:-1])} or {suffixes[-1]} files in {token}" if len(suffixes) > 1
                                else f"no {suffixes[0]} files in {token}")
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
        files, problems = expand_paths(event.value)
        self.query_one("#import-preview", Static).update(files_preview(files))
        self.query_one("#import-error", Label).update(problems_line(problems))

    @on(Input.Submitted, "#import-paths")
    @on(Button.Pressed, "#import-go")
    def action_import(self) -> None:
        files, problems = expand_paths(self.query_one("#import-paths", Input).value)
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
