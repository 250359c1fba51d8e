"""deployment packages and the content store's index

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 10:00:00

- `deployment_package`: named sets of update content (SCCM's limits: name up to 50 characters,
  description up to 127), unique by `name_key` (NFKC, case-folded).
- `package_update`: each (KB, product) of a package with its download state and why.
- `package_file`: the files each package update needs (name, SHA-1, SHA-256, size, source) and
  where each stands for it (downloaded, missing, quarantined).
- `content_file`: the content store's index, one row per SHA-1 (sizes are 64-bit: feature updates
  exceed 2 GiB).
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('content_file',
    sa.Column('sha1', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('size', sa.BigInteger(), nullable=True),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('stored_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('verified_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('sha1')
    )
    op.create_table('deployment_package',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=127), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name'),
    sa.UniqueConstraint('name_key')
    )
    op.create_table('package_update',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('package_id', sa.Integer(), nullable=False),
    sa.Column('kb', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('product_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('product', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['package_id'], ['deployment_package.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('package_id', 'kb', 'product_id', name='uq_package_update')
    )
    with op.batch_alter_table('package_update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_package_update_kb'), ['kb'], unique=False)
        batch_op.create_index(batch_op.f('ix_package_update_package_id'), ['package_id'], unique=False)

    op.create_table('package_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('package_id', sa.Integer(), nullable=False),
    sa.Column('package_update_id', sa.Integer(), nullable=False),
    sa.Column('kb', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('file_name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('sha1', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('size', sa.BigInteger(), nullable=True),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('origin', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('catalog_update_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
    sa.Column('languages', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['package_id'], ['deployment_package.id'], ),
    sa.ForeignKeyConstraint(['package_update_id'], ['package_update.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('package_update_id', 'sha1', name='uq_package_file')
    )
    with op.batch_alter_table('package_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_package_file_package_id'), ['package_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_package_file_package_update_id'), ['package_update_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_package_file_sha1'), ['sha1'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('package_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_package_file_sha1'))
        batch_op.drop_index(batch_op.f('ix_package_file_package_update_id'))
        batch_op.drop_index(batch_op.f('ix_package_file_package_id'))

    op.drop_table('package_file')
    with op.batch_alter_table('package_update', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_package_update_package_id'))
        batch_op.drop_index(batch_op.f('ix_package_update_kb'))

    op.drop_table('package_update')
    op.drop_table('deployment_package')
    op.drop_table('content_file')
