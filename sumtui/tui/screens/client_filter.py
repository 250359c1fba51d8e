"""`f` on the Clients screen: which clients to list, as a form returning a `ClientFilter` (None: cancelled).

The typed search words stay on the screen's search bar; this form holds everything else.
"""

from __future__ import annotations

from dataclasses import replace

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.suggester import SuggestFromList
from textual.widgets import Checkbox, Input, Label, Select

from sumtui.fleet.clients import MISSING_SEVERITIES, ROLES, ClientFilter
from sumtui.tui.cells import plain
from sumtui.tui.screens.filter import (
    TRISTATE,
    FilterForm,
    _choice,
    _from_tristate,
    _tristate,
)
from sumtui.tui.screens.settings_form import field_row


def describe_client_filter(f: ClientFilter, collections: dict[int, str]) -> str:
    """'in Servers, unmapped, silent 7+ days, servers, missing Critical' for the status line ('' when it
    filters nothing)."""
    parts = []
    if f.collection_id is not None:
        parts.append(f"in {collections.get(f.collection_id, f'collection {f.collection_id}')}")
    if f.os_product:
        parts.append(f"OS {f.os_product}")
    if f.unmapped is not None:
        parts.append("unmapped" if f.unmapped else "mapped")
    if f.out_of_support is not None:
        parts.append("out of support" if f.out_of_support else "supported")
    if f.not_reported_days is not None:
        parts.append(f"silent {f.not_reported_days}+ days")
    if f.non_compliant:
        parts.append("non-compliant")
    if f.role:
        parts.append(f"{f.role}s")
    if f.missing_severity:
        worse = "" if f.missing_severity == MISSING_SEVERITIES[0] else " or worse"
        parts.append(f"missing {f.missing_severity}{worse}")
    if f.text:
        parts.append(f"matching {f.text!r}")
    return ", ".join(parts)


def _severity_choice(severity: str) -> str:
    """'Important or worse' ('Critical' alone: nothing is worse)."""
    return severity if severity == MISSING_SEVERITIES[0] else f"{severity} or worse"


class ClientFilterScreen(FilterForm[ClientFilter]):
    BINDINGS = [
        Binding("ctrl+s", "apply", "Apply", id="client_filter.apply"),
        Binding("ctrl+r", "clear", "Clear all", id="client_filter.clear"),
        Binding("escape", "dismiss(None)", "Cancel", key_display="esc", id="client_filter.cancel"),
    ]
    AUTO_FOCUS = "#cf-collection"
    BUTTON_PREFIX = "cf"

    def __init__(self, current: ClientFilter, *, collections: list[tuple[str, int]], products: list[str],
                 lock_collection: bool = False) -> None:
        super().__init__()
        self._current = current
        self._collections = collections
        self._products = products
        self._lock = lock_collection  # a members view: the collection is what the view is about

    def compose(self) -> ComposeResult:
        f = self._current
        ids = {i for _, i in self._collections}
        with Vertical(id="client-filter-dialog", classes="dialog"):
            yield Label("Filter clients (empty fields match everything)", classes="dialog-title")
            with VerticalScroll(id="filter-form"):
                yield from field_row("Collection", Select([(plain(name), i) for name, i in self._collections], prompt="any",
                                                          compact=True, id="cf-collection",
                                                          value=f.collection_id if f.collection_id in ids else Select.NULL,
                                                          disabled=self._lock), name="collection")
                yield from field_row("OS product", Input(f.os_product or "", id="cf-os", compact=True, placeholder="part of a product name",
                                                         suggester=SuggestFromList(self._products, case_sensitive=False)), name="os")
                yield from field_row("Unmapped OS", Select(TRISTATE, value=_tristate(f.unmapped), allow_blank=False,
                                                           id="cf-unmapped", compact=True), name="unmapped")
                yield from field_row("Out of support", Select(TRISTATE, value=_tristate(f.out_of_support), allow_blank=False,
                                                              id="cf-oos", compact=True), name="oos")
                yield from field_row("Not reported in", Input("" if f.not_reported_days is None else str(f.not_reported_days),
                                                              id="cf-days", type="integer", compact=True, classes="short"),
                                     Label("days (or never)", classes="field-hint"), name="days")
                yield from field_row("Non-compliant", Checkbox("needs or failed an update", bool(f.non_compliant),
                                                               id="cf-noncompliant", compact=True), name="noncompliant")
                roles = [(role.capitalize() + "s", role) for role in ROLES]
                yield from field_row("Role", Select(roles, prompt="any", value=f.role or Select.NULL, id="cf-role",
                                                    compact=True), name="role")
                severities = [(_severity_choice(s), s) for s in MISSING_SEVERITIES]
                yield from field_row("Misses", Select(severities, prompt="any", value=f.missing_severity or Select.NULL,
                                                      id="cf-missing", compact=True),
                                     Label("Required, not installed", classes="field-hint"), name="missing")
            yield from self.compose_buttons()

    def _value(self) -> ClientFilter:
        q = self.query_one
        days = self.days("#cf-days", "#error-days")
        collection = q("#cf-collection", Select).value
        return ClientFilter(
            text=self._current.text,
            collection_id=None if collection is Select.NULL else int(collection),
            os_product=q("#cf-os", Input).value.strip() or None,
            unmapped=_from_tristate(q("#cf-unmapped", Select).value),
            out_of_support=_from_tristate(q("#cf-oos", Select).value),
            not_reported_days=days,
            non_compliant=True if q("#cf-noncompliant", Checkbox).value else None,
            role=_choice(q("#cf-role", Select).value),
            missing_severity=_choice(q("#cf-missing", Select).value),
        )

    def action_clear(self) -> None:
        keep = self._current.collection_id if self._lock else None
        self.dismiss(replace(ClientFilter(), text=self._current.text, collection_id=keep))
