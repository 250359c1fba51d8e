"""`n` / `e` on the Collections screen: a collection's name, description and membership rule.

An empty rule makes a static collection (members added by hand); any rule field makes it rule-based
(members follow the rule). The form hands a `CollectionValue` to the save function the Collections
screen gives it, which runs in a worker; a `FleetError` (a taken name, a built-in collection) stays
in the form.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label

from sumtui.fleet.collections import CollectionRule
from sumtui.tui.screens.saving_form import SavingForm
from sumtui.tui.screens.settings_form import field_row

RULE_FIELDS = (
    ("os_product", "OS product", "part of a catalog product name, e.g. Windows Server 2019"),
    ("name_pattern", "Name pattern", "shell pattern, e.g. WS-* or *-SQL?"),
    ("domain", "Domain", "e.g. corp.example (patterns allowed)"),
    ("tag", "Tag", "a client tag, e.g. pilot"),
)


@dataclass(frozen=True)
class CollectionValue:
    """What the form says; `collection_id` is None for a new collection."""

    collection_id: int | None
    name: str
    description: str
    rule: CollectionRule


@dataclass(frozen=True)
class CollectionSaved:
    collection_id: int
    name: str
    kind: str
    members: int
    created: bool


class CollectionFormScreen(SavingForm[CollectionValue, CollectionSaved]):
    DIALOG_ID = "collection-dialog"

    def __init__(self, save, *, current=None, products: list[str] = ()) -> None:
        """`current`: the CollectionRow being edited, None for a new collection."""
        super().__init__(save, heading=f"Edit collection {current.name!r}" if current else "New collection",
                         action="Save" if current else "Create")
        self._current = current
        self._products = list(products)

    @property
    def builtin(self) -> bool:
        return self._current is not None and self._current.kind == "builtin"

    def compose_fields(self) -> ComposeResult:
        c = self._current
        rule = dict(c.rule) if c else {}
        yield from field_row("Name", Input(c.name if c else "", id="collection-name", compact=True,
                                           disabled=self.builtin, placeholder="e.g. Finance workstations"), name="name")
        yield from field_row("Description", Input(c.description if c else "", id="collection-description",
                                                  compact=True), name="description")
        if self.builtin:
            yield Label("All Systems is built in: every client is a member; only its description changes.",
                        classes="hint")
            return
        yield Label("Membership rule: every field you fill must match. Leave all empty for a static collection "
                    "(members added by hand).", classes="hint form-note")
        for key, label, hint in RULE_FIELDS:
            suggester = SuggestFromList(self._products, case_sensitive=False) if key == "os_product" else None
            yield from field_row(label, Input(rule.get(key, "") or "", id=f"rule-{key.replace('_', '-')}", compact=True,
                                              placeholder=hint, suggester=suggester), name=key)

    def form_value(self) -> CollectionValue | None:
        q = self.query_one
        name = q("#collection-name", Input).value.strip()
        if not name:
            self.show_error("a collection needs a name", field="name")
            return None
        rule = CollectionRule() if self.builtin else CollectionRule(**{
            key: q(f"#rule-{key.replace('_', '-')}", Input).value for key, _, _ in RULE_FIELDS
        })
        return CollectionValue(self._current.id if self._current else None, name,
                               q("#collection-description", Input).value.strip(), rule)
