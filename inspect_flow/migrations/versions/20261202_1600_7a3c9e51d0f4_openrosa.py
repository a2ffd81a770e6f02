"""OpenRosa server (ODK Collect, KoboCollect): app tokens carried in the URL, and the submissions received

Revision ID: 7a3c9e51d0f4
Revises: c4f1a8e2d7b6
Create Date: 2026-12-02 16:00:00

A plain ``ADD COLUMN`` on ``api_tokens`` (``kind``: ``api`` for every existing token) and a new table
``openrosa_submissions``.
"""

import sqlalchemy as sa
from alembic import op

revision = '7a3c9e51d0f4'
down_revision = 'c4f1a8e2d7b6'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('api_tokens', sa.Column('kind', sa.String(10), nullable=False, server_default='api'))
    op.create_table(
        'openrosa_submissions',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('instance_id', sa.String(120), nullable=False),
        sa.Column('visit_id', sa.Integer(), sa.ForeignKey('visits.id', ondelete='CASCADE'), nullable=False),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id', ondelete='CASCADE'), nullable=False),
        sa.Column('token_id', sa.Integer(), nullable=True),
        sa.Column('form_version', sa.String(80), nullable=False),
        sa.Column('deprecated_id', sa.String(120), nullable=True),
        sa.Column('replaced_by', sa.String(120), nullable=True),
        sa.Column('xml_sha256', sa.String(64), nullable=False),
        sa.Column('xml', sa.LargeBinary(), nullable=False),
        sa.Column('outcome', sa.String(10), nullable=False),
        sa.Column('problems', sa.JSON(), nullable=False),
        sa.Column('attachments', sa.JSON(), nullable=False),
        sa.Column('created_dt', sa.DateTime(), nullable=False),
        sa.UniqueConstraint('instance_id', name=op.f('uq_openrosa_submissions_instance_id')),
    )
    op.create_index('ix_openrosa_submissions_visit_id', 'openrosa_submissions', ['visit_id'])


def downgrade() -> None:
    op.drop_index('ix_openrosa_submissions_visit_id', 'openrosa_submissions')
    op.drop_table('openrosa_submissions')
    with op.batch_alter_table('api_tokens') as batch_op:
        batch_op.drop_column('kind')
