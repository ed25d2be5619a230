"""paging: contact methods and rules, telegram cursor, war rooms

Revision ID: 0022
Revises: 0020
Create Date: 2026-12-05 22:56:05.693236
"""
from alembic import op
import sqlalchemy as sa

from rapidresponse.db import UTCDateTime


revision = '0022'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notify_cursors',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('position', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_notify_cursors'))
    )
    op.create_table('notify_contact_methods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('address', sa.String(length=254), nullable=False),
    sa.Column('label', sa.String(length=80), nullable=False),
    sa.Column('code_hash', sa.String(length=128), nullable=True),
    sa.Column('code_expires_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('code_attempts', sa.Integer(), nullable=False),
    sa.Column('verified_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('failed_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notify_contact_methods_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notify_contact_methods')),
    sa.UniqueConstraint('user_id', 'kind', 'address', name=op.f('uq_notify_contact_methods_user_id_kind_address'))
    )
    with op.batch_alter_table('notify_contact_methods', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notify_contact_methods_user_id'), ['user_id'], unique=False)

    op.create_table('oncall_war_rooms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('incident_ref', sa.String(length=20), nullable=False),
    sa.Column('chat_id', sa.String(length=24), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_oncall_war_rooms_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oncall_war_rooms')),
    sa.UniqueConstraint('incident_id', 'chat_id', name=op.f('uq_oncall_war_rooms_incident_id_chat_id'))
    )
    with op.batch_alter_table('oncall_war_rooms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_oncall_war_rooms_chat_id'), ['chat_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_oncall_war_rooms_incident_id'), ['incident_id'], unique=False)

    op.create_table('notify_contact_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('delay_minutes', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['notify_contact_methods.id'], name=op.f('fk_notify_contact_rules_contact_id_notify_contact_methods'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notify_contact_rules_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notify_contact_rules')),
    sa.UniqueConstraint('contact_id', 'delay_minutes', name=op.f('uq_notify_contact_rules_contact_id_delay_minutes'))
    )
    with op.batch_alter_table('notify_contact_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notify_contact_rules_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notify_contact_rules_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('oncall_page_targets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reached', sa.Boolean(), server_default=sa.true(), nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('oncall_page_targets', schema=None) as batch_op:
        batch_op.drop_column('reached')

    with op.batch_alter_table('notify_contact_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notify_contact_rules_user_id'))
        batch_op.drop_index(batch_op.f('ix_notify_contact_rules_contact_id'))

    op.drop_table('notify_contact_rules')
    with op.batch_alter_table('oncall_war_rooms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_oncall_war_rooms_incident_id'))
        batch_op.drop_index(batch_op.f('ix_oncall_war_rooms_chat_id'))

    op.drop_table('oncall_war_rooms')
    with op.batch_alter_table('notify_contact_methods', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notify_contact_methods_user_id'))

    op.drop_table('notify_contact_methods')
    op.drop_table('notify_cursors')
