"""host names compared the way Windows does; the CVE revision date on update sources

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 10:00:00

- `client.name_key` is recomputed: NFKC, then each character upper-cased on its own (a character
  whose upper case is longer, like "ß", stays). Two existing clients whose names now compare equal
  are not merged: the earlier keeps (or takes) the key, the later keeps its old key, and a log line
  names both. The key functions are copied here as they are at this revision, so a later change of
  `sumtui.fleet.clients.name_key` never changes what this migration does.
- `update_source.cve_revised` holds the CVE entry's latest RevisionHistory date: it dates the KBs
  that ADV990001 (an advisory edited in place for years) names. Documents that host ADV990001 are
  marked for a new fetch, so the next sync stores those dates.
- The derived data (roles, release months, edges) follows new rules (normalised SubTypes, .NET lines,
  FixedBuild revisions): the catalog counts one more change ("catalog.stored", see
  sumtui/catalog/versions.py), so the next sync or import recomputes it and the fleet is re-evaluated.
"""

import json
import logging
import unicodedata
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

log = logging.getLogger("sumtui.migrations")

_client = sa.table("client", sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("name_key", sa.String))
_source = sa.table("update_source", sa.column("document", sa.String), sa.column("cve", sa.String))
_document = sa.table("cvrf_document", sa.column("id", sa.String), sa.column("upstream_revision", sa.String))
_setting = sa.table("site_setting", sa.column("key", sa.String), sa.column("value", sa.String),
                    sa.column("saved_at", sa.DateTime))
STORED = "catalog.stored"


def _windows_key(name: str) -> str:
    text = unicodedata.normalize("NFKC", name.strip())
    return "".join(u if len(u := ch.upper()) == 1 else ch for ch in text)[:255]


def _upper_key(name: str) -> str:
    return name.strip().upper()[:255]


def _rekey(key_of) -> None:
    """Give every client the key `key_of` computes, unless an earlier client already has it."""
    bind = op.get_bind()
    rows = list(bind.execute(sa.select(_client.c.id, _client.c.name, _client.c.name_key).order_by(_client.c.id)))
    wanted = {row.id: key_of(row.name) for row in rows}
    # A client that already holds its new key keeps it; the others take theirs in creation order.
    taken = {row.name_key: row.id for row in rows if wanted[row.id] == row.name_key}
    final = {}
    for row in rows:
        if wanted[row.id] == row.name_key:
            continue
        key = wanted[row.id]
        if key in taken:
            log.warning("client %r (id %d) keeps its key %r: its name now compares equal to client id %d's",
                        row.name, row.id, row.name_key, taken[key])
            key = row.name_key
            if key in taken:  # its old key is now another client's: keep it apart
                key = f"{row.name_key[:240]}~{row.id}"
        taken[key] = row.id
        final[row.id] = key
    if not final:
        return
    # Two steps, so that a key moving from one client to another never meets a unique-key violation.
    for client_id in final:
        bind.execute(_client.update().where(_client.c.id == client_id).values(name_key=f"\t{client_id}"))
    for client_id, key in final.items():
        bind.execute(_client.update().where(_client.c.id == client_id).values(name_key=key))


def _count_a_catalog_change() -> None:
    bind = op.get_bind()
    text = bind.execute(sa.select(_setting.c.value).where(_setting.c.key == STORED)).scalar()
    try:
        count = json.loads(text) if text is not None else 0
    except ValueError:
        count = 0
    count = (count if isinstance(count, int) else 0) + 1
    now = datetime.now(UTC)
    if text is None:
        bind.execute(_setting.insert().values(key=STORED, value=str(count), saved_at=now))
    else:
        bind.execute(_setting.update().where(_setting.c.key == STORED).values(value=str(count), saved_at=now))


def upgrade() -> None:
    with op.batch_alter_table('update_source', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cve_revised', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    _rekey(_windows_key)
    hosts = sa.select(_source.c.document).where(_source.c.cve == "ADV990001").distinct()
    op.get_bind().execute(_document.update().where(_document.c.id.in_(hosts)).values(upstream_revision=None))
    if op.get_bind().execute(sa.select(_document.c.id).limit(1)).first() is not None:
        _count_a_catalog_change()


def downgrade() -> None:
    _rekey(_upper_key)
    with op.batch_alter_table('update_source', schema=None) as batch_op:
        batch_op.drop_column('cve_revised')
