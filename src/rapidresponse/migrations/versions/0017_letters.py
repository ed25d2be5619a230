"""letters: the outgoing-number register of reply letters to regulators (sequential, per year)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 20:00:00
"""
from alembic import op
import sqlalchemy as sa
import rapidresponse.db


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('letter_counters',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_letter_counters'))
    )
    op.create_table('letter_register',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('regulator', sa.String(length=60), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('issued_at', rapidresponse.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_letter_register_issued_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['request_id'], ['policy_requests.id'], name=op.f('fk_letter_register_request_id_policy_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letter_register')),
    sa.UniqueConstraint('number', name=op.f('uq_letter_register_number')),
    sa.UniqueConstraint('request_id', name=op.f('uq_letter_register_request_id')),
    sa.UniqueConstraint('year', 'sequence', name=op.f('uq_letter_register_year_sequence'))
    )


def downgrade() -> None:
    op.drop_table('letter_register')
    op.drop_table('letter_counters')
