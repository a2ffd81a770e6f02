"""DEMO DATA (dữ liệu minh họa): a 2026 round in Tỉnh Vĩnh Long, two tiers, built through the operations.

Nothing in this round was published: the plan (68/KH-BCĐCCTMTQG of 12/6/2026), its teams and people,
the days, the answers, the findings and the recommendations are illustrative, written in the spirit of
the 2019 Bến Tre articles (seeds/) so that the demo looks like a real round. What is real:

- the province: since 01/07/2025 Tỉnh Vĩnh Long takes in the former Bến Tre, Trà Vinh and Vĩnh Long
  provinces, with 124 commune-level units and no district level (Resolution 202/2025/QH15);
- the communes and their 2025 codes (the ``vietnamadminunits`` package, loaded by
  :func:`inspect_flow.units.loading.load_units`): Xã Nhuận Phú Tân (28948) took over the commune the
  2019 round visited (28936, Huyện Mỏ Cày Bắc);
- the agencies as they are named after the 2025 reorganisation: poverty reduction moved from the
  labour departments to agriculture and environment (Sở Nông nghiệp và Môi trường), social protection
  to health (Sở Y tế); the national documents cited as legal bases.

The round targets eight communes directly, three from former Bến Tre, three from former Trà Vinh and
two from former Vĩnh Long, each in a different former district; six teams, two of which visit two
communes. Each visited commune gets its own conclusion, addressed to its People's Committee (UBND
xã …), with one recommendation to a provincial department or the social policy bank.

:func:`run_demo` is idempotent: it finds the plan if it exists and only advances it.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspect_flow.demo.common import (
    ACTOR,
    Households,
    Step,
    Stop,
    add_teams,
    checklist_answers,
    ensure_people,
    lower_first,
    ordered_visits,
    pin_checklists,
    record_visits,
    remedies_for,
    review_visits,
    run_round,
    schedule_stops,
)
from inspect_flow.documents.vnformat import date_short
from inspect_flow.findings import operations as findings_ops
from inspect_flow.findings.models import FindingSource
from inspect_flow.plans import operations as plan_ops
from inspect_flow.plans.models import CoverageRule, Plan
from inspect_flow.units import operations as unit_ops
from inspect_flow.units.loading import load_units
from inspect_flow.units.models import IssuingBody, UnitLevel
from inspect_flow.workflow.states import RecommendationState, VisitState

PROVINCE = '86'  # Tỉnh Vĩnh Long (2025)
ROUND_DAY = date(2026, 7, 7)  # the units of the round are those valid on its first day
ISSUER_SLUG = 'bcd-ctmtqg-vinh-long'
NUMBER, SYMBOL, ISSUED = 68, 'KH-BCĐCCTMTQG', date(2026, 6, 12)
REFERENCE = f'{NUMBER}/{SYMBOL}'
PARENT_HEADER = 'UBND TỈNH VĨNH LONG'
PLACE = 'Vĩnh Long'

SUBJECT = 'Kiểm tra, giám sát công tác giảm nghèo bền vững 06 tháng đầu năm 2026'
LEGAL_BASES = [
    'Nghị định số 27/2022/NĐ-CP ngày 19/4/2022 của Chính phủ quy định cơ chế quản lý, tổ chức thực hiện các '
    'chương trình mục tiêu quốc gia',
    'Quyết định số 90/QĐ-TTg ngày 18/01/2022 của Thủ tướng Chính phủ phê duyệt Chương trình mục tiêu quốc gia giảm '
    'nghèo bền vững giai đoạn 2021 - 2025',
    'Thông tư số 10/2022/TT-BLĐTBXH ngày 31/5/2022 của Bộ Lao động - Thương binh và Xã hội hướng dẫn giám sát, '
    'đánh giá thực hiện Chương trình mục tiêu quốc gia giảm nghèo bền vững giai đoạn 2021 - 2025',
    'Chương trình công tác năm 2026 của Ban Chỉ đạo các Chương trình mục tiêu quốc gia tỉnh Vĩnh Long',
]
OBJECTIVES = [
    'Đánh giá tình hình triển khai công tác giảm nghèo bền vững 06 tháng đầu năm 2026 tại các xã sau sắp xếp đơn '
    'vị hành chính; việc duy trì kết quả giảm nghèo, hỗ trợ hộ nghèo, hộ cận nghèo và hộ mới thoát nghèo.',
    'Nắm bắt khó khăn, vướng mắc của cơ sở khi tổ chức chính quyền địa phương hai cấp; kịp thời chấn chỉnh sai '
    'sót, đề xuất giải pháp thực hiện có hiệu quả trong thời gian tới.',
    'Tham vấn trực tiếp hộ nghèo, hộ cận nghèo, hộ thoát nghèo về việc tiếp cận và thụ hưởng chính sách.',
]

# Eight communes, each in a different former district (the 2025 unit took the code of one of its
# predecessors, whose district is named here).
STOPS = [
    Stop(1, '28948', date(2026, 7, 7)),   # Xã Nhuận Phú Tân (former Huyện Mỏ Cày Bắc, Bến Tre)
    Stop(2, '29194', date(2026, 7, 8)),   # Xã Đại Điền (former Huyện Thạnh Phú, Bến Tre)
    Stop(3, '29461', date(2026, 7, 9)),   # Xã Trà Cú (former Huyện Trà Cú, Trà Vinh)
    Stop(4, '29416', date(2026, 7, 10)),  # Xã Cầu Ngang (former Huyện Cầu Ngang, Trà Vinh)
    Stop(5, '29836', date(2026, 7, 13)),  # Xã Trà Côn (former Huyện Trà Ôn, Vĩnh Long)
    Stop(1, '29137', date(2026, 7, 14)),  # Xã Tân Xuân (former Huyện Ba Tri, Bến Tre)
    Stop(4, '29341', date(2026, 7, 15)),  # Xã Tiểu Cần (former Huyện Tiểu Cần, Trà Vinh)
    Stop(6, '29719', date(2026, 7, 16)),  # Xã Tam Bình (former Huyện Tam Bình, Vĩnh Long)
]

_NNMT = 'Sở Nông nghiệp và Môi trường tỉnh Vĩnh Long'
_NHCSXH = 'Chi nhánh Ngân hàng Chính sách xã hội tỉnh Vĩnh Long'
LEADERS = [
    ('Lê Thanh Tùng', 'Phó Giám đốc', _NNMT),
    ('Nguyễn Thị Ngọc Diệp', 'Phó Giám đốc', 'Sở Y tế tỉnh Vĩnh Long'),
    ('Trần Văn Khải', 'Phó Giám đốc', _NHCSXH),
    ('Sơn Minh Hoàng', 'Phó Giám đốc', 'Sở Dân tộc và Tôn giáo tỉnh Vĩnh Long'),
    ('Đoàn Thị Kim Phượng', 'Phó Chủ tịch', 'Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Vĩnh Long'),
    ('Phan Quốc Việt', 'Phó Giám đốc', 'Sở Tài chính tỉnh Vĩnh Long'),
]
MEMBERS = [
    ('Châu Thị Mỹ Xuyên', 'Chuyên viên', _NNMT),
    ('Dương Hoàng Phúc', 'Chuyên viên', _NHCSXH),
    ('Lâm Thị Bích Tuyền', 'Chuyên viên', 'Hội Liên hiệp Phụ nữ tỉnh Vĩnh Long'),
    ('Hồ Văn Lực', 'Chuyên viên', 'Hội Nông dân tỉnh Vĩnh Long'),
    ('Tăng Thị Hồng Thắm', 'Chuyên viên', 'Sở Y tế tỉnh Vĩnh Long'),
    ('Kiên Văn Dũng', 'Chuyên viên', 'Sở Dân tộc và Tôn giáo tỉnh Vĩnh Long'),
]
# The standing agency's secretaries: poverty reduction is the agriculture and environment department's since 2025.
SECRETARIES = [
    ('Nguyễn Thị Kim Thoa', 'Chuyên viên', _NNMT),
    ('Võ Hoàng Nam', 'Chuyên viên', _NNMT),
]
#: The provincial bodies a recommendation may be addressed to: (slug, name, abbreviation, header lines,
#: parent header). The first is also the committee's standing agency.
DEPARTMENTS = [
    ('snnmt-vinh-long', _NNMT, 'SNNMT', ['SỞ NÔNG NGHIỆP', 'VÀ MÔI TRƯỜNG'], PARENT_HEADER),
    ('nhcsxh-vinh-long', _NHCSXH, 'NHCSXH', ['CHI NHÁNH TỈNH VĨNH LONG'], 'NGÂN HÀNG CHÍNH SÁCH XÃ HỘI'),
    ('syt-vinh-long', 'Sở Y tế tỉnh Vĩnh Long', 'SYT', ['SỞ Y TẾ'], PARENT_HEADER),
]

#: The commune's participants: chairman, deputy chairman, head of the economic office, the social affairs
#: official, and the chairman of the Fatherland Front committee (invited). Khmer names in the Trà Vinh communes.
LOCAL_PEOPLE = {
    '28948': ('Nguyễn Văn Thạnh', 'Trần Minh Luân', 'Lê Thị Thu Trang', 'Huỳnh Thị Bé Tư', 'Phạm Văn Tới'),
    '29194': ('Võ Thanh Hải', 'Nguyễn Thị Hồng Gấm', 'Đặng Văn Sang', 'Trương Thị Mỹ Linh', 'Lý Văn Đời'),
    '29461': ('Thạch Văn Sa Ri', 'Kim Thị Sô Phia', 'Trần Văn Nhựt', 'Sơn Thị Sóc Kha', 'Thạch Ngọc Lợi'),
    '29416': ('Kim Văn Sơn', 'Nguyễn Thị Thúy Hằng', 'Thạch Văn Dên', 'Lê Thị Cẩm Tú', 'Sơn Văn Chươl'),
    '29836': ('Nguyễn Hoàng Tâm', 'Lê Văn Mười', 'Phan Thị Ngọc Hân', 'Trần Thị Kim Yến', 'Võ Văn Hai'),
    '29137': ('Huỳnh Văn Phước', 'Đỗ Thị Thanh Xuân', 'Nguyễn Văn Bé', 'Cao Thị Diễm My', 'Trần Văn Của'),
    '29341': ('Thạch Minh Triều', 'Dương Thị Bích Ngọc', 'Kim Văn Hùng', 'Nguyễn Thị Sa Ly', 'Lâm Văn Tư'),
    '29719': ('Trương Văn Đức', 'Nguyễn Thị Mỹ Dung', 'Lê Hoàng Khang', 'Phạm Thị Thu Ba', 'Ngô Văn Lập'),
}
#: Communes of former Trà Vinh, where many households are Khmer.
TRA_VINH = ('29461', '29416', '29341')
ACHIEVEMENTS = [
    ('Huy động nguồn lực', 'Xã đã vận động doanh nghiệp, nhà hảo tâm và Quỹ "Vì người nghèo" hỗ trợ hộ nghèo, hộ '
     'cận nghèo sửa chữa nhà ở, con giống và học bổng cho học sinh nghèo.', FindingSource.report),
    ('Dữ liệu hộ nghèo', 'Xã đã tiếp nhận, hợp nhất danh sách hộ nghèo, hộ cận nghèo của các xã cũ và cập nhật vào '
     'cơ sở dữ liệu quản lý.', FindingSource.records),
    ('Nhà ở', 'Hoàn thành hỗ trợ xây mới, sửa chữa nhà ở cho hộ nghèo, hộ cận nghèo theo chương trình xóa nhà tạm, '
     'nhà dột nát.', FindingSource.report),
    ('Tín dụng chính sách', 'Vốn vay ưu đãi đến được đúng đối tượng; phần lớn hộ vay sử dụng vốn vào chăn nuôi, '
     'trồng trọt, buôn bán nhỏ và trả nợ đúng hạn.', FindingSource.household),
]
CAUSES = [
    ('Tổ chức bộ máy', 'Chính quyền cấp xã mới đi vào hoạt động; một số công chức mới được phân công phụ trách công '
     'tác giảm nghèo, chưa nắm vững nghiệp vụ.'),
    ('Địa bàn rộng', 'Địa bàn xã sau sắp xếp rộng, dân số đông, việc theo dõi, hỗ trợ từng hộ còn gặp khó khăn.'),
]
#: The merged communes are three to four times the size of a 2019 commune; the households in the
#: livelihood models (Dự án 2 of the programme) and those that escaped poverty are illustrative.
FIGURES = Households(
    participating=(64, 52, 71, 58, 47, 66, 55, 49),
    escaped_sustainably=(21, 17, 24, 19, 15, 22, 18, 16),
    heads=('Nguyễn Văn Út', 'Trần Thị Năm', 'Lê Văn Bảy', 'Phạm Thị Hai', 'Võ Văn Chín', 'Huỳnh Thị Ba'),
    categories=('poor', 'poor', 'near_poor', 'escaped', 'escaped'),
    loan_purposes=('Chăn nuôi bò sinh sản', 'Trồng rau màu'),
    total_base=8600,
)
FIGURES_TRA_VINH = dataclasses.replace(
    FIGURES, heads=('Thạch Thị Sa Quanh', 'Kim Văn Ria', 'Nguyễn Văn Út', 'Sơn Thị Sa Phiên', 'Thạch Văn Sóc',
                    'Trần Thị Năm'))


def ensure_reference_data(session: Session) -> IssuingBody:
    """Load Tỉnh Vĩnh Long's 2025 units (idempotent) and the issuing bodies; return the Steering Committee."""
    load_units(session, [PROVINCE])
    province = unit_ops.get_unit(session, PROVINCE, ROUND_DAY)
    for slug, name, abbreviation, header_lines, parent_header in DEPARTMENTS:
        unit_ops.add_issuing_body(session, slug=slug, name=name, abbreviation=abbreviation, header_lines=header_lines,
                                  parent_header=parent_header, place_name=PLACE, unit=province)
    return unit_ops.add_issuing_body(
        session, slug=ISSUER_SLUG, name='Ban Chỉ đạo các Chương trình mục tiêu quốc gia tỉnh Vĩnh Long',
        abbreviation='BCĐCCTMTQG', header_lines=['BAN CHỈ ĐẠO CÁC CHƯƠNG TRÌNH', 'MỤC TIÊU QUỐC GIA'],
        parent_header=PARENT_HEADER, place_name=PLACE, unit=province,
    )


def find_demo_plan(session: Session) -> Plan | None:
    """Return the 2026 demo plan if it has been loaded."""
    return session.scalars(sa.select(Plan).join(Plan.issuer).where(
        IssuingBody.slug == ISSUER_SLUG, Plan.number == NUMBER, Plan.year == ISSUED.year,
        Plan.symbol == SYMBOL)).first()


def _create(session: Session) -> Plan:
    issuer = ensure_reference_data(session)
    plan = plan_ops.create_plan(
        session, issuer=issuer, number=NUMBER, symbol=SYMBOL, issue_date=ISSUED, subject=SUBJECT,
        legal_bases=LEGAL_BASES, objectives=OBJECTIVES, fieldwork_start=STOPS[0].day,
        fieldwork_end=max(s.day for s in STOPS), households_per_commune=5, actor=ACTOR,
        # One commune per former district: each of the eight lies in a different one.
        coverage_rule=CoverageRule.per_former_district,
    )
    plan_ops.set_targets(session, plan, [s.commune for s in STOPS], actor=ACTOR)
    province = unit_ops.get_unit(session, PROVINCE, ROUND_DAY)
    people = ensure_people(session, province, {'leaders': LEADERS, 'members': MEMBERS, 'secretaries': SECRETARIES})
    add_teams(session, plan, people, members_of=lambda i: (i % 6, (i + 3) % 6), secretary_of=lambda i: i % 2)
    pin_checklists(session, plan)
    return plan


def _schedule(session: Session, plan: Plan) -> None:
    schedule_stops(session, plan, STOPS)


def _submission(i: int, visit) -> dict:  # noqa: ANN001
    c_name = lower_first(visit.commune.full_name)
    chairman, deputy, economy, social, front = LOCAL_PEOPLE[visit.commune.code]
    return {
        'participants': [
            {'side': 'commune', 'full_name': chairman, 'agency': f'UBND {c_name}',
             'title': f'Chủ tịch UBND {c_name}, Trưởng Ban Chỉ đạo các Chương trình mục tiêu quốc gia xã'},
            {'side': 'commune', 'full_name': deputy, 'title': f'Phó Chủ tịch UBND {c_name}',
             'agency': f'UBND {c_name}'},
            {'side': 'commune', 'full_name': economy, 'title': 'Trưởng Phòng Kinh tế', 'agency': f'UBND {c_name}'},
            {'side': 'commune', 'full_name': social, 'title': 'Công chức Phòng Văn hóa - Xã hội',
             'agency': f'UBND {c_name}'},
            {'side': 'invited', 'full_name': front, 'title': 'Chủ tịch Ủy ban Mặt trận Tổ quốc Việt Nam xã',
             'agency': f'Ủy ban MTTQ Việt Nam {c_name}'},
        ],
        'content': {
            'purpose': f'Trưởng đoàn thông qua mục đích, nội dung buổi kiểm tra, giám sát theo Kế hoạch số {REFERENCE} '
                       f'ngày {date_short(ISSUED)}.',
            'commune_report': f'Ban Chỉ đạo các Chương trình mục tiêu quốc gia {c_name} báo cáo kết quả thực hiện công '
                              'tác giảm nghèo bền vững 06 tháng đầu năm 2026 và việc tiếp nhận, cập nhật danh sách hộ '
                              'nghèo, hộ cận nghèo của các xã cũ.',
            'records_checked': ['Quyết định kiện toàn Ban Chỉ đạo các Chương trình mục tiêu quốc gia xã',
                                'Danh sách hộ nghèo, hộ cận nghèo năm 2026',
                                'Hồ sơ vay vốn Ngân hàng Chính sách xã hội',
                                'Hồ sơ hỗ trợ xóa nhà tạm, nhà dột nát', 'Sổ nhật ký hộ gia đình'],
            'discussion': [
                'Đại diện Ủy ban MTTQ Việt Nam xã đề nghị tiếp tục vận động nguồn lực xã hội hỗ trợ hộ nghèo '
                'phát triển sản xuất.',
                'Lãnh đạo UBND xã đề nghị tỉnh sớm hướng dẫn việc bàn giao, lưu trữ hồ sơ giảm nghèo của các xã cũ.',
            ],
            'local_opinion': 'Đơn vị thống nhất với nhận xét, đánh giá và kết luận của Đoàn.',
            'ended_at': '11:15',
        },
        'answers': checklist_answers(i, visit, FIGURES_TRA_VINH if visit.commune.code in TRA_VINH else FIGURES),
        'findings': (
            [{'kind': 'achievement', 'category': c, 'text': t, 'source': s.value}
             for k, (c, t, s) in enumerate(ACHIEVEMENTS) if k in (i % 4, (i + 1) % 4)]
            + [{'kind': 'cause', 'category': CAUSES[i % 2][0], 'text': CAUSES[i % 2][1], 'source': 'report'}]
        ),
    }


def _record_visits(session: Session, plan: Plan) -> None:
    record_visits(session, plan, _submission)
    _check_earlier(session, plan)


def _check_earlier(session: Session, plan: Plan) -> None:
    """Each team checks, at its commune, what became of the 2019 round's recommendations that followed there.

    A 2019 district's recommendations follow to every 2025 commune that took over one of its communes
    (:mod:`inspect_flow.findings.follow_up`); checked once, at the first visit to such a commune.
    """
    from inspect_flow.findings.follow_up import check_recommendation, follow_up_for_visit

    for visit in ordered_visits(plan):
        if visit.state == VisitState.cancelled:
            continue
        for item in follow_up_for_visit(session, visit):
            if item.check is not None:
                continue
            rec = item.recommendation
            by_district = rec.addressee_unit.level == UnitLevel.district
            if rec.state in (RecommendationState.done, RecommendationState.open) and by_district:
                kwargs = {'outcome': 'done', 'note': 'Xã đã tiếp nhận và duy trì tổ kiểm tra, giám sát sau sắp xếp.',
                          'evidence': ['Quyết định kiện toàn tổ kiểm tra, giám sát của xã (2025)']}
            elif rec.state == RecommendationState.in_progress:
                kwargs = {'outcome': 'partly_done', 'evidence': ['Sổ nhật ký hộ gia đình (10 hộ xem tại chỗ)'],
                          'note': 'Đã rà soát vốn vay của phần lớn hộ; Sổ nhật ký hộ gia đình còn ghi chưa đầy đủ.'}
            else:
                kwargs = {'outcome': 'not_done', 'evidence': [],
                          'note': 'Chưa có kế hoạch kiểm tra tình hình đời sống hộ thoát nghèo sau sắp xếp.'}
            check_recommendation(session, visit, rec, actor=ACTOR, **kwargs)


#: What each commune's conclusion asks of its People's Committee first, whatever was found.
LEAD_ITEM = ('Tập trung chỉ đạo thực hiện các mục tiêu giảm nghèo bền vững năm 2026; phân công cụ thể công chức theo '
             'dõi công tác giảm nghèo, không để gián đoạn sau khi sắp xếp bộ máy.')
#: And what it asks of a provincial body, one per conclusion in turn (index into DEPARTMENTS).
DEPARTMENT_ITEMS = [
    (0, 'Hướng dẫn các xã việc bàn giao, lưu trữ hồ sơ giảm nghèo của các đơn vị hành chính cũ; tập huấn nghiệp vụ '
        'cho công chức cấp xã phụ trách công tác giảm nghèo.', date(2026, 9, 30)),
    (1, 'Chỉ đạo phòng giao dịch phối hợp với xã đối chiếu hồ sơ vay vốn của hộ nghèo, hộ cận nghèo sau sắp xếp đơn '
        'vị hành chính; kịp thời xử lý nợ quá hạn.', date(2026, 10, 31)),
    (2, 'Phối hợp Bảo hiểm xã hội tỉnh rà soát, cấp thẻ bảo hiểm y tế kịp thời cho người thuộc hộ nghèo, hộ cận nghèo '
        'có thay đổi thông tin địa chỉ do sắp xếp đơn vị hành chính.', date(2026, 10, 31)),
]


def _conclude(session: Session, plan: Plan) -> None:
    """One conclusion per visited commune, by the team leader, to the commune's People's Committee."""
    for k, visit in enumerate(ordered_visits(plan)):
        if visit.state == VisitState.cancelled:
            continue
        if findings_ops.get_conclusion(session, plan, visit.conclusion_unit) is not None:
            continue
        c_name = lower_first(visit.commune.full_name)
        conclusion = findings_ops.add_conclusion(
            session, plan, visit.conclusion_unit, team=visit.team, actor=ACTOR,
            summary=(f'Trong 06 tháng đầu năm 2026, {c_name} đã kiện toàn Ban Chỉ đạo các Chương trình mục tiêu '
                     'quốc gia sau khi sắp xếp đơn vị hành chính, hợp nhất danh sách hộ nghèo, hộ cận nghèo của các xã '
                     'cũ và tiếp tục triển khai các chính sách hỗ trợ giảm nghèo. Bên cạnh kết quả đạt được, việc thực '
                     'hiện vẫn còn một số hạn chế như Đoàn đã nêu tại biên bản làm việc.'),
        )
        # The general directive first, then what the team found there calls for (two tiers: no district).
        findings_ops.add_recommendation(session, plan, text=LEAD_ITEM, addressee_label=f'UBND {c_name}',
                                        deadline=date(2026, 12, 31), conclusion=conclusion,
                                        addressee_unit=visit.commune, actor=ACTOR)
        deadlines = {'district': date(2026, 9, 30), 'commune': date(2026, 10, 31)}
        for level, text, finding in remedies_for(session, visit, limit=3, project='các dự án, mô hình hỗ trợ sinh kế'):
            findings_ops.add_recommendation(session, plan, text=text, addressee_label=f'UBND {c_name}',
                                            deadline=deadlines[level], conclusion=conclusion, finding=finding,
                                            addressee_unit=visit.commune, actor=ACTOR)
        index, text, deadline = DEPARTMENT_ITEMS[k % len(DEPARTMENT_ITEMS)]
        body = unit_ops.get_issuing_body(session, DEPARTMENTS[index][0])
        findings_ops.add_recommendation(session, plan, text=text, addressee_label=body.name, deadline=deadline,
                                        conclusion=conclusion, addressee_body=body, actor=ACTOR)


def _follow_up(session: Session, plan: Plan) -> bool | None:
    """The communes and departments report back in the autumn; the secretariat verifies what has evidence."""
    from inspect_flow.findings.models import Recommendation, RecommendationState

    recs = list(session.scalars(sa.select(Recommendation).where(Recommendation.plan_id == plan.id)
                                .order_by(Recommendation.id)))
    if any(r.reports for r in recs):
        return False
    for k, rec in enumerate(r for r in recs if r.deadline == date(2026, 9, 30)):
        if rec.addressee_body is not None:
            text = ('Đã ban hành văn bản hướng dẫn bàn giao, lưu trữ hồ sơ giảm nghèo và tổ chức tập huấn cho công '
                    'chức cấp xã; đính kèm văn bản.')
            evidence = ['Văn bản hướng dẫn', 'Danh sách học viên tập huấn']
        else:
            text = 'UBND xã đã ban hành văn bản chỉ đạo thực hiện kiến nghị của Đoàn; đính kèm văn bản.'
            evidence = ['Văn bản chỉ đạo của UBND xã']
        findings_ops.report_progress(session, rec, text=text, reported_by=rec.addressee_label, completed=True,
                                     evidence=evidence, report_date=date(2026, 9, 22), actor=ACTOR)
        if k % 2 == 0:  # the secretariat has verified some; the rest wait for verification
            findings_ops.verify_recommendation(session, rec, verifier=None, actor=ACTOR)
    for rec in recs:
        if rec.state == RecommendationState.open and rec.deadline == date(2026, 10, 31):
            findings_ops.report_progress(
                session, rec, text='Đang phối hợp rà soát, đối chiếu hồ sơ; sẽ báo cáo kết quả trước thời hạn.',
                reported_by=rec.addressee_label, report_date=date(2026, 10, 15), actor=ACTOR)
    return None


STEPS = [
    Step('scheduling', 'schedule', _schedule, 'scheduled 8 visits, 07–16/07/2026'),
    Step('visiting', 'start_visiting', _record_visits, 'recorded and submitted the 8 visits'),
    Step('findings', 'start_findings', review_visits, 'team leaders reviewed the visits'),
    Step('conclusions', 'start_conclusions', _conclude, 'recorded 8 commune conclusions and their recommendations'),
    Step('closed', 'close', _follow_up, 'recorded follow-up reports from the communes and departments'),
]


def run_demo(session: Session, through: str = 'closed') -> tuple[Plan, list[str]]:
    """Load the 2026 round (demo data) and advance it to the *through* stage; return the plan and what was done.

    Running it again changes nothing, or only advances the plan further.

    :raise InvalidInput: an unknown stage name
    """
    return run_round(session, through, find_demo_plan, _create,
                     f'created plan {REFERENCE} (demo data) with 6 teams and 8 target communes', STEPS)
