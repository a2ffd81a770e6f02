"""Sample view models of the 2019 Bến Tre round, for tests, previews and the benchmark.

Facts from the seed articles (shared/seeds): plan 1245/KH-BCĐCCTMTQG of 28/5/2019 by the Ban Chỉ
đạo các Chương trình mục tiêu quốc gia tỉnh Bến Tre; 09 teams in 09 communes from 05 to 24/7/2019;
a visit to xã Nhuận Phú Tân, huyện Mỏ Cày Bắc; the limitations and the team leaders' conclusions
listed in the article; Mỏ Cày Nam's 755 of 1.968 households (38,36 %).

Everything else is illustrative: the people are fictitious, the other eight communes are real 2019
units picked for the example, and the commune figures and dates of the other documents are
invented. Every builder takes keyword overrides (``dataclasses.replace``) so a test can change one
field; :func:`as_draft` turns an issued sample into a draft.

This module has no relative imports, so the benchmark can import it by path.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time

from inspect_flow.documents.viewmodels import (
    Article,
    Assignment,
    CategoryRow,
    ConclusionNotice,
    DistrictRow,
    DocumentMeta,
    DocumentRef,
    HouseholdConsulted,
    IssuingBody,
    Minutes,
    Participant,
    Plan,
    Recommendation,
    RecommendationGroup,
    RoundCounts,
    RoundReport,
    ScheduleEntry,
    Section,
    Signature,
    Statement,
    TeamComposition,
    TeamDecision,
    TeamReport,
    WorkSchedule,
)

BCD_NAME = 'Ban Chỉ đạo các Chương trình mục tiêu quốc gia tỉnh Bến Tre'
BCD_ABBR = 'BCĐCCTMTQG'
PLAN_NUMBER = 1245
PLAN_DATE = date(2019, 5, 28)
PLAN_SUBJECT = (
    'Kiểm tra, giám sát công tác giảm nghèo và thực hiện Đề án phát triển đa dạng sinh kế, '
    'thoát nghèo bền vững năm 2019'
)
FIELDWORK = (date(2019, 7, 5), date(2019, 7, 24))

#: The limitations listed in the seed article (Sở LĐTBXH Bến Tre, 23/7/2019).
SEED_LIMITATIONS = (
    'Công tác tuyên truyền, thông tin về các chính sách giảm nghèo, Đề án sinh kế đến người dân còn hạn chế',
    'Công tác chỉ đạo, điều hành, phối hợp thực hiện công tác giảm nghèo, Đề án sinh kế của một số xã chưa đồng bộ',
    'Giải pháp hỗ trợ hộ nghèo còn chung chung, chưa cụ thể, chưa đa dạng sinh kế',
    'Một số hộ sử dụng vốn vay không đúng mục đích',
    'Công tác quản lý hộ tham gia Đề án sinh kế chưa chặt chẽ',
    'Một số hộ thoát nghèo chưa thật sự bền vững',
    'Hộ nghèo còn trông chờ vào sự hỗ trợ của Nhà nước',
)
SEED_ACHIEVEMENTS = (
    'Các địa phương đã củng cố, kiện toàn và nâng cao chất lượng hoạt động của Ban Chỉ đạo các cấp; '
    'tăng cường sự phối hợp giữa các ban, ngành, đoàn thể địa phương',
    'Công tác truyền thông về giảm nghèo và Đề án sinh kế được quan tâm, thông tin trên đài truyền thanh '
    'hoặc phổ biến trực tiếp qua các buổi sinh hoạt tổ nhân dân tự quản',
    'Một số xã tổ chức họp mặt, đối thoại trực tiếp với người nghèo, người cận nghèo để nắm bắt tâm tư, '
    'nguyện vọng và nhu cầu cần hỗ trợ của người dân',
)

#: (team, date, district, commune, leader, leader's title and agency): 09 teams, 09 communes.
TEAMS = (
    (1, date(2019, 7, 5), 'Thành phố Bến Tre', 'Xã Sơn Đông', 'Trần Văn Hùng',
     'Phó Giám đốc', 'Sở Lao động - Thương binh và Xã hội'),
    (2, date(2019, 7, 8), 'Huyện Châu Thành', 'Xã Tân Thạch', 'Phạm Thị Thu Hà',
     'Phó Giám đốc', 'Sở Kế hoạch và Đầu tư'),
    (3, date(2019, 7, 9), 'Huyện Mỏ Cày Bắc', 'Xã Nhuận Phú Tân', 'Lê Thị Hồng Nhung',
     'Phó Giám đốc', 'Sở Lao động - Thương binh và Xã hội'),
    (4, date(2019, 7, 10), 'Huyện Mỏ Cày Nam', 'Xã An Thạnh', 'Võ Minh Đức',
     'Phó Giám đốc', 'Sở Tài chính'),
    (5, date(2019, 7, 12), 'Huyện Chợ Lách', 'Xã Vĩnh Bình', 'Huỳnh Văn Sáu',
     'Phó Giám đốc', 'Sở Nông nghiệp và Phát triển nông thôn'),
    (6, date(2019, 7, 16), 'Huyện Giồng Trôm', 'Xã Châu Hòa', 'Đặng Thị Kim Loan',
     'Phó Giám đốc', 'Chi nhánh Ngân hàng Chính sách xã hội tỉnh'),
    (7, date(2019, 7, 18), 'Huyện Bình Đại', 'Xã Long Hòa', 'Nguyễn Thanh Tâm',
     'Phó Chủ tịch', 'Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh'),
    (8, date(2019, 7, 22), 'Huyện Ba Tri', 'Xã Mỹ Chánh', 'Lương Văn Đời',
     'Phó Chủ tịch', 'Hội Nông dân tỉnh'),
    (9, date(2019, 7, 24), 'Huyện Thạnh Phú', 'Xã Đại Điền', 'Trương Thị Mỹ Xuyên',
     'Phó Chủ tịch', 'Hội Liên hiệp Phụ nữ tỉnh'),
)
NPT_TEAM = 3  # the team that visited xã Nhuận Phú Tân, huyện Mỏ Cày Bắc


def _replace(obj, overrides: dict):
    return dataclasses.replace(obj, **overrides) if overrides else obj


def as_draft(vm):
    """The same document before issue: no number, no date."""
    return dataclasses.replace(vm, meta=dataclasses.replace(vm.meta, number=None, issued_on=None))


FEMALE_LEADERS = {2, 3, 6, 9}


def honorific(team_no: int) -> str:
    return 'Bà' if team_no in FEMALE_LEADERS else 'Ông'


def lower_first(text: str) -> str:
    """``Huyện Mỏ Cày Bắc`` → ``huyện Mỏ Cày Bắc`` (unit names inside a sentence)."""
    return text[:1].lower() + text[1:]


def issuer(**overrides) -> IssuingBody:
    """The provincial steering committee."""
    body = IssuingBody(
        name=BCD_NAME,
        abbreviation=BCD_ABBR,
        place_name='Bến Tre',
        header_lines=['Ban Chỉ đạo các Chương trình', 'mục tiêu quốc gia'],
        parent_header='UBND tỉnh Bến Tre',
    )
    return _replace(body, overrides)


def team_issuer(team_no: int = NPT_TEAM) -> IssuingBody:
    """An inspection team as the issuer of its minutes and report, under the committee."""
    return IssuingBody(
        name=f'Đoàn kiểm tra, giám sát số {team_no:02d}',
        abbreviation='ĐKTGS',
        place_name='Bến Tre',
        header_lines=['Đoàn kiểm tra, giám sát', f'số {team_no:02d}'],
        parent_header='BCĐ các CTMTQG tỉnh Bến Tre',
    )


def plan_ref() -> DocumentRef:
    return DocumentRef(
        type_code='KH', number=PLAN_NUMBER, issuer_abbreviation=BCD_ABBR, issued_on=PLAN_DATE, issuer_name=BCD_NAME
    )


def deputy_head(prefix: str = 'KT.') -> Signature:
    """The committee's deputy head signing for the head."""
    return Signature(prefix=prefix, on_behalf_of='Trưởng ban', title='Phó Trưởng ban', name='Nguyễn Văn Minh')


def schedule_entries() -> list[ScheduleEntry]:
    return [
        ScheduleEntry(
            visit_date=day,
            district=district,
            commune=commune,
            team_no=team,
            team_leader=f'{leader}, {title} {agency}',
            start_time=time(7, 30),
            venue=f'Hội trường UBND {lower_first(commune)}',
            local_participants=f'BCĐ {lower_first(district)}; BCĐ {lower_first(commune)}; trưởng các ấp',
        )
        for team, day, district, commune, leader, title, agency in TEAMS
    ]


def team_members(team_no: int) -> list[Participant]:
    team, _day, _district, _commune, leader, title, agency = TEAMS[team_no - 1]
    return [
        Participant(name=leader, title=title, agency=agency, role='Trưởng đoàn'),
        Participant(name='Bùi Văn Lực', title='Trưởng phòng Bảo trợ xã hội',
                    agency='Sở Lao động - Thương binh và Xã hội',
                    role='Phó Trưởng đoàn'),
        Participant(name='Cao Thị Ngọc Hân', title='Phó Trưởng phòng Kế hoạch - Nghiệp vụ',
                    agency='Chi nhánh Ngân hàng Chính sách xã hội tỉnh', role='Thành viên'),
        Participant(name='Tô Văn Bảy', title='Chuyên viên', agency='Hội Nông dân tỉnh', role='Thành viên'),
        Participant(name='Đỗ Thị Thanh Trúc', title='Chuyên viên phòng Bảo trợ xã hội',
                    agency='Sở Lao động - Thương binh và Xã hội', role='Thư ký'),
    ]


# --------------------------------------------------------------------------- KẾ HOẠCH


def plan(**overrides) -> Plan:
    """Plan 1245/KH-BCĐCCTMTQG of 28/5/2019 (issued)."""
    vm = Plan(
        meta=DocumentMeta(
            issuer=issuer(),
            subject=PLAN_SUBJECT,
            number=PLAN_NUMBER,
            issued_on=PLAN_DATE,
            recipients=[
                'Ban Chỉ đạo Trung ương các CTMTQG (báo cáo)',
                'Bộ Lao động - Thương binh và Xã hội (báo cáo)',
                'TT. Tỉnh ủy, TT. HĐND tỉnh (báo cáo)',
                'Chủ tịch, các PCT UBND tỉnh',
                'Thành viên BCĐ các CTMTQG tỉnh',
                'UBND các huyện, thành phố',
                'BCĐ các CTMTQG các huyện, thành phố',
            ],
            archive=['VT', 'BTXH'],
        ),
        signature=deputy_head(),
        legal_bases=[
            'Căn cứ Quyết định số 1722/QĐ-TTg ngày 02/9/2016 của Thủ tướng Chính phủ phê duyệt Chương trình '
            'mục tiêu quốc gia Giảm nghèo bền vững giai đoạn 2016 - 2020;',
            'Căn cứ Thông tư số 39/2016/TT-BLĐTBXH ngày 25/10/2016 của Bộ Lao động - Thương binh và Xã hội '
            'hướng dẫn quy trình kiểm tra và giám sát, đánh giá thực hiện Chương trình mục tiêu quốc gia Giảm '
            'nghèo bền vững giai đoạn 2016 - 2020;',
            'Thực hiện Đề án phát triển đa dạng sinh kế, thoát nghèo bền vững giai đoạn 2016 - 2020 của Ủy ban '
            'nhân dân tỉnh, Ban Chỉ đạo các Chương trình mục tiêu quốc gia tỉnh xây dựng Kế hoạch kiểm tra, '
            'giám sát năm 2019 như sau:',
        ],
        purposes=[
            'Đánh giá tình hình triển khai, kết quả thực hiện công tác giảm nghèo và Đề án phát triển đa dạng '
            'sinh kế, thoát nghèo bền vững 06 tháng đầu năm 2019 tại các huyện, thành phố và xã',
            'Phát hiện những khó khăn, vướng mắc, hạn chế trong quá trình thực hiện để kịp thời chấn chỉnh, '
            'tháo gỡ; đề xuất giải pháp thực hiện hiệu quả trong thời gian tới',
        ],
        requirements=[
            'Kiểm tra, giám sát đúng nội dung, đúng đối tượng, khách quan, không gây khó khăn cho cơ sở',
            'Các địa phương chuẩn bị báo cáo theo đề cương và gửi về Đoàn trước ngày làm việc 03 ngày',
        ],
        contents=[
            'Công tác chỉ đạo, điều hành; củng cố, kiện toàn Ban Chỉ đạo các cấp; phân công thành viên phụ '
            'trách địa bàn',
            'Công tác tuyên truyền, đối thoại chính sách với người nghèo, người cận nghèo',
            'Kết quả thực hiện các chính sách giảm nghèo: y tế, giáo dục, nhà ở, nước sạch, tín dụng ưu đãi, dạy nghề',
            'Kết quả thực hiện Đề án sinh kế: hộ tham gia, kế hoạch sinh kế hộ, hỗ trợ, ghi chép Sổ nhật ký '
            'hộ gia đình',
            'Việc quản lý, sử dụng nguồn vốn vay ưu đãi và kinh phí hỗ trợ',
        ],
        targets=[
            'Ban Chỉ đạo các Chương trình mục tiêu quốc gia cấp huyện, cấp xã',
            'Hộ nghèo, hộ cận nghèo, hộ thoát nghèo tham gia Đề án sinh kế',
        ],
        fieldwork_start=FIELDWORK[0],
        fieldwork_end=FIELDWORK[1],
        schedule=schedule_entries(),
        methods=[
            'Nghe Ban Chỉ đạo huyện, xã báo cáo tình hình thực hiện 06 tháng đầu năm 2019',
            'Kiểm tra hồ sơ, sổ sách: danh sách hộ nghèo, hồ sơ rà soát, hồ sơ vay vốn, Sổ nhật ký hộ gia đình',
            'Tham vấn trực tiếp hộ nghèo, hộ thoát nghèo trên địa bàn',
        ],
        households_per_commune=10,
        team_composition=[
            'Thành lập 09 Đoàn kiểm tra, giám sát do lãnh đạo các sở, ngành thành viên Ban Chỉ đạo làm Trưởng đoàn; '
            'thành phần cụ thể theo Quyết định của Trưởng Ban Chỉ đạo các Chương trình mục tiêu quốc gia tỉnh.',
        ],
        assignments=[
            Assignment(party='Sở Lao động - Thương binh và Xã hội (cơ quan thường trực)', duties=[
                'Tham mưu Quyết định thành lập Đoàn, thông báo lịch làm việc đến các địa phương',
                'Tổng hợp kết quả kiểm tra, giám sát, báo cáo Ban Chỉ đạo tỉnh trước ngày 15/8/2019',
            ]),
            Assignment(party='Các sở, ngành thành viên Ban Chỉ đạo', duties=[
                'Cử lãnh đạo, chuyên viên tham gia Đoàn theo phân công',
            ]),
            Assignment(party='Ủy ban nhân dân các huyện, thành phố', duties=[
                'Chỉ đạo Ban Chỉ đạo huyện, xã chuẩn bị báo cáo, hồ sơ và bố trí thành phần làm việc với Đoàn',
                'Tổ chức thực hiện các kết luận, kiến nghị của Đoàn và báo cáo kết quả về Sở Lao động - Thương binh '
                'và Xã hội',
            ]),
        ],
        closing=(
            'Trên đây là Kế hoạch kiểm tra, giám sát công tác giảm nghèo và thực hiện Đề án phát triển đa dạng '
            'sinh kế, thoát nghèo bền vững năm 2019, đề nghị các sở, ngành, địa phương triển khai thực hiện.'
        ),
    )
    return _replace(vm, overrides)


# --------------------------------------------------------------------------- QUYẾT ĐỊNH


def team_decision(**overrides) -> TeamDecision:
    vm = TeamDecision(
        meta=DocumentMeta(
            issuer=issuer(),
            subject='Về việc thành lập các Đoàn kiểm tra, giám sát công tác giảm nghèo và thực hiện Đề án phát '
            'triển đa dạng sinh kế, thoát nghèo bền vững năm 2019',
            number=87,
            issued_on=date(2019, 6, 20),
            recipients=['Như Điều 3', 'TT. UBND tỉnh (báo cáo)', 'UBND các huyện, thành phố'],
            archive=['VT', 'BTXH'],
        ),
        signature=Signature(prefix='KT.', on_behalf_of='Trưởng ban', title='Phó Trưởng ban', name='Nguyễn Văn Minh'),
        decider='Trưởng Ban Chỉ đạo các Chương trình mục tiêu quốc gia tỉnh Bến Tre',
        legal_bases=[
            'Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;',
            'Căn cứ Quyết định số 1722/QĐ-TTg ngày 02/9/2016 của Thủ tướng Chính phủ phê duyệt Chương trình mục tiêu '
            'quốc gia Giảm nghèo bền vững giai đoạn 2016 - 2020;',
            f'Căn cứ Kế hoạch số {PLAN_NUMBER}/KH-{BCD_ABBR} ngày 28/5/2019 của Ban Chỉ đạo các Chương trình mục tiêu '
            'quốc gia tỉnh về kiểm tra, giám sát công tác giảm nghèo năm 2019;',
        ],
        proposal='Xét đề nghị của Giám đốc Sở Lao động - Thương binh và Xã hội.',
        teams_intro='Thành lập 09 Đoàn kiểm tra, giám sát công tác giảm nghèo và thực hiện Đề án phát triển đa dạng '
        'sinh kế, thoát nghèo bền vững năm 2019, thành phần gồm:',
        teams=[
            TeamComposition(number=team, area=f'{lower_first(commune)}, {lower_first(district)}',
                            members=team_members(team))
            for team, _day, district, commune, *_rest in TEAMS
        ],
        articles=[
            Article(paragraphs=[
                'Các Đoàn kiểm tra, giám sát có nhiệm vụ kiểm tra, giám sát theo nội dung Kế hoạch số '
                f'{PLAN_NUMBER}/KH-{BCD_ABBR} ngày 28/5/2019; báo cáo kết quả về Ban Chỉ đạo tỉnh (qua Sở Lao động - '
                'Thương binh và Xã hội) chậm nhất 05 ngày sau khi kết thúc đợt làm việc. Các Đoàn tự giải thể sau '
                'khi hoàn thành nhiệm vụ.',
            ]),
            Article(paragraphs=[
                'Chánh Văn phòng Ủy ban nhân dân tỉnh, Giám đốc Sở Lao động - Thương binh và Xã hội, Thủ trưởng các '
                'sở, ngành có liên quan, Chủ tịch Ủy ban nhân dân các huyện, thành phố và các thành viên có tên tại '
                'Điều 1 chịu trách nhiệm thi hành Quyết định này.',
                'Quyết định này có hiệu lực kể từ ngày ký.',
            ]),
        ],
    )
    return _replace(vm, overrides)


# --------------------------------------------------------------------------- LỊCH LÀM VIỆC


def schedule(**overrides) -> WorkSchedule:
    vm = WorkSchedule(
        issuer=issuer(),
        subject='Kiểm tra, giám sát công tác giảm nghèo và thực hiện Đề án sinh kế năm 2019',
        entries=schedule_entries(),
        attached_to=plan_ref(),
        notes=[
            'Thời gian làm việc: buổi sáng từ 7 giờ 30 phút; buổi chiều Đoàn tham vấn hộ tại địa bàn.',
            'Địa phương chuẩn bị báo cáo theo đề cương, gửi về Đoàn (qua Phòng Bảo trợ xã hội, Sở Lao động - '
            'Thương binh và Xã hội) trước ngày làm việc 03 ngày.',
        ],
    )
    return _replace(vm, overrides)


# --------------------------------------------------------------------------- BIÊN BẢN


def minutes(team_no: int = NPT_TEAM, **overrides) -> Minutes:
    """The minutes of a visit; by default team 03 at xã Nhuận Phú Tân, huyện Mỏ Cày Bắc, 09/7/2019."""
    team, day, district, commune, leader, title, agency = TEAMS[team_no - 1]
    dist, comm = lower_first(district), lower_first(commune)
    vm = Minutes(
        meta=DocumentMeta(
            issuer=team_issuer(team),
            subject=f'Kiểm tra, giám sát công tác giảm nghèo và thực hiện Đề án sinh kế năm 2019 tại {comm}, {dist}',
            number=team,
            issued_on=day,
        ),
        plan_ref=plan_ref(),
        team_no=team,
        started_at=datetime.combine(day, time(7, 30)),
        ended_at=datetime.combine(day, time(11, 15)),
        venue=f'Hội trường Ủy ban nhân dân {comm}, {dist}, tỉnh Bến Tre',
        chair=f'{honorific(team)} {leader}',
        secretary='Bà Đỗ Thị Thanh Trúc',
        team_members=team_members(team),
        local_participants=[
            Participant(name='Nguyễn Hoàng Phúc', title='Phó Chủ tịch UBND', agency=dist,
                        role='Phó Trưởng Ban Chỉ đạo huyện'),
            Participant(name='Lâm Thị Kiều', title='Trưởng phòng Lao động - Thương binh và Xã hội', agency=dist),
            Participant(name='Phan Văn Út', title='Chủ tịch UBND', agency=comm, role='Trưởng Ban Chỉ đạo xã'),
            Participant(name='Hồ Thị Bích Trâm', title='Công chức Lao động - Thương binh và Xã hội', agency=comm),
        ],
        invited=[
            Participant(name='Mai Văn Chín', title='Chủ tịch Ủy ban Mặt trận Tổ quốc Việt Nam', agency=comm),
            Participant(name='Trần Thị Lệ', title='Chủ tịch Hội Liên hiệp Phụ nữ', agency=comm),
            Participant(name='Nguyễn Văn Đực', title='Trưởng ấp Phú Hữu'),
        ],
        opening=[
            f'{honorific(team)} {leader}, Trưởng đoàn, thông qua mục đích, yêu cầu, nội dung kiểm tra, giám '
            'sát theo Kế hoạch số '
            f'{PLAN_NUMBER}/KH-{BCD_ABBR} ngày 28/5/2019 và chương trình làm việc của Đoàn.',
        ],
        local_reports=[
            f'Đại diện Ban Chỉ đạo {dist} báo cáo tình hình triển khai thực hiện công tác giảm nghèo và Đề án sinh '
            'kế 06 tháng đầu năm 2019 (có báo cáo kèm theo). Đầu năm 2019 toàn huyện có 1.412 hộ nghèo, chiếm 2,87%; '
            '1.976 hộ cận nghèo, chiếm 4,02%.',
            f'Ban Chỉ đạo {comm} báo cáo: xã có 112 hộ nghèo (3,05%) và 160 hộ cận nghèo (4,36%); 96 hộ tham gia Đề án '
            'sinh kế, đã lập kế hoạch sinh kế cho 96/96 hộ; 06 tháng đầu năm có 14 hộ thoát nghèo, 01 hộ tái nghèo.',
        ],
        records_checked=[
            'Quyết định kiện toàn Ban Chỉ đạo xã và bảng phân công thành viên phụ trách ấp',
            'Danh sách hộ nghèo, hộ cận nghèo năm 2019 và hồ sơ rà soát cuối năm 2018',
            'Hồ sơ vay vốn tại Tổ tiết kiệm và vay vốn ấp Phú Hữu',
            'Sổ nhật ký hộ gia đình của 10 hộ tham gia Đề án sinh kế',
        ],
        households=[
            HouseholdConsulted(head='Hộ ông Nguyễn Văn Tám', hamlet='ấp Phú Hữu', category='hộ nghèo',
                               support_received='vay 30 triệu đồng nuôi bò sinh sản; thẻ bảo hiểm y tế',
                               findings='Hộ sử dụng vốn vay đúng mục đích, bò đã sinh 01 con; Sổ nhật ký ghi chép '
                               'chưa đều, chưa ghi các khoản chi trong tháng 5 và tháng 6.',
                               diary_kept=False, loan_as_intended=True),
            HouseholdConsulted(head='Hộ bà Lê Thị Năm', hamlet='ấp Phú Hữu', category='hộ thoát nghèo năm 2018',
                               support_received='hỗ trợ 20 con heo giống, tập huấn kỹ thuật chăn nuôi',
                               findings='Thu nhập ổn định từ chăn nuôi và làm thuê; hộ mong được vay thêm vốn để mở '
                               'rộng chuồng trại.', diary_kept=True),
            HouseholdConsulted(head='Hộ ông Trần Văn Hai', hamlet='ấp Phú Lợi', category='hộ nghèo',
                               support_received='vay 25 triệu đồng',
                               findings='Hộ dùng một phần vốn vay sửa nhà, không đúng mục đích vay; chủ hộ lớn tuổi, '
                               'thiếu lao động, còn trông chờ vào sự hỗ trợ của Nhà nước.',
                               diary_kept=False, loan_as_intended=False),
            HouseholdConsulted(head='Hộ bà Phạm Thị Út', hamlet='ấp Phú Lợi', category='hộ cận nghèo',
                               support_received='hỗ trợ cây giống dừa xiêm xanh',
                               findings='Hộ chăm sóc vườn dừa tốt; đề nghị được giới thiệu việc làm cho con tại '
                               'các doanh nghiệp trên địa bàn.', diary_kept=True),
        ],
        discussion=[
            Statement(speaker='Ông Tô Văn Bảy, thành viên Đoàn',
                      text='Đề nghị xã rà soát lại các hộ vay vốn để làm nhà, báo cáo Phòng giao dịch Ngân hàng Chính '
                      'sách xã hội huyện xử lý theo quy định.'),
            Statement(speaker='Ông Phan Văn Út, Chủ tịch UBND xã',
                      text='Tiếp thu ý kiến của Đoàn; xã sẽ phân công cán bộ ấp hướng dẫn hộ ghi chép Sổ nhật ký '
                      'hằng tháng.'),
        ],
        achievements=list(SEED_ACHIEVEMENTS),
        limitations=list(SEED_LIMITATIONS),
        causes=[
            'Một bộ phận người nghèo còn tư tưởng trông chờ, ỷ lại; thiếu lao động, thiếu vốn, thiếu kinh '
            'nghiệm sản xuất',
            'Một số thành viên Ban Chỉ đạo xã kiêm nhiệm nhiều việc, chưa dành thời gian theo dõi hộ được phân công',
        ],
        conclusions=[
            'Trưởng đoàn ghi nhận kết quả Ban Chỉ đạo huyện, xã đã đạt được trong 06 tháng đầu năm 2019, đồng thời chỉ '
            'ra các hạn chế nêu trên và đề nghị địa phương khắc phục trong thời gian tới.',
        ],
        recommendations=conclusion_recommendations(district, commune),
        local_opinion=[
            f'Đại diện Ban Chỉ đạo {dist} và {comm} thống nhất với nhận xét, kết luận của Đoàn và cam kết khắc '
            'phục các hạn chế, báo cáo kết quả về Sở Lao động - Thương binh và Xã hội trước ngày 30/9/2019.',
        ],
        local_signature=Signature(heading='Đại diện đơn vị được kiểm tra', title='Phó Chủ tịch UBND huyện',
                                  name='Nguyễn Hoàng Phúc', caption='(Ký, ghi rõ họ tên)'),
        team_signature=Signature(heading='Trưởng đoàn kiểm tra', title='', name=leader, caption='(Ký, ghi rõ họ tên)'),
        secretary_signature=Signature(heading='Thư ký', title='', name='Đỗ Thị Thanh Trúc',
                                      caption='(Ký, ghi rõ họ tên)'),
    )
    return _replace(vm, overrides)


def conclusion_recommendations(district: str = 'Huyện Mỏ Cày Bắc',
                               commune: str = 'Xã Nhuận Phú Tân') -> list[Recommendation]:
    """The team leaders' recommendations of the seed article, addressed to one district and commune."""
    dist, comm = lower_first(district), lower_first(commune)
    return [
        Recommendation(
            text='Tập trung chỉ đạo thực hiện tốt các nội dung của Chương trình mục tiêu quốc gia Giảm nghèo bền vững '
            'và Đề án sinh kế trên địa bàn',
            addressee=f'UBND {dist}', deadline_text='thường xuyên'),
        Recommendation(
            text='Xây dựng kế hoạch, thành lập tổ kiểm tra, giám sát định kỳ việc triển khai thực hiện các chính sách, '
            'dự án hỗ trợ công tác giảm nghèo, Đề án sinh kế; kịp thời chấn chỉnh những sai sót, tháo gỡ khó khăn, '
            'vướng mắc cho cơ sở',
            addressee=f'Ban Chỉ đạo các CTMTQG {dist}', deadline=date(2019, 8, 30)),
        Recommendation(
            text='Tăng cường kiểm tra, nắm bắt tình hình lao động sản xuất và đời sống của hộ nghèo, hộ cận nghèo, hộ '
            'thoát nghèo để kịp thời tư vấn, hỗ trợ về vật chất, tinh thần, giúp đỡ hộ khi gặp thiên tai, rủi ro, '
            'khó khăn đột xuất nhằm giảm thiểu tối đa tình trạng tái nghèo',
            addressee=f'UBND {comm}', deadline_text='thường xuyên'),
        Recommendation(
            text='Rà soát việc sử dụng vốn vay của các hộ vay vốn ưu đãi, có biện pháp xử lý các trường hợp sử dụng '
            'vốn không đúng mục đích',
            addressee=f'Phòng giao dịch Ngân hàng Chính sách xã hội {dist}; UBND {comm}', deadline=date(2019, 9, 30)),
        Recommendation(
            text='Hướng dẫn, kiểm tra hằng tháng việc ghi chép Sổ nhật ký hộ gia đình của các hộ tham gia Đề '
                 'án sinh kế',
            addressee=f'UBND {comm}', deadline=date(2019, 8, 31)),
    ]


# --------------------------------------------------------------------------- THÔNG BÁO KẾT LUẬN


def conclusion(team_no: int = NPT_TEAM, **overrides) -> ConclusionNotice:
    """The conclusion notice to the district of *team_no*; by default 12/TB-BCĐCCTMTQG to Mỏ Cày Bắc."""
    team, day, district, commune, leader, title, agency = TEAMS[team_no - 1]
    dist, comm = lower_first(district), lower_first(commune)
    vm = ConclusionNotice(
        meta=DocumentMeta(
            issuer=issuer(),
            subject=f'Kết luận của Trưởng đoàn kiểm tra, giám sát công tác giảm nghèo và thực hiện Đề án sinh kế '
            f'năm 2019 tại {dist}',
            number=9 + team,
            issued_on=date(2019, 7, min(day.day + 3, 31)),
            recipients=[
                'TT. BCĐ các CTMTQG tỉnh (báo cáo)',
                f'UBND {dist}',
                f'BCĐ các CTMTQG {dist}',
                f'UBND {comm}',
                'Thành viên Đoàn',
            ],
            archive=['VT', 'BTXH'],
        ),
        signature=deputy_head(),
        plan_ref=plan_ref(),
        visit_date=day,
        team_no=team,
        leader_name=leader,
        leader_title=f'{title} {agency}',
        district=dist,
        communes=[comm],
        worked_with=f'Ban Chỉ đạo các Chương trình mục tiêu quốc gia {dist} và {comm}',
        achievements=list(SEED_ACHIEVEMENTS),
        limitations=list(SEED_LIMITATIONS),
        causes=[
            'Một bộ phận người nghèo còn tư tưởng trông chờ, ỷ lại vào sự hỗ trợ của Nhà nước',
            'Sự phối hợp giữa các ngành, đoàn thể trong tiếp cận, tư vấn, hướng dẫn người nghèo cách làm ăn '
            'chưa chặt chẽ',
        ],
        recommendations=conclusion_recommendations(district, commune),
        notify=f'UBND {dist}, Ban Chỉ đạo các Chương trình mục tiêu quốc gia {dist} và UBND {comm}',
    )
    return _replace(vm, overrides)


# --------------------------------------------------------------------------- BÁO CÁO


REPORT_RECOMMENDATIONS = [
    RecommendationGroup(addressee='Đối với Ủy ban nhân dân các huyện, thành phố', items=[
        'Tập trung chỉ đạo thực hiện tốt các nội dung của Chương trình mục tiêu quốc gia Giảm nghèo bền vững',
        'Xây dựng kế hoạch, thành lập tổ kiểm tra, giám sát định kỳ việc thực hiện các chính sách, dự án hỗ trợ '
        'giảm nghèo, Đề án sinh kế; kịp thời chấn chỉnh sai sót, tháo gỡ khó khăn cho cơ sở',
    ]),
    RecommendationGroup(addressee='Đối với Ủy ban nhân dân các xã', items=[
        'Tăng cường kiểm tra, nắm bắt tình hình lao động sản xuất và đời sống của hộ nghèo, hộ cận nghèo, hộ thoát '
        'nghèo để kịp thời tư vấn, hỗ trợ, giảm thiểu tối đa tình trạng tái nghèo',
        'Hướng dẫn hộ tham gia Đề án ghi chép Sổ nhật ký hộ gia đình hằng tháng',
    ]),
    RecommendationGroup(addressee='Đối với các sở, ngành tỉnh', items=[
        'Chi nhánh Ngân hàng Chính sách xã hội tỉnh chỉ đạo rà soát, xử lý các trường hợp sử dụng vốn vay không đúng '
        'mục đích',
    ]),
]


def team_report(team_no: int = NPT_TEAM, **overrides) -> TeamReport:
    team, day, district, commune, leader, title, agency = TEAMS[team_no - 1]
    dist, comm = lower_first(district), lower_first(commune)
    vm = TeamReport(
        meta=DocumentMeta(
            issuer=team_issuer(team),
            subject=f'Kết quả kiểm tra, giám sát công tác giảm nghèo và thực hiện Đề án sinh kế năm 2019 tại {comm}, '
            f'{dist}',
            number=team,
            issued_on=date(2019, 7, min(day.day + 2, 31)),
            recipients=['Ban Chỉ đạo các CTMTQG tỉnh (báo cáo)', 'Sở Lao động - Thương binh và Xã hội',
                        'Thành viên Đoàn'],
            archive=['VT', 'Đoàn'],
        ),
        signature=Signature(title='Trưởng đoàn', name=leader),
        plan_ref=plan_ref(),
        team_no=team,
        visit_date=day,
        district=dist,
        commune=comm,
        households_consulted=10,
        overview=[
            'Đoàn nghe Ban Chỉ đạo huyện, xã báo cáo, kiểm tra hồ sơ, sổ sách và tham vấn trực tiếp 10 hộ (04 hộ '
            'nghèo, 02 hộ cận nghèo, 04 hộ thoát nghèo) tại ấp Phú Hữu và ấp Phú Lợi.',
        ],
        results=[
            Section(heading='Công tác chỉ đạo, kiện toàn Ban Chỉ đạo', paragraphs=[
                'Ban Chỉ đạo huyện, xã được kiện toàn kịp thời khi có thay đổi nhân sự; thành viên được phân công phụ '
                'trách ấp, hộ.',
            ]),
            Section(heading='Công tác tuyên truyền', paragraphs=[
                'Thông tin trên đài truyền thanh xã và qua sinh hoạt tổ nhân dân tự quản; xã tổ chức 02 cuộc đối thoại '
                'với người nghèo.',
            ]),
            Section(heading='Kết quả thực hiện Đề án sinh kế', paragraphs=[
                '96/96 hộ tham gia đã có kế hoạch sinh kế; 58/96 hộ ghi chép Sổ nhật ký thường xuyên (60,42%).',
            ]),
        ],
        achievements=list(SEED_ACHIEVEMENTS[:2]),
        limitations=list(SEED_LIMITATIONS[:5]),
        causes=['Một bộ phận người nghèo còn tư tưởng trông chờ, ỷ lại vào sự hỗ trợ của Nhà nước'],
        recommendations=REPORT_RECOMMENDATIONS[:2],
        closing='Trên đây là báo cáo kết quả kiểm tra, giám sát của Đoàn số '
        f'{team:02d}, kính báo cáo Ban Chỉ đạo các Chương trình mục tiêu quốc gia tỉnh.',
    )
    return _replace(vm, overrides)


CATEGORIES = (
    ('Tuyên truyền, thông tin chính sách giảm nghèo, Đề án sinh kế', (1, 2, 3, 5, 7, 8)),
    ('Chỉ đạo, điều hành, phối hợp chưa đồng bộ', (2, 4, 6, 9)),
    ('Giải pháp hỗ trợ chung chung, chưa đa dạng sinh kế', (1, 3, 4, 5, 8)),
    ('Sử dụng vốn vay không đúng mục đích', (3, 6, 8)),
    ('Quản lý hộ tham gia Đề án sinh kế chưa chặt chẽ', (2, 3, 7, 9)),
    ('Ghi chép Sổ nhật ký hộ gia đình chưa tốt', (1, 3, 4, 6, 9)),
    ('Thoát nghèo chưa bền vững', (4, 5, 7, 8, 9)),
    ('Tâm lý trông chờ, ỷ lại của hộ nghèo', (1, 2, 3, 5, 6, 8)),
)


def round_report(**overrides) -> RoundReport:
    rows = [
        DistrictRow(district=district, commune=commune, team_no=team, visit_date=day, households_consulted=10,
                    limitations=sum(team in teams for _c, teams in CATEGORIES),
                    recommendations=5)
        for team, day, district, commune, *_rest in TEAMS
    ]
    categories = [
        CategoryRow(category=name, occurrences=len(teams),
                    districts=[lower_first(TEAMS[t - 1][2]).replace('huyện ', '').replace('thành phố ', 'TP. ')
                               for t in teams])
        for name, teams in CATEGORIES
    ]
    vm = RoundReport(
        meta=DocumentMeta(
            issuer=issuer(),
            subject='Kết quả kiểm tra, giám sát công tác giảm nghèo và thực hiện Đề án phát triển đa dạng sinh kế, '
            'thoát nghèo bền vững 06 tháng đầu năm 2019',
            number=152,
            issued_on=date(2019, 8, 12),
            recipients=[
                'Bộ Lao động - Thương binh và Xã hội (báo cáo)',
                'TT. Tỉnh ủy, TT. HĐND tỉnh (báo cáo)',
                'Chủ tịch, các PCT UBND tỉnh',
                'Thành viên BCĐ các CTMTQG tỉnh',
                'UBND các huyện, thành phố',
            ],
            archive=['VT', 'BTXH'],
        ),
        signature=deputy_head(),
        plan_ref=plan_ref(),
        fieldwork_start=FIELDWORK[0],
        fieldwork_end=FIELDWORK[1],
        counts=RoundCounts(teams=9, districts=9, communes=9,
                           households_consulted=sum(r.households_consulted for r in rows),
                           limitations=sum(r.limitations for r in rows),
                           recommendations=sum(r.recommendations for r in rows)),
        by_district=rows,
        by_category=categories,
        overview=[
            'Tại mỗi địa phương, Đoàn nghe Ban Chỉ đạo huyện, xã báo cáo tình hình triển khai thực hiện công tác giảm '
            'nghèo và Đề án sinh kế 06 tháng đầu năm 2019 và đi tham vấn trực tiếp một số hộ nghèo, hộ thoát nghèo '
            'trên địa bàn.',
        ],
        results=[
            Section(heading='Công tác chỉ đạo, kiện toàn Ban Chỉ đạo', paragraphs=[SEED_ACHIEVEMENTS[0] + '.']),
            Section(heading='Công tác tuyên truyền',
                    paragraphs=[SEED_ACHIEVEMENTS[1] + '. ' + SEED_ACHIEVEMENTS[2] + '.']),
            Section(heading='Kết quả thực hiện Đề án sinh kế', paragraphs=[
                'Tại huyện Mỏ Cày Nam, sau 03 năm triển khai có 1.968 hộ tham gia Đề án, đạt 100% kế hoạch; qua rà '
                'soát cuối năm 2016, 2017, 2018 có 755 hộ thoát nghèo bền vững, đạt 38,36%.',
            ]),
        ],
        achievements=list(SEED_ACHIEVEMENTS),
        limitations=list(SEED_LIMITATIONS),
        causes=[
            'Nguyên nhân khách quan: điều kiện sản xuất của nhiều hộ nghèo khó khăn, thiếu đất, thiếu lao động; '
            'giá cả nông sản bấp bênh',
            'Nguyên nhân chủ quan: một số Ban Chỉ đạo xã còn lúng túng trong chỉ đạo, điều hành; một số ngành, đoàn '
            'thể chưa phối hợp tốt trong tiếp cận, tư vấn, hướng dẫn người nghèo cách làm ăn',
        ],
        recommendations=REPORT_RECOMMENDATIONS,
        closing='Trên đây là báo cáo kết quả kiểm tra, giám sát công tác giảm nghèo và thực hiện Đề án sinh '
                'kế 06 tháng '
        'đầu năm 2019 của Ban Chỉ đạo các Chương trình mục tiêu quốc gia tỉnh Bến Tre.',
    )
    return _replace(vm, overrides)


#: One sample builder per kind (render.KINDS keys).
BUILDERS = {
    'plan': plan,
    'team_decision': team_decision,
    'schedule': schedule,
    'minutes': minutes,
    'conclusion': conclusion,
    'team_report': team_report,
    'report': round_report,
}


def full_round() -> list[tuple[str, object]]:
    """The round's whole document set: plan, decision, schedule, then per team its minutes, conclusion
    notice and report, and the consolidated report (31 documents)."""
    docs: list[tuple[str, object]] = [('plan', plan()), ('team_decision', team_decision()), ('schedule', schedule())]
    for team in range(1, len(TEAMS) + 1):
        docs += [('minutes', minutes(team)), ('conclusion', conclusion(team)), ('team_report', team_report(team))]
    docs.append(('report', round_report()))
    return docs
