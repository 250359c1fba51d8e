"""The deployment wizard (`:deploy`, `D` on the Updates and Compliance grids and on update lists): SCCM
2007's Deploy Software Updates pages, then the deployment is made through the same domain functions as
`sumtui deploy create` (deploy.deployments: `DeploymentSpec`, `resolve`, `create_deployment`).

Pages (deploy_wizard_pages): template, general, collection, display/time, restart, event generation,
download settings, package (only when some update has no downloaded file), schedule, NAP evaluation,
summary. The summary shows what the operator confirms (deploy.deployment_summary), the lints and the
what-if (deploy.whatif: per client and update, when it installs and restarts), computed in a worker;
the deployment is made once its name (or "yes") is typed there.

ctrl+n (or enter in a field) goes on, ctrl+b goes back, esc cancels (asking first when something was
typed: discard_guard); on the schedule page ctrl+t sets the deadline the duration (the template's) puts
after the available time. Each page is checked before the next; the message shows under the field. The
save runs in the wizard's worker: a refusal (a name taken meanwhile) shows in the wizard, which stays
open. It dismisses with a `DeployWizardResult`, or None.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import (
    Button,
    Checkbox,
    ContentSwitcher,
    DataTable,
    Footer,
    Input,
    Select,
    Static,
)

from sumtui.deploy.template_fields import CLIENT_LOCAL
from sumtui.deploy.template_fields import UTC as UTC_BASIS
from sumtui.deploy.templates import TemplateSettings
from sumtui.tui.cells import plain
from sumtui.tui.messages import WorkFailed
from sumtui.tui.screens.deploy_wizard_pages import (
    PAGES,
    TITLES,
    Preset,
    compose_page,
    page_settings,
    parse_when,
    wizard_settings,
)
from sumtui.tui.screens.deploy_wizard_work import (
    DeployChoicesLoaded,
    DeploymentMade,
    DeploymentRefused,
    DeployUpdatesChecked,
    DeployWhatIfFailed,
    DeployWhatIfReady,
    DeployWizardResult,
    WizardChoices,
    make_deployment,
    read_choices,
    read_updates,
    what_if_view,
)
from sumtui.tui.screens.discard_guard import DiscardGuard
from sumtui.tui.screens.template_form import read_setting, value_text

WHATIF_COLUMNS = ("Client", "KB", "Starts", "Ends", "Window", "Outside", "Restarts", "Zone")
BUSY = "deploy-wizard"  # what the type-ahead gate waits for while the wizard reads the site


# ---------------------------------------------------------------------- starting it


def start_deploy_wizard(app, *, kbs: tuple[str, ...] = (), list_name: str | None = None,
                        update_ids: tuple[int, ...] = (), labels: tuple[str, ...] = ()) -> None:
    """The wizard over the page in front, with what it deploys when known (a list, picked updates by id
    and their labels, or KB references); once it made a deployment: a notification and the
    Deployments page."""
    if app.readonly:
        app.notify("This console is read-only: it makes no deployment.", timeout=4)
        return
    preset = Preset(list_name=list_name, update_ids=tuple(update_ids), labels=tuple(labels), kbs=tuple(kbs))

    def made(result: DeployWizardResult | None) -> None:
        if result is None:
            return
        # The App's notifications show names as data (controls escaped).
        app.notify(f"Deployment {result.name!r} created: {result.updates} update(s) to {result.collection!r} "
                   f"({result.members:,} member(s)); clients get it at their next policy poll.", timeout=8)
        app.notify_data_changed()
        if _monitoring_page():
            app.open_page("deployments")

    app.push_screen(DeployWizardScreen(preset), made)


def _monitoring_page() -> bool:
    """Whether the Deployments page is there (it comes with the monitoring screen)."""
    from importlib import import_module

    try:
        return hasattr(import_module("sumtui.tui.screens.deployments"), "DeploymentsScreen")
    except ImportError:
        return False


# ---------------------------------------------------------------------- the wizard


class DeployWizardScreen(DiscardGuard, ModalScreen[DeployWizardResult | None]):
    CSS_PATH = "deploy_wizard.tcss"
    BINDINGS = [
        Binding("ctrl+n", "next", "Next", id="deploy_wizard.next"),
        Binding("ctrl+b", "back", "Back", id="deploy_wizard.back"),
        Binding("ctrl+s", "create", "Create", id="deploy_wizard.create"),
        Binding("ctrl+t", "deadline_from_duration", "Deadline from duration", id="deploy_wizard.deadline"),
        Binding("escape", "cancel", "Cancel", key_display="esc", id="deploy_wizard.cancel"),
    ]

    def __init__(self, preset: Preset | None = None) -> None:
        super().__init__()
        self.preset = preset or Preset()
        self.choices: WizardChoices | None = None
        self.missing: list[str] | None = None  # KBs without a downloaded file (None: not checked yet)
        self.update_count = 0
        self.step = 0
        self.busy = False  # a check of the updates, or the save, is running
        self.whatif_ready = False
        self._token = 0
        self._applied_template: str | None = None  # whose settings the pages hold (None: SCCM's defaults)
        self._reasons: list[str] = []  # the what-if rows' sentences, by row

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        # Without a template the CLI deploys in UTC (deployments.resolve): the wizard starts the same.
        settings = TemplateSettings(time_basis=UTC_BASIS)
        with Vertical(id="deploy-dialog", classes="dialog"):
            yield Static("", id="deploy-steps", classes="dialog-title")
            with VerticalScroll(id="deploy-body", can_focus=False):
                with ContentSwitcher(initial="page-template", id="deploy-pages"):
                    for key, _ in PAGES:
                        yield from compose_page(key, preset=self.preset, settings=settings)
            yield Static("", id="deploy-error", classes="form-error")
            with Horizontal(classes="buttons"):
                yield Button("Back (ctrl+b)", id="deploy-back", compact=True)
                yield Button("Next (ctrl+n)", id="deploy-next", variant="primary", compact=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        for error in self.query(".form-error"):
            error.display = False
        for row in ("row-list", "row-kbs"):
            self.query_one(f"#{row}").display = not self.preset.given
        self.query_one("#deploy-whatif", DataTable).add_columns(*WHATIF_COLUMNS)
        self._show_step()
        # Keys typed before the choices are read are for the pages they fill (a template, a list).
        self.app._typeahead.expect(BUSY)
        self.load_choices()

    def on_unmount(self) -> None:
        self.app._typeahead.arrived(BUSY)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # The footer shows what works on this page: no Back on the first, Create only on the summary.
        if action == "back":
            return self.step > 0
        if action == "create":
            return self.page == "summary"
        if action == "next":
            return self.page != "summary"
        if action == "deadline_from_duration":
            return self.page == "schedule"
        return True

    @property
    def pages(self) -> list[str]:
        return [key for key, _ in PAGES if key != "package" or self.missing]

    @property
    def page(self) -> str:
        return self.pages[self.step]

    # ------------------------------------------------------------------ choices

    @work(thread=True, exclusive=True, group="deploy-choices", exit_on_error=False)
    def load_choices(self) -> None:
        try:
            with self.app.site.session() as session:
                choices = read_choices(session)
        except Exception as exc:
            self.post_message(WorkFailed.from_exception("reading the templates, lists and collections", exc))
            return
        self.post_message(DeployChoicesLoaded(choices))

    @on(DeployChoicesLoaded)
    def _choices_loaded(self, message: DeployChoicesLoaded) -> None:
        c = self.choices = message.choices
        # Names are the operator's (or an import's) text: shown as data.
        self.query_one("#deploy-template", Select).set_options((plain(t.name), t.name) for t in c.templates)
        self.query_one("#deploy-list", Select).set_options(
            (plain(f"{name} ({n:,} update{'s' if n != 1 else ''})"), name) for name, n in c.lists)
        self.query_one("#deploy-collection", Select).set_options(
            (plain(f"{name} ({n:,} member{'s' if n != 1 else ''})"), name) for name, n in c.collections)
        self.query_one("#deploy-package", Select).set_options((plain(p), p) for p in c.packages)
        self.remember_fields()
        self.app._typeahead.arrived(BUSY)

    @on(WorkFailed)
    def _failed(self, message: WorkFailed) -> None:
        self.app._typeahead.arrived(BUSY)
        self._show_error(f"{message.what}: {message.error}")

    # ------------------------------------------------------------------ moving between pages

    def _show_step(self) -> None:
        pages = self.pages
        key = self.page
        self.query_one("#deploy-pages", ContentSwitcher).current = f"page-{key}"
        self._show_steps()
        last = key == "summary"
        self.query_one("#deploy-next", Button).label = "Create (ctrl+s)" if last else "Next (ctrl+n)"
        self.query_one("#deploy-back", Button).disabled = self.step == 0
        self.refresh_bindings()
        if key == "summary":
            self._compute_whatif()
        elif key == "package":
            self.query_one("#deploy-package-note", Static).update(plain(
                f"No package holds a downloaded file for {_kb_text(self.missing or [])}: agents with the native "
                "installer would report \"download failed\". Name the package to take the files from once they are "
                "downloaded (`d` on :packages), or go on: any package holding them serves them."))
        elif key == "schedule":
            self._show_schedule_note()
        focus = next((w for w in self.query_one(f"#page-{key}").query("Input, Select, Checkbox") if w.display
                      and w.parent.display), None)
        (self.query_one("#deploy-confirm") if last else focus or self.query_one("#deploy-next")).focus()

    def _show_steps(self, doing: str = "") -> None:
        pages = self.pages
        after = f" · next: {TITLES[pages[self.step + 1]]}" if self.step + 1 < len(pages) else ""
        self.query_one("#deploy-steps", Static).update(
            f"Deploy software updates · {self.step + 1}/{len(pages)} {TITLES[self.page]}{after}"
            + (f" · {doing}" if doing else ""))

    def _show_error(self, text: str) -> None:
        error = self.query_one("#deploy-error", Static)
        error.update(plain(text))  # messages quote names and what was typed
        error.display = bool(text)

    def _clear_errors(self) -> None:
        for error in self.query(".form-error"):
            error.update("")
            error.display = False

    def _field_error(self, field: str, text: str) -> None:
        target = self.query_one(f"#error-{field}", Static)
        target.update(plain(text))
        target.display = True
        self._show_error(f"{TITLES[self.page]}: {text}")

    def action_next(self) -> None:
        if self.busy:
            return
        if self.page == "summary":
            self.action_create()
            return
        self._clear_errors()
        if not self._check(self.page):
            return
        if self.page == "template":
            self._apply_template()
            self._check_updates()  # goes on when the updates are known
            return
        self._go(self.step + 1)

    def action_back(self) -> None:
        if self.busy or self.step == 0:
            return
        self._clear_errors()
        self._go(self.step - 1)

    def _go(self, step: int) -> None:
        self.step = max(0, min(step, len(self.pages) - 1))
        self._show_step()

    def action_cancel(self) -> None:
        if self.busy and self.page == "summary":
            return  # the deployment is being made: it is too late to throw it away
        self.close_unless_changed(lambda: self.dismiss(None), what="Deploy software updates")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_next()

    @on(Button.Pressed, "#deploy-next")
    def _next_pressed(self) -> None:
        self.action_next()

    @on(Button.Pressed, "#deploy-back")
    def _back_pressed(self) -> None:
        self.action_back()

    @on(Checkbox.Changed)
    def _toggled(self, event: Checkbox.Changed) -> None:
        event.checkbox.label = "on" if event.value else "off"  # in words: a tick's colour says nothing (NO_COLOR)

    @on(Input.Changed, "#deploy-available, #deploy-deadline")
    @on(Select.Changed, "#setting-time_basis")
    def _show_schedule_note(self) -> None:
        try:
            local = self._local()
            available = parse_when(self._text("deploy-available"), local=local, what="available time")
            deadline = parse_when(self._text("deploy-deadline"), local=local, what="deadline")
        except ValueError:
            self.query_one("#deploy-schedule-note", Static).update("")
            return
        basis = "client local time (each client in its own zone)" if local else "UTC"
        text = (f"Available {_when(available, 'as soon as possible')} · deadline {_when(deadline, 'none')}: "
                + ("mandatory, installed by the deadline" if deadline else "optional, clients install when they choose")
                + f" · times in {basis}")
        self.query_one("#deploy-schedule-note", Static).update(plain(text))

    def action_deadline_from_duration(self) -> None:
        """ctrl+t on the schedule page: the deadline the duration (display and time page, the template's)
        puts after the available time, or after now when the updates are available at once."""
        from sumtui.deploy.templates import TemplateError, deadline_after, make_settings

        values, problems = self._settings_values()
        wrong = next((problems[name] for name in ("duration", "duration_unit") if name in problems), None)
        try:
            if wrong:
                raise ValueError(f"the duration: {wrong}")
            settings = make_settings({name: values[name] for name in ("duration", "duration_unit")})
            local = self._local()
            available = parse_when(self._text("deploy-available"), local=local, what="available time")
        except (TemplateError, ValueError) as exc:
            self.notify(str(exc), title="No deadline from the duration", severity="error", timeout=6)
            return
        now = self.app.now().astimezone(UTC)
        start = available or (now.replace(tzinfo=None) if local else now)
        deadline = deadline_after(settings, start.replace(second=0, microsecond=0))
        self.query_one("#deploy-deadline", Input).value = f"{deadline:%Y-%m-%d %H:%M}"

    # ------------------------------------------------------------------ what each page says

    def _text(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def _selected(self, widget_id: str) -> str | None:
        value = self.query_one(f"#{widget_id}", Select).value
        return None if value is Select.NULL else str(value)

    def _kbs(self) -> tuple[str, ...]:
        return self.preset.kbs if self.preset.given else tuple(self._text("deploy-kbs").replace(",", " ").split())

    def _list_name(self) -> str | None:
        return self.preset.list_name if self.preset.given else self._selected("deploy-list")

    def _local(self) -> bool:
        return self.query_one("#setting-time_basis", Select).value == CLIENT_LOCAL

    def _settings_values(self) -> tuple[dict[str, Any], dict[str, str]]:
        """(every setting the pages hold, by name; what is wrong with some, by name)."""
        values, problems = {}, {}
        for info in wizard_settings():
            value, problem = read_setting(self.query_one(f"#setting-{info.name}"), info)
            if problem:
                problems[info.name] = problem
            else:
                values[info.name] = value
        if not problems:
            from pydantic import ValidationError

            from sumtui.tui.screens.settings_form import clean_message

            try:
                TemplateSettings.model_validate(values)
            except ValidationError as exc:
                for error in exc.errors(include_url=False):
                    # A rule over several settings (the duration and its unit) is shown at the duration.
                    problems[str(error["loc"][0]) if error["loc"] else "duration"] = clean_message(error["msg"])
        return values, problems

    def _check(self, page: str) -> bool:
        """Whether a page is good; else its message shows under the field (and the first below the pages)."""
        from sumtui.deploy.lists import ListError, parse_ref
        from sumtui.deploy.naming import check_description, check_name, name_key

        if page == "template":
            if self.preset.given:
                return True
            if self._selected("deploy-list") and self._text("deploy-kbs"):
                self._field_error("kbs", "an update list or KBs, not both")
                return False
            if not self._selected("deploy-list") and not self._kbs():
                self._field_error("list", "which updates? pick an update list or type KBs")
                return False
            for word in self._kbs():
                try:
                    parse_ref(word)
                except ListError as exc:
                    self._field_error("kbs", str(exc))
                    return False
            return True
        if page == "general":
            for field, check in (("name", check_name), ("description", check_description)):
                try:
                    check(self._text(f"deploy-{field}"), what="deployment", error=ValueError)
                except ValueError as exc:
                    self._field_error(field, str(exc))
                    return False
            if self.choices and name_key(self._text("deploy-name")) in self.choices.deployments:
                self._field_error("name", f"a deployment named {self._text('deploy-name')!r} already exists: "
                                          "choose another name")
                return False
            return True
        if page == "collection":
            if self._selected("deploy-collection") is None:
                self._field_error("collection", "a deployment needs a collection: choose one")
                return False
            return True
        if page in ("display", "restart", "events", "download"):
            _, problems = self._settings_values()
            for info in page_settings(page):
                if info.name in problems:
                    self._field_error(info.name, problems[info.name])
                    return False
            return True
        if page == "schedule":
            try:
                local = self._local()
                available = parse_when(self._text("deploy-available"), local=local, what="available time")
            except ValueError as exc:
                self._field_error("available", str(exc))
                return False
            try:
                deadline = parse_when(self._text("deploy-deadline"), local=local, what="deadline")
            except ValueError as exc:
                self._field_error("deadline", str(exc))
                return False
            if available is not None and deadline is not None and deadline <= available:
                self._field_error("deadline", f"the deadline ({deadline:%Y-%m-%d %H:%M}) must come after the "
                                              f"available time ({available:%Y-%m-%d %H:%M})")
                return False
            return True
        if page == "nap":
            try:
                parse_when(self._text("deploy-nap-effective"), local=False, what="effective time")
            except ValueError as exc:
                self._field_error("nap_effective", str(exc))
                return False
            return True
        return True

    def _spec(self):
        from sumtui.deploy.deployments import DeploymentSpec

        local = self._local()
        values, _ = self._settings_values()
        nap = self.query_one("#deploy-nap", Checkbox).value
        return DeploymentSpec(
            name=self._text("deploy-name"), collection=self._selected("deploy-collection"),
            refs=list(self._kbs()), update_ids=list(self.preset.update_ids), list_name=self._list_name(),
            template=self._selected("deploy-template"), description=self._text("deploy-description") or None,
            available=parse_when(self._text("deploy-available"), local=local, what="available time"),
            deadline=parse_when(self._text("deploy-deadline"), local=local, what="deadline"),
            package=self._selected("deploy-package") if self.missing else None,
            settings=values, nap=nap,
            nap_effective=parse_when(self._text("deploy-nap-effective"), local=False, what="effective time") if nap else None,
        )

    # ------------------------------------------------------------------ the template's settings

    def _apply_template(self) -> None:
        """The pages take the chosen template's settings (and collection) when the choice changed; a
        choice kept keeps what was typed on them."""
        name = self._selected("deploy-template")
        if name == self._applied_template or self.choices is None:
            return
        self._applied_template = name
        view = next((t for t in self.choices.templates if t.name == name), None)
        settings = view.settings if view else TemplateSettings(time_basis=UTC_BASIS)
        for info in wizard_settings():
            widget = self.query_one(f"#setting-{info.name}")
            value = getattr(settings, info.name)
            if isinstance(widget, Checkbox):
                widget.value = value
                widget.label = value_text(info, value)
            elif isinstance(widget, Select):
                widget.value = value
            else:
                widget.value = str(value)
        known = {name for name, _ in self.choices.collections}
        if settings.collection in known:
            self.query_one("#deploy-collection", Select).value = settings.collection

    # ------------------------------------------------------------------ the updates (leaving page 1)

    def _check_updates(self) -> None:
        self._token += 1
        self.busy = True
        self.app._typeahead.expect(BUSY)  # keys typed meanwhile are for the next page
        self.query_one("#deploy-error", Static).display = False
        self._show_steps("checking the updates…")
        self._read_updates(self._token, self._list_name(), self._kbs(), self.preset.update_ids)

    @work(thread=True, exclusive=True, group="deploy-updates", exit_on_error=False)
    def _read_updates(self, token: int, list_name: str | None, kbs: tuple[str, ...], update_ids: tuple[int, ...]) -> None:
        from sumtui.deploy.lists import ListError

        try:
            with self.app.site.session() as session:
                count, missing = read_updates(session, list_name=list_name, kbs=kbs, update_ids=update_ids)
        except (ListError, ValueError) as exc:
            self.post_message(DeployUpdatesChecked(token, error=str(exc)))
            return
        except Exception as exc:
            from sumtui.errors import one_line

            self.post_message(DeployUpdatesChecked(token, error=f"reading the updates: {one_line(exc)}"))
            return
        self.post_message(DeployUpdatesChecked(token, count=count, missing=missing))

    @on(DeployUpdatesChecked)
    def _updates_checked(self, message: DeployUpdatesChecked) -> None:
        if message.token != self._token:
            return
        self.busy = False
        self.app._typeahead.arrived(BUSY)
        self._show_steps()
        if message.error:
            self._field_error("kbs" if self._kbs() else "list", message.error)
            return
        self.update_count, self.missing = message.count, message.missing
        self._go(self.step + 1)

    # ------------------------------------------------------------------ the summary and the what-if

    def _compute_whatif(self) -> None:
        self._token += 1
        self.whatif_ready = False
        table = self.query_one("#deploy-whatif", DataTable)
        table.clear()
        for widget_id in ("deploy-summary", "deploy-lints", "deploy-whatif-reason"):
            self.query_one(f"#{widget_id}", Static).update("")
        self.query_one("#deploy-whatif-status", Static).update(
            f"computing the what-if: when each of the {self.update_count:,} update(s) installs on each client…")
        try:
            spec = self._spec()
        except ValueError as exc:  # a page was changed behind a check: say so, the create checks again
            self._show_error(str(exc))
            return
        self._run_whatif(self._token, spec, self.app.now())

    @work(thread=True, exclusive=True, group="deploy-whatif", exit_on_error=False)
    def _run_whatif(self, token: int, spec, now) -> None:
        from sumtui.deploy.deployments import DeploymentError

        try:
            with self.app.site.session() as session:
                view = what_if_view(session, spec=spec, now=now)
        except DeploymentError as exc:
            self.post_message(DeployWhatIfFailed(token, str(exc)))
            return
        except Exception as exc:
            from sumtui.errors import one_line

            self.post_message(DeployWhatIfFailed(token, one_line(exc)))
            return
        self.post_message(DeployWhatIfReady(token, view))

    @on(DeployWhatIfReady)
    def _whatif_ready(self, message: DeployWhatIfReady) -> None:
        if message.token != self._token:
            return
        view = message.view
        self.whatif_ready = True
        self.query_one("#deploy-summary", Static).update(plain("\n".join(view.lines)))
        lints = [f"⚠ {text}" for text in view.lints] or ["No warnings."]
        self.query_one("#deploy-lints", Static).update(plain("\n".join(lints)))
        table = self.query_one("#deploy-whatif", DataTable)
        table.clear()
        self._reasons = []
        for cells, reason in view.rows:
            table.add_row(*cells)
            self._reasons.append(reason)
        shown = (f"the first {len(view.rows):,} of {view.total:,} installs (`sumtui deploy whatif` lists all)"
                 if view.total > len(view.rows) else f"{view.total:,} install(s)")
        self.query_one("#deploy-whatif-status", Static).update(plain(
            f"What-if: {shown} · {view.clients}. Times in each client's own zone."))
        self._show_reason(0)

    @on(DeployWhatIfFailed)
    def _whatif_failed(self, message: DeployWhatIfFailed) -> None:
        if message.token != self._token:
            return
        self.query_one("#deploy-whatif-status", Static).update(plain(f"No what-if: {message.error}"))
        self._show_error(f"Not ready to create: {message.error}")

    @on(DataTable.RowHighlighted, "#deploy-whatif")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_reason(event.cursor_row)

    def _show_reason(self, row: int) -> None:
        reasons = self._reasons
        text = reasons[row] if 0 <= row < len(reasons) else ""
        self.query_one("#deploy-whatif-reason", Static).update(plain(f"Why: {text}" if text else ""))

    # ------------------------------------------------------------------ making it

    def action_create(self) -> None:
        if self.busy:
            return
        if self.page != "summary":
            self._show_error("Go through the pages to the summary first (ctrl+n).")
            return
        for key in self.pages[:-1]:
            self._clear_errors()
            if not self._check(key):
                self._go(self.pages.index(key))
                self._check(key)  # the message again, on its page
                return
        if not self.whatif_ready:
            self._show_error("Wait for the what-if: it is still computing (or says why it cannot be made).")
            return
        typed = self._text("deploy-confirm")
        name = self._text("deploy-name")
        if typed.casefold() not in (name.casefold(), "yes"):
            self._field_error("confirm", f"type the deployment's name ({name}) or yes to create it")
            return
        self.busy = True
        self._show_error("")
        self.query_one("#deploy-whatif-status", Static).update("creating the deployment…")
        self.query_one("#deploy-next", Button).disabled = True
        self._write(self._spec(), self.app.now())

    @work(thread=True, exclusive=True, group="deploy-create", exit_on_error=False)
    def _write(self, spec, now) -> None:
        from sumtui.deploy.deployments import DeploymentError

        try:
            with self.app.site.session() as session:
                result = make_deployment(session, spec=spec, now=now)
        except DeploymentError as exc:
            self.post_message(DeploymentRefused(str(exc)))
            return
        except Exception as exc:
            from sumtui.errors import one_line

            self.post_message(DeploymentRefused(one_line(exc)))
            return
        self.post_message(DeploymentMade(result))

    @on(DeploymentMade)
    def _made(self, message: DeploymentMade) -> None:
        self.dismiss(message.result)

    @on(DeploymentRefused)
    def _refused(self, message: DeploymentRefused) -> None:
        self.busy = False
        self.query_one("#deploy-next", Button).disabled = False
        self.query_one("#deploy-whatif-status", Static).update("")
        self._show_error(f"Not created: {message.error}")


def _kb_text(kbs: list[str]) -> str:
    return ", ".join(kbs[:5]) + (f" and {len(kbs) - 5} more" if len(kbs) > 5 else "")


def _when(value, missing: str) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value is not None else missing
