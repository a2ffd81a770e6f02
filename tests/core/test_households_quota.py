"""The plan's households per commune against the households a visit consulted: a shortfall is noted on the
submit (never a silent pass) and never refuses it; the note is the same for the web, the API and the CLI."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from inspect_flow.audit.models import AuditEntry
from inspect_flow.visits import operations as visit_ops
from inspect_flow.visits.quota import HouseholdQuota, household_quota, quota_warnings
from inspect_flow.workflow.states import VisitState
from tests import builders

A = 'test'


@pytest.mark.parametrize(('quota', 'given', 'shortfall'), [
    (5, 2, 3),  # the case: 2 households against a quota of 5
    (2, 2, 0),
    (1, 2, 0),  # more than asked is no shortfall
    (0, 2, None),  # no quota set: nothing to check
])
def test_a_submit_is_noted_not_refused_when_short_of_the_quota(session, quota, given, shortfall):  # noqa: ANN001
    plan = builders.plan_at(session, 'visiting', complete=False)
    plan.households_per_commune = quota
    visit = plan.visits[0]
    data = dict(builders.SUBMISSION, households=[{'code': f'H-{i:02d}', 'category': 'poor'} for i in range(given)])

    visit_ops.submit_visit(session, visit, actor=A, data=data)

    assert visit.state == VisitState.submitted
    status = household_quota(visit)
    submit = session.scalars(sa.select(AuditEntry).where(
        AuditEntry.entity_type == 'visit', AuditEntry.entity_id == visit.id, AuditEntry.trigger == 'submit')).one()
    if shortfall is None:
        assert status is None and quota_warnings(visit) == [] and submit.comment is None
        return
    assert (status.quota, status.consulted, status.shortfall) == (quota, given, shortfall)
    warnings = quota_warnings(visit)
    if shortfall:
        assert [w.rule for w in warnings] == ['visit.households_quota'] and warnings[0].field == 'households'
        assert warnings[0].vi == (f'Đã tham vấn {given}/{quota} hộ (kế hoạch: {quota:02d} hộ mỗi xã); '
                                  f'còn thiếu {shortfall} hộ.')
        assert warnings[0].en.endswith(f'; {shortfall} short.')
        assert submit.comment == warnings[0].vi  # the visit's history says it
    else:
        assert warnings == [] and submit.comment is None


def test_the_count_follows_the_draft_roster_before_any_submit(session):  # noqa: ANN001
    """With a checklist pinned, the count is the roster's rows that have a household code (what the form shows)."""
    from inspect_flow.demo.round2019 import run_demo

    plan, _ = run_demo(session, 'visiting')
    visit = next(v for v in plan.visits if v.state == VisitState.scheduled)
    roster = [{'household_code': 'A-1', 'category': 'poor'}, {'household_code': '  '}, {'category': 'poor'}]
    visit_ops.save_answers(session, visit, {'household_roster': roster}, actor=A)
    assert household_quota(visit) == HouseholdQuota(quota=plan.households_per_commune, consulted=1)
    assert plan.households_per_commune == 4


@pytest.mark.parametrize(('quota', 'consulted', 'vi', 'en'), [
    (4, 4, 'Đã tham vấn 4/4 hộ (kế hoạch: 04 hộ mỗi xã).',
     '4 of 4 households consulted (the plan asks 4 per commune).'),
    (10, 0, 'Đã tham vấn 0/10 hộ (kế hoạch: 10 hộ mỗi xã); còn thiếu 10 hộ.',
     '0 of 10 households consulted (the plan asks 10 per commune); 10 short.'),
])
def test_the_note_reads_as_a_sentence(quota, consulted, vi, en):  # noqa: ANN001
    status = HouseholdQuota(quota, consulted)
    assert (status.note('vi'), status.note('en')) == (vi, en)
    assert status.as_dict() == {'quota': quota, 'consulted': consulted, 'shortfall': quota - consulted,
                                'met': quota == consulted}
