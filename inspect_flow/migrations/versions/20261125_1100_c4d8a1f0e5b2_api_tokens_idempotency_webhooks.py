"""api tokens, idempotency keys, webhooks

Revision ID: c4d8a1f0e5b2
Revises: b3f9e1c2d4a7
Create Date: 2026-11-25 11:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = 'c4d8a1f0e5b2'
down_revision = 'b3f9e1c2d4a7'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'webhook_subscriptions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('url', sa.String(length=500), nullable=False),
        sa.Column('events', sa.JSON(), nullable=False),
        sa.Column('secret', sa.String(length=128), nullable=False),
        sa.Column('description', sa.String(length=200), nullable=False),
        sa.Column('is_active', sa.Boolean(), nullable=False),
        sa.Column('created_by', sa.String(length=120), nullable=False),
        sa.Column('created_dt', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_subscriptions')),
    )
    op.create_table(
        'webhook_outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('subscription_id', sa.Integer(), nullable=False),
        sa.Column('delivery_id', sa.String(length=36), nullable=False),
        sa.Column('event', sa.String(length=60), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_dt', sa.DateTime(), nullable=False),
        sa.Column('created_dt', sa.DateTime(), nullable=False),
        sa.Column('delivered_dt', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ['subscription_id'],
            ['webhook_subscriptions.id'],
            name=op.f('fk_webhook_outbox_subscription_id_webhook_subscriptions'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_outbox')),
        sa.UniqueConstraint('delivery_id', name=op.f('uq_webhook_outbox_delivery_id')),
    )
    with op.batch_alter_table('webhook_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_outbox_state_next', ['state', 'next_attempt_dt'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_outbox_subscription_id'), ['subscription_id'], unique=False)

    op.create_table(
        'webhook_attempts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('outbox_id', sa.Integer(), nullable=False),
        sa.Column('attempt', sa.Integer(), nullable=False),
        sa.Column('status_code', sa.Integer(), nullable=True),
        sa.Column('error', sa.String(length=500), nullable=True),
        sa.Column('duration_ms', sa.Integer(), nullable=False),
        sa.Column('created_dt', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['outbox_id'],
            ['webhook_outbox.id'],
            name=op.f('fk_webhook_attempts_outbox_id_webhook_outbox'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_attempts')),
    )
    with op.batch_alter_table('webhook_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_attempts_outbox_id'), ['outbox_id'], unique=False)

    op.create_table(
        'api_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('prefix', sa.String(length=16), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_dt', sa.DateTime(), nullable=False),
        sa.Column('last_used_dt', sa.DateTime(), nullable=True),
        sa.Column('revoked_dt', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash')),
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table(
        'idempotency_keys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('scope', sa.String(length=300), nullable=False),
        sa.Column('request_hash', sa.String(length=64), nullable=False),
        sa.Column('response_status', sa.Integer(), nullable=True),
        sa.Column('response_body', sa.Text(), nullable=True),
        sa.Column('created_dt', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name=op.f('fk_idempotency_keys_user_id_users'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_keys')),
        sa.UniqueConstraint('user_id', 'key', name=op.f('uq_idempotency_keys_user_id_key')),
    )
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idempotency_keys_created_dt'), ['created_dt'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idempotency_keys_created_dt'))

    op.drop_table('idempotency_keys')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    with op.batch_alter_table('webhook_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_attempts_outbox_id'))

    op.drop_table('webhook_attempts')
    with op.batch_alter_table('webhook_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_outbox_subscription_id'))
        batch_op.drop_index('ix_webhook_outbox_state_next')

    op.drop_table('webhook_outbox')
    op.drop_table('webhook_subscriptions')
