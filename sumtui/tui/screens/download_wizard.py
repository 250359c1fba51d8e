"""The Download wizard (`d` on the package pages): package → source → languages → summary, then the
download runs as a job in the content lane (the App's), beside any sync.

1. Package: an existing one or a new name (created when the download starts), and the updates: an
   update list or KBs (none with a manifest: its own KBs).
2. Source: the Microsoft Update Catalog (its URL and an optional content mirror), a folder of files
   named with their KB and SHA-1, or a manifest (CSV or JSON: kb, file_name, url, sha1).
3. Languages: the catalog's files in the site's languages (preselected), chosen ones, or every one.
4. Summary: what will happen; ctrl+s starts it.

ctrl+n (or enter in a field) goes on, esc goes back a step (on the first, it closes). Each step is
checked before the next: what is wrong shows under the steps, and nothing starts until the summary.
It dismisses with a `DownloadRequest`, or None.
"""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import (
    Button,
    Checkbox,
    ContentSwitcher,
    Input,
    Label,
    RadioButton,
    RadioSet,
    Select,
    SelectionList,
    Static,
)

from sumtui.catalog.settings import LANGUAGES
from sumtui.tui.cells import plain
from sumtui.tui.download_job import (
    CATALOG,
    CATALOG_URL,
    FOLDER,
    MANIFEST,
    SOURCES,
    DownloadRequest,
)
from sumtui.tui.messages import WizardChoicesLoaded, WorkFailed
from sumtui.tui.screens.settings_form import field_row

STEPS = (("package", "Package"), ("source", "Source"), ("languages", "Languages"), ("summary", "Summary"))
SOURCE_FIELDS = {CATALOG: ("catalog_url", "content_url"), FOLDER: ("folder",), MANIFEST: ("manifest", "folder")}


class DownloadWizardScreen(ModalScreen[DownloadRequest | None]):
    BINDINGS = [
        Binding("ctrl+n", "next", "Next", id="wizard.next"),
        Binding("escape", "back", "Back", key_display="esc", id="wizard.back"),
        Binding("ctrl+s", "start", "Download", id="wizard.start"),
    ]

    def __init__(self, *, package: str | None = None, content_dir: str = "") -> None:
        super().__init__()
        self._package = package or ""
        self._content_dir = content_dir
        self._step = 0
        self._lists: list[tuple[str, int]] = []
        self._packages: list[str] = []
        self._site_languages: list[str] = ["English"]
        self.request: DownloadRequest | None = None  # what the summary shows, once every step is good

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        with Vertical(id="wizard-dialog", classes="dialog"):
            yield Label("Download updates into a deployment package", classes="dialog-title")
            yield Static("", id="wizard-steps")
            with ContentSwitcher(initial="step-package", id="wizard-body"):
                with Vertical(id="step-package", classes="wizard-step"):
                    yield from field_row("Package", Input(self._package, id="wizard-package", compact=True,
                                                          placeholder="an existing package, or a new name"),
                                         name="package")
                    yield Label("", id="wizard-package-note", classes="hint")
                    yield Label("Which updates: an update list, or KBs", classes="form-section")
                    yield from field_row("Update list", Select([], prompt="none", id="wizard-list", compact=True),
                                         name="list")
                    yield from field_row("or KBs", Input(id="wizard-kbs", compact=True,
                                                         placeholder="KB4592440 KB4586793@11569"), name="kbs")
                with Vertical(id="step-source", classes="wizard-step"):
                    with RadioSet(id="wizard-source", compact=True):
                        yield RadioButton("Microsoft Update Catalog", value=True, id="source-catalog")
                        yield RadioButton("A folder (files named with their KB and SHA-1)", id="source-folder")
                        yield RadioButton("A manifest (CSV or JSON: kb, file_name, url, sha1)", id="source-manifest")
                    yield Static("", id="wizard-source-chosen", classes="hint")
                    yield from field_row("Catalog URL", Input(CATALOG_URL, id="wizard-catalog-url", compact=True),
                                         name="catalog_url")
                    yield from field_row("Content mirror", Input(id="wizard-content-url", compact=True,
                                                                 placeholder="optional: catalog files from this URL"),
                                         name="content_url")
                    yield from field_row("Manifest", Input(id="wizard-manifest", compact=True,
                                                           placeholder="path to the .csv or .json manifest"),
                                         name="manifest")
                    yield from field_row("Folder", Input(id="wizard-folder", compact=True,
                                                         placeholder="path to the folder of update files"),
                                         name="folder")
                with Vertical(id="step-languages", classes="wizard-step"):
                    yield Label("", id="wizard-languages-note", classes="hint")
                    yield Checkbox("Every language the catalog lists", id="wizard-all-languages", compact=True)
                    yield SelectionList[str](*((lang, lang, False) for lang in LANGUAGES), id="wizard-languages",
                                             compact=True)
                    yield Static("", id="wizard-languages-chosen", classes="hint")
                with Vertical(id="step-summary", classes="wizard-step"):
                    yield Static("", id="wizard-summary")
            yield Static("", id="wizard-error", classes="form-error")
            with Horizontal(classes="buttons"):
                yield Button("Back (esc)", id="wizard-back", compact=True)
                yield Button("Next (ctrl+n)", id="wizard-next", variant="primary", compact=True)

    def on_mount(self) -> None:
        for error in self.query(".form-error"):
            error.display = False
        self._show_step()
        self._show_source_fields()
        self.load_choices()

    # ------------------------------------------------------------------ choices

    @work(thread=True, exclusive=True, group="wizard-choices", exit_on_error=False)
    def load_choices(self) -> None:
        from sumtui.catalog import settings as update_point
        from sumtui.deploy.lists import list_lists
        from sumtui.deploy.packages import list_packages

        try:
            with self.app.site.session() as session:
                lists = [(s.name, s.compliance.updates) for s in list_lists(session, collection_id=0)]
                packages = [p.name for p in list_packages(session)]
                languages = list(update_point.load(session)[0].languages)
        except Exception as exc:
            self.post_message(WorkFailed.from_exception("reading the lists and packages", exc))
            return
        self.post_message(WizardChoicesLoaded(lists, packages, languages))

    @on(WizardChoicesLoaded)
    def _choices_loaded(self, message: WizardChoicesLoaded) -> None:
        self._lists, self._packages, self._site_languages = message.lists, message.packages, message.languages
        # List names are the operator's text: shown as data.
        self.query_one("#wizard-list", Select).set_options(
            (plain(f"{name} ({count:,} update{'s' if count != 1 else ''})"), name) for name, count in message.lists)
        self.query_one("#wizard-package", Input).suggester = SuggestFromList(message.packages, case_sensitive=False)
        languages = self.query_one("#wizard-languages", SelectionList)
        for language in message.languages:
            if language in LANGUAGES:
                languages.select(language)
        self._show_package_note()
        if STEPS[self._step][0] == "summary":
            self._show_summary()  # whether the package exists is known now

    def _existing(self, name: str) -> str | None:
        return next((p for p in self._packages if p.casefold() == name.strip().casefold()), None)

    @on(Input.Changed, "#wizard-package")
    def _show_package_note(self) -> None:
        name = self.query_one("#wizard-package", Input).value.strip()
        note = "" if not name else ("an existing package: the updates are added to it" if self._existing(name)
                                    else "a new package: created when the download starts")
        self.query_one("#wizard-package-note", Label).update(note)

    # ------------------------------------------------------------------ steps

    @property
    def source(self) -> str:
        pressed = self.query_one("#wizard-source", RadioSet).pressed_button
        return {"source-folder": FOLDER, "source-manifest": MANIFEST}.get(pressed.id if pressed else "", CATALOG)

    @on(RadioSet.Changed, "#wizard-source")
    def _show_source_fields(self) -> None:
        shown = SOURCE_FIELDS[self.source]
        for name in ("catalog_url", "content_url", "manifest", "folder"):
            self.query_one(f"#row-{name}").display = name in shown
        # The choice in words too: a radio button's mark differs by colour alone (NO_COLOR).
        self.query_one("#wizard-source-chosen", Static).update(f"Chosen: {SOURCES[self.source]}")
        folder = self.query_one("#wizard-folder", Input)
        folder.placeholder = ("optional: where the manifest's files are (else their URLs)" if self.source == MANIFEST
                              else "path to the folder of update files")

    def _show_step(self) -> None:
        key = STEPS[self._step][0]
        self.query_one("#wizard-body", ContentSwitcher).current = f"step-{key}"
        parts = []
        for i, (_, label) in enumerate(STEPS):
            text = f"{i + 1} {label}"
            parts.append(Content.from_markup("[b reverse] $t [/]", t=text) if i == self._step else Content(f" {text} "))
        self.query_one("#wizard-steps", Static).update(Content(" › ").join(parts))
        last = self._step == len(STEPS) - 1
        self.query_one("#wizard-next", Button).label = "Download (ctrl+s)" if last else "Next (ctrl+n)"
        self.query_one("#wizard-back", Button).label = "Back (esc)" if self._step else "Cancel (esc)"
        if key == "languages":
            self._show_languages_note()
            self._show_languages_chosen()
        if key == "summary":
            self._show_summary()
        first = {"package": "#wizard-package", "source": "#wizard-source", "languages": "#wizard-languages",
                 "summary": "#wizard-next"}[key]
        self.query_one(first).focus()

    def _show_error(self, text: str) -> None:
        error = self.query_one("#wizard-error", Static)
        error.update(plain(text))  # it quotes names and paths
        error.display = bool(text)

    def action_next(self) -> None:
        problem = self._check(STEPS[self._step][0])
        self._show_error(problem or "")
        if problem:
            return
        if self._step == len(STEPS) - 1:
            self.action_start()
            return
        self._step += 1
        self._show_step()

    def action_back(self) -> None:
        self._show_error("")
        if self._step == 0:
            self.dismiss(None)
            return
        self._step -= 1
        self._show_step()

    def action_start(self) -> None:
        for key, _ in STEPS[:-1]:
            problem = self._check(key)
            if problem:
                self._step = [k for k, _ in STEPS].index(key)
                self._show_step()
                self._show_error(problem)
                return
        self.dismiss(self._request())

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_next()

    @on(Button.Pressed, "#wizard-next")
    def _next_pressed(self) -> None:
        self.action_next()

    @on(Button.Pressed, "#wizard-back")
    def _back_pressed(self) -> None:
        self.action_back()

    # ------------------------------------------------------------------ checks and the request

    def _value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def _list_name(self) -> str | None:
        value = self.query_one("#wizard-list", Select).value
        return None if value is Select.NULL else str(value)

    def _kbs(self) -> list[str]:
        return self._value("wizard-kbs").replace(",", " ").split()

    def _check(self, step: str) -> str | None:
        """What keeps a step from going on, in words; None when it is good."""
        from sumtui.deploy.content.errors import UrlRefused
        from sumtui.deploy.content.urls import check_base_url
        from sumtui.deploy.lists import ListError, parse_ref
        from sumtui.deploy.packages import PackageError, check_name

        if step == "package":
            try:
                check_name(self._value("wizard-package"))
            except PackageError as exc:
                return str(exc)
            if self._list_name() is not None and self._kbs():
                return "an update list or KBs, not both"
            for word in self._kbs():
                try:
                    parse_ref(word)
                except ListError as exc:
                    return str(exc)
            return None
        if step == "source":
            nothing = self._list_name() is None and not self._kbs()
            if self.source == CATALOG:
                if nothing:
                    return "which updates? pick an update list or type KBs (step 1), or take a manifest"
                try:
                    check_base_url(self._value("wizard-catalog-url"), what="catalog URL")
                    if self._value("wizard-content-url"):
                        check_base_url(self._value("wizard-content-url"), what="content mirror")
                except UrlRefused as exc:
                    return str(exc)
            elif self.source == FOLDER:
                if nothing:
                    return "which updates? pick an update list or type KBs (step 1)"
                folder = self._value("wizard-folder")
                if not folder or not Path(folder).expanduser().is_dir():  # Path("") is the current folder
                    return f"not a folder: {folder or '(empty)'}"
            else:
                manifest = self._value("wizard-manifest")
                if not manifest or not Path(manifest).expanduser().is_file():
                    return f"no such manifest file: {manifest or '(empty)'}"
                folder = self._value("wizard-folder")
                if folder and not Path(folder).expanduser().is_dir():
                    return f"not a folder: {folder}"
            return None
        if step == "languages":
            if self.source == CATALOG and not self.query_one("#wizard-all-languages", Checkbox).value \
                    and not self.query_one("#wizard-languages", SelectionList).selected:
                return "pick at least one language, or every language"
            return None
        return None

    def _request(self) -> DownloadRequest:
        name = self._value("wizard-package")
        existing = self._existing(name)
        every = self.query_one("#wizard-all-languages", Checkbox).value
        chosen = [lang for lang in LANGUAGES if lang in self.query_one("#wizard-languages", SelectionList).selected]
        folder = self._value("wizard-folder")
        return DownloadRequest(
            package=existing or name, create=existing is None, list_name=self._list_name(), kbs=tuple(self._kbs()),
            source=self.source, folder=str(Path(folder).expanduser()) if folder and self.source != CATALOG else None,
            manifest=str(Path(self._value("wizard-manifest")).expanduser()) if self.source == MANIFEST else None,
            languages=None if every else tuple(chosen),
            catalog_url=self._value("wizard-catalog-url") or CATALOG_URL,
            content_url=self._value("wizard-content-url") or None,
        )

    def _show_languages_note(self) -> None:
        note = ("The catalog lists a file per language for some updates; language-neutral files always come. "
                f"The site's languages ({', '.join(self._site_languages)}) are picked.")
        if self.source != CATALOG:
            note = "Languages choose only among the catalog's files: a folder's or a manifest's are taken as listed."
        self.query_one("#wizard-languages-note", Label).update(note)

    @on(Checkbox.Changed, "#wizard-all-languages")
    @on(SelectionList.SelectedChanged, "#wizard-languages")
    def _show_languages_chosen(self) -> None:
        every = self.query_one("#wizard-all-languages", Checkbox).value
        chosen = [lang for lang in LANGUAGES if lang in self.query_one("#wizard-languages", SelectionList).selected]
        text = "every language" if every else ", ".join(chosen) or "none yet"
        self.query_one("#wizard-languages-chosen", Static).update(plain(f"Chosen: {text}"))

    def _show_summary(self) -> None:
        self.request = r = self._request()
        count = next((n for name, n in self._lists if name == r.list_name), None)
        updates = r.updates_text() + (f" ({count:,} update{'s' if count != 1 else ''})" if count is not None else "")
        lines = [
            f"Package:    {r.package}" + (" (new: created when the download starts)" if r.create else ""),
            f"Updates:    {updates}",
            f"Source:     {r.source_text()}",
            f"Languages:  {r.languages_text()}",
            f"Content:    {self._content_dir} (each file once, checked by SHA-1 and SHA-256)",
            "",
            "The download runs as a job beside any sync; its progress shows on the package pages and in the "
            "header, and c there cancels it (finished files are kept). ctrl+s starts it.",
        ]
        self.query_one("#wizard-summary", Static).update(plain("\n".join(lines)))
