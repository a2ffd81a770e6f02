"""Document batches: a round's document set rendered item by item on the workers, each item's number reserved once

Revision ID: 7b2d9e4f1a30
Revises: 7a3c9e51d0f4
Create Date: 2026-12-02 16:00:00

Two new tables. ``document_batch_items`` holds the number an item reserved, unique per register
(``issuer_id, year, type_code, number``), and the document it produced (unique per batch).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '7b2d9e4f1a30'
down_revision = '7a3c9e51d0f4'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'document_batches',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('plan_id', sa.Integer(), sa.ForeignKey('plans.id', ondelete='CASCADE'), nullable=False),
        sa.Column('issue_date', sa.Date(), nullable=False),
        sa.Column('signer', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
                  nullable=False),
        sa.Column('drafting_unit', sa.String(40), nullable=True),
        sa.Column('created_by', sa.String(120), nullable=False),
        sa.Column('created_dt', sa.DateTime(), nullable=False),
        sa.Column('finished_dt', sa.DateTime(), nullable=True),
    )
    op.create_index('ix_document_batches_plan_id', 'document_batches', ['plan_id'])
    op.create_table(
        'document_batch_items',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('batch_id', sa.Integer(), sa.ForeignKey('document_batches.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(30), nullable=False),
        sa.Column('slug', sa.String(60), nullable=False),
        sa.Column('label', sa.Text(), nullable=False),
        sa.Column('visit_id', sa.Integer(), sa.ForeignKey('visits.id', ondelete='CASCADE'), nullable=True),
        sa.Column('unit_id', sa.Integer(), sa.ForeignKey('admin_units.id'), nullable=True),
        sa.Column('team_id', sa.Integer(), sa.ForeignKey('teams.id', ondelete='CASCADE'), nullable=True),
        sa.Column('state', sa.Enum('pending', 'running', 'done', 'failed', name='itemstate', native_enum=False,
                                   create_constraint=True, length=24), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('issuer_id', sa.Integer(), sa.ForeignKey('issuing_bodies.id'), nullable=True),
        sa.Column('year', sa.Integer(), nullable=True),
        sa.Column('type_code', sa.String(8), nullable=True),
        sa.Column('number', sa.Integer(), nullable=True),
        sa.Column('document_id', sa.Integer(), sa.ForeignKey('documents.id'), nullable=True),
        sa.Column('pdf', sa.LargeBinary(), nullable=True),
        sa.Column('started_dt', sa.DateTime(), nullable=True),
        sa.Column('finished_dt', sa.DateTime(), nullable=True),
        sa.UniqueConstraint('batch_id', 'slug'),
        sa.UniqueConstraint('issuer_id', 'year', 'type_code', 'number'),
        sa.UniqueConstraint('batch_id', 'document_id'),
    )
    op.create_index('ix_document_batch_items_batch_id', 'document_batch_items', ['batch_id'])


def downgrade() -> None:
    op.drop_table('document_batch_items')
    op.drop_table('document_batches')
