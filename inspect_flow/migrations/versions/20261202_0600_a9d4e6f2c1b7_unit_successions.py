"""Administrative units of the whole country: a search key on units, and the successions between units

Revision ID: a9d4e6f2c1b7
Revises: f1c9b2e7a6d3
Create Date: 2026-12-02 06:00:00
"""

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = 'a9d4e6f2c1b7'
down_revision = 'f1c9b2e7a6d3'
branch_labels = None
depends_on = None


def _key(text: str) -> str:
    # The same key as inspect_flow.units.models.search_key, frozen here as of this revision.
    text = unicodedata.normalize('NFC', text).replace('Đ', 'D').replace('đ', 'd')
    plain = unicodedata.normalize('NFKD', text).encode('ascii', 'ignore').decode()
    return ' '.join(plain.lower().split())


def upgrade() -> None:
    # Plain ALTER TABLE (no batch copy): admin_units is referenced by most tables, and SQLite can add a NOT NULL
    # column with a default in place.
    op.add_column('admin_units', sa.Column('search_key', sa.String(length=120), nullable=False, server_default=''))
    op.create_index(op.f('ix_admin_units_search_key'), 'admin_units', ['search_key'], unique=False)
    conn = op.get_bind()
    units = sa.table('admin_units', sa.column('id', sa.Integer), sa.column('full_name', sa.String),
                     sa.column('search_key', sa.String))
    rows = conn.execute(sa.select(units.c.id, units.c.full_name)).all()
    for uid, full_name in rows:
        conn.execute(units.update().where(units.c.id == uid).values(search_key=_key(full_name)))
    op.create_table(
        'unit_successions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('predecessor_id', sa.Integer(), nullable=False),
        sa.Column('successor_id', sa.Integer(), nullable=False),
        sa.Column('effective', sa.Date(), nullable=False),
        sa.Column('is_default', sa.Boolean(), nullable=False),
        sa.Column('source', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['predecessor_id'], ['admin_units.id'],
                                name=op.f('fk_unit_successions_predecessor_id_admin_units')),
        sa.ForeignKeyConstraint(['successor_id'], ['admin_units.id'],
                                name=op.f('fk_unit_successions_successor_id_admin_units')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_successions')),
        sa.UniqueConstraint('predecessor_id', 'successor_id',
                            name=op.f('uq_unit_successions_predecessor_id_successor_id')),
    )
    with op.batch_alter_table('unit_successions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_successions_predecessor_id'), ['predecessor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_unit_successions_successor_id'), ['successor_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('unit_successions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_successions_successor_id'))
        batch_op.drop_index(batch_op.f('ix_unit_successions_predecessor_id'))
    op.drop_table('unit_successions')
    op.drop_index(op.f('ix_admin_units_search_key'), table_name='admin_units')
    op.drop_column('admin_units', 'search_key')  # SQLite ≥ 3.35 drops a column in place
