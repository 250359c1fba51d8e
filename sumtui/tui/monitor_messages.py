"""Typed messages the monitoring workers post back to the UI thread (deployments, one deployment, Home's
alerts, a collection's compliance trend); see sumtui/tui/messages.py for the pattern."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from sumtui.deploy.status import DeploymentSummary
    from sumtui.deploy.status_pages import ErrorCode
    from sumtui.tui.monitor_sources import DeploymentLine
    from sumtui.workflows.alerts import Alert


class DeploymentsLoaded(Message):
    """Every deployment with its convergence; `nap`: the NAP evaluation in one line."""

    def __init__(self, lines: list[DeploymentLine], nap: str) -> None:
        super().__init__()
        self.lines = lines
        self.nap = nap


class DeploymentLoaded(Message):
    """One deployment's summary and failure codes (summary None: it was deleted)."""

    def __init__(self, summary: DeploymentSummary | None, codes: list[ErrorCode], converged: timedelta | None,
                 description: str | None = None) -> None:
        super().__init__()
        self.summary = summary
        self.codes = codes
        self.converged = converged
        self.description = description


class AlertsLoaded(Message):
    def __init__(self, alerts: list[Alert]) -> None:
        super().__init__()
        self.alerts = alerts


class TrendLoaded(Message):
    """A collection's or an update list's daily compliance (percent per day, oldest first) for its trend
    plot; `owner_id` is the collection's or the list's id."""

    def __init__(self, owner_id: int, name: str, points: list[tuple[object, float | None]]) -> None:
        super().__init__()
        self.owner_id = owner_id
        self.name = name
        self.points = points
