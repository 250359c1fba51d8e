"""Home's monitoring alerts (sumtui.workflows.alerts): a failed or interrupted sync, a deployment's error
rate above the threshold, clients silent for N days; thresholds from the site setting, errors first, each
with a plain-text severity marker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from sumtui.catalog.models import SyncRun
from sumtui.db.site_settings import save_setting
from sumtui.fleet.models import Client
from sumtui.workflows.alerts import (
    ALERT_SETTINGS_KEY,
    ERROR,
    WARNING,
    AlertSettings,
    alerts,
    load_alert_settings,
)

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def _run(session, status: str, *, kind: str = "sync", message: str | None = None, hours_ago: int = 2) -> None:
    ended = NOW - timedelta(hours=hours_ago)
    session.add(SyncRun(kind=kind, source="https://api.msrc.microsoft.com", started_at=ended - timedelta(minutes=1),
                        ended_at=ended, status=status, message=message))
    session.commit()


def test_a_quiet_site_has_no_alert_and_the_thresholds_default(sqlite_site):
    with sqlite_site.session() as session:
        assert alerts(session, now=NOW) == []
        assert load_alert_settings(session) == AlertSettings(error_rate_pct=10.0, silent_days=7)


def test_the_last_run_failed_or_interrupted_is_an_error_a_partial_one_a_warning(sqlite_site):
    with sqlite_site.session() as session:
        _run(session, "ok", hours_ago=5)
        assert alerts(session, now=NOW) == []
        _run(session, "failed", message="HTTP 503 from upstream", hours_ago=3)
        [alert] = alerts(session, now=NOW)
        assert (alert.severity, alert.kind, alert.page, alert.marker) == (ERROR, "sync", "sync", "[!!]")
        assert alert.text == "The last sync run failed 3 h ago: HTTP 503 from upstream"
        _run(session, "interrupted", kind="import", hours_ago=2)
        assert [a.text for a in alerts(session, now=NOW)] == ["The last import run interrupted 2 h ago"]
        _run(session, "partial", hours_ago=1)
        [alert] = alerts(session, now=NOW)
        assert (alert.severity, alert.marker) == (WARNING, "[! ]") and "partial" in alert.text
        _run(session, "ok", hours_ago=0)
        assert alerts(session, now=NOW) == []


def test_a_deployment_failing_above_the_threshold_and_silent_clients(catalog_site):
    from sumtui.deploy.deployments import create_deployment
    from sumtui.deploy.messages import Message, apply_messages
    from tests.compliance.scenario import CU
    from tests.deploy.fleet_fixture import build_fleet, spec

    with catalog_site.session() as session:
        ids = build_fleet(session)
        row = create_deployment(session, spec=spec(), now=NOW)
        session.commit()
        assert alerts(session, now=NOW) == []  # nothing failed yet, every client reported just now
        apply_messages(session, reports=[(ids["WS-1"], 1, [
            Message(deployment_id=row.id, kb=CU[4], state="failed", code=0x80070643, at=NOW)])], now=NOW)
        session.commit()
        [alert] = alerts(session, now=NOW)
        assert (alert.severity, alert.kind, alert.page, alert.target) == (ERROR, "deployment", "deployments", "April")
        assert alert.text.startswith("Deployment 'April': 1 of ") and "above 10%" in alert.text

        # Two clients went silent a month ago: a warning, after the errors.
        month_ago = NOW - timedelta(days=30)
        session.execute(update(Client.__table__).where(Client.__table__.c.id.in_([ids["WS-2"], ids["SRV-1"]]))
                        .values(last_report=month_ago, created_at=month_ago))
        session.commit()
        found = alerts(session, now=NOW)
        assert [(a.severity, a.kind) for a in found] == [(ERROR, "deployment"), (WARNING, "silent")]
        assert found[1].text == "2 clients have not reported an inventory or scan for 7+ days"
        assert found[1].page == "clients"

        # The operator's thresholds: a higher error rate and a longer silence raise nothing.
        save_setting(session, key=ALERT_SETTINGS_KEY, value=AlertSettings(error_rate_pct=90, silent_days=60))
        assert alerts(session, now=NOW) == []
        assert alerts(session, now=NOW, settings=AlertSettings(error_rate_pct=0, silent_days=1))[0].kind == "deployment"
