"""How many clients are unhealthy under NAP evaluation, counted in SQL for Home's checklist and the
monitoring page (which re-read it whenever agents report): the same verdict as `nap.verdicts`, which
decodes every client's states (seconds on 100k clients), read here from the update-major
`compliance_state` rows of the flagged updates (an index range per update) and one count of the
clients whose compliance is not known.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlmodel import Session

from sumtui.compliance.models import FAILED, REQUIRED, ComplianceState
from sumtui.deploy.nap import list_flags
from sumtui.fleet.models import Client
from sumtui.timeutil import utcnow

CS = ComplianceState.__table__
C = Client.__table__


def _known():
    return or_(C.c.last_scan.is_not(None), and_(C.c.last_inventory.is_not(None), C.c.os_product.is_not(None)))


def nap_counts(session: Session, *, now: datetime | None = None) -> tuple[int, int, int]:
    """(updates flagged, flagged and effective by now, unhealthy clients)."""
    now = now or utcnow()
    flags = list_flags(session)
    effective = sorted({f.update_id for f in flags if f.effective <= now})
    if not effective:
        return len(flags), 0, 0
    missing = (select(CS.c.client_id).where(CS.c.update_id.in_(effective), CS.c.state.in_((REQUIRED, FAILED)))
               .distinct().subquery())
    known_missing = session.execute(select(func.count()).select_from(missing).join(C, C.c.id == missing.c.client_id)
                                    .where(_known())).scalar_one()
    unknown = session.execute(select(func.count()).select_from(C).where(~_known())).scalar_one()
    return len(flags), len(effective), known_missing + unknown
