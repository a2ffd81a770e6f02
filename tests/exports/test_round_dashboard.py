"""The round dashboard's figures (inspect_flow/plans/dashboard.py), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import date

import sqlalchemy as sa

from inspect_flow.findings.models import Finding, FindingStatus, Recommendation
from inspect_flow.plans.dashboard import OverdueFilters, is_overdue, round_dashboard
from inspect_flow.visits import operations as visit_ops
from tests.builders import ACTOR, plan_at

DAY = date(2020, 6, 1)


def test_a_cancelled_visit_is_counted_and_named(session) -> None:  # noqa: ANN001
    plan = plan_at(session, 'scheduling')
    cancelled = plan.visits[0]
    visit_ops.cancel_visit(session, cancelled, reason='Trùng lịch họp HĐND xã', actor=ACTOR)
    d = round_dashboard(session, plan, day=DAY)
    assert (d.progress.total, d.progress.cancelled, d.progress.done) == (2, 1, 0)
    assert d.cancelled == [cancelled]
    unit = dict(d.units)[cancelled.conclusion_unit.full_name]
    assert (unit.total, unit.cancelled) == (1, 1)  # its unit stays on the chart
    team = dict(d.teams)[cancelled.team.number]
    assert (team.total, team.cancelled) == (1, 1)


def test_findings_by_unit_and_category(demo_session, demo_plan) -> None:  # noqa: ANN001
    d = round_dashboard(demo_session, demo_plan, day=DAY)
    kept = [f for f in demo_session.scalars(sa.select(Finding).where(Finding.plan_id == demo_plan.id))
            if f.status != FindingStatus.rejected]
    by_cat = Counter(f.category for f in kept)
    assert {b.label: b.total for b in d.findings_by_category} == dict(by_cat)
    assert [b.total for b in d.findings_by_category] == sorted(by_cat.values(), reverse=True)
    by_unit = Counter(f.visit.conclusion_unit.full_name if f.visit else None for f in kept)
    assert {b.label: b.total for b in d.findings_by_unit} == dict(by_unit)
    assert len(d.findings_by_unit) == 9 and d.max_unit == max(by_unit.values())
    # the vocabulary merged the variants: one bar per topic
    assert 'Phối hợp' not in by_cat and by_cat['Phối hợp thực hiện'] == 18


def test_the_whole_overdue_list_with_filters(demo_session, demo_plan) -> None:  # noqa: ANN001
    recs = list(demo_session.scalars(sa.select(Recommendation).where(Recommendation.plan_id == demo_plan.id)))
    late = [r for r in recs if is_overdue(r, DAY)]
    d = round_dashboard(demo_session, demo_plan, day=DAY)
    assert d.overdue_total == len(d.overdue) == len(late) > 10
    assert [o.deadline for o in d.overdue] == sorted(o.deadline for o in d.overdue)
    one = late[0].addressee_label
    f = OverdueFilters.parse({'addressee': one, 'late': '180', 'sort': 'late'})
    d = round_dashboard(demo_session, demo_plan, day=DAY, filters=f)
    assert d.overdue_total == len(late)
    assert [o.id for o in d.overdue] == [r.id for r in sorted(late, key=lambda r: (r.deadline, r.id))
                                         if r.addressee_label == one and (DAY - r.deadline).days >= 180]
    assert OverdueFilters.parse({'late': '7', 'sort': 'drop table'}) == OverdueFilters()
    assert f.args(late=0) == {'addressee': one, 'sort': 'late'}
