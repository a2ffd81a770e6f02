"""The API token an asynchronous submission was acknowledged under

Revision ID: e5a3c7d9f2b4
Revises: d7e2b5a9c3f1
Create Date: 2026-11-26 09:00:00

The acknowledgment checks tokens through a short per-process cache; the intake worker checks the token
again when it applies the submission (refused if it was revoked before the acknowledgment). No foreign
key: tokens are revoked, never deleted, and a missing token simply refuses the submission.
"""

import sqlalchemy as sa
from alembic import op

revision = 'e5a3c7d9f2b4'
down_revision = 'd7e2b5a9c3f1'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('submission_intake', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('submission_intake', schema=None) as batch_op:
        batch_op.drop_column('token_id')
