"""Software update point settings (stage 2): upstream, schedule, what to sync, supersedence.

Products come from the product trees synced so far (hundreds of them, so the list has a filter);
a family entry selects the whole family. Nothing selected means everything.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.widgets import (
    Checkbox,
    Input,
    Label,
    RadioButton,
    RadioSet,
    Select,
    SelectionList,
    Static,
)
from textual.widgets.selection_list import Selection

from sumtui.catalog.models import CLASSIFICATIONS
from sumtui.catalog.settings import LANGUAGES, UpdatePointSettings
from sumtui.tui.cells import plain
from sumtui.tui.screens.settings_form import SettingsForm, field_row

UPSTREAMS = [("MSRC CVRF API (or a mirror of it)", "msrc"), ("Offline files (import them on the Sync screen)", "files")]


class UpdatePointScreen(SettingsForm[UpdatePointSettings]):
    MODEL = UpdatePointSettings
    TITLE = "Update point"
    NOTE = ("Active software update point: where the catalog comes from and what to keep. Changing products "
            "or classifications makes the next sync fetch the stored months again.")

    def __init__(
        self, settings: UpdatePointSettings, *, products: list[tuple[str, str | None]] = (), readonly: bool = False
    ) -> None:
        super().__init__(settings, readonly=readonly)
        self._products = list(products)
        self._chosen_products: set[str] = set(settings.products)
        # Held, not queried: on a loaded machine the screen's mount handler could run before these were
        # found in the DOM (NoMatches); an update to a held widget lands whenever it mounts.
        self._product_filter = Input(placeholder="filter products…", id="product-filter", compact=True)
        self._product_list = SelectionList[str](*self._product_options(""), id="products", compact=True)
        self._chosen_label = Label("", id="products-chosen", classes="hint")

    def compose_fields(self) -> ComposeResult:
        s = self.settings
        yield Label("Upstream", classes="form-section")
        yield from field_row("Source", Select(UPSTREAMS, value=s.upstream, allow_blank=False, id="upstream", compact=True), name="upstream")
        yield from field_row("URL", Input(s.url, id="url", placeholder="https://api.msrc.microsoft.com/cvrf/v3.0/", compact=True), name="url")
        yield from field_row(
            "Start month", Input(s.start_month or "", id="start-month", placeholder="YYYY-Mon", compact=True), name="start_month",
            hint="empty: the last 12 months",
        )
        yield from field_row(
            "Sync schedule", Checkbox("on", s.schedule_enabled, id="schedule", compact=True), Label("every", classes="field-hint"),
            Input(str(s.interval_hours), id="interval", type="integer", classes="short", compact=True), Label("hours", classes="field-hint"),
            name="interval_hours",
        )
        yield Label("Products (none selected: all)", classes="form-section")
        yield self._product_filter
        yield self._product_list
        yield self._chosen_label
        yield Label("Classifications (none selected: all)", classes="form-section")
        yield SelectionList[str](*((c, c, c in s.classifications) for c in CLASSIFICATIONS), id="classifications", compact=True)
        yield Label("Languages", classes="form-section")
        yield SelectionList[str](*((lang, lang, lang in s.languages) for lang in LANGUAGES), id="languages", compact=True)
        yield Static("", classes="form-error field-error", id="error-languages")
        yield Label("Supersedence", classes="form-section")
        with RadioSet(id="supersedence", compact=True):
            yield RadioButton("Expire a superseded update immediately", value=s.supersedence == "immediately", id="sup-immediately")
            yield RadioButton("Expire it after some months (SCCM default: 3)", value=s.supersedence == "after", id="sup-after")
        yield from field_row(
            "Months before expiry", Input(str(s.expire_after_months), id="expire-months", type="integer", classes="short", compact=True),
            name="expire_after_months",
        )

    def _product_options(self, text: str) -> list[Selection[str]]:
        wanted = text.strip().lower()
        options: list[Selection[str]] = []
        families = sorted({family for _, family in self._products if family})
        for family in families:
            if not wanted or wanted in family.lower():
                options.append(Selection(plain(f"{family} (whole family)"), family, family in self._chosen_products))
        for name, family in self._products:
            label = f"{family or 'Other'} · {name}"
            if not wanted or wanted in label.lower():
                options.append(Selection(plain(label), name, name in self._chosen_products))  # catalog names: data
        return options

    def on_mount(self) -> None:
        super().on_mount()
        self._show_chosen()

    def _show_chosen(self) -> None:
        count = len(self._chosen_products)
        text = "all products" if not count else f"{count} selected: " + ", ".join(sorted(self._chosen_products)[:3])
        if count > 3:
            text += ", …"
        if not self._products:
            text = "no product trees synced yet: sync once, then narrow the products here"
            self._product_filter.display = False
            self._product_list.display = False
        self._chosen_label.update(plain(text))

    @on(Input.Changed, "#product-filter")
    def _filter_products(self, event: Input.Changed) -> None:
        products = self._product_list
        with products.prevent(SelectionList.SelectedChanged):
            products.clear_options()
            products.add_options(self._product_options(event.value))

    @on(Input.Submitted, "#product-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        # Enter in the filter goes to the list; it does not save the form (the base class would).
        event.stop()
        event.prevent_default()
        products = self._product_list
        if products.option_count and products.highlighted is None:
            products.highlighted = 0
        products.focus()

    @on(SelectionList.SelectedChanged, "#products")
    def _products_changed(self, event: SelectionList.SelectedChanged) -> None:
        products = event.selection_list
        visible = {products.get_option_at_index(i).value for i in range(products.option_count)}
        self._chosen_products = (self._chosen_products - visible) | set(products.selected)
        self._show_chosen()

    def form_values(self) -> dict[str, Any]:
        q = self.query_one
        radio = q("#supersedence", RadioSet).pressed_button
        return {
            "upstream": q("#upstream", Select).value,
            "url": q("#url", Input).value,
            "start_month": q("#start-month", Input).value.strip() or None,
            "schedule_enabled": q("#schedule", Checkbox).value,
            "interval_hours": q("#interval", Input).value.strip(),
            "products": sorted(self._chosen_products),
            "classifications": list(q("#classifications", SelectionList).selected),
            "languages": list(q("#languages", SelectionList).selected),
            "supersedence": "immediately" if radio is not None and radio.id == "sup-immediately" else "after",
            "expire_after_months": q("#expire-months", Input).value.strip(),
        }

