"""`x` and `i` on the Lists and Templates screens: an update list or a deployment template as a TOML file
(one per file, in a stable order, so it can live in git and be reviewed), and back.

Export writes the file whole or not at all (a temporary file beside it, then a rename). Import reads
and plans in a worker and shows the diff; nothing changes until the operator says yes, and then the
file is planned again and applied only if the plan is still what was shown (no transaction stays open
while the operator reads).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from sumtui.export import write_text_whole
from sumtui.tui.cells import plain
from sumtui.tui.messages import (
    DeployChanged,
    ExportWritten,
    TomlImportPlanned,
    WorkFailed,
)


@dataclass(frozen=True)
class TomlKind:
    """How one kind of thing goes to and from TOML (every callable runs in a worker)."""

    noun: str  # "update list"
    render: Callable[[Any, str], str]  # (session, name) -> the file's text
    read: Callable[[Path], Any]  # path -> a document
    plan: Callable[[Any, Any], Any]  # (session, document) -> a plan with name, changed, lines()
    apply: Callable[[Any, Any], Any]  # (session, plan)
    errors: tuple[type[Exception], ...]


def list_kind() -> TomlKind:
    from sumtui.deploy import lists
    from sumtui.deploy.toml_io import TomlFileError, dump_list, parse_list, read_file

    return TomlKind(
        "update list", lambda session, name: dump_list(lists.export_list(session, name=name)),
        lambda path: parse_list(read_file(path), source=str(path)),
        lambda session, document: lists.plan_list_import(session, document=document),
        lambda session, plan: lists.apply_list_import(session, plan=plan), (lists.ListError, TomlFileError))


def template_kind() -> TomlKind:
    from sumtui.deploy import templates
    from sumtui.deploy.toml_io import (
        TomlFileError,
        dump_template,
        parse_template,
        read_file,
    )

    return TomlKind(
        "deployment template", lambda session, name: dump_template(templates.export_template(session, name=name)),
        lambda path: parse_template(read_file(path), source=str(path)),
        lambda session, document: templates.plan_template_import(session, document=document),
        lambda session, plan: templates.apply_template_import(session, plan=plan), (templates.TemplateError, TomlFileError))


def file_stem(name: str, fallback: str) -> str:
    """A file name for a list or template name: 'Patch Tuesday 2020/12' → 'Patch-Tuesday-2020-12'."""
    return re.sub(r"[^\w.-]+", "-", name, flags=re.ASCII).strip("-.") or fallback


def toml_check(text: str) -> str | None:
    return "name a file" if not text.strip() else None


def write_whole(path: Path, text: str) -> None:
    """`text` into `path`, replaced whole: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_whole(path, text)


class ReviewScreen(ModalScreen[bool]):
    """The diff an import would make; `y` applies it, `n` or esc changes nothing."""

    BINDINGS = [
        Binding("y", "answer(True)", "Apply", id="review.apply"),
        Binding("n,escape", "answer(False)", "Cancel", key_display="n", id="review.cancel"),
    ]

    def __init__(self, title: str, lines: list[str]) -> None:
        super().__init__()
        self._title, self._lines = title, lines

    def compose(self) -> ComposeResult:
        with Vertical(id="review-dialog", classes="dialog"):
            yield Label(plain(self._title), classes="dialog-title")
            with VerticalScroll(id="review-lines"):
                yield Static(plain("\n".join(self._lines)), id="review-text")  # names and titles from a file
            with Horizontal(classes="buttons"):
                yield Button("Apply (y)", id="review-apply", variant="error", compact=True)
                yield Button("Cancel (n)", id="review-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#review-cancel", Button).focus()  # a stray enter changes nothing

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "review-apply")


class TomlFileActions:
    """Export (`x`) and import (`i`) on a screen of lists or templates (a `NamedRowsScreen`: its
    `current_name()` is the row under the cursor, and it handles `DeployChanged` after an import). The
    screen gives `toml_kind()`."""

    def toml_kind(self) -> TomlKind:
        raise NotImplementedError

    def action_export(self) -> None:
        from sumtui.tui.screens.prompt import PromptScreen

        name = self.current_name()
        noun = self.toml_kind().noun
        if name is None:
            self.notify(f"No {noun} here to export.", timeout=3)
            return
        default = str(Path.home() / f"{file_stem(name, 'export')}.toml")

        def chosen(path: str | None) -> None:
            if path:
                self.export_toml(name, Path(path).expanduser())

        self.app.push_screen(PromptScreen(f"Export the {noun} {name!r} as TOML", detail="One file; review it like code.",
                                          value=default, action="Export", check=toml_check), chosen)

    @work(thread=True, group="toml-export", exit_on_error=False)
    def export_toml(self, name: str, path: Path) -> None:
        kind = self.toml_kind()
        try:
            with self.console.site.session() as session:
                text = kind.render(session, name)
            write_whole(path, text)
        except Exception as exc:
            self.post_message(WorkFailed.from_exception(f"exporting to {path}", exc, kind.errors))
            return
        self.post_message(ExportWritten(str(path), 1))

    def on_export_written(self, message: ExportWritten) -> None:
        self.notify(f"{self.toml_kind().noun.capitalize()} written to {message.path}", timeout=6)

    def action_import(self) -> None:
        from sumtui.tui.screens.prompt import PromptScreen

        if self.console.readonly:
            return
        noun = self.toml_kind().noun

        def chosen(path: str | None) -> None:
            if path:
                self.plan_import(Path(path).expanduser())

        self.app.push_screen(PromptScreen(f"Import an {noun} from a TOML file" if noun[0] in "aeiou"
                                          else f"Import a {noun} from a TOML file",
                                          detail="Shows what would change, then asks.", placeholder="path to the .toml file",
                                          action="Read", check=toml_check), chosen)

    def _planned(self, path: Path):
        kind = self.toml_kind()
        document = kind.read(path)
        with self.console.site.session() as session:
            plan = kind.plan(session, document)
            session.rollback()  # planning reads only: no transaction is left open while the operator reads
        return plan

    @work(thread=True, group="toml-import", exit_on_error=False)
    def plan_import(self, path: Path) -> None:
        try:
            plan = self._planned(path)
        except Exception as exc:
            self.post_message(WorkFailed.from_exception(f"reading {path}", exc, self.toml_kind().errors))
            return
        self.post_message(TomlImportPlanned(str(path), plan.lines(), plan.changed))

    def on_toml_import_planned(self, message: TomlImportPlanned) -> None:
        if not message.changed:
            self.notify(f"{message.path}: nothing to change ({message.lines[0] if message.lines else ''}).", timeout=6)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.apply_import(Path(message.path), message.lines)

        self.app.push_screen(ReviewScreen(f"Import {message.path}?", message.lines), answered)

    @work(thread=True, group="toml-import", exit_on_error=False)
    def apply_import(self, path: Path, shown: list[str]) -> None:
        kind = self.toml_kind()
        try:
            document = kind.read(path)
            with self.console.site.session() as session:
                plan = kind.plan(session, document)
                if plan.lines() != shown:
                    raise ValueError(f"{path} or the site changed while you were reading the diff; nothing changed: "
                                     "import it again")
                kind.apply(session, plan)
                session.commit()
        except Exception as exc:
            self.post_message(WorkFailed.from_exception(f"importing {path}", exc, (*kind.errors, ValueError)))
            return
        self.post_message(DeployChanged(f"{kind.noun.capitalize()} {plan.name!r} imported from {path}.", select=plan.name))
