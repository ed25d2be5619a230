"""wellness: safe-viewing settings, the exposure log, budgets, surges, anonymous check-ins and support resources

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 19:49:48.073775
"""
from alembic import op
import sqlalchemy as sa

from rapidresponse.db import JSONType, UTCDateTime


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('wellness_budgets',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('intensity', sa.String(length=10), nullable=False),
    sa.Column('daily_minutes', sa.Integer(), nullable=True),
    sa.Column('weekly_minutes', sa.Integer(), nullable=True),
    sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wellness_budgets')),
    sa.UniqueConstraint('user_id', 'intensity', name='uq_wellness_budgets')
    )
    op.create_table('wellness_checkins',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('incident_ref', sa.String(length=40), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('wellbeing', sa.SmallInteger(), nullable=False),
    sa.Column('workload', sa.SmallInteger(), nullable=False),
    sa.Column('wants_support', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wellness_checkins'))
    )
    with op.batch_alter_table('wellness_checkins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wellness_checkins_incident_ref'), ['incident_ref'], unique=False)

    op.create_table('wellness_resources',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('contact', sa.String(length=300), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wellness_resources'))
    )
    op.create_table('wellness_surges',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('factor', sa.Float(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('incident_ref', sa.String(length=40), nullable=True),
    sa.Column('started_by', sa.String(length=64), nullable=False),
    sa.Column('started_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wellness_surges'))
    )
    op.create_table('wellness_checkin_receipts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('incident_ref', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_wellness_checkin_receipts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wellness_checkin_receipts')),
    sa.UniqueConstraint('user_id', 'incident_ref', name='uq_wellness_checkin_receipts')
    )
    op.create_table('wellness_exposures',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('harm', sa.String(length=60), nullable=False),
    sa.Column('intensity', sa.String(length=10), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('seconds', sa.Integer(), nullable=False),
    sa.Column('incident_ref', sa.String(length=40), nullable=True),
    sa.Column('occurred_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_wellness_exposures_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wellness_exposures'))
    )
    with op.batch_alter_table('wellness_exposures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wellness_exposures_incident_ref'), ['incident_ref'], unique=False)
        batch_op.create_index('ix_wellness_exposures_user_at', ['user_id', 'occurred_at'], unique=False)

    op.create_table('wellness_viewing',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('general', JSONType(), nullable=False),
    sa.Column('sensitive', JSONType(), nullable=False),
    sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_wellness_viewing_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_wellness_viewing'))
    )


def downgrade() -> None:
    op.drop_table('wellness_viewing')
    with op.batch_alter_table('wellness_exposures', schema=None) as batch_op:
        batch_op.drop_index('ix_wellness_exposures_user_at')
        batch_op.drop_index(batch_op.f('ix_wellness_exposures_incident_ref'))

    op.drop_table('wellness_exposures')
    op.drop_table('wellness_checkin_receipts')
    op.drop_table('wellness_surges')
    op.drop_table('wellness_resources')
    with op.batch_alter_table('wellness_checkins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wellness_checkins_incident_ref'))

    op.drop_table('wellness_checkins')
    op.drop_table('wellness_budgets')
