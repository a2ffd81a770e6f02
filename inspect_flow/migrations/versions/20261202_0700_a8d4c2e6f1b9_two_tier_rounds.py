"""Rounds in the two-tier structure: conclusions and documents keyed by their unit (a district or a commune),
visits without a district, coverage over a grouping, clusters of communes on the plan

Revision ID: a8d4c2e6f1b9
Revises: a9d4e6f2c1b7
Create Date: 2026-12-02 07:00:00

Data is kept: ``conclusions.district_id`` and ``documents.district_id`` are renamed ``unit_id`` (the 2019
rows keep their districts), and the stored coverage value ``one_commune_per_district`` stays (it is the
``per_district`` rule).
"""

import sqlalchemy as sa
from alembic import op

revision = 'a8d4c2e6f1b9'
down_revision = 'a9d4e6f2c1b7'
branch_labels = None
depends_on = None

OLD_RULES = ('none', 'one_commune_per_district')
NEW_RULES = ('none', 'one_commune_per_district', 'per_former_district', 'per_cluster')


def _rules_check(rules: tuple[str, ...]) -> str:
    return 'coverage_rule IN (' + ', '.join(f"'{r}'" for r in rules) + ')'


def _rename_unit_column(table: str, old: str, new: str, *, unique_with: str | None = None) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        if unique_with:
            batch_op.drop_constraint(op.f(f'uq_{table}_{unique_with}_{old}'), type_='unique')
        batch_op.drop_constraint(op.f(f'fk_{table}_{old}_admin_units'), type_='foreignkey')
        batch_op.alter_column(old, new_column_name=new, existing_type=sa.Integer())
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_foreign_key(op.f(f'fk_{table}_{new}_admin_units'), 'admin_units', [new], ['id'])
        if unique_with:
            batch_op.create_unique_constraint(op.f(f'uq_{table}_{unique_with}_{new}'), [unique_with, new])


def upgrade() -> None:
    _rename_unit_column('conclusions', 'district_id', 'unit_id', unique_with='plan_id')
    _rename_unit_column('documents', 'district_id', 'unit_id')
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.alter_column('district_id', existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_plans_coveragerule'), type_='check')
        batch_op.add_column(sa.Column('clusters', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_plans_coveragerule'), sa.text(_rules_check(NEW_RULES)))
        batch_op.alter_column('clusters', existing_type=sa.JSON(), server_default=None)


def downgrade() -> None:
    op.execute(sa.text("UPDATE plans SET coverage_rule = 'none' "
                       "WHERE coverage_rule IN ('per_former_district', 'per_cluster')"))
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_plans_coveragerule'), type_='check')
        batch_op.drop_column('clusters')
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_plans_coveragerule'), sa.text(_rules_check(OLD_RULES)))
    # A two-tier visit has no district: the schema before this revision cannot hold it.
    if op.get_bind().execute(sa.text('SELECT count(*) FROM visits WHERE district_id IS NULL')).scalar():
        raise RuntimeError('Two-tier rounds (visits without a district) exist; they cannot be downgraded.')
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.alter_column('district_id', existing_type=sa.Integer(), nullable=False)
    _rename_unit_column('documents', 'unit_id', 'district_id')
    _rename_unit_column('conclusions', 'unit_id', 'district_id', unique_with='plan_id')
