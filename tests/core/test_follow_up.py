"""Follow-up across rounds: which earlier recommendations follow the units (across the 2025 reform), the
team's check and the state it leaves, "create from" and the recurrence."""

from __future__ import annotations

from datetime import date

import pytest

from inspect_flow.core.errors import Conflict, InvalidInput
from inspect_flow.findings import follow_up as fu
from inspect_flow.findings.models import Recommendation
from inspect_flow.plans import operations as plan_ops
from inspect_flow.plans import recurrence as rec_ops
from inspect_flow.plans.models import Plan, Recurrence, TeamRole
from inspect_flow.units import operations as unit_ops
from inspect_flow.workflow.states import PlanState, RecommendationState
from tests import builders as b

R = RecommendationState
D2019 = date(2019, 7, 12)


def _rec(session, plan: Plan, code: str, *, state: R = R.open, deadline: date = date(2019, 12, 31),  # noqa: ANN001
         label: str = '') -> Recommendation:
    unit = unit_ops.get_unit(session, code, D2019)
    rec = Recommendation(plan_id=plan.id, addressee_unit=unit, addressee_label=label or f'UBND {unit.full_name}',
                         text=f'Kiến nghị gửi {unit.full_name}.', deadline=deadline, state=state, created_by='t')
    session.add(rec)
    session.flush()
    if state == R.done:
        b.completion_report(session, rec)
    return rec


@pytest.fixture
def rounds(session):  # noqa: ANN001, ANN201
    """A closed 2019 round (Mỏ Cày Nam 833, Mỏ Cày Bắc 838) and a 2026 round at visiting: Xã Nhuận Phú Tân
    (28948, formed from communes of Mỏ Cày Bắc) and Phường Phú Khương (28756, of Thành phố Bến Tre)."""
    old = b.plan_at(session, 'closed')
    new = b.plan_at(session, 'visiting', complete=False, two_tier=True)
    for visit in new.visits:
        from inspect_flow.visits.operations import start_visit

        start_visit(session, visit, actor=b.ACTOR)
    return old, new


def test_earlier_recommendations_follow_the_units_across_the_2025_reform(session, rounds):  # noqa: ANN001
    old, new = rounds
    by_conclusion = {r.addressee_unit.code: r for r in session.query(Recommendation).filter_by(plan_id=old.id)}
    assert set(by_conclusion) == {'833', '838'}
    commune = _rec(session, old, '28936')            # Xã Nhuận Phú Tân (2019) → 28948
    elsewhere = _rec(session, old, '28951')          # Xã An Thạnh, Mỏ Cày Nam: not taken over by a target
    verified = _rec(session, old, '28936', state=R.verified)
    cancelled_plan = b.plan_at(session, 'cancelled')
    _rec(session, cancelled_plan, '838')
    items = fu.follow_up(session, new)
    ids = {i.recommendation.id for i in items}
    assert ids == {by_conclusion['838'].id, commune.id}
    assert elsewhere.id not in ids and verified.id not in ids and by_conclusion['833'].id not in ids
    nhuan_phu_tan = next(v for v in new.visits if v.commune.code == '28948')
    assert {i.recommendation.id for i in fu.follow_up_for_visit(session, nhuan_phu_tan)} == ids
    assert all(i.visits == [nhuan_phu_tan] for i in items)
    assert fu.follow_up_for_visit(session, next(v for v in new.visits if v.commune.code == '28756')) == []
    # Nothing follows backwards in time: the 2019 round picks up nothing from the 2026 one.
    assert fu.follow_up(session, old) == []


@pytest.mark.parametrize('state', list(R))
def test_which_states_follow(session, rounds, state):  # noqa: ANN001
    old, new = rounds
    rec = _rec(session, old, '28936', state=state)
    assert (rec.id in {i.recommendation.id for i in fu.follow_up(session, new)}) == (state in fu.FOLLOWING_STATES)


#: (state before, outcome, deadline passed on the visit's day) → state after.
TRANSITIONS = [
    (R.open, 'done', True, R.verified),
    (R.open, 'partly_done', False, R.in_progress),
    (R.open, 'partly_done', True, R.overdue),
    (R.open, 'not_done', False, R.open),
    (R.open, 'not_done', True, R.overdue),
    (R.in_progress, 'done', False, R.verified),
    (R.in_progress, 'partly_done', False, R.in_progress),
    (R.in_progress, 'not_done', True, R.overdue),
    (R.done, 'done', True, R.verified),
    (R.done, 'partly_done', False, R.in_progress),
    (R.done, 'not_done', True, R.overdue),
    (R.overdue, 'done', True, R.verified),
    (R.overdue, 'partly_done', True, R.overdue),
    (R.overdue, 'not_done', True, R.overdue),
]


def test_the_check_moves_the_recommendation_as_the_table_says(session, rounds):  # noqa: ANN001
    old, new = rounds
    visit = next(v for v in new.visits if v.commune.code == '28948')
    leader = visit.team.leader
    cases = [(before, outcome, late, after,
              _rec(session, old, '28936', state=before, deadline=date(2019, 12, 31) if late else date(2026, 12, 31)))
             for before, outcome, late, after in TRANSITIONS]
    for before, outcome, late, after, rec in cases:
        check = fu.check_recommendation(session, visit, rec, outcome=outcome, note='Ghi nhận tại xã.',
                                        evidence=['Biên bản rà soát'], checker=leader, actor=b.ACTOR)
        assert (before, outcome, late, rec.state) == (before, outcome, late, after)
        assert (check.state_before, check.state_after, check.visit_id) == (before.value, after.value, visit.id)
        if outcome == 'done':
            assert rec.verified_by == leader
    items = {i.recommendation.id: i for i in fu.follow_up(session, new)}
    # Checked ones stay listed, verified too, with the visit they were checked in.
    assert all(items[c[4].id].as_dict()['verified_in_visit'] == visit.id for c in cases)
    counts = fu.counts(list(items.values()))
    assert counts['done'] == 4 and counts['partly_done'] == 5 and counts['not_done'] == 5


@pytest.mark.parametrize('outcome, note, evidence, field', [
    ('partly_done', '', ['x'], 'note'),
    ('not_done', '   ', [], 'note'),
    ('done', 'ok', [], 'evidence'),
    ('done', 'ok', ['  '], 'evidence'),
    ('maybe', 'ok', ['x'], 'outcome'),
])
def test_a_bad_check_is_refused_with_its_field_and_changes_nothing(session, rounds, outcome, note, evidence,  # noqa: ANN001
                                                                   field):
    old, new = rounds
    visit = next(v for v in new.visits if v.commune.code == '28948')
    rec = _rec(session, old, '28936')
    with pytest.raises(InvalidInput) as e:
        fu.check_recommendation(session, visit, rec, outcome=outcome, note=note, evidence=evidence, actor=b.ACTOR)
    assert e.value.field == field and rec.state == R.open and rec.reports == []


def test_a_recommendation_is_checked_once_per_round_and_only_at_its_units(session, rounds):  # noqa: ANN001
    old, new = rounds
    visit, other = sorted(new.visits, key=lambda v: v.commune.code != '28948')
    rec = _rec(session, old, '28936')
    with pytest.raises(InvalidInput) as e:
        fu.check_recommendation(session, other, rec, outcome='not_done', note='x', actor=b.ACTOR)
    assert e.value.field == 'recommendation'
    fu.check_recommendation(session, visit, rec, outcome='not_done', note='Chưa làm.', actor=b.ACTOR)
    with pytest.raises(Conflict):
        fu.check_recommendation(session, visit, rec, outcome='done', evidence=['x'], actor=b.ACTOR)


def test_the_check_needs_the_visits_or_findings_stage(session):  # noqa: ANN001
    old = b.plan_at(session, 'closed')
    new = b.plan_at(session, 'scheduling', two_tier=True)
    rec = _rec(session, old, '28936')
    with pytest.raises(Conflict):
        fu.check_recommendation(session, new.visits[0], rec, outcome='not_done', note='x', actor=b.ACTOR)


# --- create from, recurrence ------------------------------------------------------------------------------

@pytest.mark.parametrize('day, months, expected', [
    (date(2019, 7, 5), 6, date(2020, 1, 5)),
    (date(2019, 8, 31), 6, date(2020, 2, 29)),
    (date(2019, 12, 31), 12, date(2020, 12, 31)),
    (date(2020, 2, 29), 12, date(2021, 2, 28)),
])
def test_add_months(day, months, expected):  # noqa: ANN001
    assert rec_ops.add_months(day, months) == expected


def test_create_from_copies_the_structure_into_a_new_plan_at_planning(session):  # noqa: ANN001
    from inspect_flow.plans.checklists import pin_default_checklists

    source = b.new_plan(session)
    plan_ops.update_plan(session, source, {'legal_bases': ['Quyết định số 1722/QĐ-TTg'],
                                           'objectives': ['Đánh giá kết quả'], 'households_per_commune': 5},
                         actor=b.ACTOR)
    pin_default_checklists(session, source, actor=b.ACTOR)
    source.subject = 'Kiểm tra, giám sát công tác giảm nghèo năm 2019'
    result = rec_ops.create_from(session, source, fieldwork_start=date(2020, 7, 6), fieldwork_end=date(2020, 7, 24),
                                 actor=b.ACTOR, recurrence=Recurrence.yearly)
    plan = result.plan
    assert plan.state == PlanState.planning and plan.id != source.id and plan.source_plan_id == source.id
    assert plan.subject == 'Kiểm tra, giám sát công tác giảm nghèo năm 2020'
    assert (plan.legal_bases, plan.objectives, plan.coverage_rule, plan.households_per_commune) == (
        source.legal_bases, source.objectives, source.coverage_rule, 5)
    assert sorted((p.checklist_id, p.sha256) for p in plan.checklists) == sorted(
        (p.checklist_id, p.sha256) for p in source.checklists) and plan.checklists
    assert [(t.number, [(m.person_id, m.role) for m in t.members]) for t in plan.teams] == [
        (t.number, [(m.person_id, m.role) for m in t.members]) for t in source.teams]
    assert any(m.role == TeamRole.leader for m in plan.teams[0].members)
    assert plan.target_units == [] and plan.visits == [] and plan.number is None
    assert plan.recurrence == Recurrence.yearly and not plan.by_recurrence


def test_create_from_repins_a_checklist_version_that_no_longer_applies(session):  # noqa: ANN001
    from inspect_flow.plans.checklists import pin_default_checklists

    source = b.new_plan(session, two_tier=True)
    pin_default_checklists(session, source, actor=b.ACTOR)
    assert {p.version for p in source.checklists} == {'2026.1'}
    kept = rec_ops.create_from(session, source, fieldwork_start=date(2027, 3, 8), fieldwork_end=date(2027, 3, 19),
                               actor=b.ACTOR)
    assert kept.repinned == [] and {p.version for p in kept.plan.checklists} == {'2026.1'}
    # Before 01/07/2025 the 2026 forms do not apply: the newest version that does is pinned instead.
    back = rec_ops.create_from(session, source, fieldwork_start=date(2024, 7, 8), fieldwork_end=date(2024, 7, 19),
                               actor=b.ACTOR)
    assert back.repinned and all(s.endswith('@2019.1') for s in back.repinned)
    assert {p.version for p in back.plan.checklists} == {'2019.1'}


def test_create_from_refuses_bad_dates_and_leaves_no_plan(session):  # noqa: ANN001
    source = b.new_plan(session)
    count = session.query(Plan).count()
    with pytest.raises(InvalidInput) as e:
        rec_ops.create_from(session, source, fieldwork_start=date(2020, 7, 24), fieldwork_end=date(2020, 7, 6),
                            actor=b.ACTOR)
    assert e.value.field == 'fieldwork_end' and session.query(Plan).count() == count


def test_recur_creates_each_next_draft_once_on_its_day_and_catches_up(session):  # noqa: ANN001
    source = b.new_plan(session)   # fieldwork 05–24/07/2019
    rec_ops.set_recurrence(session, source, Recurrence.half_yearly, actor=b.ACTOR)
    due = rec_ops.next_draft_on(source)
    assert due == date(2020, 1, 5) - __import__('datetime').timedelta(days=rec_ops.DRAFT_LEAD_DAYS)
    assert rec_ops.recur(session, on=due - __import__('datetime').timedelta(days=1)) == []
    first = rec_ops.recur(session, on=due)
    assert [(r.plan.fieldwork_start, r.plan.fieldwork_end, r.plan.by_recurrence) for r in first] == [
        (date(2020, 1, 5), date(2020, 1, 24), True)]
    assert rec_ops.recur(session, on=due) == []  # idempotent
    later = rec_ops.recur(session, on=date(2021, 1, 1))  # missed days: the chain catches up
    assert [r.plan.fieldwork_start for r in later] == [date(2020, 7, 5), date(2021, 1, 5)]
    from inspect_flow.audit.models import AuditEntry

    entries = session.query(AuditEntry).filter_by(plan_id=first[0].plan.id, comment='recurrence').all()
    assert entries, 'the secretariat sees the draft in the history'
    cancelled = b.plan_at(session, 'cancelled')
    with pytest.raises(InvalidInput):
        rec_ops.set_recurrence(session, cancelled, Recurrence.yearly, actor=b.ACTOR)
