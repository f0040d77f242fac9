"""radar: per rep x month sums of call scores (long windows read whole months from here).

Revision ID: 0005b
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0005b'
down_revision = '0005'
branch_labels = None
depends_on = None

BEHAVIOURS = (
    'rapport', 'questioning', 'needs_discovery', 'listening', 'solution_tailoring', 'value_articulation',
    'objection_handling', 'competitor_handling', 'price_negotiation', 'decision_mapping',
    'next_step_commitment', 'responsiveness',
)


def upgrade() -> None:
    columns = []
    for b in BEHAVIOURS:
        columns += [sa.Column(f'{b}_sum', sa.Float(), nullable=False), sa.Column(f'{b}_n', sa.Integer(), nullable=False)]
    op.create_table('radar_call_monthly',
    sa.Column('rep_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('calls', sa.Integer(), nullable=False),
    *columns,
    sa.ForeignKeyConstraint(['rep_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('rep_id', 'month')
    )
    op.create_index('ix_radar_call_monthly_month', 'radar_call_monthly', ['month'], unique=False)
    # Fill it from the daily rows already there.
    sums = ', '.join(f'SUM({b}_sum), SUM({b}_n)' for b in BEHAVIOURS)
    names = ', '.join(f'{b}_sum, {b}_n' for b in BEHAVIOURS)
    month = "date_trunc('month', day)::date" if op.get_bind().dialect.name == 'postgresql' else "date(day, 'start of month')"
    op.execute(
        f'INSERT INTO radar_call_monthly (rep_id, month, calls, {names}) '
        f'SELECT rep_id, {month}, SUM(calls), {sums} FROM radar_call_daily GROUP BY rep_id, {month}'
    )


def downgrade() -> None:
    op.drop_index('ix_radar_call_monthly_month', table_name='radar_call_monthly')
    op.drop_table('radar_call_monthly')
