"""clients, collections and compliance

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 16:49:59.804140
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('client',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('domain', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('os_name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('build', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('ubr', sa.Integer(), nullable=True),
    sa.Column('architecture', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('is_server', sa.Boolean(), nullable=True),
    sa.Column('edition', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('os_product', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('agent_version', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name_key', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('installed_kbs', sa.Text(), nullable=False),
    sa.Column('reported_products', sa.Text(), nullable=False),
    sa.Column('tags', sa.Text(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('last_inventory', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('inventory_note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('last_scan', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('last_report', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('last_contact', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('out_of_support', sa.Boolean(), nullable=False),
    sa.Column('end_of_support', sa.Date(), nullable=True),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
    sa.Column('report_serial', sa.Integer(), nullable=False),
    sa.Column('needs_full_resend', sa.Boolean(), nullable=False),
    sa.Column('evaluated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('required_count', sa.Integer(), nullable=False),
    sa.Column('installed_count', sa.Integer(), nullable=False),
    sa.Column('failed_count', sa.Integer(), nullable=False),
    sa.Column('critical_missing', sa.Integer(), nullable=False),
    sa.Column('important_missing', sa.Integer(), nullable=False),
    sa.Column('states', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name_key')
    )
    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_client_last_report'), ['last_report'], unique=False)
        batch_op.create_index(batch_op.f('ix_client_os_product'), ['os_product'], unique=False)
        batch_op.create_index('ix_client_triage', ['critical_missing', 'failed_count', 'required_count'], unique=False)
        batch_op.create_index(batch_op.f('ix_client_required_count'), ['required_count'], unique=False)

    op.create_table('collection',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('rule', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('members', sa.Integer(), nullable=False),
    sa.Column('reported', sa.Integer(), nullable=False),
    sa.Column('compliant', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('compliance_snapshot',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('collection_id', sa.Integer(), nullable=False),
    sa.Column('members', sa.Integer(), nullable=False),
    sa.Column('reported', sa.Integer(), nullable=False),
    sa.Column('compliant', sa.Integer(), nullable=False),
    sa.Column('required', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'collection_id')
    )
    op.create_table('compliance_state',
    sa.Column('update_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.SmallInteger(), nullable=False),
    sa.Column('source', sa.SmallInteger(), nullable=False),
    sa.PrimaryKeyConstraint('update_id', 'client_id')
    )
    op.create_table('scan_state',
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('update_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.SmallInteger(), nullable=False),
    sa.Column('reported_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('client_id', 'update_id')
    )
    op.create_table('supersedence_edge',
    sa.Column('newer_kb', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('older_kb', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('product_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.PrimaryKeyConstraint('newer_kb', 'older_kb')
    )
    with op.batch_alter_table('supersedence_edge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supersedence_edge_older_kb'), ['older_kb'], unique=False)

    op.create_table('update_summary',
    sa.Column('collection_id', sa.Integer(), nullable=False),
    sa.Column('update_id', sa.Integer(), nullable=False),
    sa.Column('required', sa.Integer(), nullable=False),
    sa.Column('installed', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('collection_id', 'update_id')
    )
    op.create_table('collection_member',
    sa.Column('collection_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], ),
    sa.ForeignKeyConstraint(['collection_id'], ['collection.id'], ),
    sa.PrimaryKeyConstraint('collection_id', 'client_id')
    )
    with op.batch_alter_table('collection_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_collection_member_client_id'), ['client_id'], unique=False)

    op.create_table('maintenance_window',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('start_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('recurrence', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('collection_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['collection_id'], ['collection.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('maintenance_window', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_maintenance_window_collection_id'), ['collection_id'], unique=False)

    with op.batch_alter_table('catalog_update', schema=None) as batch_op:
        # Existing catalogs get 'other' until the next sync or import derives the roles.
        batch_op.add_column(sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default='other'))
        batch_op.add_column(sa.Column('kb_month', sa.Date(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('catalog_update', schema=None) as batch_op:
        batch_op.drop_column('kb_month')
        batch_op.drop_column('role')

    with op.batch_alter_table('maintenance_window', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_maintenance_window_collection_id'))

    op.drop_table('maintenance_window')
    with op.batch_alter_table('collection_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_collection_member_client_id'))

    op.drop_table('collection_member')
    op.drop_table('update_summary')
    with op.batch_alter_table('supersedence_edge', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supersedence_edge_older_kb'))

    op.drop_table('supersedence_edge')
    op.drop_table('scan_state')
    op.drop_table('compliance_state')
    op.drop_table('compliance_snapshot')
    op.drop_table('collection')
    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_client_required_count'))
        batch_op.drop_index(batch_op.f('ix_client_os_product'))
        batch_op.drop_index('ix_client_triage')
        batch_op.drop_index(batch_op.f('ix_client_last_report'))

    op.drop_table('client')
