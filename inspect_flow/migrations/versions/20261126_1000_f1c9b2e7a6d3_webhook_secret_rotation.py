"""Webhook secret rotation: the previous secret and until when deliveries are also signed with it

Revision ID: f1c9b2e7a6d3
Revises: e5a3c7d9f2b4
Create Date: 2026-11-26 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = 'f1c9b2e7a6d3'
down_revision = 'e5a3c7d9f2b4'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('webhook_subscriptions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous_secret', sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column('previous_secret_until', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('webhook_subscriptions', schema=None) as batch_op:
        batch_op.drop_column('previous_secret_until')
        batch_op.drop_column('previous_secret')
