"""Vietnamese format helpers (NĐ 30/2020/NĐ-CP)."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, time

import pytest

from inspect_flow.documents import vnformat as vn


@pytest.mark.parametrize(
    ('value', 'expected'),
    [
        (date(2019, 7, 5), 'Bến Tre, ngày 05 tháng 7 năm 2019'),
        (date(2019, 5, 28), 'Bến Tre, ngày 28 tháng 5 năm 2019'),
        (date(2020, 2, 1), 'Bến Tre, ngày 01 tháng 02 năm 2020'),
        (date(2020, 1, 15), 'Bến Tre, ngày 15 tháng 01 năm 2020'),
        (date(2019, 12, 9), 'Bến Tre, ngày 09 tháng 12 năm 2019'),
        (date(2019, 3, 10), 'Bến Tre, ngày 10 tháng 3 năm 2019'),
    ],
)
def test_it_pads_the_day_and_only_january_and_february(value, expected):
    assert vn.place_date_line('Bến Tre', value) == expected


def test_it_leaves_day_and_month_blank_for_an_undated_draft():
    line = vn.place_date_line('Bến Tre', None)
    assert line.startswith('Bến Tre, ngày\u00a0')
    assert 'tháng' in line and 'năm' in line
    assert not any(ch.isdigit() for ch in line)


def test_it_never_pads_months_three_to_twelve():
    for month in range(3, 13):
        assert vn.format_month(month) == str(month)
    assert vn.format_month(1) == '01' and vn.format_month(2) == '02'
    with pytest.raises(ValueError):
        vn.format_month(13)


def test_it_writes_short_dates_and_ranges_with_the_same_rule():
    assert vn.date_short(date(2019, 5, 28)) == '28/5/2019'
    assert vn.date_short(date(2019, 7, 5)) == '05/7/2019'
    assert vn.date_short(date(2020, 2, 1)) == '01/02/2020'
    assert vn.date_range(date(2019, 7, 5), date(2019, 7, 24)) == 'từ ngày 05/7 đến ngày 24/7/2019'
    assert vn.date_range(date(2019, 12, 30), date(2020, 1, 3)) == 'từ ngày 30/12/2019 đến ngày 03/01/2020'


@pytest.mark.parametrize(
    ('number', 'code', 'expected'),
    [
        (12, 'TB', 'Số: 12/TB-BCĐCCTMTQG'),
        (5, 'KH', 'Số: 05/KH-BCĐCCTMTQG'),
        (1245, 'KH', 'Số: 1245/KH-BCĐCCTMTQG'),
        (1, 'QĐ', 'Số: 01/QĐ-BCĐCCTMTQG'),
    ],
)
def test_it_formats_the_number_line(number, code, expected):
    line = vn.number_line(number, code, 'BCĐCCTMTQG')
    assert line == expected
    assert vn.is_valid_number_line(line)


def test_it_leaves_the_number_of_a_draft_blank():
    line = vn.number_line(None, 'KH', 'BCĐCCTMTQG')
    assert line == 'Số:' + ' ' + '\u00a0' * 6 + '/KH-BCĐCCTMTQG'
    assert not vn.is_valid_number_line(line)


@pytest.mark.parametrize(
    'line',
    [
        'Số: 5/TB-BCĐCCTMTQG',  # not padded
        'Số: 12/TB - BCĐCCTMTQG',  # spaces around the hyphen
        'Số: 12/tb-BCĐCCTMTQG',  # lower-case type code
        'Số 12/TB-BCĐCCTMTQG',  # no colon
        'Số: 12TB-BCĐCCTMTQG',  # no slash
    ],
)
def test_it_rejects_malformed_number_lines(line):
    assert not vn.is_valid_number_line(line)
    with pytest.raises(ValueError):
        vn.parse_number_line(line)


def test_it_parses_a_number_line_and_accepts_the_cong_van_shape():
    assert vn.parse_number_line('Số: 12/TB-BCĐCCTMTQG') == (12, 'TB', 'BCĐCCTMTQG')
    assert vn.parse_number_line('Số: 07/QĐ-UBND') == (7, 'QĐ', 'UBND')
    assert vn.is_valid_number_line('Số: 15/BCĐCCTMTQG-VP')


def test_it_knows_the_type_codes_of_a_round_and_refuses_others():
    assert set(vn.TYPE_CODES) == {'KH', 'QĐ', 'BB', 'TB', 'BC'}
    assert vn.type_name('TB') == 'THÔNG BÁO'
    assert vn.type_name('QĐ') == 'QUYẾT ĐỊNH'
    assert vn.type_name('KL') == 'KẾT LUẬN'  # optional, per issuer
    with pytest.raises(ValueError):
        vn.type_name('LLV')  # the working schedule is an annex, not a numbered type
    with pytest.raises(ValueError):
        vn.symbol('XX', 'BCĐCCTMTQG')
    with pytest.raises(ValueError):
        vn.symbol('KH', 'BCĐ CCTMTQG')


def test_it_refuses_number_zero():
    with pytest.raises(ValueError):
        vn.number_line(0, 'KH', 'BCĐCCTMTQG')


@pytest.mark.parametrize(
    ('prefix', 'behalf', 'expected'),
    [
        ('TM.', 'Ban Chỉ đạo', 'TM. BAN CHỈ ĐẠO'),
        ('KT.', 'Trưởng ban', 'KT. TRƯỞNG BAN'),
        ('Q.', 'Giám đốc', 'Q. GIÁM ĐỐC'),
        ('TL.', 'Trưởng ban', 'TL. TRƯỞNG BAN'),
        ('TUQ.', 'Giám đốc', 'TUQ. GIÁM ĐỐC'),
    ],
)
def test_it_writes_signature_authority_lines(prefix, behalf, expected):
    assert vn.authority_line(prefix, behalf) == expected


def test_it_refuses_unknown_authority_prefixes():
    assert vn.authority_line(None, None) is None
    with pytest.raises(ValueError):
        vn.authority_line('K.T.', 'Trưởng ban')
    with pytest.raises(ValueError):
        vn.authority_line('KT.', '')


@pytest.mark.parametrize(
    ('value', 'expected'),
    [(time(7, 30), '7 giờ 30 phút'), (time(14, 0), '14 giờ 00 phút'), (datetime(2019, 7, 9, 8, 5), '8 giờ 05 phút')],
)
def test_it_formats_clock_times_in_words(value, expected):
    assert vn.format_time(value) == expected


def test_it_upper_cases_vietnamese_including_dj():
    assert vn.vn_upper('Ban Chỉ đạo các Chương trình mục tiêu quốc gia') == \
        'BAN CHỈ ĐẠO CÁC CHƯƠNG TRÌNH MỤC TIÊU QUỐC GIA'
    assert vn.vn_upper('đ') == 'Đ'
    assert vn.vn_upper('ủy ban nhân dân tỉnh bến tre') == 'ỦY BAN NHÂN DÂN TỈNH BẾN TRE'


def test_it_upper_cases_decomposed_text_and_the_eth_look_alike():
    decomposed = unicodedata.normalize('NFD', 'Bến Tre, Mỏ Cày')
    assert vn.vn_upper(decomposed) == 'BẾN TRE, MỎ CÀY'
    assert len(vn.vn_upper(decomposed)) == len('BẾN TRE, MỎ CÀY')  # precomposed
    assert vn.vn_upper('\u00f0ạo') == 'ĐẠO'  # ð (eth) typed for đ
    assert vn.normalize_vn('\u00d0oàn') == 'Đoàn'


def test_it_formats_numbers_the_vietnamese_way():
    assert vn.format_int(1968) == '1.968'
    assert vn.format_decimal(38.3638) == '38,36'
    assert vn.format_percent(755, 1968) == '38,36%'
    assert vn.format_percent(1, 0) == '-'
    assert vn.pad2(9) == '09'


def test_it_ends_a_body_and_writes_recipient_lines():
    assert vn.end_mark('đề nghị các đơn vị thực hiện.') == 'đề nghị các đơn vị thực hiện./.'
    assert vn.end_mark('thực hiện;') == 'thực hiện./.'
    assert vn.end_mark('xong./.') == 'xong./.'
    assert vn.recipient_line('UBND huyện Mỏ Cày Bắc') == '- UBND huyện Mỏ Cày Bắc;'
    assert vn.recipient_line(vn.archive_line(['BTXH', 'VT']), last=True) == '- Lưu: VT, BTXH.'
    assert vn.archive_line([]) == 'Lưu: VT'


def test_it_has_the_exact_national_motto():
    assert vn.NATIONAL_NAME == 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM'
    assert vn.NATIONAL_MOTTO == 'Độc lập - Tự do - Hạnh phúc'
