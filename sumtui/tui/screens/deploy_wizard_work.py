"""What the deployment wizard's workers do, as plain functions of a session (no widget): read what the
pages offer, the updates the first page names and whether their files are downloaded, the summary with
the what-if, and making the deployment, each through the domain functions `sumtui deploy` uses; plus
the typed messages the workers post back to the wizard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual.message import Message

from sumtui.text import escape_controls

if TYPE_CHECKING:
    from sqlmodel import Session

WHATIF_ROWS = 300  # rows of the what-if shown; `sumtui deploy whatif` lists them all


@dataclass(frozen=True)
class DeployWizardResult:
    """The deployment made: its name, where it goes and how much."""

    name: str
    collection: str
    updates: int
    members: int


@dataclass(frozen=True)
class WizardChoices:
    templates: list  # TemplateView, by name
    lists: list[tuple[str, int]]  # (name, updates)
    collections: list[tuple[str, int]]  # (name, members), All Systems first
    packages: list[str]
    deployments: set[str]  # name keys of the deployments that exist


@dataclass(frozen=True)
class WhatIfView:
    lines: list[str]  # the summary (deploy.deployment_summary)
    lints: list[str]
    rows: list[tuple[tuple, str]]  # (the table's cells, the reason), at most WHATIF_ROWS
    total: int  # installs planned
    clients: str  # the per-client figures in one line


def read_choices(session: Session) -> WizardChoices:
    from sqlalchemy import select

    from sumtui.deploy.lists import list_lists
    from sumtui.deploy.models import Deployment
    from sumtui.deploy.packages import list_packages
    from sumtui.deploy.templates import list_templates
    from sumtui.tui.fleet_sources import load_collections

    return WizardChoices(
        templates=list_templates(session),
        # Counted in no collection: only the sizes are wanted.
        lists=[(s.name, s.compliance.updates) for s in list_lists(session, collection_id=0)],
        collections=[(c.name, c.members) for c in load_collections(session)],
        packages=[p.name for p in list_packages(session)],
        deployments=set(session.execute(select(Deployment.name_key)).scalars()),
    )


def read_updates(session: Session, *, list_name: str | None, kbs: tuple[str, ...],
                 update_ids: tuple[int, ...]) -> tuple[int, list[str]]:
    """(how many catalog updates the first page names, the KBs no package holds a downloaded file
    for); ListError names a reference or list that names nothing, ValueError an empty list."""
    from sumtui.deploy.deployment_content import content_for
    from sumtui.deploy.deployments import update_facts
    from sumtui.deploy.lists import list_updates, resolve_refs

    ids = list(update_ids)
    if list_name:
        ids += [u.update_id for u in list_updates(session, name=list_name)]
    if kbs:
        ids += [u.update_id for u in resolve_refs(session, refs=kbs)]
    updates = update_facts(session, ids)
    if not updates:
        raise ValueError("no updates to deploy: the list is empty")
    held = content_for(session, update_ids=[u.update_id for u in updates])
    return len(updates), list(dict.fromkeys(f"KB{u.kb}" for u in updates if not held.get(u.update_id)))


def what_if_view(session: Session, *, spec, now: datetime) -> WhatIfView:
    """The summary page: the deployment in words, its lints and when each update installs where
    (DeploymentError when the site refuses the spec). Nothing is stored."""
    from sumtui.deploy.deployment_summary import summary_lines
    from sumtui.deploy.deployments import resolve
    from sumtui.deploy.whatif import what_if

    resolved = resolve(session, spec=spec)
    result = what_if(session, resolved=resolved, now=now)
    lines = summary_lines(resolved)
    session.rollback()
    windows = sum(c.windows_needed for c in result.clients)
    outside = sum(c.restarts_outside for c in result.clients)
    size = sum(result.bytes_per_distribution_point.values())
    clients = (f"{len(result.clients):,} client(s) · {windows:,} maintenance window(s) used · {outside:,} restart(s) "
               f"outside windows · {size / 1e6:,.1f} MB from the management point")
    return WhatIfView(lines, result.lints, [whatif_row(r) for r in result.installs[:WHATIF_ROWS]],
                      len(result.installs), clients)


def make_deployment(session: Session, *, spec, now: datetime) -> DeployWizardResult:
    """Store the deployment (`sumtui deploy create`'s function) and commit; DeploymentError says why not."""
    from sumtui.deploy.deployments import create_deployment
    from sumtui.fleet.models import Collection

    row = create_deployment(session, spec=spec, now=now)
    collection = session.get(Collection, row.collection_id)
    result = DeployWizardResult(row.name, collection.name if collection else "", row.update_count,
                                collection.members if collection else 0)
    session.commit()
    return result


def whatif_row(r) -> tuple[tuple, str]:
    """A what-if install as the table's cells (times in the client's own zone, named in the last column;
    a time on the install's own day shows only its hour, so every column fits 120 columns) and its reason."""
    day = r.start.astimezone(r.zone).date() if r.start is not None else None

    def at(value) -> str:
        if value is None:
            return "—"
        local = value.astimezone(r.zone)
        return f"{local:%H:%M}" if local.date() == day else f"{local:%a %m-%d %H:%M}"

    start = f"{r.start.astimezone(r.zone):%a %m-%d %H:%M}" if r.start is not None else "—"
    # A window is under 24 h: its end's hour says it.
    window = (f"{at(r.window_start)}–{r.window_end.astimezone(r.zone):%H:%M}" if r.window_start is not None
              else "no window")
    restart = at(r.restart_at) if r.restart_at is not None else ("pending" if r.pending_restart else "none")
    # The client's name is the agent's text: a rich Text, never markup.
    cells = (Text(escape_controls(r.client)), r.kb, start, at(r.end), window,
             "yes" if r.outside_window else "no", restart, escape_controls(r.time_zone))
    return cells, escape_controls(r.reason)


# ---------------------------------------------------------------------- messages from the workers


class DeployChoicesLoaded(Message):
    def __init__(self, choices: WizardChoices) -> None:
        super().__init__()
        self.choices = choices


class DeployUpdatesChecked(Message):
    """The updates the first page names: how many, which have no downloaded file, or what is wrong."""

    def __init__(self, token: int, *, count: int = 0, missing: list[str] | None = None, error: str | None = None) -> None:
        super().__init__()
        self.token, self.count, self.missing, self.error = token, count, missing or [], error


class DeployWhatIfReady(Message):
    def __init__(self, token: int, view: WhatIfView) -> None:
        super().__init__()
        self.token, self.view = token, view


class DeployWhatIfFailed(Message):
    def __init__(self, token: int, error: str) -> None:
        super().__init__()
        self.token, self.error = token, error


class DeploymentMade(Message):
    def __init__(self, result: DeployWizardResult) -> None:
        super().__init__()
        self.result = result


class DeploymentRefused(Message):
    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error
