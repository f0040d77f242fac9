"""credits: mentoring sessions and annotations, the append-only credit ledger, redemptions, and HR
webhook deliveries with their attempts.

The ledger table refuses UPDATE and DELETE at the database level too: on PostgreSQL a trigger
refuses both; on SQLite a trigger refuses UPDATE (DELETE is refused by the ORM; SQLite offers no
way to exempt the test suite's table purge from a DELETE trigger).

Revision ID: 0004
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0004'
down_revision = '0001'
branch_labels = ('credits',)
depends_on = None

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION credit_entries_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'credit_entries is append-only (% refused): add a reversal entry', TG_OP;
END
$$ LANGUAGE plpgsql
"""


def _create_append_only_guards() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute(
            "CREATE TRIGGER credit_entries_append_only BEFORE UPDATE OR DELETE ON credit_entries "
            "FOR EACH ROW EXECUTE FUNCTION credit_entries_append_only()"
        )
    elif dialect == "sqlite":
        op.execute(
            "CREATE TRIGGER credit_entries_no_update BEFORE UPDATE ON credit_entries "
            "BEGIN SELECT RAISE(ABORT, 'credit_entries is append-only: add a reversal entry'); END"
        )


def _drop_append_only_guards() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS credit_entries_append_only ON credit_entries")
        op.execute("DROP FUNCTION IF EXISTS credit_entries_append_only()")
    elif dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS credit_entries_no_update")


def upgrade() -> None:
    op.create_table('credit_accounts',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('user_id')
    )
    op.create_table('credit_redemptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('credits', sa.Integer(), nullable=False),
    sa.Column('units', sa.Float(), nullable=False),
    sa.Column('rate', sa.Float(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('credit_redemptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_redemptions_requested_at'), ['requested_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_redemptions_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_redemptions_user_id'), ['user_id'], unique=False)

    op.create_table('mentoring_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('mentee_id', sa.Integer(), nullable=False),
    sa.Column('session_date', sa.Date(), nullable=False),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('recording_path', sa.String(length=500), nullable=True),
    sa.Column('recording_name', sa.String(length=255), nullable=True),
    sa.Column('recording_sha256', sa.String(length=64), nullable=True),
    sa.Column('recording_size', sa.Integer(), nullable=True),
    sa.Column('recording_format', sa.String(length=40), nullable=True),
    sa.Column('recording_seconds', sa.Float(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('review_comment', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['mentee_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['mentor_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('recording_sha256')
    )
    with op.batch_alter_table('mentoring_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentoring_sessions_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentoring_sessions_mentee_id'), ['mentee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentoring_sessions_mentor_id'), ['mentor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentoring_sessions_session_date'), ['session_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentoring_sessions_status'), ['status'], unique=False)

    op.create_table('credit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_key', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('balance_after', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('redemption_id', sa.Integer(), nullable=True),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('amount <> 0', name='ck_credit_entry_amount_not_zero'),
    sa.CheckConstraint('balance_after >= 0', name='ck_credit_entry_balance_not_negative'),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['redemption_id'], ['credit_redemptions.id'], ),
    sa.ForeignKeyConstraint(['reverses_id'], ['credit_entries.id'], ),
    sa.ForeignKeyConstraint(['session_id'], ['mentoring_sessions.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['credit_accounts.user_id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('entry_key'),
    sa.UniqueConstraint('reverses_id'),
    sa.UniqueConstraint('user_id', 'seq', name='uq_credit_entry_user_seq')
    )
    with op.batch_alter_table('credit_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_entries_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_entries_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_entries_redemption_id'), ['redemption_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_entries_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_entries_user_id'), ['user_id'], unique=False)

    op.create_table('mentoring_annotations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('at_seconds', sa.Float(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('behaviour', sa.String(length=30), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['mentoring_sessions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('mentoring_annotations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentoring_annotations_session_id'), ['session_id'], unique=False)

    op.create_table('hr_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('round_attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('lease_until', sa.DateTime(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['credit_entries.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('entry_id'),
    sa.UniqueConstraint('idempotency_key')
    )
    with op.batch_alter_table('hr_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hr_deliveries_next_attempt_at'), ['next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_hr_deliveries_status'), ['status'], unique=False)

    op.create_table('hr_delivery_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=False),
    sa.Column('attempt_no', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.String(length=120), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('http_status', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['delivery_id'], ['hr_deliveries.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('delivery_id', 'attempt_no', name='uq_hr_attempt_delivery_no')
    )
    with op.batch_alter_table('hr_delivery_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hr_delivery_attempts_delivery_id'), ['delivery_id'], unique=False)

    _create_append_only_guards()


def downgrade() -> None:
    _drop_append_only_guards()
    with op.batch_alter_table('hr_delivery_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hr_delivery_attempts_delivery_id'))

    op.drop_table('hr_delivery_attempts')
    with op.batch_alter_table('hr_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hr_deliveries_status'))
        batch_op.drop_index(batch_op.f('ix_hr_deliveries_next_attempt_at'))

    op.drop_table('hr_deliveries')
    with op.batch_alter_table('mentoring_annotations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mentoring_annotations_session_id'))

    op.drop_table('mentoring_annotations')
    with op.batch_alter_table('credit_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_entries_user_id'))
        batch_op.drop_index(batch_op.f('ix_credit_entries_session_id'))
        batch_op.drop_index(batch_op.f('ix_credit_entries_redemption_id'))
        batch_op.drop_index(batch_op.f('ix_credit_entries_kind'))
        batch_op.drop_index(batch_op.f('ix_credit_entries_created_at'))

    op.drop_table('credit_entries')
    with op.batch_alter_table('mentoring_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mentoring_sessions_status'))
        batch_op.drop_index(batch_op.f('ix_mentoring_sessions_session_date'))
        batch_op.drop_index(batch_op.f('ix_mentoring_sessions_mentor_id'))
        batch_op.drop_index(batch_op.f('ix_mentoring_sessions_mentee_id'))
        batch_op.drop_index(batch_op.f('ix_mentoring_sessions_created_at'))

    op.drop_table('mentoring_sessions')
    with op.batch_alter_table('credit_redemptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_redemptions_user_id'))
        batch_op.drop_index(batch_op.f('ix_credit_redemptions_status'))
        batch_op.drop_index(batch_op.f('ix_credit_redemptions_requested_at'))

    op.drop_table('credit_redemptions')
    op.drop_table('credit_accounts')
