"""`f` on the updates screen: the catalog filter as a form, returning an `UpdateFilter` (None: cancelled).

`FilterForm` is what this form shares with the Clients one (`client_filter.py`), including esc asking
before it throws changed fields away (sumtui.tui.screens.discard_guard)."""

from __future__ import annotations

from typing import ClassVar, Generic, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, Select

from sumtui.catalog.models import CLASSIFICATIONS, SEVERITIES
from sumtui.catalog.queries import UpdateFilter
from sumtui.tui.cells import plain
from sumtui.tui.screens.discard_guard import DiscardGuard
from sumtui.tui.screens.settings_form import field_row

T = TypeVar("T")
TRISTATE = [("any", "any"), ("yes", "yes"), ("no", "no")]


def _tristate(value: bool | None) -> str:
    return "any" if value is None else "yes" if value else "no"


def _from_tristate(value: object) -> bool | None:
    return None if value == "any" else value == "yes"


def _choice(value: object) -> str | None:
    return None if value is Select.NULL or value in (None, "") else str(value)


class InvalidField(Exception):
    """A field of a filter form failed its check; its error line already says why."""


class FilterForm(DiscardGuard, ModalScreen[T | None], Generic[T]):
    """A filter form: fields, then Apply / Clear / Cancel buttons (ids `<BUTTON_PREFIX>-apply`, `-clear`,
    `-cancel`). Apply (or enter in a field) dismisses with what `_value` reads, unless a field is wrong
    (`InvalidField`: the form stays, the error shown under the field); Clear dismisses with what
    `action_clear` says; Cancel with None. Field errors are hidden until a check fails."""

    BUTTON_PREFIX: ClassVar[str]

    def compose_buttons(self) -> ComposeResult:
        with Horizontal(classes="buttons"):
            yield Button("Apply (ctrl+s)", id=f"{self.BUTTON_PREFIX}-apply", variant="primary", compact=True)
            yield Button("Clear (ctrl+r)", id=f"{self.BUTTON_PREFIX}-clear", compact=True)
            yield Button("Cancel (esc)", id=f"{self.BUTTON_PREFIX}-cancel", compact=True)

    def on_mount(self) -> None:
        for error in self.query(".form-error"):
            error.display = False
        self.remember_fields()

    async def action_dismiss(self, result: T | None = None) -> None:
        """esc (the forms bind it to `dismiss(None)`): cancelling asks first when a field was changed."""
        if result is None:
            self.close_unless_changed(lambda: self.dismiss(None), what="The filter")
            return
        await super().action_dismiss(result)

    def _value(self) -> T:
        raise NotImplementedError

    def action_clear(self) -> None:
        raise NotImplementedError

    def days(self, field: str, error: str) -> int | None:
        """The whole number of days typed in the `field` Input (None when empty); `InvalidField`, with
        the reason shown in the `error` line, for anything else."""
        text = self.query_one(field, Input).value.strip()
        line = self.query_one(error)
        if text and (not text.isdigit() or int(text) < 1):
            line.update("a whole number of days, at least 1")
            line.display = True
            raise InvalidField(field)
        line.display = False
        return int(text) if text else None

    def action_apply(self) -> None:
        try:
            value = self._value()
        except InvalidField:
            return
        self.dismiss(value)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_apply()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        pressed = event.button.id
        if pressed == f"{self.BUTTON_PREFIX}-apply":
            self.action_apply()
        elif pressed == f"{self.BUTTON_PREFIX}-clear":
            self.action_clear()
        elif pressed == f"{self.BUTTON_PREFIX}-cancel":
            self.close_unless_changed(lambda: self.dismiss(None), what="The filter")


class FilterScreen(FilterForm[UpdateFilter]):
    BINDINGS = [
        Binding("ctrl+s", "apply", "Apply", id="filter.apply"),
        Binding("ctrl+r", "clear", "Clear all", id="filter.clear"),
        Binding("escape", "dismiss(None)", "Cancel", key_display="esc", id="filter.cancel"),
    ]
    AUTO_FOCUS = "#filter-text"
    BUTTON_PREFIX = "filter"

    def __init__(self, current: UpdateFilter, *, families: list[str], products: list[str]) -> None:
        super().__init__()
        self._current = current
        self._families = families
        self._products = products

    def compose(self) -> ComposeResult:
        f = self._current
        with Vertical(id="filter-dialog", classes="dialog"):
            yield Label("Filter updates (empty fields match everything)", classes="dialog-title")
            with VerticalScroll(id="filter-form"):
                yield from field_row("Words", Input(f.text or "", id="filter-text", compact=True,
                                                    placeholder="all must appear: KB, title, product, CVE"), name="text")
                yield from field_row("Product", Input(f.product or "", id="filter-product", compact=True, placeholder="part of a name",
                                                      suggester=SuggestFromList(self._products, case_sensitive=False)), name="product")
                yield from field_row("Family", Select([(plain(x), x) for x in self._families], value=f.family or Select.NULL,
                                                      prompt="any", id="filter-family", compact=True), name="family")
                yield from field_row("Classification", Select([(c, c) for c in CLASSIFICATIONS], value=f.classification or Select.NULL,
                                                              prompt="any", id="filter-classification", compact=True), name="classification")
                yield from field_row("Severity", Select([(s, s) for s in SEVERITIES], prompt="any", compact=True,
                                                        value=f.severity if f.severity in SEVERITIES else Select.NULL, id="filter-severity"),
                                     name="severity")
                yield from field_row("KB", Input(f.kb or "", id="filter-kb", compact=True, placeholder="e.g. 4592438"), name="kb")
                yield from field_row("CVE", Input(f.cve or "", id="filter-cve", compact=True, placeholder="e.g. CVE-2020-17095"), name="cve")
                yield from field_row("Superseded", Select(TRISTATE, value=_tristate(f.superseded), allow_blank=False,
                                                          id="filter-superseded", compact=True), name="superseded")
                yield from field_row("Expired", Select(TRISTATE, value=_tristate(f.expired), allow_blank=False,
                                                       id="filter-expired", compact=True), name="expired")
                yield from field_row("Released within", Input("" if f.released_within_days is None else str(f.released_within_days),
                                                              id="filter-days", type="integer", compact=True, classes="short"),
                                     Label("days", classes="field-hint"), name="released_within_days")
            yield from self.compose_buttons()

    def _value(self) -> UpdateFilter:
        q = self.query_one
        days = self.days("#filter-days", "#error-released_within_days")
        return UpdateFilter(
            text=q("#filter-text", Input).value.strip() or None,
            product=q("#filter-product", Input).value.strip() or None,
            family=_choice(q("#filter-family", Select).value),
            classification=_choice(q("#filter-classification", Select).value),
            severity=_choice(q("#filter-severity", Select).value),
            kb=q("#filter-kb", Input).value.strip() or None,
            cve=q("#filter-cve", Input).value.strip() or None,
            superseded=_from_tristate(q("#filter-superseded", Select).value),
            expired=_from_tristate(q("#filter-expired", Select).value),
            released_within_days=days,
        )

    def action_clear(self) -> None:
        self.dismiss(UpdateFilter())
