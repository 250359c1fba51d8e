"""Where a deployment's updates get their files: the downloaded, verified files of its package (or,
when it names none, of any package holding the update), as agents download them from the management
point. An update no package holds downloaded is "content missing": a lint before creating, a
`download_failed` with that reason on agents that need files.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from sumtui.catalog.models import Update
from sumtui.deploy.models import (
    DOWNLOADED,
    STORED,
    ContentFile,
    PackageFile,
    PackageUpdate,
)

PU = PackageUpdate.__table__
PF = PackageFile.__table__
CF = ContentFile.__table__
U = Update.__table__


@dataclass(frozen=True)
class ContentFileRef:
    sha1: str
    name: str
    size: int | None
    sha256: str | None

    def as_policy(self) -> dict:
        return {"sha1": self.sha1, "name": self.name, "size": self.size, "sha256": self.sha256}


def content_for(session: Session, *, update_ids: Iterable[int], package_id: int | None = None) -> dict[int, list[ContentFileRef]]:
    """Update id → its servable files (stored in the content store and downloaded in the package). A
    package update taken without a product (product_id "") serves every product of its KB."""
    ids = sorted(set(update_ids))
    if not ids:
        return {}
    keys: dict[tuple[str, str], list[int]] = defaultdict(list)
    for start in range(0, len(ids), 900):
        for uid, kb, product_id in session.execute(select(U.c.id, U.c.kb, U.c.product_id).where(U.c.id.in_(ids[start:start + 900]))):
            keys[(kb, product_id)].append(uid)
            keys[(kb, "")].append(uid)
    kbs = sorted({kb for kb, _ in keys})
    query = (select(PU.c.kb, PU.c.product_id, PF.c.sha1, PF.c.file_name, PF.c.size, PF.c.sha256)
             .join(PF, PF.c.package_update_id == PU.c.id)
             .join(CF, CF.c.sha1 == PF.c.sha1)
             .where(PF.c.state == DOWNLOADED, CF.c.state == STORED))
    if package_id is not None:
        query = query.where(PU.c.package_id == package_id)
    out: dict[int, dict[str, ContentFileRef]] = defaultdict(dict)
    for start in range(0, len(kbs), 900):
        for r in session.execute(query.where(PU.c.kb.in_(kbs[start:start + 900]))):
            for uid in keys.get((r.kb, r.product_id), ()):
                out[uid].setdefault(r.sha1, ContentFileRef(r.sha1, r.file_name, r.size, r.sha256))
    return {uid: sorted(files.values(), key=lambda f: f.name) for uid, files in out.items()}

