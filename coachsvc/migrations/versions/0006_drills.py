"""drills: drill sessions and turns, top performers' answer clips.

Revision ID: 0006
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0001'
branch_labels = ('drills',)
depends_on = None


def upgrade() -> None:
    op.create_table('drill_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('scenario_id', sa.String(length=80), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('points_hit', sa.JSON(), nullable=False),
    sa.Column('customer_line', sa.Text(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('drill_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drill_sessions_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_drill_sessions_scenario_id'), ['scenario_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_drill_sessions_started_at'), ['started_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_drill_sessions_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_drill_sessions_user_id'), ['user_id'], unique=False)

    op.create_table('drill_turns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('idx', sa.Integer(), nullable=False),
    sa.Column('customer_line', sa.Text(), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('answer_text', sa.Text(), nullable=True),
    sa.Column('audio_path', sa.String(length=500), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('failure_reason', sa.Text(), nullable=True),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('follow_up', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('scored_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['session_id'], ['drill_sessions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('session_id', 'idx', name='uq_drill_turn_session_idx')
    )
    with op.batch_alter_table('drill_turns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drill_turns_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_drill_turns_status'), ['status'], unique=False)

    op.create_table('top_clips',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('objection_id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('rep_id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=True),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('objection_text', sa.Text(), nullable=False),
    sa.Column('answer_text', sa.Text(), nullable=False),
    sa.Column('start', sa.Float(), nullable=True),
    sa.Column('end', sa.Float(), nullable=True),
    sa.Column('has_audio', sa.Boolean(), nullable=False),
    sa.Column('moves', sa.JSON(), nullable=False),
    sa.Column('first_move', sa.String(length=30), nullable=True),
    sa.Column('mined_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activity_records.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['objection_id'], ['objections.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rep_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('objection_id')
    )
    with op.batch_alter_table('top_clips', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_top_clips_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_top_clips_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_top_clips_first_move'), ['first_move'], unique=False)
        batch_op.create_index(batch_op.f('ix_top_clips_rep_id'), ['rep_id'], unique=False)


def downgrade() -> None:
    op.drop_table('top_clips')
    op.drop_table('drill_turns')
    op.drop_table('drill_sessions')
