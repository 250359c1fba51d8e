"""The console's pages: the names `:` and the command palette accept, the aliases operators type, and
which pages a partly typed name means (`candidates`: `:cl` is Clients, the page opened most)."""

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
    "lists": "Update lists: named sets of updates, their compliance",
    "templates": "Deployment templates: reusable deployment settings",
    "packages": "Deployment packages: download and verify update content",
    "deploy": "Deploy: the deployment wizard (template, collection, schedule, what-if)",
    "deployments": "Deployments: progress per state, clients, error codes, alerts",
    "clients": "Clients: machines, their state, import inventories",
    "collections": "Collections: sets of clients, maintenance windows",
    "mp": "Management point: URL, health, enrollment key",
}
ALIASES = {"": "home", "checklist": "home", "prerequisites": "prereqs", "update-point-settings": "update-point",
           "updatepoint": "update-point", "sup": "update-point", "agent": "client-agent", "clientagent": "client-agent",
           "synchronize": "sync", "catalog": "updates", "update": "updates", "client": "clients", "machines": "clients",
           "inventory": "clients", "inventories": "clients", "itmu": "clients", "collection": "collections",
           "management-point": "mp", "managementpoint": "mp", "enroll": "mp", "enrollment": "mp",
           "list": "lists", "update-lists": "lists", "updatelists": "lists", "template": "templates",
           "deployment-templates": "templates", "package": "packages", "deployment-packages": "packages",
           "download": "packages", "downloads": "packages", "content": "packages",
           "new-deployment": "deploy", "deployment": "deployments", "monitor": "deployments",
           "monitoring": "deployments", "status": "deployments"}


# The pages operators open most, most used first: of the pages a typed prefix could mean, these come first
# (`:cl` opens Clients, not Client agent; `:co` Compliance, then Collections; `:up` Updates).
MOST_USED = ("updates", "clients", "compliance", "sync", "collections", "home", "deployments", "deploy", "lists",
             "packages", "templates", "mp", "prereqs", "update-point", "client-agent")


def _key(text: str) -> str:
    return "-".join(text.strip().lstrip(":").lower().split())


def page_name(text: str) -> str | None:
    """The page a jump text names ('sync', ':Sync', 'update point'), or None."""
    key = _key(text)
    key = ALIASES.get(key, key)
    return key if key in PAGES else None


def candidates(text: str) -> list[str]:
    """The pages a jump text may mean, best first: the page it names (or an alias names), then pages whose
    name starts with it, then whose alias does, then with a word of their description starting with it,
    then containing it anywhere; among equals, the most used page first. Empty text: every page."""
    key = _key(text)
    if not key:
        return list(PAGES)
    named = page_name(text)
    used = {name: rank for rank, name in enumerate(MOST_USED)}
    scores: dict[str, tuple[int, int]] = {}
    for name, description in PAGES.items():
        aliases = [alias for alias, page in ALIASES.items() if page == name and alias]
        words = f"{name} {description}".lower().replace(":", " ").replace("-", " ").split()
        if name == named:
            score = 0
        elif name.startswith(key):
            score = 1
        elif any(alias.startswith(key) for alias in aliases):
            score = 2
        elif any(word.startswith(key) for word in words):
            score = 3
        elif key in name or key in description.lower() or any(key in alias for alias in aliases):
            score = 4
        else:
            continue
        scores[name] = (score, used.get(name, len(used)))
    return sorted(scores, key=scores.__getitem__)
