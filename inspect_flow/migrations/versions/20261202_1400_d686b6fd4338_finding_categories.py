"""Finding categories as a managed vocabulary; merge the variants the findings were stored with

Revision ID: d686b6fd4338
Revises: 5c0e7a2d9b14
Create Date: 2026-12-02 13:00:00

Creates ``finding_categories`` loaded with the vocabulary (names, English names, synonyms) and stores every
finding under its category's name: "Phối hợp" becomes "Phối hợp thực hiện", "Tuyên truyền" becomes "Tuyên
truyền, đối thoại", and so on (matched without case, tone marks or extra spaces). A category outside the
vocabulary is added to it as it is, so that no finding is left outside. The downgrade drops the table; the merged
names stay merged (the variants were the same topic).
"""

import sqlalchemy as sa
from alembic import op

revision = 'd686b6fd4338'
down_revision = '5c0e7a2d9b14'
branch_labels = None
depends_on = None

#: The vocabulary as this migration loads it (a frozen copy: later changes of the code's list do not change it).
CATEGORIES = [
    ('Tổ chức, chỉ đạo', 'Organisation and direction', ['Kiện toàn Ban Chỉ đạo', 'Tổ chức bộ máy', 'Chỉ đạo, điều hành', 'Tổ chức chỉ đạo']),
    ('Phối hợp thực hiện', 'Coordination', ['Phối hợp']),
    ('Tuyên truyền, đối thoại', 'Communication and dialogue', ['Tuyên truyền', 'Truyền thông', 'Đối thoại', 'Đối thoại với người nghèo']),
    ('Thực hiện chính sách', 'Policies delivered', ['Chính sách']),
    ('Sử dụng vốn vay', 'Use of loans', ['Tín dụng chính sách', 'Vốn vay']),
    ('Đề án sinh kế', 'Livelihood project', ['Đề án']),
    ('Hỗ trợ sinh kế', 'Livelihood support', ['Sinh kế']),
    ('Đối tượng tham gia Đề án', 'Project participants', ['Đối tượng được hỗ trợ']),
    ('Sổ nhật ký hộ gia đình', 'Household diaries', ['Sổ nhật ký']),
    ('Kết quả giảm nghèo', 'Poverty-reduction results', ['Kết quả']),
    ('Nhận thức của người dân', 'Household attitudes', ['Nhận thức của người nghèo', 'Nhận thức']),
    ('Kiểm tra, giám sát', 'Monitoring', ['Giám sát']),
    ('Báo cáo', 'Reporting', ['Báo cáo, thống kê']),
    ('Hồ sơ', 'Records', ['Hồ sơ, sổ sách']),
    ('Huy động nguồn lực', 'Resources mobilised', []),
    ('Dữ liệu hộ nghèo', 'Poor-household data', ['Rà soát hộ nghèo']),
    ('Nhà ở', 'Housing', []),
    ('Địa bàn', 'Area and population', ['Địa bàn rộng']),
]


def upgrade() -> None:
    from inspect_flow.core.db import utcnow
    from inspect_flow.core.text import fold

    table = op.create_table(
        'finding_categories',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('name_en', sa.String(length=120), nullable=False),
        sa.Column('synonyms', sa.JSON(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('created_dt', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_finding_categories')),
        sa.UniqueConstraint('name', name=op.f('uq_finding_categories_name')),
    )
    now = utcnow().replace(tzinfo=None)
    rows = [{'name': name, 'name_en': en, 'synonyms': synonyms, 'position': i, 'created_dt': now}
            for i, (name, en, synonyms) in enumerate(CATEGORIES, start=1)]
    conn = op.get_bind()
    names = {fold(n): name for name, _en, synonyms in CATEGORIES for n in (name, *synonyms)}
    findings = sa.table('findings', sa.column('id', sa.Integer), sa.column('category', sa.String))
    extra: dict[str, str] = {}
    for stored in conn.execute(sa.select(findings.c.category).distinct()).scalars():
        target = names.get(fold(stored)) or extra.setdefault(fold(stored), ' '.join(stored.split()))
        if target != stored:
            conn.execute(findings.update().where(findings.c.category == stored).values(category=target))
    rows += [{'name': n, 'name_en': '', 'synonyms': [], 'position': len(rows) + k, 'created_dt': now}
             for k, n in enumerate(sorted(extra.values()), start=1)]
    op.bulk_insert(table, rows)


def downgrade() -> None:
    op.drop_table('finding_categories')
