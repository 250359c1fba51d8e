"""update list compliance snapshots

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 16:42:17

`list_compliance_snapshot`: one row per update list and day (its compliance in All Systems: members,
reported, compliant for the whole list, with at least one update required), taken with the collections'
daily snapshots, for a list's trend plot. Keyed list first (a list's last days are one range); deleting
a list deletes its rows. An upgraded site starts its lists' history on the next snapshot.
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('list_compliance_snapshot',
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('members', sa.Integer(), nullable=False),
    sa.Column('reported', sa.Integer(), nullable=False),
    sa.Column('compliant', sa.Integer(), nullable=False),
    sa.Column('required', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['list_id'], ['update_list.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('list_id', 'day')
    )


def downgrade() -> None:
    op.drop_table('list_compliance_snapshot')
