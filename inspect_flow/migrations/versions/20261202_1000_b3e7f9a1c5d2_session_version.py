"""A per-user session version: logout, a password change or "sign out everywhere" end every web session

Revision ID: b3e7f9a1c5d2
Revises: e7b3d1a5c9f2
Create Date: 2026-12-02 08:00:00

A plain ``ADD COLUMN`` with a default (SQLite does it without rebuilding ``users``, which other tables
reference). Existing sessions carry no version and end once: everybody logs in again after the upgrade.
"""

import sqlalchemy as sa
from alembic import op

revision = 'b3e7f9a1c5d2'
down_revision = 'e7b3d1a5c9f2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('users', sa.Column('session_version', sa.Integer(), nullable=False, server_default=sa.text('0')))


def downgrade() -> None:
    op.drop_column('users', 'session_version')  # native on SQLite ≥ 3.35: no rebuild of the table
