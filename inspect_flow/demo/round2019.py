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

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspect_flow.demo.common import (
    ACTOR,
    STAGES,
    Step,
    Stop,
    add_teams,
    checklist_answers,
    ensure_people,
    lower_first,
    pin_checklists,
    record_visits,
    remedies_for,
    review_visits,
    run_round,
    schedule_stops,
)
from inspect_flow.findings import operations as findings_ops
from inspect_flow.findings.models import Conclusion, FindingSource
from inspect_flow.plans import operations as plan_ops
from inspect_flow.plans.models import CoverageRule, Plan
from inspect_flow.units import operations as unit_ops
from inspect_flow.units.models import UnitLevel
from inspect_flow.workflow.states import VisitState

__all__ = ['STAGES', 'checklist_answers', 'ensure_reference_data', 'find_demo_plan', 'run_demo']

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


#: What a district reported of its own figures, as the seed article gives them (seed 003, 03/6/2019): they
#: measure the whole district over 2016-2018, not the commune visited.
DISTRICT_FIGURES = {
    '833': ' Sau 03 năm triển khai Đề án, toàn huyện Mỏ Cày Nam có 1.968 hộ tham gia, đạt 100% kế hoạch; qua rà soát '
           'hộ nghèo, hộ cận nghèo cuối các năm 2016, 2017, 2018 có 755 hộ tham gia Đề án thoát nghèo bền vững, đạt '
           '38,36%.',
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
    province = unit_ops.get_unit(session, '83', date(2019, 7, 1))
    people = ensure_people(session, province, {'leaders': LEADERS, 'members': MEMBERS, 'secretaries': SECRETARIES})
    add_teams(session, plan, people, members_of=lambda i: (i % 6, (i + 3) % 6), secretary_of=lambda i: i % 3)
    pin_checklists(session, plan)
    return plan


def _schedule(session: Session, plan: Plan) -> None:
    schedule_stops(session, plan, STOPS)


def _submission(i: int, visit) -> dict:  # noqa: ANN001
    d_name = lower_first(visit.district.full_name)
    c_name = lower_first(visit.commune.full_name)
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
                               'Đề án sinh kế 06 tháng đầu năm 2019.' + DISTRICT_FIGURES.get(visit.district.code, ''),
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


def _conclude(session: Session, plan: Plan) -> None:
    for visit in sorted(plan.visits, key=lambda v: v.team.number):
        if visit.state == VisitState.cancelled:
            continue
        exists = session.scalars(sa.select(Conclusion).where(Conclusion.plan_id == plan.id,
                                                             Conclusion.unit_id == visit.conclusion_unit_id)).first()
        if exists:
            continue
        d_name = lower_first(visit.district.full_name)
        c_name = lower_first(visit.commune.full_name)
        conclusion = findings_ops.add_conclusion(
            session, plan, visit.district, team=visit.team, actor=ACTOR,
            summary=(f'Trong 06 tháng đầu năm 2019, {d_name} và {c_name} đã củng cố, kiện toàn Ban Chỉ đạo, '
                     'tăng cường phối hợp giữa các ban, ngành, đoàn thể; công tác truyền thông về giảm nghèo và '
                     'Đề án sinh kế được quan tâm. Bên cạnh kết quả đạt được, việc thực hiện vẫn còn một số hạn chế '
                     'như Đoàn đã nêu tại biên bản làm việc.'),
        )
        # Every team leader asked the district to direct the programme well (seed 000); the rest is drawn from
        # what the team found there, the district's steering committee first.
        findings_ops.add_recommendation(
            session, plan, text='Tập trung chỉ đạo thực hiện tốt các nội dung của Chương trình mục tiêu quốc gia giảm '
            'nghèo bền vững và Đề án phát triển đa dạng sinh kế, thoát nghèo bền vững.',
            addressee_label=f'UBND {d_name}', deadline=date(2019, 12, 31), conclusion=conclusion,
            addressee_unit=visit.district, actor=ACTOR)
        deadlines = {'district': date(2019, 9, 30), 'commune': date(2019, 10, 31)}
        for level, text, finding in remedies_for(session, visit, limit=5):
            unit, label = ((visit.district, f'Ban Chỉ đạo {d_name}') if level == 'district'
                           else (visit.commune, f'UBND {c_name}'))
            findings_ops.add_recommendation(session, plan, text=text, addressee_label=label, deadline=deadlines[level],
                                            conclusion=conclusion, finding=finding, addressee_unit=unit, actor=ACTOR)


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
            session, rec, text='Ban Chỉ đạo huyện đã ban hành văn bản chỉ đạo thực hiện kiến nghị của Đoàn; đính kèm '
            'văn bản.', reported_by=rec.addressee_label, completed=True,
            evidence=['Văn bản chỉ đạo của Ban Chỉ đạo huyện'], report_date=date(2019, 9, 20), actor=ACTOR)
        if k % 2 == 0:  # the secretariat has verified some; the rest wait for verification
            findings_ops.verify_recommendation(session, rec, verifier=None, actor=ACTOR)
    for rec in recs:
        if rec.state == RecommendationState.open and rec.deadline == date(2019, 10, 31) and 'vốn vay' in rec.text:
            findings_ops.report_progress(
                session, rec, text='Đang phối hợp Ngân hàng Chính sách xã hội rà soát hồ sơ vay vốn.',
                reported_by=rec.addressee_label, report_date=date(2019, 10, 15), actor=ACTOR)


def _record_visits(session: Session, plan: Plan) -> None:
    record_visits(session, plan, _submission)


STEPS = [
    Step('scheduling', 'schedule', _schedule, 'scheduled 9 visits, 05–24/07/2019'),
    Step('visiting', 'start_visiting', _record_visits, 'recorded and submitted the 9 visits'),
    Step('findings', 'start_findings', review_visits, 'team leaders reviewed the visits'),
    Step('conclusions', 'start_conclusions', _conclude, 'recorded 9 district conclusions and their recommendations'),
    Step('closed', 'close', _follow_up, 'recorded follow-up reports from the districts'),
]


def run_demo(session: Session, through: str = 'closed') -> tuple[Plan, list[str]]:
    """Load the 2019 round and advance it to the *through* stage; return the plan and what was done.

    Running it again changes nothing, or only advances the plan further.

    :raise InvalidInput: an unknown stage name
    """
    return run_round(session, through, find_demo_plan, _create,
                     'created plan 1245/KH-BCĐCCTMTQG with 9 teams and 9 target districts', STEPS)
