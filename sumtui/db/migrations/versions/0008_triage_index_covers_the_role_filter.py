"""triage index covers the role filter

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 15:49:35

`ix_client_triage` (worst first: critical missing, failed, required) gains the id, its last tie-break,
and the role columns (`is_server`, `os_product`): Home's triage view (servers missing a Critical
update) then counts and pages from the index alone instead of reading the wide client rows
(at 100,000 clients, its count ~19 → ~5 ms and a page 15,000 rows deep ~45 → ~4 ms).
"""

from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

OLD = ['critical_missing', 'failed_count', 'required_count']
NEW = [*OLD, 'id', 'is_server', 'os_product']


def upgrade() -> None:
    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.drop_index('ix_client_triage')
        batch_op.create_index('ix_client_triage', NEW, unique=False)


def downgrade() -> None:
    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.drop_index('ix_client_triage')
        batch_op.create_index('ix_client_triage', OLD, unique=False)
