"""Reminders by e-mail: users' address, language and digest choice; the record of reminders sent once

Revision ID: e1e17396b5fa
Revises: b3e7f9a1c5d2
Create Date: 2026-12-02 12:00:00

The three user columns are plain ``ADD COLUMN``s with defaults (no rebuild of ``users`` on SQLite).
"""

import sqlalchemy as sa
from alembic import op

revision = 'e1e17396b5fa'
down_revision = 'b3e7f9a1c5d2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('users', sa.Column('email', sa.String(length=254), nullable=True))
    op.add_column('users', sa.Column('language', sa.String(length=2), nullable=False, server_default='vi'))
    op.add_column('users', sa.Column('digests_enabled', sa.Boolean(), nullable=False, server_default=sa.true()))
    op.create_table(
        'reminders',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('object_type', sa.String(length=24), nullable=False),
        sa.Column('object_id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=True),
        sa.Column('due_day', sa.Date(), nullable=False),
        sa.Column('created_on', sa.Date(), nullable=False),
        sa.Column('status', sa.Enum('pending', 'sent', 'dropped', name='reminderstatus', native_enum=False, create_constraint=True, length=24), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.String(length=500), nullable=True),
        sa.Column('message_id', sa.String(length=200), nullable=True),
        sa.Column('sent_dt', sa.DateTime(), nullable=True),
        sa.Column('created_dt', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reminders_user_id_users'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_reminders_plan_id_plans'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders')),
        sa.UniqueConstraint('user_id', 'kind', 'object_type', 'object_id', 'due_day', name='uq_reminders_key'),
    )
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.create_index('ix_reminders_status', ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminders_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminders_plan_id'), ['plan_id'], unique=False)


def downgrade() -> None:
    op.drop_table('reminders')
    op.drop_column('users', 'digests_enabled')
    op.drop_column('users', 'language')
    op.drop_column('users', 'email')
