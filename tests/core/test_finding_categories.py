"""Finding categories as a managed vocabulary: synonyms map to one category, unknown names are refused with the list
to pick from, the shipped checklists use it, and the migration merges the variants already stored."""

from __future__ import annotations

import unicodedata

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspect_flow.checklist.registry import list_checklists
from inspect_flow.core import migrate
from inspect_flow.core.db import make_engine
from inspect_flow.core.errors import Conflict, InvalidInput
from inspect_flow.findings import categories as cats
from inspect_flow.findings import operations as ops
from inspect_flow.findings.models import Finding, FindingKind
from tests.builders import ACTOR, plan_at

SYNONYMS = [
    ('Phối hợp', 'Phối hợp thực hiện'),
    ('Phối hợp thực hiện', 'Phối hợp thực hiện'),
    ('Tuyên truyền', 'Tuyên truyền, đối thoại'),
    ('  tuyên   TRUYỀN ', 'Tuyên truyền, đối thoại'),
    (unicodedata.normalize('NFD', 'Tuyên truyền'), 'Tuyên truyền, đối thoại'),
    ('Kiện toàn Ban Chỉ đạo', 'Tổ chức, chỉ đạo'),
    ('Đối tượng được hỗ trợ', 'Đối tượng tham gia Đề án'),
    ('Nhận thức của người nghèo', 'Nhận thức của người dân'),
    ('Tín dụng chính sách', 'Sử dụng vốn vay'),
]


@pytest.mark.parametrize(('typed', 'stored'), SYNONYMS)
def test_a_synonym_is_stored_as_its_category(session, typed: str, stored: str) -> None:  # noqa: ANN001
    plan = plan_at(session, 'findings')
    f = ops.add_finding(session, plan, kind=FindingKind.limitation, category=typed, text='Nội dung.', actor=ACTOR)
    assert f.category == stored
    ops.update_finding(session, f, {'category': 'phoi hop'}, actor=ACTOR)
    assert f.category == 'Phối hợp thực hiện'


def test_an_unknown_category_is_refused_naming_the_field(session) -> None:  # noqa: ANN001
    plan = plan_at(session, 'findings')
    before = session.scalar(sa.select(sa.func.count(Finding.id)))
    with pytest.raises(InvalidInput) as exc:
        ops.add_finding(session, plan, kind=FindingKind.limitation, category='Chủ đề lạ', text='x', actor=ACTOR)
    assert exc.value.field == 'category' and 'Phối hợp thực hiện' in exc.value.message
    assert session.scalar(sa.select(sa.func.count(Finding.id))) == before


def test_the_secretariat_extends_the_vocabulary(session) -> None:  # noqa: ANN001
    plan = plan_at(session, 'findings')
    cats.add_category(session, 'Chuyển đổi số', 'Digital transformation', actor=ACTOR, synonyms=['Số hóa'])
    cats.add_synonym(session, 'Phối hợp', 'Phối kết hợp', actor=ACTOR)
    f = ops.add_finding(session, plan, kind=FindingKind.limitation, category='số hoá', text='x', actor=ACTOR)
    assert f.category == 'Chuyển đổi số'
    assert cats.canonical_category(session, 'Phối kết hợp') == 'Phối hợp thực hiện'
    with pytest.raises(Conflict):
        cats.add_category(session, 'Tuyên truyền', actor=ACTOR)  # already a synonym
    names = [c.name for c in cats.vocabulary(session)]
    assert names[:2] == ['Tổ chức, chỉ đạo', 'Phối hợp thực hiện'] and names[-1] == 'Chuyển đổi số'


def test_the_shipped_checklists_pick_from_the_vocabulary() -> None:
    rules = [(c.id, r.category.vi) for c in list_checklists() for r in c.findings]
    assert rules
    for checklist_id, category in rules:
        assert cats.canonical_category(None, category), (checklist_id, category)


def test_a_checklist_with_an_unknown_category_is_not_pinned(session) -> None:  # noqa: ANN001
    from inspect_flow.checklist import Checklist
    from inspect_flow.plans.checklists import pin_checklist

    plan = plan_at(session, 'planning')
    shipped = next(c for c in list_checklists() if c.findings and c.applies_on(plan.fieldwork_start))
    data = shipped.to_dict()
    data['version'] = data['version'] + '.9'
    data['findings'][0]['category'] = {'vi': 'Chủ đề lạ', 'en': 'Odd topic'}
    with pytest.raises(InvalidInput) as exc:
        pin_checklist(session, plan, Checklist.from_dict(data), actor=ACTOR)
    assert exc.value.field == 'checklist' and 'Chủ đề lạ' in exc.value.message
    assert pin_checklist(session, plan, shipped, actor=ACTOR).checklist_id == shipped.id


def test_the_migration_merges_the_stored_variants(databases, db_kind) -> None:  # noqa: ANN001
    url = databases.fresh(db_kind)
    engine = make_engine(url, poolclass=sa.pool.NullPool)
    try:
        with Session(engine) as s:
            plan = plan_at(s, 'findings')
            for category in ('Báo cáo', 'Báo cáo', 'Hồ sơ', 'Phối hợp thực hiện'):
                ops.add_finding(s, plan, kind=FindingKind.limitation, category=category, text='x', actor=ACTOR)
            s.commit()
            ids = s.scalars(sa.select(Finding.id).order_by(Finding.id)).all()[-4:]
        migrate.downgrade(engine, '5c0e7a2d9b14')
        assert 'finding_categories' not in sa.inspect(engine).get_table_names()
        with engine.begin() as conn:  # the variants as they were stored before the vocabulary
            for fid, variant in zip(ids, ('Phối hợp', 'Tuyên truyền', 'Hồ  sơ mới', 'Phối hợp thực hiện'),
                                    strict=True):
                conn.execute(sa.text('update findings set category = :c where id = :i'), {'c': variant, 'i': fid})
        migrate.upgrade(engine)
        with engine.connect() as conn:
            stored = [conn.execute(sa.text('select category from findings where id = :i'), {'i': i}).scalar()
                      for i in ids]
            names = conn.execute(sa.text('select name from finding_categories')).scalars().all()
        assert stored == ['Phối hợp thực hiện', 'Tuyên truyền, đối thoại', 'Hồ sơ mới', 'Phối hợp thực hiện']
        assert 'Hồ sơ mới' in names and 'Phối hợp' not in names and len(names) == len(cats.DEFAULT_CATEGORIES) + 1
    finally:
        engine.dispose()
        databases.release(url)
