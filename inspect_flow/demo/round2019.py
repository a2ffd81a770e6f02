"""The 2019 Bến Tre round (plan no. 1245/KH-BCĐCCTMTQG of 28/5/2019), built through the operations.

Facts from the seed articles: the provincial Steering Committee for the National Target Programmes
formed 09 teams which, from 05 to 24/07/2019, worked in 09 communes of the province's districts and
its city; each heard the district and commune steering committees report on the first six months,
consulted poor households and households that had escaped poverty, recorded achievements and
limitations, and the team leader concluded with recommendations to the district. Xã Nhuận Phú Tân,
Huyện Mỏ Cày Bắc is named in the article. The other eight communes, the people, the dates of each
visit and the household answers are illustrative: the articles do not publish them.

:func:`run_demo` is idempotent: it finds the plan if it exists and only advances it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspect_flow.core.text import without_marks
from inspect_flow.findings import operations as findings_ops
from inspect_flow.findings.models import Conclusion, FindingSource
from inspect_flow.plans import operations as plan_ops
from inspect_flow.plans.models import CoverageRule, Plan, TeamRole
from inspect_flow.units import operations as unit_ops
from inspect_flow.units.models import UnitLevel
from inspect_flow.visits import operations as visit_ops
from inspect_flow.workflow.states import PlanState, VisitState

STAGES = ['planning', 'scheduling', 'visiting', 'findings', 'conclusions', 'closed']
ACTOR = 'demo'
ISSUER_SLUG = 'bcd-ctmtqg-ben-tre'

SUBJECT = ('Kiểm tra, giám sát công tác giảm nghèo và thực hiện Đề án phát triển đa dạng sinh kế, '
           'thoát nghèo bền vững năm 2019')
LEGAL_BASES = [
    'Quyết định số 1722/QĐ-TTg ngày 02/9/2016 của Thủ tướng Chính phủ phê duyệt Chương trình mục tiêu quốc gia '
    'Giảm nghèo bền vững giai đoạn 2016 - 2020',
    'Thông tư số 39/2016/TT-BLĐTBXH ngày 25/10/2016 của Bộ Lao động - Thương binh và Xã hội hướng dẫn quy trình '
    'kiểm tra và giám sát, đánh giá thực hiện Chương trình mục tiêu quốc gia Giảm nghèo bền vững giai đoạn 2016 - 2020',
    'Đề án phát triển đa dạng sinh kế, thoát nghèo bền vững tỉnh Bến Tre giai đoạn 2016 - 2020',
]
OBJECTIVES = [
    'Đánh giá tình hình triển khai thực hiện công tác giảm nghèo và Đề án phát triển đa dạng sinh kế, thoát nghèo '
    'bền vững 06 tháng đầu năm 2019 tại các huyện, thành phố và xã.',
    'Kịp thời chấn chỉnh những sai sót, tháo gỡ khó khăn, vướng mắc cho cơ sở; đề xuất giải pháp thực hiện có hiệu '
    'quả trong thời gian tới.',
    'Tham vấn trực tiếp hộ nghèo, hộ thoát nghèo về việc tiếp cận và thụ hưởng chính sách.',
]


@dataclass(frozen=True)
class Stop:
    """One team's stop: the commune (GSO code) and the day."""

    team: int
    commune: str
    day: date


# One commune in each of the 9 district-level units (Nhuận Phú Tân is the article's).
STOPS = [
    Stop(1, '28792', date(2019, 7, 5)),   # Xã Mỹ Thạnh An, Thành phố Bến Tre
    Stop(2, '28804', date(2019, 7, 9)),   # Xã Tân Thạch, Huyện Châu Thành
    Stop(3, '28879', date(2019, 7, 10)),  # Xã Vĩnh Bình, Huyện Chợ Lách
    Stop(4, '28951', date(2019, 7, 11)),  # Xã An Thạnh, Huyện Mỏ Cày Nam
    Stop(5, '28936', date(2019, 7, 12)),  # Xã Nhuận Phú Tân, Huyện Mỏ Cày Bắc
    Stop(6, '28993', date(2019, 7, 16)),  # Xã Mỹ Thạnh, Huyện Giồng Trôm
    Stop(7, '29059', date(2019, 7, 17)),  # Xã Long Hòa, Huyện Bình Đại
    Stop(8, '29119', date(2019, 7, 18)),  # Xã Tân Xuân, Huyện Ba Tri
    Stop(9, '29188', date(2019, 7, 24)),  # Xã Đại Điền, Huyện Thạnh Phú
]

LEADERS = [
    ('Nguyễn Văn Hòa', 'Phó Giám đốc', 'Sở Lao động - Thương binh và Xã hội tỉnh Bến Tre'),
    ('Trần Thị Thu Hà', 'Phó Giám đốc', 'Sở Lao động - Thương binh và Xã hội tỉnh Bến Tre'),
    ('Lê Minh Tâm', 'Phó Giám đốc', 'Chi nhánh Ngân hàng Chính sách xã hội tỉnh Bến Tre'),
    ('Phạm Văn Sáu', 'Phó Chủ tịch', 'Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Bến Tre'),
    ('Võ Thành Công', 'Phó Chủ tịch', 'Hội Nông dân tỉnh Bến Tre'),
    ('Huỳnh Thị Mỹ Lệ', 'Phó Chủ tịch', 'Hội Liên hiệp Phụ nữ tỉnh Bến Tre'),
    ('Đặng Quốc Bảo', 'Phó Giám đốc', 'Sở Nông nghiệp và Phát triển nông thôn tỉnh Bến Tre'),
    ('Ngô Thanh Phong', 'Phó Giám đốc', 'Sở Kế hoạch và Đầu tư tỉnh Bến Tre'),
    ('Bùi Thị Ngọc Hân', 'Phó Giám đốc', 'Sở Tài chính tỉnh Bến Tre'),
]
MEMBERS = [
    ('Trương Văn Lợi', 'Chuyên viên', 'Chi nhánh Ngân hàng Chính sách xã hội tỉnh Bến Tre'),
    ('Lý Thị Kim Ngân', 'Chuyên viên', 'Hội Liên hiệp Phụ nữ tỉnh Bến Tre'),
    ('Đỗ Hữu Nghĩa', 'Chuyên viên', 'Hội Nông dân tỉnh Bến Tre'),
    ('Mai Thị Hồng Nhung', 'Chuyên viên', 'Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Bến Tre'),
    ('Cao Văn Thắng', 'Chuyên viên', 'Sở Nông nghiệp và Phát triển nông thôn tỉnh Bến Tre'),
    ('Phan Thị Diễm', 'Chuyên viên', 'Tỉnh Đoàn Bến Tre'),
]
# Secretaries from the Social Protection Office of the Department, each on three teams on different days.
SECRETARIES = [
    ('Nguyễn Thị Thanh Thảo', 'Chuyên viên Phòng Bảo trợ xã hội - Phòng, chống tệ nạn xã hội',
     'Sở Lao động - Thương binh và Xã hội tỉnh Bến Tre'),
    ('Lê Hoàng Việt', 'Chuyên viên Phòng Bảo trợ xã hội - Phòng, chống tệ nạn xã hội',
     'Sở Lao động - Thương binh và Xã hội tỉnh Bến Tre'),
    ('Trần Quốc Duy', 'Chuyên viên Phòng Bảo trợ xã hội - Phòng, chống tệ nạn xã hội',
     'Sở Lao động - Thương binh và Xã hội tỉnh Bến Tre'),
]

ACHIEVEMENTS = [
    ('Kiện toàn Ban Chỉ đạo', 'Đã củng cố, kiện toàn và nâng cao chất lượng hoạt động của Ban Chỉ đạo các cấp; '
     'phân công thành viên phụ trách từng ấp.', FindingSource.records),
    ('Phối hợp', 'Tăng cường sự phối hợp giữa các ban, ngành, đoàn thể địa phương trong công tác giảm nghèo.',
     FindingSource.report),
    ('Tuyên truyền', 'Công tác truyền thông về giảm nghèo và Đề án sinh kế được quan tâm, thông tin trên đài truyền '
     'thanh và phổ biến trực tiếp qua các buổi sinh hoạt tổ nhân dân tự quản.', FindingSource.report),
    ('Đối thoại với người nghèo', 'Xã tổ chức họp mặt, đối thoại trực tiếp với người nghèo, người cận nghèo để nắm bắt '
     'tâm tư, nguyện vọng và nhu cầu cần hỗ trợ.', FindingSource.household),
]
CAUSES = [
    ('Nhận thức của người nghèo', 'Một bộ phận hộ nghèo còn trông chờ, ỷ lại vào sự hỗ trợ của Nhà nước, chưa chủ '
     'động vươn lên.'),
    ('Phối hợp', 'Một số ngành, đoàn thể chưa phối hợp tốt trong việc tiếp cận, tư vấn, hướng dẫn người nghèo cách '
     'thức làm ăn.'),
]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _people(session: Session) -> dict[str, list]:
    from inspect_flow.units.models import Person

    province = unit_ops.get_unit(session, '83', date(2019, 7, 1))
    existing = {p.full_name: p for p in session.scalars(sa.select(Person))}

    def person(name: str, title: str, agency: str):
        return existing.get(name) or unit_ops.add_person(session, full_name=name, title=title, agency=agency,
                                                         unit=province)

    return {
        'leaders': [person(*p) for p in LEADERS],
        'members': [person(*p) for p in MEMBERS],
        'secretaries': [person(*p) for p in SECRETARIES],
    }


def ensure_reference_data(session: Session):  # noqa: ANN201
    """Load the 2019 units and the issuing bodies (once); return the Steering Committee."""
    unit_ops.load_ben_tre_2019(session)
    province = unit_ops.get_unit(session, '83', date(2019, 7, 1))
    unit_ops.add_issuing_body(
        session, slug='sldtbxh-ben-tre', name='Sở Lao động - Thương binh và Xã hội tỉnh Bến Tre',
        abbreviation='SLĐTBXH', header_lines=['SỞ LAO ĐỘNG - THƯƠNG BINH', 'VÀ XÃ HỘI'],
        parent_header='UBND TỈNH BẾN TRE', place_name='Bến Tre', unit=province,
    )
    return unit_ops.add_issuing_body(
        session, slug=ISSUER_SLUG, name='Ban Chỉ đạo các Chương trình mục tiêu quốc gia tỉnh Bến Tre',
        abbreviation='BCĐCCTMTQG', header_lines=['BAN CHỈ ĐẠO CÁC CHƯƠNG TRÌNH', 'MỤC TIÊU QUỐC GIA'],
        parent_header='UBND TỈNH BẾN TRE', place_name='Bến Tre', unit=province,
    )


def find_demo_plan(session: Session) -> Plan | None:
    """Return the demo plan if it has been loaded."""
    return session.scalars(sa.select(Plan).where(Plan.number == 1245, Plan.year == 2019,
                                                 Plan.symbol == 'KH-BCĐCCTMTQG')).first()


def _create(session: Session) -> Plan:
    issuer = ensure_reference_data(session)
    plan = plan_ops.create_plan(
        session, issuer=issuer, number=1245, symbol='KH-BCĐCCTMTQG', issue_date=date(2019, 5, 28), subject=SUBJECT,
        legal_bases=LEGAL_BASES, objectives=OBJECTIVES, fieldwork_start=date(2019, 7, 5),
        fieldwork_end=date(2019, 7, 24), coverage_rule=CoverageRule.one_commune_per_district,
        households_per_commune=4, actor=ACTOR,
    )
    districts = unit_ops.units_on(session, date(2019, 7, 5), UnitLevel.district)
    plan_ops.set_targets(session, plan, [d.code for d in districts], actor=ACTOR)
    people = _people(session)
    for i in range(9):
        team = plan_ops.add_team(session, plan, i + 1, actor=ACTOR)
        plan_ops.add_member(session, team, people['leaders'][i], TeamRole.leader, actor=ACTOR)
        for j in (i % 6, (i + 3) % 6):
            plan_ops.add_member(session, team, people['members'][j], TeamRole.member, actor=ACTOR)
        plan_ops.add_member(session, team, people['secretaries'][i % 3], TeamRole.secretary, actor=ACTOR)
    _pin_checklists(session, plan)
    return plan


def _pin_checklists(session: Session, plan: Plan) -> None:
    """Pin the shipped checklists: the round's forms are fixed from here on."""
    from inspect_flow.plans.checklists import pin_default_checklists

    pin_default_checklists(session, plan, actor=ACTOR)


def _schedule(session: Session, plan: Plan) -> None:
    for stop in STOPS:
        team = next(t for t in plan.teams if t.number == stop.team)
        plan_ops.schedule_visit(session, plan, team, stop.commune, datetime.combine(stop.day, time(7, 30)),
                                datetime.combine(stop.day, time(11, 30)), actor=ACTOR)


def _submission(i: int, visit) -> dict:  # noqa: ANN001
    d_name = _lower_first(visit.district.full_name)
    c_name = _lower_first(visit.commune.full_name)
    return {
        'participants': [
            {'side': 'district', 'full_name': f'Nguyễn Văn {["Bình", "Cường", "Dũng"][i % 3]}',
             'title': f'Phó Chủ tịch UBND {d_name}, Phó Trưởng ban Thường trực Ban Chỉ đạo',
             'agency': f'UBND {d_name}'},
            {'side': 'district', 'full_name': f'Trần Thị {["Hoa", "Lan", "Mai"][i % 3]}',
             'title': f'Trưởng phòng Lao động - Thương binh và Xã hội {d_name}', 'agency': f'UBND {d_name}'},
            {'side': 'commune', 'full_name': f'Lê Văn {["Hùng", "Khoa", "Long"][i % 3]}',
             'title': f'Chủ tịch UBND {c_name}, Trưởng Ban Chỉ đạo xã', 'agency': f'UBND {c_name}'},
            {'side': 'commune', 'full_name': f'Phạm Thị {["Nga", "Oanh", "Phượng"][i % 3]}',
             'title': 'Công chức Lao động - Thương binh và Xã hội xã', 'agency': f'UBND {c_name}'},
            {'side': 'invited', 'full_name': f'Võ Văn {["Quang", "Sơn", "Tài"][i % 3]}',
             'title': 'Chủ tịch Ủy ban Mặt trận Tổ quốc Việt Nam xã', 'agency': f'Ủy ban MTTQ Việt Nam {c_name}'},
        ],
        'content': {
            'purpose': 'Trưởng đoàn thông qua mục đích, nội dung buổi kiểm tra, giám sát theo Kế hoạch số '
                       '1245/KH-BCĐCCTMTQG ngày 28/5/2019.',
            'district_report': f'Ban Chỉ đạo {d_name} báo cáo tình hình triển khai thực hiện công tác giảm nghèo và '
                               'Đề án sinh kế 06 tháng đầu năm 2019.',
            'commune_report': f'Ban Chỉ đạo {c_name} báo cáo kết quả thực hiện; danh sách hộ tham gia Đề án sinh kế.',
            'records_checked': ['Quyết định kiện toàn Ban Chỉ đạo xã', 'Danh sách hộ nghèo, hộ cận nghèo năm 2019',
                                'Hồ sơ vay vốn Ngân hàng Chính sách xã hội', 'Sổ nhật ký hộ gia đình'],
            'discussion': ['Đại diện Ủy ban MTTQ xã đề nghị tiếp tục hỗ trợ con giống cho hộ nghèo.'],
            'local_opinion': 'Đơn vị thống nhất với nhận xét, đánh giá và kết luận của Đoàn.',
            'ended_at': '11:15',
        },
        'answers': checklist_answers(i, visit),
        'findings': (
            # Beside the checklist's rules, what the team saw for itself: coordination where it was good
            # (i % 3 == 0, as the answers say), communication where it reached people (i % 2 == 0).
            [{'kind': 'achievement', 'category': c, 'text': t, 'source': s.value}
             for k, (c, t, s) in enumerate(ACHIEVEMENTS) if (k == 1 and i % 3 == 0) or (k == 2 and i % 2 == 0)]
            + [{'kind': 'cause', 'category': CAUSES[1][0], 'text': CAUSES[1][1], 'source': 'report'}]
        ),
    }


#: Households in the livelihood project per visited commune, and those that escaped poverty sustainably.
#: The split over the nine communes is illustrative; the totals are the province's (seed 003): 1,968
#: households take part (100 % of the plan) and 755 of them (38.36 %) escaped poverty sustainably.
PARTICIPATING = (224, 218, 231, 205, 236, 212, 227, 199, 216)
ESCAPED_SUSTAINABLY = (86, 84, 89, 79, 91, 81, 87, 76, 82)


def checklist_answers(i: int, visit) -> dict:  # noqa: ANN001
    """The visit's answers to the pinned supervision checklist; they vary by commune so that the
    checklist's rules suggest the limitations the seed articles name (loans misused, generic support,
    diaries not kept well, participants outside the target group, late reports)."""
    participating = PARTICIPATING[i % len(PARTICIPATING)]
    total = 2400 + 137 * i
    poor = 90 + 7 * i
    loans = 40 + 5 * i
    answers = {
        'level': 'commune',
        'visit_date': visit.starts_at.date().isoformat(),
        'committee_reconstituted': 'yes',
        'committee_decision': f'Quyết định số {15 + i}/QĐ-UBND ngày {10 + i:02d}/01/2019 của UBND xã',
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
        'escaped_households': ESCAPED_SUSTAINABLY[i % len(ESCAPED_SUSTAINABLY)] + 4 + i % 3,
        'escaped_sustainably': ESCAPED_SUSTAINABLY[i % len(ESCAPED_SUSTAINABLY)],
        'households_dependent': 'yes' if i % 3 != 1 else 'no',
        'internal_monitoring': 'irregular' if i % 4 == 3 else 'regular',
        'reports_on_time': 'no' if i % 4 == 0 else 'yes',
    }
    if answers['reports_on_time'] == 'no':
        answers['reports_late'] = 1 + i % 2
    prefix = without_marks(''.join(w[0] for w in visit.commune.name.split())).upper()  # codes are plain ASCII
    answers['household_roster'] = [
        _household_row(i, k, f'{prefix}-{k + 1:02d}', category)
        for k, category in enumerate(['poor', 'poor', 'near_poor', 'escaped', 'escaped'])
    ]
    return answers


HEADS = ('Nguyễn Văn Tư', 'Trần Thị Bảy', 'Lê Văn Út', 'Phạm Thị Sáu', 'Huỳnh Văn Tám', 'Võ Thị Mười')


def _household_row(i: int, k: int, code: str, category: str) -> dict:
    """One consulted household; in one commune in three a household misused its loan (the seed's limitation)."""
    got_loan = (i + k) % 2 == 0
    in_project = category != 'near_poor'
    row = {
        'household_code': code,
        'head_name': HEADS[(i + k) % len(HEADS)],
        'category': category,
        'support_received': ['health_insurance', 'loan'] if got_loan else ['health_insurance', 'education'],
        'perceived_benefit': 'high' if k % 2 else 'some',
        'in_project': 'yes' if in_project else 'no',
        'received_loan': 'yes' if got_loan else 'no',
        'opinion': 'Mong được hỗ trợ thêm con giống và vốn để phát triển sản xuất.',
    }
    if in_project:
        row['right_target'] = 'yes'
        row['has_livelihood_plan'] = 'yes' if category == 'escaped' or k % 2 else 'no'
        row['diary_seen'] = 'yes' if (i + k) % 3 else 'no'
        if row['diary_seen'] == 'yes':
            row['diary_up_to_date'] = 'yes' if k % 2 == 0 else 'no'
    if got_loan:
        row['loan_purpose'] = 'Chăn nuôi bò sinh sản' if k % 2 == 0 else 'Trồng dừa xen ca cao'
        row['loan_use_matches'] = 'no' if i % 3 == 0 and k == 0 else 'yes'
    return row


def _record_visits(session: Session, plan: Plan) -> None:
    for i, visit in enumerate(sorted(plan.visits, key=lambda v: v.team.number)):
        if visit.state in (VisitState.scheduled, VisitState.in_progress, VisitState.returned):
            visit_ops.submit_visit(session, visit, actor=ACTOR, data=_submission(i, visit))


def _review_visits(session: Session, plan: Plan) -> None:
    from inspect_flow.findings.models import FindingStatus
    from inspect_flow.visits.capture import decide_suggestion, visit_findings

    for visit in plan.visits:
        if visit.state == VisitState.submitted:
            # The team stands behind what the checklist rules suggest.
            for finding in visit_findings(session, visit):
                if finding.status == FindingStatus.suggested:
                    decide_suggestion(session, finding, 'accept', actor=ACTOR)
            visit_ops.review_visit(session, visit, reviewer=visit.team.leader, actor=ACTOR)


def _conclude(session: Session, plan: Plan) -> None:
    for visit in sorted(plan.visits, key=lambda v: v.team.number):
        if visit.state == VisitState.cancelled:
            continue
        exists = session.scalars(sa.select(Conclusion).where(Conclusion.plan_id == plan.id,
                                                             Conclusion.unit_id == visit.conclusion_unit_id)).first()
        if exists:
            continue
        d_name = _lower_first(visit.district.full_name)
        c_name = _lower_first(visit.commune.full_name)
        conclusion = findings_ops.add_conclusion(
            session, plan, visit.district, team=visit.team, actor=ACTOR,
            summary=(f'Trong 06 tháng đầu năm 2019, {d_name} và {c_name} đã củng cố, kiện toàn Ban Chỉ đạo, '
                     'tăng cường phối hợp giữa các ban, ngành, đoàn thể; công tác truyền thông về giảm nghèo và '
                     'Đề án sinh kế được quan tâm. Bên cạnh kết quả đạt được, việc thực hiện vẫn còn một số hạn chế '
                     'như Đoàn đã nêu tại biên bản làm việc.'),
        )
        items = [
            (f'UBND {d_name}', 'Tập trung chỉ đạo thực hiện tốt các nội dung của Chương trình mục tiêu quốc gia '
             'giảm nghèo bền vững và Đề án phát triển đa dạng sinh kế, thoát nghèo bền vững.', date(2019, 12, 31)),
            (f'Ban Chỉ đạo {d_name}', 'Xây dựng kế hoạch, thành lập tổ kiểm tra, giám sát định kỳ việc triển khai thực '
             'hiện các chính sách, dự án hỗ trợ giảm nghèo, Đề án sinh kế; kịp thời chấn chỉnh sai sót, tháo gỡ khó '
             'khăn, vướng mắc cho cơ sở.', date(2019, 9, 30)),
            (f'UBND {c_name}', 'Tăng cường kiểm tra, nắm bắt tình hình lao động sản xuất và đời sống của hộ nghèo, hộ '
             'cận nghèo, hộ thoát nghèo để kịp thời tư vấn, hỗ trợ về vật chất, tinh thần, giúp đỡ hộ khi gặp thiên '
             'tai, rủi ro, khó khăn đột xuất, giảm thiểu tình trạng tái nghèo.', date(2019, 12, 31)),
            (f'UBND {c_name}', 'Phối hợp Ngân hàng Chính sách xã hội rà soát việc sử dụng vốn vay của các hộ tham gia '
             'Đề án sinh kế; hướng dẫn hộ ghi chép Sổ nhật ký hộ gia đình đầy đủ, thường xuyên.', date(2019, 10, 31)),
        ]
        for addressee, text, deadline in items:
            unit = visit.commune if addressee.endswith(c_name) else visit.district
            findings_ops.add_recommendation(session, plan, text=text, addressee_label=addressee, deadline=deadline,
                                            conclusion=conclusion, addressee_unit=unit, actor=ACTOR)


def _follow_up(session: Session, plan: Plan) -> None:
    """Districts report back in the autumn; the secretariat verifies what has evidence."""
    from inspect_flow.findings.models import Recommendation, RecommendationState

    recs = list(session.scalars(sa.select(Recommendation).where(Recommendation.plan_id == plan.id)
                                .order_by(Recommendation.id)))
    if any(r.reports for r in recs):
        return False
    reported = [r for r in recs if r.deadline == date(2019, 9, 30)]
    for k, rec in enumerate(reported):
        findings_ops.report_progress(
            session, rec, text='Đã ban hành kế hoạch kiểm tra, giám sát định kỳ và thành lập tổ kiểm tra, giám sát '
            'của huyện; đính kèm quyết định.', reported_by=rec.addressee_label, completed=True,
            evidence=['Quyết định thành lập tổ kiểm tra, giám sát'], report_date=date(2019, 9, 20), actor=ACTOR)
        if k % 2 == 0:  # the secretariat has verified some; the rest wait for verification
            findings_ops.verify_recommendation(session, rec, verifier=None, actor=ACTOR)
    for rec in recs:
        if rec.state == RecommendationState.open and rec.deadline == date(2019, 10, 31):
            findings_ops.report_progress(
                session, rec, text='Đang phối hợp Ngân hàng Chính sách xã hội rà soát hồ sơ vay vốn.',
                reported_by=rec.addressee_label, report_date=date(2019, 10, 15), actor=ACTOR)


def run_demo(session: Session, through: str = 'closed') -> tuple[Plan, list[str]]:
    """Load the 2019 round and advance it to the *through* stage; return the plan and what was done.

    Running it again changes nothing, or only advances the plan further.

    :raise InvalidInput: an unknown stage name
    """
    from inspect_flow.core.errors import InvalidInput

    if through not in STAGES:
        raise InvalidInput('demo.bad_stage', f'Không có giai đoạn "{through}". Chọn: {", ".join(STAGES)}.',
                           f'There is no stage "{through}". Choose one of: {", ".join(STAGES)}.', field='through')
    done: list[str] = []
    plan = find_demo_plan(session)
    if plan is None:
        plan = _create(session)
        done.append('created plan 1245/KH-BCĐCCTMTQG with 9 teams and 9 target districts')
    if plan.state == PlanState.cancelled:
        return plan, done
    target = STAGES.index(through)
    # (stage, trigger that enters it, the work done while the plan is in it, what that work is)
    steps = [
        ('scheduling', 'schedule', _schedule, 'scheduled 9 visits, 05–24/07/2019'),
        ('visiting', 'start_visiting', _record_visits, 'recorded and submitted the 9 visits'),
        ('findings', 'start_findings', _review_visits, 'team leaders reviewed the visits'),
        ('conclusions', 'start_conclusions', _conclude, 'recorded 9 district conclusions and their recommendations'),
        ('closed', 'close', _follow_up, 'recorded follow-up reports from the districts'),
    ]
    for stage, trigger, work, label in steps:
        index = STAGES.index(stage)
        if index > target:
            break
        if STAGES.index(plan.state.value) < index:
            plan_ops.advance_plan(session, plan, trigger, actor=ACTOR)
            done.append(f'moved to {stage}')
        # A stage's work is done only while the plan is in it, and only when the target lies beyond it
        # (``--through visiting`` leaves the visits to be recorded), except the follow-up of a closed round.
        if plan.state.value == stage and (index < target or stage == 'closed'):
            if work(session, plan) is not False:
                done.append(label)
    session.flush()
    return plan, done
