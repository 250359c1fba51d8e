"""registrations held for the operator; the enrollment key stored as a hash

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 10:00:00

- `pending_registration`: registrations of names the site already knows, held until the operator
  approves or rejects them (`sumtui.fleet.registrations`).
- `client.registration_reset_at`: set when the operator reset a client's registration.
- The site enrollment key was stored as it is; it is replaced by its SHA-256 (`key_hash`), so the
  key agents already use keeps working and a copy of the database no longer reveals it. The hash is
  computed here as it is at this revision, so a later change of `sumtui.fleet.enrollment` never
  changes what this migration does. A downgrade cannot recover the key: it removes it, and the
  operator makes a new one (`sumtui enroll-key`).
"""

import hashlib
import json

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

ENROLLMENT = "enrollment"
_setting = sa.table("site_setting", sa.column("key", sa.String), sa.column("value", sa.String),
                    sa.column("saved_at", sqlmodel.sql.sqltypes.UTCDateTime()))


def upgrade() -> None:
    op.create_table('pending_registration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('name_key', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('secret_hash', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('agent_version', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('inventory', sa.Text(), nullable=True),
    sa.Column('requested_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('last_attempt_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name_key'),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registration_reset_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    _hash_enrollment_key()


def _hash_enrollment_key() -> None:
    bind = op.get_bind()
    row = bind.execute(sa.select(_setting.c.value, _setting.c.saved_at).where(_setting.c.key == ENROLLMENT)).first()
    if row is None:
        return
    try:
        stored = json.loads(row.value)
    except ValueError:
        stored = {}
    key = stored.get("key") if isinstance(stored, dict) else None
    if isinstance(stored, dict) and stored.get("key_hash"):
        return  # already a hash
    if not key:
        bind.execute(_setting.delete().where(_setting.c.key == ENROLLMENT))
        return
    value = {"key_hash": hashlib.sha256(key.encode()).hexdigest(),
             "created_at": row.saved_at.isoformat() if row.saved_at else None}
    bind.execute(_setting.update().where(_setting.c.key == ENROLLMENT).values(value=json.dumps(value)))


def downgrade() -> None:
    op.get_bind().execute(_setting.delete().where(_setting.c.key == ENROLLMENT))
    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.drop_column('registration_reset_at')
    op.drop_table('pending_registration')
