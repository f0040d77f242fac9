"""radar: per-call behaviour scores, daily and monthly aggregates, 360 ratings, drill scores,
coaching (courses, expert slots, bookings, assignments, offers).

Revision ID: 0005
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0005'
down_revision = '0001'
branch_labels = ('radar',)
depends_on = None


def upgrade() -> None:
    op.create_table('coaching_courses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=True),
    sa.Column('duration_minutes', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('coaching_slots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('expert_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('booked', sa.Integer(), nullable=False),
    sa.Column('behaviour', sa.String(length=30), nullable=True),
    sa.Column('location', sa.String(length=200), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('booked >= 0 AND booked <= capacity', name='ck_coaching_slot_capacity'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['expert_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_coaching_slots_expert_id'), 'coaching_slots', ['expert_id'], unique=False)
    op.create_index(op.f('ix_coaching_slots_starts_at'), 'coaching_slots', ['starts_at'], unique=False)
    op.create_table('radar_call_daily',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('rep_id', sa.Integer(), nullable=False),
    sa.Column('calls', sa.Integer(), nullable=False),
    sa.Column('rapport_sum', sa.Float(), nullable=False),
    sa.Column('rapport_n', sa.Integer(), nullable=False),
    sa.Column('questioning_sum', sa.Float(), nullable=False),
    sa.Column('questioning_n', sa.Integer(), nullable=False),
    sa.Column('needs_discovery_sum', sa.Float(), nullable=False),
    sa.Column('needs_discovery_n', sa.Integer(), nullable=False),
    sa.Column('listening_sum', sa.Float(), nullable=False),
    sa.Column('listening_n', sa.Integer(), nullable=False),
    sa.Column('solution_tailoring_sum', sa.Float(), nullable=False),
    sa.Column('solution_tailoring_n', sa.Integer(), nullable=False),
    sa.Column('value_articulation_sum', sa.Float(), nullable=False),
    sa.Column('value_articulation_n', sa.Integer(), nullable=False),
    sa.Column('objection_handling_sum', sa.Float(), nullable=False),
    sa.Column('objection_handling_n', sa.Integer(), nullable=False),
    sa.Column('competitor_handling_sum', sa.Float(), nullable=False),
    sa.Column('competitor_handling_n', sa.Integer(), nullable=False),
    sa.Column('price_negotiation_sum', sa.Float(), nullable=False),
    sa.Column('price_negotiation_n', sa.Integer(), nullable=False),
    sa.Column('decision_mapping_sum', sa.Float(), nullable=False),
    sa.Column('decision_mapping_n', sa.Integer(), nullable=False),
    sa.Column('next_step_commitment_sum', sa.Float(), nullable=False),
    sa.Column('next_step_commitment_n', sa.Integer(), nullable=False),
    sa.Column('responsiveness_sum', sa.Float(), nullable=False),
    sa.Column('responsiveness_n', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['rep_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('day', 'rep_id'),
    sqlite_with_rowid=False
    )
    op.create_index('ix_radar_call_daily_rep_day', 'radar_call_daily', ['rep_id', 'day'], unique=False)
    op.create_table('radar_call_monthly',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('rep_id', sa.Integer(), nullable=False),
    sa.Column('calls', sa.Integer(), nullable=False),
    sa.Column('rapport_sum', sa.Float(), nullable=False),
    sa.Column('rapport_n', sa.Integer(), nullable=False),
    sa.Column('questioning_sum', sa.Float(), nullable=False),
    sa.Column('questioning_n', sa.Integer(), nullable=False),
    sa.Column('needs_discovery_sum', sa.Float(), nullable=False),
    sa.Column('needs_discovery_n', sa.Integer(), nullable=False),
    sa.Column('listening_sum', sa.Float(), nullable=False),
    sa.Column('listening_n', sa.Integer(), nullable=False),
    sa.Column('solution_tailoring_sum', sa.Float(), nullable=False),
    sa.Column('solution_tailoring_n', sa.Integer(), nullable=False),
    sa.Column('value_articulation_sum', sa.Float(), nullable=False),
    sa.Column('value_articulation_n', sa.Integer(), nullable=False),
    sa.Column('objection_handling_sum', sa.Float(), nullable=False),
    sa.Column('objection_handling_n', sa.Integer(), nullable=False),
    sa.Column('competitor_handling_sum', sa.Float(), nullable=False),
    sa.Column('competitor_handling_n', sa.Integer(), nullable=False),
    sa.Column('price_negotiation_sum', sa.Float(), nullable=False),
    sa.Column('price_negotiation_n', sa.Integer(), nullable=False),
    sa.Column('decision_mapping_sum', sa.Float(), nullable=False),
    sa.Column('decision_mapping_n', sa.Integer(), nullable=False),
    sa.Column('next_step_commitment_sum', sa.Float(), nullable=False),
    sa.Column('next_step_commitment_n', sa.Integer(), nullable=False),
    sa.Column('responsiveness_sum', sa.Float(), nullable=False),
    sa.Column('responsiveness_n', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['rep_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('month', 'rep_id'),
    sqlite_with_rowid=False
    )
    op.create_index('ix_radar_call_monthly_rep_month', 'radar_call_monthly', ['rep_id', 'month'], unique=False)
    op.create_table('radar_drill_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('behaviour', sa.String(length=30), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('ref', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ref', 'behaviour', name='uq_radar_drill_ref_behaviour')
    )
    op.create_index('ix_radar_drill_scores_user_day', 'radar_drill_scores', ['user_id', 'day'], unique=False)
    op.create_table('radar_rating_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rep_id', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('nonce', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['rep_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('nonce')
    )
    op.create_index(op.f('ix_radar_rating_links_rep_id'), 'radar_rating_links', ['rep_id'], unique=False)
    op.create_table('coaching_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('behaviour', sa.String(length=30), nullable=True),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('assigned_by', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['assigned_by'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['course_id'], ['coaching_courses.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'course_id', name='uq_coaching_assignment_user_course')
    )
    op.create_index(op.f('ix_coaching_assignments_user_id'), 'coaching_assignments', ['user_id'], unique=False)
    op.create_table('coaching_bookings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('behaviour', sa.String(length=30), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['slot_id'], ['coaching_slots.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('slot_id', 'user_id', name='uq_coaching_booking_slot_user')
    )
    op.create_index(op.f('ix_coaching_bookings_slot_id'), 'coaching_bookings', ['slot_id'], unique=False)
    op.create_index(op.f('ix_coaching_bookings_user_id'), 'coaching_bookings', ['user_id'], unique=False)
    op.create_table('coaching_course_behaviours',
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('behaviour', sa.String(length=30), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['coaching_courses.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('course_id', 'behaviour')
    )
    op.create_index(op.f('ix_coaching_course_behaviours_behaviour'), 'coaching_course_behaviours', ['behaviour'], unique=False)
    op.create_table('radar_ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rep_id', sa.Integer(), nullable=False),
    sa.Column('rater_kind', sa.String(length=12), nullable=False),
    sa.Column('rater_id', sa.Integer(), nullable=True),
    sa.Column('link_id', sa.Integer(), nullable=True),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['link_id'], ['radar_rating_links.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['rater_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['rep_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('link_id')
    )
    op.create_index('ix_radar_ratings_rep_day', 'radar_ratings', ['rep_id', 'day'], unique=False)
    op.create_table('coaching_offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('behaviour', sa.String(length=30), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=True),
    sa.Column('booking_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['coaching_bookings.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['slot_id'], ['coaching_slots.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'behaviour', name='uq_coaching_offer_user_behaviour')
    )
    op.create_index(op.f('ix_coaching_offers_user_id'), 'coaching_offers', ['user_id'], unique=False)
    op.create_table('radar_call_scores',
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('rep_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('checks', sa.JSON(), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activity_records.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rep_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('activity_id')
    )
    op.create_index('ix_radar_call_scores_rep_day', 'radar_call_scores', ['rep_id', 'day'], unique=False)
    op.create_table('radar_rating_scores',
    sa.Column('rating_id', sa.Integer(), nullable=False),
    sa.Column('behaviour', sa.String(length=30), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.CheckConstraint('value BETWEEN 1 AND 5', name='ck_radar_rating_value'),
    sa.ForeignKeyConstraint(['rating_id'], ['radar_ratings.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('rating_id', 'behaviour')
    )


def downgrade() -> None:
    op.drop_table('radar_rating_scores')
    op.drop_index('ix_radar_call_scores_rep_day', table_name='radar_call_scores')
    op.drop_table('radar_call_scores')
    op.drop_index(op.f('ix_coaching_offers_user_id'), table_name='coaching_offers')
    op.drop_table('coaching_offers')
    op.drop_index('ix_radar_ratings_rep_day', table_name='radar_ratings')
    op.drop_table('radar_ratings')
    op.drop_index(op.f('ix_coaching_course_behaviours_behaviour'), table_name='coaching_course_behaviours')
    op.drop_table('coaching_course_behaviours')
    op.drop_index(op.f('ix_coaching_bookings_user_id'), table_name='coaching_bookings')
    op.drop_index(op.f('ix_coaching_bookings_slot_id'), table_name='coaching_bookings')
    op.drop_table('coaching_bookings')
    op.drop_index(op.f('ix_coaching_assignments_user_id'), table_name='coaching_assignments')
    op.drop_table('coaching_assignments')
    op.drop_index(op.f('ix_radar_rating_links_rep_id'), table_name='radar_rating_links')
    op.drop_table('radar_rating_links')
    op.drop_index('ix_radar_drill_scores_user_day', table_name='radar_drill_scores')
    op.drop_table('radar_drill_scores')
    op.drop_index('ix_radar_call_monthly_rep_month', table_name='radar_call_monthly')
    op.drop_table('radar_call_monthly')
    op.drop_index('ix_radar_call_daily_rep_day', table_name='radar_call_daily')
    op.drop_table('radar_call_daily')
    op.drop_index(op.f('ix_coaching_slots_starts_at'), table_name='coaching_slots')
    op.drop_index(op.f('ix_coaching_slots_expert_id'), table_name='coaching_slots')
    op.drop_table('coaching_slots')
    op.drop_table('coaching_courses')
