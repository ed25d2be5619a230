"""risk: the risk register, its versioned assessments, its mitigations and the digest's schedule

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 18:00:00
"""
from alembic import op
import sqlalchemy as sa

from rapidresponse.db import JSONType, UTCDateTime


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'risks',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('harm', sa.String(length=60), nullable=False),
        sa.Column('country', sa.String(length=8), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('area', sa.String(length=40), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=True),
        sa.Column('likelihood', sa.SmallInteger(), nullable=False),
        sa.Column('impact', sa.SmallInteger(), nullable=False),
        sa.Column('residual_likelihood', sa.SmallInteger(), nullable=False),
        sa.Column('residual_impact', sa.SmallInteger(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('assessed_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('baseline', JSONType(), nullable=False),
        sa.Column('flagged_reason', sa.Text(), nullable=True),
        sa.Column('flagged_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('harm', 'country', name='uq_risks_harm_country'),
    )
    op.create_index(op.f('ix_risks_harm'), 'risks', ['harm'], unique=False)
    op.create_index(op.f('ix_risks_country'), 'risks', ['country'], unique=False)
    op.create_table(
        'risk_assessments',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('risk_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('likelihood', sa.SmallInteger(), nullable=False),
        sa.Column('impact', sa.SmallInteger(), nullable=False),
        sa.Column('residual_likelihood', sa.SmallInteger(), nullable=False),
        sa.Column('residual_impact', sa.SmallInteger(), nullable=False),
        sa.Column('likelihood_reason', sa.Text(), nullable=False),
        sa.Column('impact_reason', sa.Text(), nullable=False),
        sa.Column('why', sa.Text(), nullable=False),
        sa.Column('indicators', JSONType(), nullable=False),
        sa.Column('reviews', JSONType(), nullable=False),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('approved_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('approved_at', UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['risk_id'], ['risks.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], ),
        sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('risk_id', 'number', name='uq_risk_assessments_number'),
    )
    op.create_index(op.f('ix_risk_assessments_risk_id'), 'risk_assessments', ['risk_id'], unique=False)
    op.create_table(
        'risk_mitigations',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('risk_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('ref', sa.String(length=200), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('added_by_id', sa.Integer(), nullable=True),
        sa.Column('added_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['risk_id'], ['risks.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_risk_mitigations_risk_id'), 'risk_mitigations', ['risk_id'], unique=False)
    op.create_table(
        'risk_digest_schedule',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('weekday', sa.SmallInteger(), nullable=False),
        sa.Column('hour', sa.SmallInteger(), nullable=False),
        sa.Column('timezone', sa.String(length=64), nullable=False),
        sa.Column('recipients', JSONType(), nullable=False),
        sa.Column('last_week', sa.String(length=10), nullable=True),
        sa.Column('last_sent_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade() -> None:
    op.drop_table('risk_digest_schedule')
    op.drop_table('risk_mitigations')
    op.drop_table('risk_assessments')
    op.drop_table('risks')
