"""catalog and site settings

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 16:40:48.153171
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cvrf_document',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('alias', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('month', sa.Date(), nullable=True),
    sa.Column('initial_release', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('current_release', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('upstream_revision', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('selection', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('fetched_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('vulnerabilities', sa.Integer(), nullable=False),
    sa.Column('updates', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('product',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('family', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('first_month', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('last_month', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_name'), ['name'], unique=False)

    op.create_table('search_folder',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('criteria', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('site_setting',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('value', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('saved_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('sync_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('ended_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('months_fetched', sa.Integer(), nullable=False),
    sa.Column('months_unchanged', sa.Integer(), nullable=False),
    sa.Column('months_failed', sa.Integer(), nullable=False),
    sa.Column('updates_new', sa.Integer(), nullable=False),
    sa.Column('updates_revised', sa.Integer(), nullable=False),
    sa.Column('updates_superseded', sa.Integer(), nullable=False),
    sa.Column('updates_expired', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('vulnerability',
    sa.Column('cve', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('document', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('advisories', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('cve')
    )
    with op.batch_alter_table('vulnerability', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vulnerability_document'), ['document'], unique=False)

    op.create_table('catalog_update',
    sa.Column('kb', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('product_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('product', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('classification', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('subtype', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('severity', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('severity_rank', sa.Integer(), nullable=False),
    sa.Column('impact', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('released', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('revised', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('document', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('restart', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('fixed_build', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('cve_count', sa.Integer(), nullable=False),
    sa.Column('superseded', sa.Boolean(), nullable=False),
    sa.Column('expired', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('search', sa.Text(), nullable=False),
    sa.Column('digest', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kb', 'product_id', name='uq_update_kb_product')
    )
    with op.batch_alter_table('catalog_update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalog_update_expired'), ['expired'], unique=False)
        batch_op.create_index(batch_op.f('ix_catalog_update_kb'), ['kb'], unique=False)
        batch_op.create_index(batch_op.f('ix_catalog_update_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_catalog_update_released'), ['released'], unique=False)
        batch_op.create_index(batch_op.f('ix_catalog_update_severity_rank'), ['severity_rank'], unique=False)
        batch_op.create_index(batch_op.f('ix_catalog_update_superseded'), ['superseded'], unique=False)

    op.create_table('sync_error',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('month', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['sync_run.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sync_error', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sync_error_run_id'), ['run_id'], unique=False)

    op.create_table('update_source',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('update_id', sa.Integer(), nullable=False),
    sa.Column('document', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('cve', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('severity', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('impact', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('subtype', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('restart', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('fixed_build', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('supersedes', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.ForeignKeyConstraint(['update_id'], ['catalog_update.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('update_id', 'document', 'cve', name='uq_source_update_doc_cve')
    )
    with op.batch_alter_table('update_source', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_update_source_cve'), ['cve'], unique=False)
        batch_op.create_index('ix_update_source_document', ['document'], unique=False)
        batch_op.create_index(batch_op.f('ix_update_source_update_id'), ['update_id'], unique=False)

    op.create_table('update_supersedes',
    sa.Column('update_id', sa.Integer(), nullable=False),
    sa.Column('kb', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.ForeignKeyConstraint(['update_id'], ['catalog_update.id'], ),
    sa.PrimaryKeyConstraint('update_id', 'kb')
    )
    with op.batch_alter_table('update_supersedes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_update_supersedes_kb'), ['kb'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('update_supersedes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_update_supersedes_kb'))

    op.drop_table('update_supersedes')
    with op.batch_alter_table('update_source', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_update_source_update_id'))
        batch_op.drop_index('ix_update_source_document')
        batch_op.drop_index(batch_op.f('ix_update_source_cve'))

    op.drop_table('update_source')
    with op.batch_alter_table('sync_error', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sync_error_run_id'))

    op.drop_table('sync_error')
    with op.batch_alter_table('catalog_update', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalog_update_superseded'))
        batch_op.drop_index(batch_op.f('ix_catalog_update_severity_rank'))
        batch_op.drop_index(batch_op.f('ix_catalog_update_released'))
        batch_op.drop_index(batch_op.f('ix_catalog_update_product_id'))
        batch_op.drop_index(batch_op.f('ix_catalog_update_kb'))
        batch_op.drop_index(batch_op.f('ix_catalog_update_expired'))

    op.drop_table('catalog_update')
    with op.batch_alter_table('vulnerability', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vulnerability_document'))

    op.drop_table('vulnerability')
    op.drop_table('sync_run')
    op.drop_table('site_setting')
    op.drop_table('search_folder')
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_name'))

    op.drop_table('product')
    op.drop_table('cvrf_document')
