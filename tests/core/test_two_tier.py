"""Rounds in the two-tier structure (from 01/07/2025: communes directly under the province), beside the 2019
three-tier round: the unit a visit is concluded under, conclusions keyed by it, guards, access, targets on the
plan's dates, addressees."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from inspect_flow.accounts import access
from inspect_flow.accounts.models import Role, User
from inspect_flow.core.errors import Conflict, InvalidInput, TransitionRefused
from inspect_flow.findings import operations as f_ops
from inspect_flow.plans import operations as plan_ops
from inspect_flow.plans.models import TeamRole
from inspect_flow.units import operations as unit_ops
from inspect_flow.workflow.states import PlanState
from tests import builders

A = builders.ACTOR


def _official(unit) -> User:  # noqa: ANN001
    return User(username='cb', full_name='Cán bộ', role=Role.local_official, unit_id=unit.id, is_active=True)


@pytest.mark.parametrize(('two_tier', 'concluded_levels', 'district_ids_none'), [
    (False, {'district'}, False),  # 2019: each visit is concluded under its district
    (True, {'commune'}, True),  # 2026: under the commune itself, and the visit has no district
])
def test_a_visit_is_concluded_under_its_district_or_its_commune(session, two_tier, concluded_levels,  # noqa: ANN001
                                                                  district_ids_none):
    plan = builders.plan_at(session, 'findings', two_tier=two_tier)
    assert {v.conclusion_unit.level.value for v in plan.visits} == concluded_levels
    assert all((v.district_id is None) == district_ids_none for v in plan.visits)
    for v in plan.visits:
        assert v.conclusion_unit_id == v.conclusion_unit.id
        assert v.where.startswith(v.commune.full_name)
        assert ('Huyện' in v.where) == (not two_tier)


def test_two_tier_conclusions_are_keyed_by_commune_and_the_guard_names_the_commune(session):  # noqa: ANN001
    plan = builders.plan_at(session, 'conclusions', two_tier=True, complete=False)
    npt, pk = (unit_ops.get_unit(session, code, builders.DAY_2026) for code in builders.COMMUNES_2026)
    f_ops.add_conclusion(session, plan, npt, summary='Đánh giá chung.', actor=A)
    with pytest.raises(TransitionRefused) as exc:
        plan_ops.advance_plan(session, plan, 'close', actor=A)
    assert exc.value.message == 'Chưa có kết luận cho Phường Phú Khương.'
    assert 'huyện' not in exc.value.message.lower()
    with pytest.raises(Conflict) as dup:
        f_ops.add_conclusion(session, plan, npt, summary='Lần hai', actor=A)
    assert dup.value.field == 'unit' and dup.value.message == 'Xã Nhuận Phú Tân đã có kết luận.'
    f_ops.add_conclusion(session, plan, pk, summary='Đánh giá chung.', actor=A)
    plan_ops.advance_plan(session, plan, 'close', actor=A)
    assert plan.state == PlanState.closed
    assert [u.code for u in f_ops.conclusion_units(plan)] == ['28756', '28948']


def test_the_2019_guard_still_names_the_district(session):  # noqa: ANN001
    plan = builders.plan_at(session, 'conclusions', complete=False)
    with pytest.raises(TransitionRefused) as exc:
        plan_ops.advance_plan(session, plan, 'close', actor=A)
    assert exc.value.message == 'Chưa có kết luận cho Huyện Mỏ Cày Nam. Chưa có kết luận cho Huyện Mỏ Cày Bắc.'


def test_a_district_is_not_a_two_tier_conclusion_unit(session):  # noqa: ANN001
    plan = builders.plan_at(session, 'conclusions', two_tier=True, complete=False)
    mcb = unit_ops.get_unit(session, '838', date(2019, 7, 5))
    with pytest.raises(InvalidInput) as exc:
        f_ops.add_conclusion(session, plan, mcb, summary='x', actor=A)
    assert exc.value.field == 'unit' and 'Huyện Mỏ Cày Bắc không có buổi làm việc' in exc.value.message


def test_an_official_of_a_commune_sees_the_conclusion_of_their_commune_only(session):  # noqa: ANN001
    plan = builders.plan_at(session, 'closed', two_tier=True)
    conclusions = {c.unit.code: c for c in (r.conclusion for r in _recs(session, plan))}
    npt_official = _official(conclusions['28948'].unit)
    assert access.can_view_conclusion(npt_official, conclusions['28948'], plan)
    assert not access.can_view_conclusion(npt_official, conclusions['28756'], plan)
    leader = plan.visits[0].team.leader
    assert access.can_conclude(_team_user(leader), plan, plan.visits[0].conclusion_unit_id)
    other = next(v for v in plan.visits if v.team_id != plan.visits[0].team_id)
    assert not access.can_conclude(_team_user(leader), plan, other.conclusion_unit_id)


def _recs(session, plan):  # noqa: ANN001, ANN202
    from inspect_flow.findings.models import Recommendation

    return [r for r in session.query(Recommendation).filter_by(plan_id=plan.id)]


def _team_user(person) -> User:  # noqa: ANN001
    return User(username='tl', full_name=person.full_name, role=Role.team_leader, person_id=person.id,
                person=person, is_active=True)


# --- targets on the plan's dates ------------------------------------------------------------------------------

@pytest.mark.parametrize(('two_tier', 'code', 'error', 'words'), [
    # A 2019 commune is no target of a 2026 round: both dates named, and what took it over.
    (True, '28936', 'unit.not_in_period', ['09/03/2026–20/03/2026', 'nay thuộc Xã Nhuận Phú Tân (mã 28948)']),
    (True, '838', 'unit.not_in_period', ['09/03/2026–20/03/2026', 'Huyện Mỏ Cày Bắc']),  # nor a district
    (False, '29242', 'unit.not_in_period', ['05/07/2019–24/07/2019']),  # a later code, in a 2019 plan
    (True, '86', 'plan.bad_target', ['Tỉnh Vĩnh Long là cấp tỉnh; hãy chọn xã, phường.']),
    (False, '83', 'plan.bad_target', ['Tỉnh Bến Tre là cấp tỉnh; hãy chọn huyện hoặc xã.']),
])
def test_targets_are_units_of_the_plans_dates(session, two_tier, code, error, words):  # noqa: ANN001
    plan = builders.new_plan(session, two_tier=two_tier)
    with pytest.raises(InvalidInput) as exc:
        plan_ops.set_targets(session, plan, [code], actor=A)
    assert exc.value.code == error and exc.value.field == 'targets'
    assert all(w in exc.value.message for w in words), exc.value.message


def test_a_two_tier_plan_targets_communes_and_schedules_them_without_a_district(session):  # noqa: ANN001
    plan = builders.new_plan(session, two_tier=True)
    assert [u.level.value for u in plan.target_units] == ['commune', 'commune']
    plan_ops.advance_plan(session, plan, 'schedule', actor=A)
    visits = builders.schedule_all(session, plan)
    assert [v.district_id for v in visits] == [None, None]
    assert [v.place for v in visits] == ['Hội trường UBND xã Nhuận Phú Tân', 'Hội trường UBND phường Phú Khương']
    plan_ops.advance_plan(session, plan, 'start_visiting', actor=A)


def test_conflict_of_interest_in_two_tiers_is_the_commune_itself(session):  # noqa: ANN001
    plan = builders.new_plan(session, two_tier=True)
    team = plan.teams[0]
    local = unit_ops.add_person(session, full_name='Cán bộ xã Nhuận Phú Tân', title='Công chức',
                                unit=unit_ops.get_unit(session, '28948', builders.DAY_2026))
    plan_ops.add_member(session, team, local, TeamRole.member, actor=A)
    plan_ops.advance_plan(session, plan, 'schedule', actor=A)
    _visit, conflicts = plan_ops.schedule_visit(session, plan, team, '28948', datetime(2026, 3, 10, 7, 30),
                                                datetime(2026, 3, 10, 11, 0), actor=A)
    assert [c.rule for c in conflicts] == ['conflict_of_interest']
    assert 'công tác tại Xã Nhuận Phú Tân' in conflicts[0].vi


# --- addressees ------------------------------------------------------------------------------------------------

def _conclude(session, plan, code):  # noqa: ANN001, ANN202
    unit = unit_ops.get_unit(session, code, plan.fieldwork_start)
    return f_ops.add_conclusion(session, plan, unit, summary='Đánh giá chung.', actor=A)


@pytest.mark.parametrize(('two_tier', 'concluded', 'unit_code', 'body', 'ok', 'label'), [
    (True, '28948', '28948', None, True, 'UBND xã Nhuận Phú Tân'),
    (True, '28756', '28756', None, True, 'UBND phường Phú Khương'),
    (True, '28948', None, 'department', True, 'Sở Nông nghiệp và Môi trường tỉnh Vĩnh Long'),
    (True, '28948', '28756', None, False, 'addressee_unit'),  # another commune of the round
    (True, '28948', '29242', None, False, 'addressee_unit'),  # a commune of the province not visited
    (True, '28948', None, 'bentre-2019', False, 'addressee_body'),  # a body of another province (Bến Tre, 2019)
    (False, '838', '838', None, True, 'UBND huyện Mỏ Cày Bắc'),
    (False, '838', '28936', None, True, 'UBND xã Nhuận Phú Tân'),  # a commune visited under the district
    (False, '838', '833', None, False, 'addressee_unit'),  # another district of the round
    (False, '838', '28951', None, False, 'addressee_unit'),  # a commune visited under another district
])
def test_a_recommendation_goes_to_the_concluded_unit_its_communes_or_a_body_of_the_province(  # noqa: PLR0913
        session, two_tier, concluded, unit_code, body, ok, label):  # noqa: ANN001
    plan = builders.plan_at(session, 'conclusions', two_tier=two_tier, complete=False)
    conclusion = _conclude(session, plan, concluded)
    unit = unit_ops.get_unit(session, unit_code, plan.fieldwork_start) if unit_code else None
    to_body = {'department': builders.department_2026, 'bentre-2019': builders.issuer}[body](session) if body else None
    call = dict(text='Rà soát hộ nghèo.', addressee_label='', actor=A, conclusion=conclusion, addressee_unit=unit,
                addressee_body=to_body, deadline=date(plan.fieldwork_start.year, 12, 31))
    if ok:
        rec = f_ops.add_recommendation(session, plan, **call)
        assert rec.addressee_label == label
        return
    with pytest.raises(InvalidInput) as exc:
        f_ops.add_recommendation(session, plan, **call)
    assert exc.value.field == label
    assert not conclusion.recommendations


def test_a_person_of_a_2019_commune_may_not_inspect_the_commune_that_took_it_over(session):  # noqa: ANN001
    plan = builders.new_plan(session, two_tier=True)
    team = plan.teams[0]
    local = unit_ops.add_person(session, full_name='Cán bộ xã cũ', title='Công chức',
                                unit=unit_ops.get_unit(session, '28936', date(2019, 7, 5)))  # 2019's Nhuận Phú Tân
    plan_ops.add_member(session, team, local, TeamRole.member, actor=A)
    plan_ops.advance_plan(session, plan, 'schedule', actor=A)
    _visit, conflicts = plan_ops.schedule_visit(session, plan, team, '28948', datetime(2026, 3, 10, 7, 30),
                                                datetime(2026, 3, 10, 11, 0), actor=A)
    assert [c.rule for c in conflicts] == ['conflict_of_interest']
    assert 'công tác tại Xã Nhuận Phú Tân, không được tham gia kiểm tra Xã Nhuận Phú Tân' in conflicts[0].vi
    _other, none = plan_ops.schedule_visit(session, plan, plan.teams[1], '28756', datetime(2026, 3, 11, 7, 30),
                                           datetime(2026, 3, 11, 11, 0), actor=A)
    assert none == []
