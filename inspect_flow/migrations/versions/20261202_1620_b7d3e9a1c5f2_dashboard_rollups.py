"""Indexes for the dashboards at national scale: findings and recommendations rolled up without reading their rows

Revision ID: b7d3e9a1c5f2
Revises: 7b2d9e4f1a30
Create Date: 2026-12-02 16:00:00

Measured with ``benchmarks/dashboard_bench.py`` (3,321 communes × 3 years: 97k findings, 29k recommendations) and
EXPLAIN ANALYZE on PostgreSQL: the cross-round dashboard's returning-limitations query and its category filter read
``ix_findings_rollup`` alone (an index-only scan instead of the whole table), and its recommendations by state and
age read ``ix_recommendations_rollup`` alone.
"""

from alembic import op

revision = 'b7d3e9a1c5f2'
down_revision = '7b2d9e4f1a30'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_findings_rollup', 'findings', ['category', 'kind', 'status', 'plan_id', 'visit_id', 'id'])
    op.create_index('ix_recommendations_rollup', 'recommendations', ['plan_id', 'state', 'deadline', 'finding_id'])


def downgrade() -> None:
    op.drop_index('ix_recommendations_rollup', table_name='recommendations')
    op.drop_index('ix_findings_rollup', table_name='findings')
