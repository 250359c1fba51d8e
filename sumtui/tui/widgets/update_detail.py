"""The detail pane of the updates screen: everything the catalog knows about the update under the cursor.

Every value came from a catalog document (titles, product names, URLs, advisories): it goes in as data
(`markup` variables, `plain`), never as markup, with control and bidi characters shown escaped.
"""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from sumtui.tui.cells import markup, plain

# Critical is bold as well as red: without colour (NO_COLOR) it still stands out.
SEVERITY_VARIABLES = {"Critical": "bold $text-error", "Important": "$text-warning", "Low": "$foreground-muted"}


def _day(value) -> str:
    return value.strftime("%Y-%m-%d") if value else "—"


def _field(name: str, value: str) -> Content:
    return markup("[b]$name[/b] $value", name=f"{name:<10}", value=value or "—")


def _severity(text: str | None) -> Content:
    if not text:
        return Content("—")
    variable = SEVERITY_VARIABLES.get(text)
    return markup(f"[{variable}]$t[/]", t=text) if variable else plain(text)


def render_detail(detail, advisories: dict[str, list[dict]]) -> Content:
    u = detail.update
    state = " and ".join(name for name, on in (("superseded", u.superseded), ("expired", u.expired)) if on) or "active"
    lines: list[Content] = [
        markup("[b]KB$kb[/b]  $title", kb=u.kb, title=u.title),
        Content(""),
        _field("Product", f"{u.product} ({detail.family or 'no family'})"),
        _field("Type", f"{u.classification} / {u.subtype or '—'}"),
        Content.assemble(Content.from_markup("[b]$n[/b] ", n=f"{'Severity':<10}"), _severity(u.severity),
                         plain(f" · {u.impact or 'impact not given'}")),
        _field("Released", f"{_day(u.released)} · revised {_day(u.revised)} · document {u.document or '—'}"),
        _field("Restart", u.restart or ""),
        _field("URL", u.url or ""),
        _field("Build", u.fixed_build or ""),
        _field("State", state),
    ]
    if len(detail.documents) > 1:
        lines.append(_field("Months", ", ".join(detail.documents)))
    lines += [Content(""), Content.from_markup("[b]CVEs ($n)[/b]", n=str(len(detail.cves)))]
    for cve in detail.cves:
        severity = _severity(cve.severity)
        lines.append(Content.assemble("  ", severity.pad_right(max(0, 10 - severity.cell_length)),
                                      " ", plain(cve.cve), "  ", plain(cve.title or "")))
    lines += [Content(""), Content.from_markup("[b]Same KB for other products ($n)[/b]", n=str(len(detail.other_products)))]
    lines += [plain(f"  {r.product}") for r in detail.other_products] or [Content("  —")]
    lines += [Content(""), Content.from_markup("[b]Supersedes ($n)[/b]", n=str(len(detail.supersedes)))]
    lines += [_related(r) for r in detail.supersedes] or [Content("  —")]
    lines += [Content(""), Content.from_markup("[b]Superseded by ($n)[/b]", n=str(len(detail.superseded_by)))]
    lines += [_related(r) for r in detail.superseded_by] or [Content("  —")]
    notes = [(cve, a) for cve, items in advisories.items() for a in items]
    if notes:
        lines += [Content(""), Content.from_markup("[b]Advisories on its CVEs ($n)[/b]", n=str(len(notes)))]
        for cve, advisory in notes:
            text = " ".join(str(advisory.get(k) or "") for k in ("subtype", "description")).strip()
            lines.append(plain(f"  {cve}  {text}  {advisory.get('url') or ''}".rstrip()))
    return Content("\n").join(lines)


def _related(r) -> Content:
    where = "" if r.update_id is not None else "  (not in the catalog)"
    return plain(f"  KB{r.kb}  {_day(r.released)}  {r.product}{where}")


class UpdateDetailView(VerticalScroll, can_focus=True):
    """A scrollable pane; `show` replaces its text."""

    def compose(self):
        yield Static("Move the cursor onto an update to see its detail.", id="detail-text")

    def show(self, content: Content | str) -> None:
        self.query_one("#detail-text", Static).update(content)
        self.scroll_home(animate=False)
