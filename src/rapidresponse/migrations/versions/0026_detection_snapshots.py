"""detection: snapshots of the detector bank's state, so that a restart replays only what came after one

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 06:40:00
"""
from alembic import op
import sqlalchemy as sa

from rapidresponse.db import UTCDateTime


revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('detection_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('format', sa.Integer(), nullable=False),
    sa.Column('config', sa.String(length=64), nullable=False),
    sa.Column('anchor', UTCDateTime(timezone=True), nullable=False),
    sa.Column('processed_until', UTCDateTime(timezone=True), nullable=False),
    sa.Column('series', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_detection_snapshots'))
    )
    op.create_index('ix_detection_snapshots_name_until', 'detection_snapshots', ['name', 'processed_until'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_detection_snapshots_name_until', table_name='detection_snapshots')
    op.drop_table('detection_snapshots')
