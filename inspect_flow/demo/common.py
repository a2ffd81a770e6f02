"""What the demo rounds share: the stages, the people, the checklist answers and the stage runner.

Each round (:mod:`inspect_flow.demo.round2019`, :mod:`inspect_flow.demo.round2026`) keeps its own data
and the steps that differ (creating the plan, the schedule, the conclusions, the follow-up); everything
here goes through the same operations a user's actions do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspect_flow.core.errors import InvalidInput
from inspect_flow.core.text import without_marks
from inspect_flow.plans import operations as plan_ops
from inspect_flow.plans.models import Plan, TeamRole
from inspect_flow.units import operations as unit_ops
from inspect_flow.units.models import AdminUnit
from inspect_flow.visits import operations as visit_ops
from inspect_flow.workflow.states import PlanState, VisitState

STAGES = ['planning', 'scheduling', 'visiting', 'findings', 'conclusions', 'closed']
ACTOR = 'demo'

#: (full name, title, agency) of one person
PersonSpec = tuple[str, str, str]


@dataclass(frozen=True)
class Stop:
    """One team's stop: the commune (GSO code) and the day."""

    team: int
    commune: str
    day: date


@dataclass(frozen=True)
class Step:
    """One stage of a demo round: the trigger that enters it and the work done while the plan is in it."""

    stage: str
    trigger: str
    work: Callable[[Session, Plan], object]
    label: str


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def check_stage(through: str) -> None:
    """:raise InvalidInput: an unknown stage name"""
    if through not in STAGES:
        raise InvalidInput('demo.bad_stage', f'Không có giai đoạn "{through}". Chọn: {", ".join(STAGES)}.',
                           f'There is no stage "{through}". Choose one of: {", ".join(STAGES)}.', field='through')


def ensure_people(session: Session, unit: AdminUnit, groups: dict[str, Sequence[PersonSpec]]) -> dict[str, list]:
    """The round's people by group, added once (found again by full name)."""
    from inspect_flow.units.models import Person

    existing = {p.full_name: p for p in session.scalars(sa.select(Person))}

    def person(name: str, title: str, agency: str):  # noqa: ANN202
        if name not in existing:
            existing[name] = unit_ops.add_person(session, full_name=name, title=title, agency=agency, unit=unit)
        return existing[name]

    return {group: [person(*p) for p in specs] for group, specs in groups.items()}


def add_teams(session: Session, plan: Plan, people: dict[str, list], members_of: Callable[[int], Sequence[int]],
              secretary_of: Callable[[int], int]) -> None:
    """Team *i + 1* is led by leader *i*, with the members *members_of(i)* and one secretary."""
    for i, leader in enumerate(people['leaders']):
        team = plan_ops.add_team(session, plan, i + 1, actor=ACTOR)
        plan_ops.add_member(session, team, leader, TeamRole.leader, actor=ACTOR)
        for j in members_of(i):
            plan_ops.add_member(session, team, people['members'][j], TeamRole.member, actor=ACTOR)
        plan_ops.add_member(session, team, people['secretaries'][secretary_of(i)], TeamRole.secretary, actor=ACTOR)


def pin_checklists(session: Session, plan: Plan) -> None:
    """Pin the shipped checklists: the round's forms are fixed from here on."""
    from inspect_flow.plans.checklists import pin_default_checklists

    pin_default_checklists(session, plan, actor=ACTOR)


def schedule_stops(session: Session, plan: Plan, stops: Sequence[Stop]) -> None:
    """Schedule each stop as a morning working session (07:30–11:30)."""
    for stop in stops:
        team = next(t for t in plan.teams if t.number == stop.team)
        plan_ops.schedule_visit(session, plan, team, stop.commune, datetime.combine(stop.day, time(7, 30)),
                                datetime.combine(stop.day, time(11, 30)), actor=ACTOR)


def ordered_visits(plan: Plan) -> list:
    """The plan's visits in the order of the schedule: by team, then by day."""
    return sorted(plan.visits, key=lambda v: (v.team.number, v.starts_at))


def record_visits(session: Session, plan: Plan, submission: Callable[[int, object], dict]) -> None:
    """Submit every visit not yet submitted with *submission(i, visit)*, *i* its place in the schedule."""
    for i, visit in enumerate(ordered_visits(plan)):
        if visit.state in (VisitState.scheduled, VisitState.in_progress, VisitState.returned):
            visit_ops.submit_visit(session, visit, actor=ACTOR, data=submission(i, visit))


def review_visits(session: Session, plan: Plan) -> None:
    """The team leaders accept what the checklist rules suggest and approve their visits."""
    from inspect_flow.findings.models import FindingStatus
    from inspect_flow.visits.capture import decide_suggestion, visit_findings

    for visit in plan.visits:
        if visit.state == VisitState.submitted:
            for finding in visit_findings(session, visit):
                if finding.status == FindingStatus.suggested:
                    decide_suggestion(session, finding, 'accept', actor=ACTOR)
            visit_ops.review_visit(session, visit, reviewer=visit.team.leader, actor=ACTOR)


def advance(session: Session, plan: Plan, through: str, steps: Sequence[Step]) -> list[str]:
    """Advance *plan* stage by stage up to *through*, doing each stage's work once; return what was done."""
    done: list[str] = []
    target = STAGES.index(through)
    for step in steps:
        index = STAGES.index(step.stage)
        if index > target:
            break
        if STAGES.index(plan.state.value) < index:
            plan_ops.advance_plan(session, plan, step.trigger, actor=ACTOR)
            done.append(f'moved to {step.stage}')
        # A stage's work is done only while the plan is in it, and only when the target lies beyond it
        # (``--through visiting`` leaves the visits to be recorded), except the follow-up of a closed round.
        if plan.state.value == step.stage and (index < target or step.stage == 'closed'):
            if step.work(session, plan) is not False:
                done.append(step.label)
    session.flush()
    return done


def run_round(session: Session, through: str, find: Callable[[Session], Plan | None],
              create: Callable[[Session], Plan], created: str, steps: Sequence[Step]) -> tuple[Plan, list[str]]:
    """Find the round's plan or create it, then advance it to *through*; return the plan and what was done.

    :raise InvalidInput: an unknown stage name
    """
    check_stage(through)
    done: list[str] = []
    plan = find(session)
    if plan is None:
        plan = create(session)
        done.append(created)
    if plan.state == PlanState.cancelled:
        return plan, done
    return plan, done + advance(session, plan, through, steps)


# --- the checklist answers ------------------------------------------------------------------------------

#: Households in the livelihood project in each visited commune, and those of them that escaped poverty
#: sustainably: illustrative commune figures. The seed's 1,968 and 755 (38.36 %) are Huyện Mỏ Cày Nam's
#: whole district over 2016-2018 (seed 003); the round reports them as the district's own figures, never as
#: a sum of communes (btusta.vn: 19 pilot communes with some 2,000 households in the whole province).
PARTICIPATING = (112, 98, 121, 105, 118, 94, 109, 87, 101)
ESCAPED_SUSTAINABLY = (41, 36, 47, 44, 43, 33, 40, 31, 38)
#: What the households said, in turn.
OPINIONS = ('Mong được hỗ trợ thêm con giống và vốn để phát triển sản xuất.',
            'Đề nghị được tập huấn kỹ thuật chăn nuôi, trồng trọt.',
            'Mong được vay thêm vốn ưu đãi để mở rộng sản xuất.')
HEADS = ('Nguyễn Văn Tư', 'Trần Thị Bảy', 'Lê Văn Út', 'Phạm Thị Sáu', 'Huỳnh Văn Tám', 'Võ Thị Mười')
LOAN_PURPOSES = ('Chăn nuôi bò sinh sản', 'Trồng dừa xen ca cao')


@dataclass(frozen=True)
class Households:
    """The figures a round's answers are built from (the 2019 round's by default)."""

    participating: Sequence[int] = PARTICIPATING
    escaped_sustainably: Sequence[int] = ESCAPED_SUSTAINABLY
    heads: Sequence[str] = HEADS
    loan_purposes: Sequence[str] = LOAN_PURPOSES
    #: households in the first commune visited; each next one has 137 more
    total_base: int = 2400
    #: the categories of the households consulted in each commune, as many as the plan's quota; the 2019
    #: teams consulted poor households and households that escaped poverty (seed 000)
    categories: Sequence[str] = ('poor', 'poor', 'escaped', 'escaped')


def checklist_answers(i: int, visit, figures: Households = Households()) -> dict:  # noqa: ANN001, B008
    """The visit's answers to the pinned supervision checklist; they vary by commune so that the
    checklist's rules suggest the limitations the seed articles name (loans misused, generic support,
    diaries not kept well, participants outside the target group, late reports)."""
    participating = figures.participating[i % len(figures.participating)]
    escaped = figures.escaped_sustainably[i % len(figures.escaped_sustainably)]
    total = figures.total_base + 137 * i
    poor = 90 + 7 * i
    loans = 40 + 5 * i
    day = visit.starts_at.date()
    answers = {
        'level': 'commune',
        'visit_date': day.isoformat(),
        'committee_reconstituted': 'yes',
        'committee_decision': f'Quyết định số {15 + i}/QĐ-UBND ngày {10 + i:02d}/01/{day.year} '
                              'của UBND xã',
        'members_assigned': 'yes',
        'directive_documents': 3 + i % 4,
        'plan_issued': 'yes',
        'coordination': 'good' if i % 3 == 0 else 'partial',
        'communication_sessions': 4 + i,
        'communication_participants': 180 + 25 * i,
        'communication_channels': ['radio', 'neighbourhood_groups'] + (['meetings'] if i % 2 else []),
        'dialogues_held': 'yes',
        'dialogues_count': 1 + i % 3,
        'communication_reach': 'limited' if i % 2 else 'good',
        'total_households': total,
        'poor_start': poor,
        'near_poor_start': 110 + 5 * i,
        'escaped_poor': 25 + 2 * i,
        're_impoverished': i % 3,
        'newly_poor': 1 + i % 2,
        'health_insurance_cards': poor + 110 + 5 * i,
        'health_insurance_complete': 'yes',
        'education_support': 'yes',
        'education_beneficiaries': 35 + 3 * i,
        'housing_support': 2 + i % 3,
        'clean_water_support': 10 + i,
        'vocational_training': 20 + 2 * i,
        'loan_households': loans,
        'loan_amount': round(loans * 32.5, 1),
        'loan_overdue': round(loans * 0.4, 1),
        'loans_used_for_purpose': 'no' if i % 3 == 0 else 'yes',
        'loans_fully_used': 'no' if i % 4 == 1 else 'yes',
        'funds_allocated': 850.0 + 40 * i,
        'funds_disbursed': 620.0 + 35 * i,
        'project_households_planned': participating,
        'project_households_participating': participating,
        'participants_right_target': 'no' if i % 4 == 2 else 'yes',
        'livelihood_plans': participating - 3 * (i % 3),
        'livelihood_plans_specific': 'no' if i % 2 == 0 else 'yes',
        'support_delivered': ['breeding_stock', 'seedlings', 'training'],
        'diaries_kept': 'yes',
        'diaries_up_to_date': 'regular' if i % 3 == 2 else 'irregular',
        'linkage_groups': 'no' if i % 5 == 0 else 'yes',
        'effective_models': 2 + i % 3,
        'single_livelihood': 'yes' if i % 2 else 'no',
        'escaped_households': escaped + 4 + i % 3,
        'escaped_sustainably': escaped,
        'households_dependent': 'yes' if i % 3 != 1 else 'no',
        'internal_monitoring': 'irregular' if i % 4 == 3 else 'regular',
        'reports_on_time': 'no' if i % 4 == 0 else 'yes',
    }
    if answers['reports_on_time'] == 'no':
        answers['reports_late'] = 1 + i % 2
    from inspect_flow.plans.checklists import visit_checklist

    # Fitted to the plan's pinned version: 2026.1 asks no level (communes only) and who follows poverty reduction.
    checklist = visit_checklist(visit) if getattr(visit, 'plan', None) is not None else None
    if checklist is not None:
        if not checklist.has_item('level'):
            del answers['level']
        if checklist.has_item('poverty_officer_assigned'):
            answers['poverty_officer_assigned'] = 'yes'
    prefix = without_marks(''.join(w[0] for w in visit.commune.name.split())).upper()  # codes are plain ASCII
    # As many households as the plan's quota (households per commune), so the minutes match the plan.
    quota = getattr(getattr(visit, 'plan', None), 'households_per_commune', None) or len(figures.categories)
    categories = [figures.categories[k % len(figures.categories)] for k in range(quota)]
    answers['household_roster'] = [
        _household_row(i, k, f'{prefix}-{k + 1:02d}', category, figures) for k, category in enumerate(categories)
    ]
    return answers


def _household_row(i: int, k: int, code: str, category: str, figures: Households) -> dict:
    """One consulted household; in one commune in three a household misused its loan (the seed's limitation)."""
    got_loan = (i + k) % 2 == 0
    in_project = category != 'near_poor'
    row = {
        'household_code': code,
        'head_name': figures.heads[(i + k) % len(figures.heads)],
        'category': category,
        'support_received': ['health_insurance', 'loan'] if got_loan else ['health_insurance', 'education'],
        'perceived_benefit': 'high' if k % 2 else 'some',
        'in_project': 'yes' if in_project else 'no',
        'received_loan': 'yes' if got_loan else 'no',
        'opinion': OPINIONS[(i + k) % len(OPINIONS)],
    }
    if in_project:
        row['right_target'] = 'yes'
        row['has_livelihood_plan'] = 'yes' if category == 'escaped' or k % 2 else 'no'
        row['diary_seen'] = 'yes' if (i + k) % 3 else 'no'
        if row['diary_seen'] == 'yes':
            row['diary_up_to_date'] = 'yes' if k % 2 == 0 else 'no'
    if got_loan:
        row['loan_purpose'] = figures.loan_purposes[k % 2]
        # the first household with a loan, where the commune's answers say loans were misused (i % 3 == 0)
        row['loan_use_matches'] = 'no' if i % 3 == 0 and k == i % 2 else 'yes'
    return row


# --- recommendations drawn from each unit's own findings ------------------------------------------------

#: What a team leader asks for each kind of limitation found (category → (level, text)); the wording follows
#: the seed articles' conclusions (seed 000): direct the programme, plan periodic checks, correct errors,
#: follow households' lives and help them in hardship. *level* is who is asked: ``district`` (its steering
#: committee) or ``commune`` (its People's Committee).
REMEDIES: dict[str, tuple[str, str]] = {
    'Kiểm tra, giám sát': ('district', 'Xây dựng kế hoạch, thành lập tổ kiểm tra, giám sát định kỳ việc triển khai '
                           'thực hiện các chính sách, dự án hỗ trợ giảm nghèo, Đề án sinh kế; kịp thời chấn chỉnh sai '
                           'sót, tháo gỡ khó khăn, vướng mắc cho cơ sở.'),
    'Phối hợp thực hiện': ('district', 'Phân công cụ thể trách nhiệm của các ngành, đoàn thể thành viên Ban Chỉ '
                           'đạo; tăng cường phối hợp trong chỉ đạo, điều hành thực hiện công tác giảm nghèo, Đề án '
                           'sinh kế.'),
    'Báo cáo': ('district', 'Chấn chỉnh công tác tổng hợp, báo cáo; gửi báo cáo định kỳ về Ban Chỉ đạo tỉnh đúng '
                'thời hạn quy định.'),
    'Tuyên truyền, đối thoại': ('commune', 'Đẩy mạnh tuyên truyền chính sách giảm nghèo, Đề án sinh kế trên đài '
                                'truyền thanh và qua các buổi sinh hoạt tổ nhân dân tự quản; tổ chức đối thoại trực '
                                'tiếp với người nghèo, người cận nghèo.'),
    'Sử dụng vốn vay': ('commune', 'Phối hợp Ngân hàng Chính sách xã hội rà soát việc sử dụng vốn vay của hộ '
                        'nghèo, hộ cận nghèo; hướng dẫn hộ sử dụng vốn đúng mục đích, có hiệu quả.'),
    'Sổ nhật ký hộ gia đình': ('commune', 'Hướng dẫn các hộ tham gia Đề án ghi chép Sổ nhật ký hộ gia đình đầy đủ, '
                               'thường xuyên; cán bộ phụ trách ấp kiểm tra sổ hằng tháng.'),
    'Đề án sinh kế': ('commune', 'Cùng từng hộ xây dựng kế hoạch sinh kế cụ thể, phù hợp điều kiện của hộ; đa dạng '
                      'hóa sinh kế, hướng dẫn hộ tham gia tổ hợp tác, nhóm liên kết sản xuất.'),
    'Hỗ trợ sinh kế': ('commune', 'Cùng từng hộ xây dựng phương án sinh kế cụ thể, phù hợp điều kiện của hộ; đa dạng '
                       'hóa sinh kế, hướng dẫn hộ tham gia tổ hợp tác, nhóm liên kết sản xuất.'),
    'Đối tượng tham gia Đề án': ('commune', 'Rà soát danh sách hộ tham gia Đề án, đưa ra khỏi Đề án hộ không đúng '
                                 'đối tượng; quản lý chặt chẽ hộ tham gia.'),
    'Đối tượng được hỗ trợ': ('commune', 'Rà soát danh sách hộ được hỗ trợ, bảo đảm đúng đối tượng; quản lý chặt '
                              'chẽ hộ được hỗ trợ.'),
    'Kết quả giảm nghèo': ('commune', 'Tăng cường kiểm tra, nắm bắt tình hình lao động sản xuất và đời sống của hộ '
                           'nghèo, hộ cận nghèo, hộ thoát nghèo để kịp thời tư vấn, hỗ trợ, giúp đỡ hộ khi gặp thiên '
                           'tai, rủi ro, khó khăn đột xuất, giảm thiểu tình trạng tái nghèo.'),
}


def remedies_for(session: Session, visit, limit: int = 6,  # noqa: ANN001
                 project: str | None = None) -> list[tuple[str, str, object]]:
    """``(level, text, finding)`` for the visit's accepted limitations, one per kind, at most *limit*:
    what the team leader recommends is drawn from what the team found in that unit.

    :param project: what the households take part in when it is not the 2016-2020 ``Đề án sinh kế``
        (2026: ``các dự án, mô hình hỗ trợ sinh kế``)
    """
    from inspect_flow.findings.models import FindingKind, FindingStatus
    from inspect_flow.visits.capture import visit_findings

    out: list[tuple[str, str, object]] = []
    seen: set[str] = set()
    for finding in visit_findings(session, visit):
        if finding.kind != FindingKind.limitation or finding.status != FindingStatus.accepted:
            continue
        remedy = REMEDIES.get(finding.category)
        if remedy is None or remedy[1] in seen:
            continue
        seen.add(remedy[1])
        text = remedy[1]
        if project:
            text = (text.replace('Đề án sinh kế', project).replace('tham gia Đề án', f'tham gia {project}')
                    .replace('khỏi Đề án', f'khỏi {project}'))
        out.append((remedy[0], text, finding))
    out.sort(key=lambda r: r[0] != 'district')  # the district's steering committee first
    return out[:limit]
