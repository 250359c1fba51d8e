"""Deployment templates (stage 8): reusable deployment settings. `n` makes one with SCCM's defaults, enter
or `e` edits one in the form that shows every setting with its default, `delete` asks first, `x` / `i`
write and read TOML. A read-only console lists only.
"""

from __future__ import annotations

from functools import partial

from textual import on, work
from textual.binding import Binding

from sumtui.tui.cells import plain
from sumtui.tui.deploy_sources import (
    TEMPLATE_COLUMNS,
    deadline_text,
    restart_text,
    template_rows,
)
from sumtui.tui.messages import DeployChanged, TemplatesLoaded, WorkFailed
from sumtui.tui.screens.named_rows import NamedRowsScreen
from sumtui.tui.screens.toml_files import TomlFileActions, TomlKind, template_kind
from sumtui.tui.widgets.paged_table import PagedTable

EMPTY = "No deployment template yet: n makes one with SCCM's defaults; i imports one from a TOML file."


def save_template(site, value) -> str:
    """Runs in the form's worker: create the template or change it; its name as saved."""
    from sumtui.deploy.templates import create_template, edit_template

    with site.session() as session:
        if value.current is None:
            saved = create_template(session, name=value.name, description=value.description or None,
                                    settings=value.settings)
        else:
            saved = edit_template(session, name=value.current, new_name=value.name, description=value.description,
                                  settings=value.settings)
        session.commit()
        return saved.name


def settings_summary(settings) -> str:
    """Two lines of a template's settings in words, for the line under the grid."""
    yes = {True: "on", False: "off"}
    boundary = {"do_not_install": "do not install", "download_and_install": "download and install"}
    return (f"notify {yes[settings.notify_users]} · progress {yes[settings.show_progress]} · deadline "
            f"{deadline_text(settings)} after available, {'UTC' if settings.time_basis == 'utc' else 'client local time'}\n"
            f"no restart on: {restart_text(settings)} · restart outside windows "
            f"{yes[settings.allow_restart_outside_windows]} · install outside windows at deadline "
            f"{yes[settings.install_outside_windows_at_deadline]} · slow boundary: {boundary[settings.slow_boundary]}")


class TemplatesScreen(TomlFileActions, NamedRowsScreen):
    TITLE = "Deployment templates"
    COLUMNS = TEMPLATE_COLUMNS
    STATUS_ID, DETAIL_ID = "templates-status", "template-detail"
    NOUN = "deployment template"
    BINDINGS = [
        Binding("n", "new", "New", id="templates.new"),
        Binding("e", "edit", "Edit", id="templates.edit"),
        Binding("delete", "delete", "Delete", key_display="del", id="templates.delete"),
        Binding("x", "export", "Export", id="templates.export"),
        Binding("i", "import", "Import", id="templates.import"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.collections: list[str] = []  # what the form suggests for a template's collection

    def toml_kind(self) -> TomlKind:
        return template_kind()

    @work(thread=True, exclusive=True, group="templates", exit_on_error=False)
    def load(self) -> None:
        from sumtui.deploy.templates import list_templates
        from sumtui.tui.fleet_sources import load_collections

        try:
            with self.console.site.session() as session:
                templates = list_templates(session)
                collections = [c.name for c in load_collections(session)]
        except Exception as exc:
            self.post_message(WorkFailed.from_exception("reading the deployment templates", exc))
            return
        self.post_message(TemplatesLoaded(templates, collections))

    @on(TemplatesLoaded)
    def _show(self, message: TemplatesLoaded) -> None:
        self.collections = message.collections
        count = len(message.templates)
        self.show_rows(message.templates, template_rows(message.templates),
                       f"{count} deployment template{'s' if count != 1 else ''} · enter: edit every setting"
                       if count else EMPTY)

    def detail_of(self, t) -> str:
        return plain(settings_summary(t.settings))

    # ------------------------------------------------------------------ changes

    def open_form(self, current) -> None:
        from sumtui.tui.screens.template_form import TemplateFormScreen

        def saved(name: str | None) -> None:
            if name is not None:
                self.post_message(DeployChanged(f"Deployment template {name!r} {'saved' if current else 'created'}.",
                                                select=name))

        self.app.push_screen(TemplateFormScreen(partial(save_template, self.console.site), current=current,
                                                collections=self.collections), saved)

    @on(PagedTable.RowActivated, "#grid")
    def _activated(self) -> None:
        self.action_edit()

    def action_delete(self) -> None:
        if self.console.readonly or self.current is None:
            return
        self.ask_delete(f"Delete the deployment template {self.current.name!r} and its settings? Deployments "
                        "already made from it keep theirs.", self.current.name)

    def delete_row(self, session, name: str) -> str:
        from sumtui.deploy.templates import delete_template

        return delete_template(session, name=name).name

    def domain_errors(self) -> tuple[type[Exception], ...]:
        from sumtui.deploy.templates import TemplateError

        return (TemplateError,)
