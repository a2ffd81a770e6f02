"""Follow-up across rounds: a plan's recurrence and source plan, the on-site checks of earlier recommendations

Revision ID: c4f1a8e2d7b6
Revises: d686b6fd4338
Create Date: 2026-12-02 13:30:00

Plain ``ADD COLUMN`` s on ``plans`` (no rebuild on SQLite; ``source_plan_id`` is lineage only, without a
foreign key) and a new table ``follow_up_checks``.
"""

import sqlalchemy as sa
from alembic import op

revision = 'c4f1a8e2d7b6'
down_revision = 'd686b6fd4338'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('plans', sa.Column('recurrence', sa.String(20), nullable=True))  # half_yearly | yearly
    op.add_column('plans', sa.Column('source_plan_id', sa.Integer(), nullable=True))
    op.add_column('plans', sa.Column('by_recurrence', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_index('ix_plans_source_plan_id', 'plans', ['source_plan_id'])
    op.create_table(
        'follow_up_checks',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('plan_id', sa.Integer(), sa.ForeignKey('plans.id', ondelete='CASCADE'), nullable=False),
        sa.Column('visit_id', sa.Integer(), sa.ForeignKey('visits.id', ondelete='SET NULL'), nullable=True),
        sa.Column('recommendation_id', sa.Integer(), sa.ForeignKey('recommendations.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('outcome', sa.Enum('done', 'partly_done', 'not_done', name='checkoutcome', native_enum=False,
                                     create_constraint=True, length=20), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('evidence', sa.JSON(), nullable=False),
        sa.Column('state_before', sa.String(24), nullable=False),
        sa.Column('state_after', sa.String(24), nullable=False),
        sa.Column('checked_by_id', sa.Integer(), sa.ForeignKey('people.id'), nullable=True),
        sa.Column('created_by', sa.String(120), nullable=False),
        sa.Column('created_dt', sa.DateTime(), nullable=False),
        sa.UniqueConstraint('plan_id', 'recommendation_id'),
    )
    op.create_index('ix_follow_up_checks_plan_id', 'follow_up_checks', ['plan_id'])
    op.create_index('ix_follow_up_checks_visit_id', 'follow_up_checks', ['visit_id'])
    op.create_index('ix_follow_up_checks_recommendation_id', 'follow_up_checks', ['recommendation_id'])


def downgrade() -> None:
    op.drop_table('follow_up_checks')
    op.drop_index('ix_plans_source_plan_id', 'plans')
    with op.batch_alter_table('plans') as batch_op:
        batch_op.drop_column('by_recurrence')
        batch_op.drop_column('source_plan_id')
        batch_op.drop_column('recurrence')
