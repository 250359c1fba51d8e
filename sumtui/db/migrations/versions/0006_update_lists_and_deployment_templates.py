"""update lists and deployment templates

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 12:00:00

- `update_list`: named static sets of updates (SCCM's limits: name up to 50 characters, description
  up to 127); names are unique ignoring case (`name_key`).
- `update_list_item`: the catalog updates (one KB for one product) each list holds.
- `deployment_template`: reusable deployment settings as JSON, with the collection as a reference
  that a deleted collection clears.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('update_list',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('name_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=127), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name_key')
    )
    op.create_table('deployment_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('name_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=127), nullable=True),
    sa.Column('collection_id', sa.Integer(), nullable=True),
    sa.Column('settings', sa.Text(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['collection_id'], ['collection.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name_key')
    )
    with op.batch_alter_table('deployment_template', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deployment_template_collection_id'), ['collection_id'], unique=False)

    op.create_table('update_list_item',
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('update_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['list_id'], ['update_list.id'], ),
    sa.ForeignKeyConstraint(['update_id'], ['catalog_update.id'], ),
    sa.PrimaryKeyConstraint('list_id', 'update_id')
    )
    with op.batch_alter_table('update_list_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_update_list_item_update_id'), ['update_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('update_list_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_update_list_item_update_id'))

    op.drop_table('update_list_item')
    with op.batch_alter_table('deployment_template', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deployment_template_collection_id'))

    op.drop_table('deployment_template')
    op.drop_table('update_list')
