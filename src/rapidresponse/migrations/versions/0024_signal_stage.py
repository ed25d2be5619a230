"""signal pipeline stage: signals.processed_at and the partial indexes of pending signals

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 03:00:00.000000
"""
from alembic import op
import sqlalchemy as sa

from rapidresponse.db import UTCDateTime


revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

PENDING = sa.text("processed_at IS NULL")


def upgrade() -> None:
    op.add_column('signals', sa.Column('processed_at', UTCDateTime(timezone=True), nullable=True))
    # Signals stored before this revision were enriched and clustered at intake.
    op.execute("UPDATE signals SET processed_at = received_at")
    op.create_index('ix_signals_pending', 'signals', ['id'], unique=False,
                    postgresql_where=PENDING, sqlite_where=PENDING)
    op.create_index('ix_signals_pending_occurred', 'signals', ['occurred_at'], unique=False,
                    postgresql_where=PENDING, sqlite_where=PENDING)


def downgrade() -> None:
    op.drop_index('ix_signals_pending_occurred', table_name='signals')
    op.drop_index('ix_signals_pending', table_name='signals')
    with op.batch_alter_table('signals') as batch:
        batch.drop_column('processed_at')
