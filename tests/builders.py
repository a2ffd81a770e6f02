"""Build small rounds through the real operations, to any stage (the tests' factories)."""

from __future__ import annotations

import itertools
from datetime import date, datetime

from sqlalchemy.orm import Session

from inspect_flow.findings import operations as findings_ops
from inspect_flow.findings.models import FindingKind, FollowUpReport, Recommendation
from inspect_flow.plans import operations as plan_ops
from inspect_flow.plans.models import CoverageRule, Plan, TeamRole
from inspect_flow.units import operations as unit_ops
from inspect_flow.visits import operations as visit_ops
from inspect_flow.workflow.states import PlanState

ACTOR = 'tester'
DAY = date(2019, 7, 5)
STAGES = ['planning', 'scheduling', 'visiting', 'findings', 'conclusions', 'closed']
_numbers = itertools.count(100)

#: The two stops of a test round: (team, commune code, day). An Thạnh (Mỏ Cày Nam), Nhuận Phú Tân (Mỏ Cày Bắc).
STOPS = [(1, '28951', date(2019, 7, 11)), (2, '28936', date(2019, 7, 12))]
DISTRICTS = ['833', '838']

#: A round in the two-tier structure (Tỉnh Vĩnh Long, 2026): communes directly under the province.
DAY_2026 = date(2026, 3, 9)
#: Xã Nhuận Phú Tân (formerly of Huyện Mỏ Cày Bắc), Phường Phú Khương (formerly of Thành phố Bến Tre).
STOPS_2026 = [(1, '28948', date(2026, 3, 10)), (2, '28756', date(2026, 3, 11))]
COMMUNES_2026 = ['28948', '28756']

SUBMISSION = {
    'participants': [{'side': 'commune', 'full_name': 'Lê Văn Hùng', 'title': 'Chủ tịch UBND xã'}],
    'content': {'district_report': 'Báo cáo 6 tháng đầu năm 2019.', 'local_opinion': 'Thống nhất.'},
    'households': [{'code': 'H-01', 'category': 'poor'}, {'code': 'H-02', 'category': 'escaped'}],
    'findings': [{'kind': 'limitation', 'category': 'Sử dụng vốn vay', 'text': 'Một số hộ sử dụng vốn vay không '
                  'đúng mục đích.', 'severity': 'high', 'source': 'household'}],
}


def issuer(session: Session):  # noqa: ANN201
    province = unit_ops.get_unit(session, '83', DAY)
    return unit_ops.add_issuing_body(
        session, slug='test-bcd', name='Ban Chỉ đạo các Chương trình mục tiêu quốc gia tỉnh Bến Tre',
        abbreviation='BCĐCCTMTQG', header_lines=['BAN CHỈ ĐẠO CÁC CHƯƠNG TRÌNH', 'MỤC TIÊU QUỐC GIA'],
        parent_header='UBND TỈNH BẾN TRE', place_name='Bến Tre', unit=province)


def issuer_2026(session: Session):  # noqa: ANN201
    """The provincial steering committee of Tỉnh Vĩnh Long (two tiers), headed by "UBND TỈNH VĨNH LONG"."""
    province = unit_ops.get_unit(session, '86', DAY_2026)
    return unit_ops.add_issuing_body(
        session, slug='test-bcd-vinh-long', name='Ban Chỉ đạo các Chương trình mục tiêu quốc gia tỉnh Vĩnh Long',
        abbreviation='BCĐCCTMTQG', header_lines=['BAN CHỈ ĐẠO CÁC CHƯƠNG TRÌNH', 'MỤC TIÊU QUỐC GIA'],
        parent_header='UBND TỈNH VĨNH LONG', place_name='Vĩnh Long', unit=province)


def department_2026(session: Session):  # noqa: ANN201
    """A provincial department of Tỉnh Vĩnh Long, to address recommendations to."""
    province = unit_ops.get_unit(session, '86', DAY_2026)
    return unit_ops.add_issuing_body(
        session, slug='test-so-nnmt-vinh-long', name='Sở Nông nghiệp và Môi trường tỉnh Vĩnh Long',
        abbreviation='SNNMT', header_lines=['SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG'], parent_header='UBND TỈNH VĨNH LONG',
        place_name='Vĩnh Long', unit=province)


def person(session: Session, name: str, unit_code: str = '83', day: date = DAY):  # noqa: ANN201
    return unit_ops.add_person(session, full_name=name, title='Chuyên viên', agency='Sở LĐTBXH',
                               unit=unit_ops.get_unit(session, unit_code, day))


def new_plan(session: Session, *, teams: int = 2, leaders: bool = True, targets: list[str] | None = None,
             coverage: CoverageRule = CoverageRule.one_commune_per_district, two_tier: bool = False,
             clusters: list[dict] | None = None) -> Plan:
    """A plan in ``planning`` with its teams and targets (the work of the planning stage done).

    With *two_tier*, a 2026 round of Tỉnh Vĩnh Long targeting communes (coverage ``none`` unless given).
    """
    if two_tier:
        start, end, issued = date(2026, 3, 9), date(2026, 3, 20), date(2026, 2, 20)
        body, province, default_targets = issuer_2026(session), '86', COMMUNES_2026
        if coverage == CoverageRule.one_commune_per_district:
            coverage = CoverageRule.none
    else:
        start, end, issued = date(2019, 7, 5), date(2019, 7, 24), date(2019, 5, 28)
        body, province, default_targets = issuer(session), '83', DISTRICTS
    plan = plan_ops.create_plan(
        session, issuer=body, number=next(_numbers), subject='Kiểm tra, giám sát công tác giảm nghèo',
        fieldwork_start=start, fieldwork_end=end, coverage_rule=coverage, clusters=clusters,
        issue_date=issued, actor=ACTOR)
    plan_ops.set_targets(session, plan, default_targets if targets is None else targets, actor=ACTOR)
    for n in range(1, teams + 1):
        team = plan_ops.add_team(session, plan, n, actor=ACTOR)
        if leaders:
            plan_ops.add_member(session, team, person(session, f'Trưởng đoàn {plan.number}-{n}', province, start),
                                TeamRole.leader, actor=ACTOR)
        plan_ops.add_member(session, team, person(session, f'Thành viên {plan.number}-{n}', province, start),
                            TeamRole.member, actor=ACTOR)
    return plan


def schedule_all(session: Session, plan: Plan) -> list:
    """Schedule the two stops (of 2019, or of 2026 in two tiers)."""
    visits = []
    for team_no, code, day in (STOPS_2026 if plan.two_tier else STOPS):
        team = next(t for t in plan.teams if t.number == team_no)
        visit, _ = plan_ops.schedule_visit(session, plan, team, code, datetime(day.year, day.month, day.day, 7, 30),
                                           datetime(day.year, day.month, day.day, 11, 30), actor=ACTOR)
        visits.append(visit)
    return visits


def submit_all(session: Session, plan: Plan) -> None:
    for visit in plan.visits:
        visit_ops.submit_visit(session, visit, actor=ACTOR, data=SUBMISSION)


def review_all(session: Session, plan: Plan) -> None:
    for visit in plan.visits:
        visit_ops.review_visit(session, visit, reviewer=visit.team.leader, actor=ACTOR)


def conclude_all(session: Session, plan: Plan) -> list[Recommendation]:
    recs = []
    for visit in plan.visits:
        unit = visit.conclusion_unit  # the district (2019), the commune itself (two tiers)
        c = findings_ops.add_conclusion(session, plan, unit, summary='Đánh giá chung.', actor=ACTOR)
        recs.append(findings_ops.add_recommendation(
            session, plan, text='Tăng cường kiểm tra việc sử dụng vốn vay.',
            addressee_label='' if plan.two_tier else f'UBND {unit.full_name}',
            deadline=date(plan.fieldwork_start.year, 12, 31), conclusion=c, addressee_unit=unit, actor=ACTOR))
    return recs


WORK = {'planning': None, 'scheduling': schedule_all, 'visiting': submit_all, 'findings': review_all,
        'conclusions': conclude_all, 'closed': None}
ENTER = {'scheduling': 'schedule', 'visiting': 'start_visiting', 'findings': 'start_findings',
         'conclusions': 'start_conclusions', 'closed': 'close'}


def plan_at(session: Session, state: str, *, complete: bool = True, two_tier: bool = False) -> Plan:
    """A plan in *state*; with *complete*, the work of that stage is done so the next step is allowed.

    With *two_tier*, a 2026 round of Tỉnh Vĩnh Long: two communes, each concluded on its own.
    """
    plan = new_plan(session, two_tier=two_tier)
    if state == 'cancelled':
        plan_ops.advance_plan(session, plan, 'cancel', actor=ACTOR, reason='Thay đổi kế hoạch')
        return plan
    target = STAGES.index(state)
    for previous, stage in zip(STAGES, STAGES[1:target + 1], strict=False):
        if WORK[previous]:
            WORK[previous](session, plan)
        plan_ops.advance_plan(session, plan, ENTER[stage], actor=ACTOR)
    if complete and WORK[state]:
        WORK[state](session, plan)
    session.flush()
    assert plan.state == PlanState(state)
    return plan


def completion_report(session: Session, rec: Recommendation) -> None:
    """Attach a completion report directly (without firing), so the guards that need one hold."""
    session.add(FollowUpReport(recommendation=rec, reported_by='UBND huyện', report_date=date(2019, 10, 1),
                               text='Đã thực hiện.', is_completed=True))
    session.flush()


def finding(session: Session, plan: Plan, visit=None):  # noqa: ANN001, ANN201
    return findings_ops.add_finding(session, plan, visit=visit, kind=FindingKind.limitation, category='Báo cáo',
                                    text='Báo cáo còn chậm.', actor=ACTOR)
