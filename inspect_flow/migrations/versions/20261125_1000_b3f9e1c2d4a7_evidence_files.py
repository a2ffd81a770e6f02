"""evidence files: uploads stored once per content hash

Revision ID: b3f9e1c2d4a7
Revises: 7c1e2a9b4d10
Create Date: 2026-11-25 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = 'b3f9e1c2d4a7'
down_revision = '7c1e2a9b4d10'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'evidence_files',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('stored_sha256', sa.String(length=64), nullable=False),
        sa.Column('media_type', sa.String(length=80), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('original_name', sa.String(length=255), nullable=False),
        sa.Column('width', sa.Integer(), nullable=True),
        sa.Column('height', sa.Integer(), nullable=True),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('created_by', sa.String(length=120), nullable=False),
        sa.Column('created_dt', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_files')),
        sa.UniqueConstraint('sha256', name=op.f('uq_evidence_files_sha256')),
    )


def downgrade() -> None:
    op.drop_table('evidence_files')
