"""Every scheduling rule, with the message the user sees, and the reproducible draw."""

from __future__ import annotations

from datetime import datetime

import pytest

from inspect_flow.core.errors import Conflict, InvalidInput, TransitionRefused
from inspect_flow.plans import operations as plan_ops
from inspect_flow.plans.models import CoverageRule, TeamRole
from inspect_flow.plans.scheduling import draw, find_conflicts
from inspect_flow.units.operations import get_unit
from tests import builders

A = 'tester'


def _at(day: int, h: int, m: int = 0) -> datetime:
    return datetime(2019, 7, day, h, m)


def _scheduled(session, **kw):  # noqa: ANN001, ANN202
    plan = builders.new_plan(session, **kw)
    plan_ops.advance_plan(session, plan, 'schedule', actor=A)
    return plan


def _rules(plan) -> list[str]:  # noqa: ANN001
    return [c.rule for c in find_conflicts(plan)]


def test_it_flags_a_team_in_two_places_at_once(session):  # noqa: ANN001
    plan = _scheduled(session)
    t1 = plan.teams[0]
    plan_ops.schedule_visit(session, plan, t1, '28951', _at(11, 7, 30), _at(11, 11, 30), actor=A)
    _, conflicts = plan_ops.schedule_visit(session, plan, t1, '28936', _at(11, 9), _at(11, 12), actor=A)
    team = [c for c in conflicts if c.rule == 'team_double_booked']
    assert team[0].vi == ('Đoàn 1 có hai buổi làm việc trùng giờ ngày 11/07/2019: Xã An Thạnh (07:30–11:30) '
                          'và Xã Nhuận Phú Tân (09:00–12:00).')
    assert team[0].en.startswith('Team 1 has two overlapping visits on 11/07/2019')


def test_it_flags_a_person_on_two_teams_whose_visits_overlap(session):  # noqa: ANN001
    plan = _scheduled(session)
    t1, t2 = plan.teams
    shared = builders.person(session, 'Nguyễn Thị Thanh Thảo')
    # teams can change while scheduling
    plan_ops.add_member(session, t1, shared, TeamRole.secretary, actor=A)
    plan_ops.add_member(session, t2, shared, TeamRole.secretary, actor=A)
    plan_ops.schedule_visit(session, plan, t1, '28951', _at(11, 7, 30), _at(11, 11, 30), actor=A)
    _, conflicts = plan_ops.schedule_visit(session, plan, t2, '28936', _at(11, 8), _at(11, 10), actor=A)
    person = [c for c in conflicts if c.rule == 'person_double_booked']
    assert person[0].vi == ('Nguyễn Thị Thanh Thảo (Đoàn 1 và Đoàn 2) có hai buổi làm việc trùng giờ ngày '
                            '11/07/2019: Xã An Thạnh (07:30–11:30) và Xã Nhuận Phú Tân (08:00–10:00).')


def test_it_allows_a_person_on_two_teams_on_different_days(session):  # noqa: ANN001
    plan = _scheduled(session)
    t1, t2 = plan.teams
    shared = builders.person(session, 'Lê Hoàng Việt')
    plan_ops.add_member(session, t1, shared, TeamRole.secretary, actor=A)
    plan_ops.add_member(session, t2, shared, TeamRole.secretary, actor=A)
    builders.schedule_all(session, plan)
    assert find_conflicts(plan) == []


def test_it_flags_a_commune_visited_twice(session):  # noqa: ANN001
    plan = _scheduled(session, coverage=CoverageRule.none)
    t1, t2 = plan.teams
    plan_ops.schedule_visit(session, plan, t1, '28936', _at(11, 7), _at(11, 11), actor=A)
    _, conflicts = plan_ops.schedule_visit(session, plan, t2, '28936', _at(15, 7), _at(15, 11), actor=A)
    assert [c.vi for c in conflicts if c.rule == 'commune_visited_twice'] == [
        'Xã Nhuận Phú Tân được xếp lịch kiểm tra 2 lần trong đợt (Đoàn 1 ngày 11/07/2019, Đoàn 2 ngày 15/07/2019).']


def test_it_flags_a_visit_outside_the_fieldwork_window(session):  # noqa: ANN001
    plan = _scheduled(session)
    _, conflicts = plan_ops.schedule_visit(session, plan, plan.teams[0], '28951', _at(25, 7), _at(25, 11), actor=A)
    assert [c.vi for c in conflicts] == [
        'Buổi làm việc tại Xã An Thạnh ngày 25/07/2019 nằm ngoài thời gian kiểm tra của kế hoạch '
        '(05/07/2019–24/07/2019).']


def test_it_flags_an_inspector_inspecting_their_own_unit(session):  # noqa: ANN001
    plan = _scheduled(session)
    local = builders.person(session, 'Trần Văn Mỏ', unit_code='838')  # works in Huyện Mỏ Cày Bắc
    plan_ops.add_member(session, plan.teams[1], local, TeamRole.member, actor=A)
    _, conflicts = plan_ops.schedule_visit(session, plan, plan.teams[1], '28936', _at(12, 7), _at(12, 11), actor=A)
    assert [c.vi for c in conflicts] == [
        'Trần Văn Mỏ (Đoàn 2) công tác tại Huyện Mỏ Cày Bắc, không được tham gia kiểm tra Xã Nhuận Phú Tân thuộc '
        'đơn vị mình (xung đột lợi ích).']


def test_it_enforces_one_commune_per_district_when_asked(session):  # noqa: ANN001
    plan = _scheduled(session)
    plan_ops.schedule_visit(session, plan, plan.teams[0], '28936', _at(11, 7), _at(11, 11), actor=A)
    _, conflicts = plan_ops.schedule_visit(session, plan, plan.teams[1], '28924',
                                           _at(12, 7), _at(12, 11), actor=A)  # Xã Hòa Lộc, also Mỏ Cày Bắc
    assert [c.vi for c in conflicts] == [
        'Huyện Mỏ Cày Bắc có 2 xã được xếp lịch; kế hoạch quy định mỗi huyện kiểm tra một xã.']


def test_it_allows_several_communes_per_district_without_the_rule(session):  # noqa: ANN001
    plan = _scheduled(session, coverage=CoverageRule.none)
    plan_ops.schedule_visit(session, plan, plan.teams[0], '28936', _at(11, 7), _at(11, 11), actor=A)
    plan_ops.schedule_visit(session, plan, plan.teams[1], '28924', _at(12, 7), _at(12, 11), actor=A)
    assert find_conflicts(plan) == []


def test_it_flags_a_commune_outside_the_target_area(session):  # noqa: ANN001
    plan = _scheduled(session)
    _, conflicts = plan_ops.schedule_visit(session, plan, plan.teams[0], '29188', _at(11, 7), _at(11, 11), actor=A)
    assert [c.vi for c in conflicts] == [
        'Xã Đại Điền, Huyện Thạnh Phú không thuộc địa bàn kiểm tra của kế hoạch.']


def test_it_blocks_visiting_until_conflicts_are_resolved_and_then_allows_it(session):  # noqa: ANN001
    plan = _scheduled(session)
    builders.schedule_all(session, plan)
    clash, _ = plan_ops.schedule_visit(session, plan, plan.teams[0], '28951', _at(26, 7), _at(26, 11), actor=A)
    with pytest.raises(TransitionRefused) as exc:
        plan_ops.advance_plan(session, plan, 'start_visiting', actor=A)
    rules = {d['rule'] for d in exc.value.details}
    assert rules == {'plan.no_conflicts'}
    assert 'Xã An Thạnh được xếp lịch kiểm tra 2 lần' in exc.value.message
    plan_ops.remove_visit(session, clash, actor=A)
    plan_ops.advance_plan(session, plan, 'start_visiting', actor=A)
    assert plan.state.value == 'visiting'


def test_it_refuses_a_change_that_adds_a_conflict_once_visits_are_under_way(session):  # noqa: ANN001
    plan = builders.plan_at(session, 'visiting', complete=False)
    first, second = plan.visits
    with pytest.raises(Conflict) as exc:
        plan_ops.move_visit(session, second, starts_at=first.starts_at, ends_at=first.ends_at, team=first.team,
                            actor=A)
    assert 'Đoàn 1 có hai buổi làm việc trùng giờ' in exc.value.message


def test_it_rejects_a_unit_that_is_not_a_commune(session):  # noqa: ANN001
    plan = _scheduled(session)
    with pytest.raises(InvalidInput) as exc:
        plan_ops.schedule_visit(session, plan, plan.teams[0], '838', _at(11, 7), _at(11, 11), actor=A)
    assert exc.value.message == 'Huyện Mỏ Cày Bắc không phải đơn vị cấp xã.'


def test_it_rejects_an_end_before_the_start(session):  # noqa: ANN001
    plan = _scheduled(session)
    with pytest.raises(InvalidInput) as exc:
        plan_ops.schedule_visit(session, plan, plan.teams[0], '28936', _at(11, 11), _at(11, 7), actor=A)
    assert exc.value.message == 'Giờ kết thúc phải sau giờ bắt đầu.'


def test_the_draw_is_reproducible_from_its_seed(session):  # noqa: ANN001
    plan = builders.new_plan(session, targets=['829', '831', '838'])
    first = plan_ops.draw_communes(session, plan, per_district=1, seed='bentre-2019', actor=A)
    again = plan_ops.draw_communes(session, plan, per_district=1, seed='bentre-2019', actor=A)
    assert first.result == again.result
    assert sorted(first.result) == ['829', '831', '838']
    assert all(len(v) == 1 for v in first.result.values())
    assert plan_ops.replay_draw(first)
    for district, communes in first.result.items():
        assert get_unit(session, communes[0], plan.fieldwork_start).parent.code == district
    other = plan_ops.draw_communes(session, plan, per_district=2, seed='another', actor=A)
    assert all(len(v) == 2 for v in other.result.values())
    assert len(plan.draws) == 3


def test_a_random_draw_records_a_fresh_seed(session):  # noqa: ANN001
    plan = builders.new_plan(session)
    record = plan_ops.draw_communes(session, plan, per_district=1, actor=A)
    assert len(record.seed) == 16
    assert plan_ops.replay_draw(record)


def test_the_draw_depends_only_on_seed_and_candidates():
    candidates = {'838': ['28936', '28924', '28927'], '833': ['28951', '28930']}
    shuffled = {'833': ['28930', '28951'], '838': ['28927', '28936', '28924']}
    assert draw(candidates, 1, 'x') == draw(shuffled, 1, 'x')
    results = {tuple(draw(candidates, 1, str(seed))['838']) for seed in range(40)}
    assert len(results) == 3  # every commune can be drawn


def test_the_draw_refuses_a_plan_without_districts(session):  # noqa: ANN001
    plan = builders.new_plan(session, targets=['28936'])
    with pytest.raises(InvalidInput) as exc:
        plan_ops.draw_communes(session, plan, per_district=1, actor=A)
    assert exc.value.message == 'Kế hoạch chưa có huyện nào trong địa bàn kiểm tra để chọn xã.'
