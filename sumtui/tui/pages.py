"""The console's pages: the names `:` and the command palette accept, and the aliases operators type."""

from __future__ import annotations

# The names `:` accepts, in the order the jump list shows them.
PAGES: dict[str, str] = {
    "home": "Home: the setup checklist",
    "prereqs": "Prerequisites: database, folders, upstream",
    "update-point": "Software update point settings",
    "client-agent": "Software updates client agent settings",
    "sync": "Synchronize: sync now, import files, history",
    "updates": "Updates: the catalog, search folders",
    "compliance": "Compliance: which clients need which updates",
    "clients": "Clients: machines, their state, import inventories",
    "collections": "Collections: sets of clients, maintenance windows",
    "mp": "Management point: URL, health, enrollment key",
}
ALIASES = {"": "home", "checklist": "home", "prerequisites": "prereqs", "update-point-settings": "update-point",
           "updatepoint": "update-point", "sup": "update-point", "agent": "client-agent", "clientagent": "client-agent",
           "synchronize": "sync", "catalog": "updates", "update": "updates", "client": "clients", "machines": "clients",
           "inventory": "clients", "inventories": "clients", "itmu": "clients", "collection": "collections",
           "management-point": "mp", "managementpoint": "mp", "enroll": "mp", "enrollment": "mp"}


def page_name(text: str) -> str | None:
    """The page a jump text names ('sync', ':Sync', 'update point'), or None."""
    key = "-".join(text.strip().lstrip(":").lower().split())
    key = ALIASES.get(key, key)
    return key if key in PAGES else None
