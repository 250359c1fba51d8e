"""deployments, state messages, NAP flags; windows in schedule form; client time zone

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 18:50:15

- `deployment`, `deployment_update`: updates deployed to a collection on a schedule.
- `deployment_state` (one row per targeted (deployment, client, update) that is not "not required"),
  `deployment_count` (rows per state, kept current with them), `deployment_event` (every state
  message received).
- `nap_flag`: updates flagged for NAP evaluation with an effective date.
- `client.time_zone` (the client's own zone) and `client.last_policy_at` (its last policy poll).
- `maintenance_window` in the scheduling rules' form: `start_at` (an instant, UTC) becomes `start`
  (a wall-clock time) with `utc`. Existing windows were UTC instants, so they keep their meaning as
  UTC windows (`utc` true, `start` their UTC wall clock); new ones default to each client's local time.
"""

from datetime import UTC

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def _windows():
    return sa.table('maintenance_window', sa.column('id', sa.Integer()),
                    sa.column('start_at', sqlmodel.sql.sqltypes.UTCDateTime()), sa.column('start', sa.DateTime()),
                    sa.column('utc', sa.Boolean()))


def upgrade() -> None:
    op.create_table('deployment_count',
    sa.Column('deployment_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.SmallInteger(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('deployment_id', 'state')
    )
    op.create_table('deployment_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deployment_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('kb', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('code', sa.BigInteger(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('simulated', sa.Boolean(), nullable=False),
    sa.Column('agent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('received_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('serial', sa.Integer(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('deployment_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deployment_event_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deployment_event_deployment_id'), ['deployment_id'], unique=False)

    op.create_table('deployment_state',
    sa.Column('deployment_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('update_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.SmallInteger(), nullable=False),
    sa.Column('source', sa.SmallInteger(), nullable=False),
    sa.Column('code', sa.BigInteger(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('simulated', sa.Boolean(), nullable=False),
    sa.Column('agent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('deployment_id', 'client_id', 'update_id')
    )
    with op.batch_alter_table('deployment_state', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deployment_state_client_id'), ['client_id'], unique=False)

    op.create_table('deployment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('name_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=127), nullable=True),
    sa.Column('collection_id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=True),
    sa.Column('template_id', sa.Integer(), nullable=True),
    sa.Column('package_id', sa.Integer(), nullable=True),
    sa.Column('available', sa.DateTime(), nullable=True),
    sa.Column('deadline', sa.DateTime(), nullable=True),
    sa.Column('local_time', sa.Boolean(), nullable=False),
    sa.Column('settings', sa.Text(), nullable=False),
    sa.Column('nap', sa.Boolean(), nullable=False),
    sa.Column('update_count', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['collection_id'], ['collection.id'], ),
    sa.ForeignKeyConstraint(['list_id'], ['update_list.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['package_id'], ['deployment_package.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['template_id'], ['deployment_template.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name_key')
    )
    with op.batch_alter_table('deployment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deployment_collection_id'), ['collection_id'], unique=False)

    op.create_table('nap_flag',
    sa.Column('update_id', sa.Integer(), nullable=False),
    sa.Column('effective', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('flagged_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['update_id'], ['catalog_update.id'], ),
    sa.PrimaryKeyConstraint('update_id')
    )
    op.create_table('deployment_update',
    sa.Column('deployment_id', sa.Integer(), nullable=False),
    sa.Column('update_id', sa.Integer(), nullable=False),
    sa.Column('kb', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('max_run_minutes', sa.Integer(), nullable=False),
    sa.Column('restart', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['deployment_id'], ['deployment.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['update_id'], ['catalog_update.id'], ),
    sa.PrimaryKeyConstraint('deployment_id', 'update_id')
    )
    with op.batch_alter_table('deployment_update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deployment_update_update_id'), ['update_id'], unique=False)

    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_policy_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('time_zone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))

    with op.batch_alter_table('maintenance_window', schema=None) as batch_op:
        batch_op.add_column(sa.Column('start', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('utc', sa.Boolean(), nullable=False, server_default=sa.false()))
    windows = _windows()
    connection = op.get_bind()
    for row in connection.execute(sa.select(windows.c.id, windows.c.start_at)).all():
        connection.execute(windows.update().where(windows.c.id == row.id).values(
            start=row.start_at.astimezone(UTC).replace(tzinfo=None), utc=True))
    with op.batch_alter_table('maintenance_window', schema=None) as batch_op:
        batch_op.alter_column('start', existing_type=sa.DateTime(), nullable=False)
        batch_op.drop_column('start_at')



def downgrade() -> None:
    with op.batch_alter_table('maintenance_window', schema=None) as batch_op:
        batch_op.add_column(sa.Column('start_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    windows = _windows()
    connection = op.get_bind()
    # A local-time window had no single instant: it goes back as if its wall clock were UTC.
    for row in connection.execute(sa.select(windows.c.id, windows.c.start)).all():
        connection.execute(windows.update().where(windows.c.id == row.id).values(start_at=row.start.replace(tzinfo=UTC)))
    with op.batch_alter_table('maintenance_window', schema=None) as batch_op:
        batch_op.alter_column('start_at', existing_type=sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False)
        batch_op.drop_column('utc')
        batch_op.drop_column('start')

    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.drop_column('time_zone')
        batch_op.drop_column('last_policy_at')

    with op.batch_alter_table('deployment_update', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deployment_update_update_id'))

    op.drop_table('deployment_update')
    op.drop_table('nap_flag')
    with op.batch_alter_table('deployment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deployment_collection_id'))

    op.drop_table('deployment')
    with op.batch_alter_table('deployment_state', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deployment_state_client_id'))

    op.drop_table('deployment_state')
    with op.batch_alter_table('deployment_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deployment_event_deployment_id'))
        batch_op.drop_index(batch_op.f('ix_deployment_event_client_id'))

    op.drop_table('deployment_event')
    op.drop_table('deployment_count')
