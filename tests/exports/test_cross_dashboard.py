"""The cross-round dashboard's figures (inspect_flow/plans/analytics.py), on SQLite and PostgreSQL: two hand-built
rounds, 2019 (three tiers, Tỉnh Bến Tre) and 2026 (two tiers, Tỉnh Vĩnh Long), where Xã Nhuận Phú Tân of 2019
(28936) is succeeded by the 2025 commune of the same name (28948)."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from inspect_flow.findings.models import Finding, FindingKind, Recommendation
from inspect_flow.plans.analytics import CrossFilters, cross_dashboard
from tests.builders import ACTOR, plan_at

DAY = date(2026, 6, 1)


def _recs(session, plan) -> list[Recommendation]:  # noqa: ANN001
    return list(session.scalars(sa.select(Recommendation).where(Recommendation.plan_id == plan.id)
                                .order_by(Recommendation.id)))


@pytest.fixture
def two_rounds(session):  # noqa: ANN001, ANN201
    old = plan_at(session, 'conclusions')  # each visit submits one limitation 'Sử dụng vốn vay'
    new = plan_at(session, 'conclusions', two_tier=True)
    an_thanh = next(v for v in old.visits if v.commune.code == '28951')
    session.add(Finding(plan_id=old.id, visit=an_thanh, kind=FindingKind.achievement, category='Báo cáo',
                        text='Báo cáo đầy đủ, đúng hạn.', created_by=ACTOR))  # hand-built, the visit is reviewed
    recs_old = _recs(session, old)
    recs_old[0].deadline = date(2026, 5, 20)  # 12 days late on DAY
    recs_old[1].deadline = date(2026, 2, 1)  # 120 days late
    session.flush()
    return old, new


def test_trends_states_ages_and_the_returning_limitation(session, two_rounds) -> None:  # noqa: ANN001
    old, new = two_rounds
    d = cross_dashboard(session, day=DAY)
    assert {b.key: b.counts for b in d.trends} == {2019: {'limitation': 2, 'achievement': 1}, 2026: {'limitation': 2}}
    assert d.max_year == 3 and d.years == [2019, 2026]
    assert dict(d.recommendations) == {'overdue': 2, 'open': 2}
    assert dict(d.ages) == {'0-30': 1, '91-180': 1}
    # the 2019 commune and its 2025 successor count as one unit; the other communes appear once only
    assert [(r.unit, r.category, r.years) for r in d.recurring] == [
        ('Xã Nhuận Phú Tân, Tỉnh Vĩnh Long', 'Sử dụng vốn vay', [2019, 2026])]
    assert {code for code, _ in d.provinces} == {'83', '86'}
    assert 'Báo cáo' in d.categories


@pytest.mark.parametrize(('args', 'years', 'recurring', 'recs'), [
    ({'from': '2020'}, [2026], 0, {'open': 2}),
    ({'to': '2019'}, [2019], 0, {'overdue': 2}),
    ({'province': '83'}, [2019], 0, {'overdue': 2}),
    ({'category': 'Báo cáo'}, [2019], 0, {}),
    ({'category': 'Sử dụng vốn vay', 'from': 'x', 'province': "1' or 1=1"}, [2019, 2026], 1, {}),
    ({'category': 'a\x00b'}, [2019, 2026], 1, {'open': 2, 'overdue': 2}),  # a NUL names no category: no filter
])
def test_filters(session, two_rounds, args, years, recurring, recs) -> None:  # noqa: ANN001
    f = CrossFilters.parse(args)
    d = cross_dashboard(session, day=DAY, filters=f)
    assert [b.key for b in d.trends] == years
    assert len(d.recurring) == recurring
    assert dict(d.recommendations) == recs
    assert set(f.args()) <= set(args)


def test_the_ages_buckets_edges(session, two_rounds) -> None:  # noqa: ANN001
    old, _new = two_rounds
    a, b = _recs(session, old)
    for late, bucket in ((1, '0-30'), (30, '0-30'), (31, '31-90'), (90, '31-90'), (180, '91-180'), (181, '180+')):
        a.deadline = date.fromordinal(DAY.toordinal() - late)
        b.deadline = date(2027, 1, 1)  # not yet due
        session.flush()
        d = cross_dashboard(session, day=DAY, filters=CrossFilters(year_to=2019))
        assert dict(d.ages) == {bucket: 1}, late
        assert dict(d.recommendations) == {'overdue': 1, 'open': 1}
