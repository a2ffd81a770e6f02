"""submission intake (asynchronous submissions)

Revision ID: d7e2b5a9c3f1
Revises: c4d8a1f0e5b2
Create Date: 2026-11-25 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = 'd7e2b5a9c3f1'
down_revision = 'c4d8a1f0e5b2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'submission_intake',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uid', sa.String(length=36), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('visit_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('if_match', sa.Integer(), nullable=True),
        sa.Column('lang', sa.String(length=2), nullable=False),
        sa.Column('state', sa.String(length=8), nullable=False),
        sa.Column('response_status', sa.Integer(), nullable=True),
        sa.Column('result', sa.Text(), nullable=True),
        sa.Column('created_dt', sa.DateTime(), nullable=False),
        sa.Column('processed_dt', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_submission_intake_user_id_users'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_submission_intake_visit_id_visits'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_intake')),
        sa.UniqueConstraint('uid', name=op.f('uq_submission_intake_uid')),
    )
    with op.batch_alter_table('submission_intake', schema=None) as batch_op:
        batch_op.create_index('ix_submission_intake_state_id', ['state', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_intake_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_intake_visit_id'), ['visit_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('submission_intake', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_intake_visit_id'))
        batch_op.drop_index(batch_op.f('ix_submission_intake_user_id'))
        batch_op.drop_index('ix_submission_intake_state_id')
    op.drop_table('submission_intake')
