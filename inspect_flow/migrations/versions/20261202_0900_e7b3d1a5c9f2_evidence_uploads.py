"""Who uploaded each evidence file (a file may be attached only by someone who may already see it)

Revision ID: e7b3d1a5c9f2
Revises: a8d4c2f6e1b3
Create Date: 2026-12-02 08:00:00

The uploaders of the files already stored are found from ``evidence_files.created_by`` (``web:<username>`` or
``api:<username>``); a file whose uploader is not a user (the command line) gets no row, and is attachable
only by those who may see an object that holds it.
"""

import sqlalchemy as sa
from alembic import op

revision = 'e7b3d1a5c9f2'
down_revision = 'a8d4c2f6e1b3'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'evidence_uploads',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('evidence_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('original_name', sa.String(length=255), nullable=False),
        sa.Column('created_dt', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['evidence_id'], ['evidence_files.id'],
                                name=op.f('fk_evidence_uploads_evidence_id_evidence_files'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_evidence_uploads_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_uploads')),
        sa.UniqueConstraint('evidence_id', 'user_id', name=op.f('uq_evidence_uploads_evidence_id_user_id')),
    )
    op.create_index(op.f('ix_evidence_uploads_user_id'), 'evidence_uploads', ['user_id'], unique=False)
    conn = op.get_bind()
    files = sa.table('evidence_files', sa.column('id', sa.Integer), sa.column('created_by', sa.String),
                     sa.column('original_name', sa.String), sa.column('created_dt', sa.DateTime))
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('username', sa.String))
    uploads = sa.table('evidence_uploads', sa.column('evidence_id', sa.Integer), sa.column('user_id', sa.Integer),
                       sa.column('original_name', sa.String), sa.column('created_dt', sa.DateTime))
    by_name = dict(conn.execute(sa.select(users.c.username, users.c.id)).all())
    rows = []
    for fid, created_by, name, created in conn.execute(
            sa.select(files.c.id, files.c.created_by, files.c.original_name, files.c.created_dt)):
        door, _, username = (created_by or '').partition(':')
        if door in ('web', 'api') and username in by_name:
            rows.append({'evidence_id': fid, 'user_id': by_name[username], 'original_name': name or '',
                         'created_dt': created})
    if rows:
        conn.execute(uploads.insert(), rows)


def downgrade() -> None:
    op.drop_index(op.f('ix_evidence_uploads_user_id'), table_name='evidence_uploads')
    op.drop_table('evidence_uploads')
