"""Which catalog products a client has (DESIGN.md §2 rule 1).

Its OS product; the components that ship in that OS (Internet Explorer, EdgeHTML-based Edge,
Windows Defender, the OS's in-box .NET Framework); and an optional product — "X on <its OS>" or a
product such as Office — only when the inventory shows it: an installed KB the catalog lists for it,
or the agent reporting X. Another OS's products are never inferred from a shared KB.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sumtui.compliance.view import CatalogView, product_key
from sumtui.fleet.inbox import InboxComponents, inbox_components

_IE = re.compile(r"^internet explorer (\d+)")


@dataclass(frozen=True)
class Presence:
    key: str
    name: str
    why: str  # "the OS", "ships with the OS", "KB5005030 is installed", "reported by the agent"


def _component(name_key: str) -> str:
    return name_key.split(" on windows ", 1)[0]


def _is_inbox(view: CatalogView, key: str, inbox: InboxComponents) -> bool:
    component = _component(key)
    ie = _IE.match(component)
    if ie is not None:
        return ie.group(1) == inbox.internet_explorer
    if "edgehtml" in component:
        return inbox.edge_html
    if "defender" in component:
        return inbox.defender
    # A .NET line is in-box when any of its names (MSRC narrows them as versions retire) lists the
    # version the OS ships.
    return bool(view.dotnet.get(key, set()) & set(inbox.dotnet))


def _names_component(component: str, wanted: str) -> bool:
    """A reported product names a component: "Internet Explorer 11", "Edge" for "Edge (EdgeHTML-based)",
    ".NET Framework 4.6.2" for the 4.6–4.7.2 line; but ".NET Framework 4.8" is not 4.8.1."""
    return component == wanted or component.startswith(wanted + " ")


def client_products(
    view: CatalogView,
    *,
    os_product: str | None,
    installed: frozenset[str],
    reported: tuple[str, ...] = (),
    edition: str | None = None,
) -> dict[str, Presence]:
    out: dict[str, Presence] = {}
    os_key = product_key(os_product) if os_product else None
    if os_key:
        out[os_key] = Presence(os_key, view.product_names.get(os_key, os_product), "the OS")
        inbox = inbox_components(os_product, edition)
        for key in view.components.get(os_key, []):
            if _is_inbox(view, key, inbox):
                out[key] = Presence(key, view.product_names[key], f"ships with {os_product}")
    for kb in sorted(installed):
        for key in view.products_of_kb.get(kb, ()):
            if key in out or key in view.os_products:
                continue  # a shared KB (8.1 / 2012 R2 rollups) says nothing about another OS
            host = view.host_of.get(key)
            if host is not None and host != os_key:
                continue  # a component of another OS
            out[key] = Presence(key, view.product_names[key], f"KB{kb} for it is installed")
    for reported_name in reported:
        wanted = product_key(reported_name)
        for key in view.components.get(os_key, []) if os_key else []:
            if key not in out and _names_component(_component(key), wanted):
                out[key] = Presence(key, view.product_names[key], "reported by the agent")
        if wanted in view.product_names and wanted not in out and wanted not in view.os_products:
            out[wanted] = Presence(wanted, view.product_names[wanted], "reported by the agent")
    return out
