"""translation: requests, language skills, the translation memory, the glossary and reviewers' marks

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 22:55:50.450201
"""
from alembic import op
import sqlalchemy as sa

from rapidresponse.db import JSONType, UTCDateTime


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('glossary_terms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('concept', sa.String(length=200), nullable=False),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('part_of_speech', sa.String(length=20), nullable=False),
    sa.Column('domain', sa.String(length=20), nullable=False),
    sa.Column('do_not_translate', sa.Boolean(), nullable=False),
    sa.Column('variants', JSONType(), nullable=False),
    sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_glossary_terms')),
    sa.UniqueConstraint('concept', name=op.f('uq_glossary_terms_concept'))
    )
    op.create_table('language_skills',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('level', sa.String(length=12), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_language_skills_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_language_skills')),
    sa.UniqueConstraint('user_id', 'language', name='uq_language_skills_user_language')
    )
    with op.batch_alter_table('language_skills', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_language_skills_user_id'), ['user_id'], unique=False)

    op.create_table('translation_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.Column('source_kind', sa.String(length=40), nullable=False),
    sa.Column('source_id', sa.String(length=64), nullable=False),
    sa.Column('source_lang', sa.String(length=8), nullable=False),
    sa.Column('target_lang', sa.String(length=8), nullable=False),
    sa.Column('source_text', sa.Text(), nullable=False),
    sa.Column('source_sha256', sa.String(length=64), nullable=False),
    sa.Column('harm', sa.String(length=60), nullable=True),
    sa.Column('channel', sa.String(length=30), nullable=True),
    sa.Column('priority', sa.String(length=10), nullable=False),
    sa.Column('due_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('translation', sa.Text(), nullable=False),
    sa.Column('suggestion', sa.Text(), nullable=False),
    sa.Column('suggestion_provider', sa.String(length=40), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('translator_id', sa.Integer(), nullable=True),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_translation_requests_incident_id_incidents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_translation_requests_requested_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_translation_requests_reviewer_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['translator_id'], ['users.id'], name=op.f('fk_translation_requests_translator_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_translation_requests'))
    )
    with op.batch_alter_table('translation_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_translation_requests_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index('ix_translation_requests_source', ['source_kind', 'source_id'], unique=False)
        batch_op.create_index('ix_translation_requests_state', ['state', 'target_lang'], unique=False)

    op.create_table('translation_marks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('translator_id', sa.Integer(), nullable=True),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['request_id'], ['translation_requests.id'], name=op.f('fk_translation_marks_request_id_translation_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_translation_marks_reviewer_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['translator_id'], ['users.id'], name=op.f('fk_translation_marks_translator_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_translation_marks')),
    sa.UniqueConstraint('request_id', 'round', 'category', name='uq_translation_marks_request_round_category')
    )
    with op.batch_alter_table('translation_marks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_translation_marks_translator_id'), ['translator_id'], unique=False)

    op.create_table('translation_memory',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_lang', sa.String(length=8), nullable=False),
    sa.Column('target_lang', sa.String(length=8), nullable=False),
    sa.Column('source_text', sa.Text(), nullable=False),
    sa.Column('target_text', sa.Text(), nullable=False),
    sa.Column('origin', sa.String(length=200), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_translation_memory_approved_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['request_id'], ['translation_requests.id'], name=op.f('fk_translation_memory_request_id_translation_requests'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_translation_memory'))
    )
    with op.batch_alter_table('translation_memory', schema=None) as batch_op:
        batch_op.create_index('ix_translation_memory_pair', ['source_lang', 'target_lang'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('translation_memory', schema=None) as batch_op:
        batch_op.drop_index('ix_translation_memory_pair')

    op.drop_table('translation_memory')
    with op.batch_alter_table('translation_marks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_translation_marks_translator_id'))

    op.drop_table('translation_marks')
    with op.batch_alter_table('translation_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_translation_requests_state')
        batch_op.drop_index('ix_translation_requests_source')
        batch_op.drop_index(batch_op.f('ix_translation_requests_incident_id'))

    op.drop_table('translation_requests')
    with op.batch_alter_table('language_skills', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_language_skills_user_id'))

    op.drop_table('language_skills')
    op.drop_table('glossary_terms')
