"""decisions: what the content is when its type is "other" (the statement of reasons' content_type_other)

Decisions recorded before this revision have it empty.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('policy_decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('content_type_other', sa.String(length=500), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('policy_decisions', schema=None) as batch_op:
        batch_op.drop_column('content_type_other')
