"""The "my work" list per role (inspect_flow/work/queries.py): which sections each person gets, and what is in them."""

from __future__ import annotations

from datetime import date

import pytest

from inspect_flow.accounts.operations import create_user, use_fast_hashing
from inspect_flow.plans import operations as plan_ops
from inspect_flow.plans.models import TeamRole
from inspect_flow.units import operations as unit_ops
from inspect_flow.visits import operations as visit_ops
from inspect_flow.work.queries import SECTIONS, my_work
from tests import builders

use_fast_hashing()
PASSWORD = 'mot-mat-khau-dai'


def _person(team, role):  # noqa: ANN001, ANN202
    return next(m.person for m in team.members if m.role == role)


def _accounts(session, plan) -> dict:  # noqa: ANN001
    """An account per role: the secretariat, team 1's member and leader, team 2's leader, district 838's official."""
    t1, t2 = plan.teams
    n = plan.number
    district = unit_ops.get_unit(session, '838', builders.DAY)
    return {
        'secretariat': create_user(session, username=f'vpt{n}', password=PASSWORD, role='secretariat',
                                   full_name='Văn phòng'),
        'member1': create_user(session, username=f'tv1-{n}', password=PASSWORD, role='team_member',
                               full_name='Thành viên 1', person=_person(t1, TeamRole.member)),
        'leader1': create_user(session, username=f'td1-{n}', password=PASSWORD, role='team_leader',
                               full_name='Trưởng đoàn 1', person=_person(t1, TeamRole.leader)),
        'leader2': create_user(session, username=f'td2-{n}', password=PASSWORD, role='team_leader',
                               full_name='Trưởng đoàn 2', person=_person(t2, TeamRole.leader)),
        'official838': create_user(session, username=f'cb838-{n}', password=PASSWORD, role='local_official',
                                   full_name='Cán bộ huyện', unit=district),
    }


def _work(session, user, day, lang='vi') -> dict:  # noqa: ANN001
    return {s.key: s for s in my_work(session, user, day, lang)}


def _titles(section) -> list[str]:  # noqa: ANN001
    return [i.title for i in section.items]


#: Who gets which sections (in this order): the team's people their visits, the leader the reviews and conclusions,
#: the official the recommendations, the secretariat the verifications and the documents.
ROLE_SECTIONS = [
    ('member1', ['today', 'coming', 'to_fix']),
    ('leader1', ['today', 'coming', 'to_fix', 'reviews', 'conclusions']),
    ('official838', ['recommendations']),
    ('secretariat', ['today', 'coming', 'verify', 'overdue', 'documents']),
]


@pytest.mark.parametrize(('who', 'keys'), ROLE_SECTIONS)
def test_each_role_gets_its_own_sections(session, who, keys):  # noqa: ANN001
    plan = builders.plan_at(session, 'scheduling')
    users = _accounts(session, plan)
    assert list(_work(session, users[who], date(2019, 7, 11))) == keys
    assert len(SECTIONS) >= len(keys)


def test_visits_today_coming_returned_and_to_review(session):  # noqa: ANN001
    plan = builders.plan_at(session, 'scheduling')  # team 1 at An Thạnh on 11/07, team 2 at Nhuận Phú Tân on 12/07
    users = _accounts(session, plan)
    plan_ops.advance_plan(session, plan, 'start_visiting', actor=builders.ACTOR)
    v1, v2 = plan.visits

    member = _work(session, users['member1'], date(2019, 7, 11))
    assert _titles(member['today']) == ['Xã An Thạnh, Huyện Mỏ Cày Nam']  # not team 2's visit
    assert member['today'].items[0].kind == 'visit' and member['today'].items[0].id == v1.id
    assert member['coming'].items == [] and member['to_fix'].items == []
    staff = _work(session, users['secretariat'], date(2019, 7, 11))
    assert [i.id for i in staff['today'].items] == [v1.id] and [i.id for i in staff['coming'].items] == [v2.id]
    assert 'Đoàn 2 · 12/07/2019, 07:30–11:30' in staff['coming'].items[0].detail

    visit_ops.submit_visit(session, v1, actor=builders.ACTOR, data=builders.SUBMISSION)
    assert [i.id for i in _work(session, users['leader1'], date(2019, 7, 11))['reviews'].items] == [v1.id]
    assert _work(session, users['leader2'], date(2019, 7, 11))['reviews'].items == []  # not their team

    visit_ops.return_visit(session, v1, reviewer=v1.team.leader, comment='Bổ sung ý kiến của xã', actor='x')
    fix = _work(session, users['member1'], date(2019, 7, 13))['to_fix']
    assert [i.id for i in fix.items] == [v1.id] and 'Bổ sung ý kiến của xã' in fix.items[0].detail
    assert fix.items[0].state_label == 'Trả lại để sửa'
    assert _work(session, users['leader1'], date(2019, 7, 13))['reviews'].items == []
    en = _work(session, users['member1'], date(2019, 7, 13), 'en')['to_fix']
    assert en.title == 'To correct or submit' and en.items[0].state_label == 'Returned for correction'

    plan_ops.advance_plan(session, plan, 'cancel', actor=builders.ACTOR, reason='Hoãn')
    assert _work(session, users['member1'], date(2019, 7, 13))['to_fix'].items == []  # a cancelled round is no work


def test_a_visit_whose_day_passed_unopened_waits_under_to_fix(session):  # noqa: ANN001
    plan = builders.plan_at(session, 'scheduling')  # team 1 at An Thạnh on 11/07
    users = _accounts(session, plan)
    v1 = plan.visits[0]
    # not yet visiting: a scheduled visit of a round still being scheduled is nobody's lapse
    assert _work(session, users['member1'], date(2019, 7, 13))['to_fix'].items == []
    plan_ops.advance_plan(session, plan, 'start_visiting', actor=builders.ACTOR)
    assert _work(session, users['member1'], date(2019, 7, 11))['to_fix'].items == []  # its day: under "today"
    fix = _work(session, users['member1'], date(2019, 7, 13))['to_fix']
    assert [i.id for i in fix.items] == [v1.id] and fix.items[0].state == 'scheduled'
    visit_ops.cancel_visit(session, v1, reason='Xã có lịch họp đột xuất', actor=builders.ACTOR)
    assert _work(session, users['member1'], date(2019, 7, 13))['to_fix'].items == []


def test_conclusions_recommendations_verification_and_documents(session):  # noqa: ANN001
    plan = builders.plan_at(session, 'conclusions', complete=False)
    users = _accounts(session, plan)
    leader = _work(session, users['leader1'], date(2019, 8, 1))['conclusions']
    assert _titles(leader) == ['Huyện Mỏ Cày Nam'] and leader.items[0].kind == 'conclusion'
    docs = _work(session, users['secretariat'], date(2019, 8, 1))['documents']
    assert any(i.params == {'kind': 'minutes', 'visit': plan.visits[0].id} for i in docs.items), _titles(docs)
    assert all(i.params.get('kind') != 'plan' for i in docs.items)  # the plan has its number: nothing to issue

    recs = builders.conclude_all(session, plan)
    assert _work(session, users['leader1'], date(2019, 8, 1))['conclusions'].items == []
    official = _work(session, users['official838'], date(2019, 8, 1))['recommendations']
    mine = [r for r in recs if r.addressee_unit.code == '838']
    assert [i.id for i in official.items] == [r.id for r in mine] and not official.items[0].overdue
    assert _work(session, users['official838'], date(2020, 1, 2))['recommendations'].items[0].overdue

    assert _work(session, users['secretariat'], date(2019, 8, 1))['verify'].items == []
    from inspect_flow.findings import operations as f_ops

    f_ops.report_progress(session, mine[0], text='Đã thực hiện xong.', reported_by='UBND huyện', actor='x',
                          completed=True)
    assert [i.id for i in _work(session, users['secretariat'], date(2019, 8, 1))['verify'].items] == [mine[0].id]
    assert _work(session, users['official838'], date(2019, 8, 1))['recommendations'].items == []

    # the secretariat's overdue list is what the daily run marked overdue (the top bar counts the same)
    assert _work(session, users['secretariat'], date(2020, 1, 2))['overdue'].items == []
    marked = f_ops.mark_overdue(session, actor='system', today=date(2020, 1, 2))
    overdue = _work(session, users['secretariat'], date(2020, 1, 2))['overdue']
    assert marked and sorted(i.id for i in overdue.items) == sorted(r.id for r in marked)
    assert all(i.overdue for i in overdue.items) and mine[0].id not in {i.id for i in overdue.items}  # reported
