"""lifecycle: payload digests on events (redactable payloads) and legal holds on incidents

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 23:00:00.000000
"""
from alembic import op
import sqlalchemy as sa

from rapidresponse.db import UTCDateTime


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payload_hash', sa.String(length=64), nullable=True))
    op.create_table('legal_holds',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('placed_by', sa.String(length=120), nullable=False),
    sa.Column('placed_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('released_by', sa.String(length=120), nullable=True),
    sa.Column('released_at', UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_holds'))
    )
    with op.batch_alter_table('legal_holds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_legal_holds_incident_id'), ['incident_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('legal_holds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_legal_holds_incident_id'))
    op.drop_table('legal_holds')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('payload_hash')
