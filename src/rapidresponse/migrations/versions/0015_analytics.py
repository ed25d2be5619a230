"""analytics: saved console queries and the query history

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-09 10:00:00
"""
from alembic import op
import sqlalchemy as sa

from rapidresponse.db import JSONType, UTCDateTime


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'analytics_queries',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('sql', sa.Text(), nullable=False),
        sa.Column('parameters', JSONType(), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('shared_with', sa.String(length=40), nullable=True),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_analytics_queries_owner_id'), 'analytics_queries', ['owner_id'], unique=False)
    op.create_table(
        'analytics_query_runs',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('sql', sa.Text(), nullable=False),
        sa.Column('saved_query_id', sa.Integer(), nullable=True),
        sa.Column('ran_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('milliseconds', sa.Integer(), nullable=False),
        sa.Column('rows', sa.Integer(), nullable=False),
        sa.Column('error', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['saved_query_id'], ['analytics_queries.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_analytics_query_runs_user_at', 'analytics_query_runs', ['user_id', 'ran_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_analytics_query_runs_user_at', table_name='analytics_query_runs')
    op.drop_table('analytics_query_runs')
    op.drop_index(op.f('ix_analytics_queries_owner_id'), table_name='analytics_queries')
    op.drop_table('analytics_queries')
