"""Corrections until issue: withdrawn findings and recommendations (with the reason), a version on conclusions,
and the replacements being prepared for issued documents

Revision ID: 5c0e7a2d9b14
Revises: e1e17396b5fa
Create Date: 2026-12-02 13:00:00

``findings.status`` and ``recommendations.state`` take the value ``withdrawn`` (their CHECK constraints are
rebuilt); ``document_replacements`` records that a replacement of an issued document is being prepared, which
opens what that document carries for corrections again until the replacement is issued.
"""

import sqlalchemy as sa
from alembic import op

revision = '5c0e7a2d9b14'
down_revision = 'e1e17396b5fa'
branch_labels = None
depends_on = None

FINDING_OLD = ('suggested', 'accepted', 'rejected')
REC_OLD = ('open', 'in_progress', 'overdue', 'done', 'verified')


def _check(column: str, values: tuple[str, ...]) -> sa.TextClause:
    return sa.text(f'{column} IN (' + ', '.join(f"'{v}'" for v in values) + ')')


def _rebuild_check(table: str, name: str, column: str, values: tuple[str, ...], add: dict | None = None,
                   drop: str | None = None) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(op.f(f'ck_{table}_{name}'), type_='check')
        if add:
            for col in add.values():
                batch_op.add_column(col)
        if drop:
            batch_op.drop_column(drop)
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_check_constraint(op.f(f'ck_{table}_{name}'), _check(column, values))


def upgrade() -> None:
    _rebuild_check('findings', 'findingstatus', 'status', FINDING_OLD + ('withdrawn',),
                   add={'r': sa.Column('withdrawn_reason', sa.Text(), nullable=True)})
    _rebuild_check('recommendations', 'recommendationstate', 'state', REC_OLD + ('withdrawn',),
                   add={'r': sa.Column('withdrawn_reason', sa.Text(), nullable=True)})
    op.add_column('conclusions', sa.Column('version_id', sa.Integer(), nullable=False, server_default=sa.text('1')))
    op.add_column('conclusions', sa.Column('updated_dt', sa.DateTime(), nullable=True))
    op.create_table(
        'document_replacements',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('opened_by', sa.String(length=120), nullable=False),
        sa.Column('opened_dt', sa.DateTime(), nullable=False),
        sa.Column('replaced_by_id', sa.Integer(), nullable=True),
        sa.Column('closed_dt', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'],
                                name=op.f('fk_document_replacements_document_id_documents')),
        sa.ForeignKeyConstraint(['replaced_by_id'], ['documents.id'],
                                name=op.f('fk_document_replacements_replaced_by_id_documents')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_document_replacements')),
    )
    with op.batch_alter_table('document_replacements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_replacements_document_id'), ['document_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('document_replacements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_replacements_document_id'))
    op.drop_table('document_replacements')
    with op.batch_alter_table('conclusions', schema=None) as batch_op:
        batch_op.drop_column('updated_dt')
        batch_op.drop_column('version_id')
    # A withdrawn item goes back to what the older schema can hold: a rejected finding, an open recommendation
    # (the audit trail keeps the withdrawal).
    op.execute(sa.text("UPDATE findings SET status = 'rejected' WHERE status = 'withdrawn'"))
    op.execute(sa.text("UPDATE recommendations SET state = 'open' WHERE state = 'withdrawn'"))
    _rebuild_check('findings', 'findingstatus', 'status', FINDING_OLD, drop='withdrawn_reason')
    _rebuild_check('recommendations', 'recommendationstate', 'state', REC_OLD, drop='withdrawn_reason')
