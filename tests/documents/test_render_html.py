"""HTML rendering: content, escaping and the choice of template, without WeasyPrint."""

from __future__ import annotations

import dataclasses
import re
from html import unescape

import jinja2
import pytest

from inspect_flow.documents import render
from inspect_flow.documents.render import KINDS, UnknownKind, render_html

from . import samples


def visible_text(html: str) -> str:
    body = html.split('<body', 1)[1]
    return re.sub(r'\s+', ' ', unescape(re.sub(r'<[^>]+>', ' ', body)))


@pytest.mark.parametrize('kind', list(KINDS))
def test_it_renders_every_kind_with_the_national_motto(kind, html_of):
    html = html_of(kind)
    assert html.startswith('<!DOCTYPE html>')
    assert '<html lang="vi">' in html
    text = visible_text(html)
    assert 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM' in text
    assert 'Độc lập - Tự do - Hạnh phúc' in text
    assert 'BAN CHỈ ĐẠO' in text or 'ĐOÀN KIỂM TRA' in text


def test_it_renders_the_conclusion_for_mo_cay_bac(html_of):
    text = visible_text(html_of('conclusion'))
    assert 'Số: 12/TB-BCĐCCTMTQG' in text
    assert 'Bến Tre, ngày 12 tháng 7 năm 2019' in text
    assert 'THÔNG BÁO' in text and 'huyện Mỏ Cày Bắc' in text
    assert 'xã Nhuận Phú Tân' in text
    for number, rec in enumerate(samples.conclusion_recommendations(), start=1):
        assert f'{number}. {rec.text}' in text
        assert f'Đơn vị thực hiện: {rec.addressee}' in text
    assert 'thời hạn: trước ngày 30/8/2019' in text
    assert 'biết, thực hiện./.' in text
    assert text.rstrip().endswith('Nguyễn Văn Minh')


def test_it_renders_the_plan_sections_and_schedule(html_of):
    text = visible_text(html_of('plan'))
    for heading in ('I. MỤC ĐÍCH, YÊU CẦU', 'II. NỘI DUNG KIỂM TRA, GIÁM SÁT', 'III. ĐỐI TƯỢNG, ĐỊA BÀN, THỜI GIAN',
                    'IV. PHƯƠNG PHÁP', 'V. THÀNH PHẦN ĐOÀN', 'VI. TỔ CHỨC THỰC HIỆN'):
        assert heading in text
    assert 'VII. KINH PHÍ' not in text
    assert 'từ ngày 05/7 đến ngày 24/7/2019' in text
    assert 'tại 09 xã' in text
    for commune in ('Xã Nhuận Phú Tân', 'Xã Sơn Đông', 'Xã Đại Điền'):
        assert commune in text
    assert 'triển khai thực hiện./.' in text
    assert '- Lưu: VT, BTXH.' in text


def test_it_numbers_the_funding_section_and_moves_the_end_mark(html_of):
    html = render_html('plan', samples.plan(funding=['Kinh phí do ngân sách tỉnh bảo đảm.'], closing=''))
    text = visible_text(html)
    assert 'VII. KINH PHÍ' in text
    assert 'Kinh phí do ngân sách tỉnh bảo đảm./.' in text
    assert text.count('./.') == 1


@pytest.mark.parametrize('kind', [k for k in KINDS if k != 'schedule'])
def test_it_ends_the_body_exactly_once(kind, html_of):
    assert visible_text(html_of(kind)).count('./.') == 1


def test_it_renders_the_minutes_without_a_date_line(html_of):
    text = visible_text(html_of('minutes'))
    assert 'Bến Tre, ngày' not in text
    assert 'BIÊN BẢN LÀM VIỆC' in text
    assert 'Số: 03/BB-ĐKTGS' in text
    assert 'vào lúc 7 giờ 30 phút, ngày 09 tháng 7 năm 2019' in text
    for part in ('I. THÀNH PHẦN', 'II. NỘI DUNG LÀM VIỆC', '4. Tham vấn hộ', 'III. NHẬN XÉT, ĐÁNH GIÁ CỦA ĐOÀN',
                 'IV. KẾT LUẬN, KIẾN NGHỊ CỦA TRƯỞNG ĐOÀN', 'V. Ý KIẾN CỦA ĐƠN VỊ ĐƯỢC KIỂM TRA'):
        assert part in text
    for limitation in samples.SEED_LIMITATIONS:
        assert limitation in text
    assert 'kết thúc lúc 11 giờ 15 phút cùng ngày' in text
    assert 'ĐẠI DIỆN ĐƠN VỊ ĐƯỢC KIỂM TRA' in text and 'TRƯỞNG ĐOÀN KIỂM TRA' in text
    assert 'Nơi nhận' not in text


def test_it_renders_the_schedule_as_an_annex_of_the_plan(html_of):
    text = visible_text(html_of('schedule'))
    assert 'LỊCH LÀM VIỆC' in text
    assert '(Kèm theo Kế hoạch số 1245/KH-BCĐCCTMTQG ngày 28/5/2019' in text
    assert 'Số:' not in text
    assert 'size: A4 landscape' in html_of('schedule')


def test_it_renders_the_decision_articles_and_teams(html_of):
    text = visible_text(html_of('team_decision'))
    assert 'QUYẾT ĐỊNH:' in text
    assert 'TRƯỞNG BAN CHỈ ĐẠO CÁC CHƯƠNG TRÌNH MỤC TIÊU QUỐC GIA TỈNH BẾN TRE' in text
    assert 'Điều 1.' in text and 'Điều 2.' in text and 'Điều 3.' in text
    assert 'Đoàn số 09' in text
    assert 'có hiệu lực kể từ ngày ký./.' in text


def test_it_renders_the_round_report_tables(html_of):
    text = visible_text(html_of('report'))
    assert 'Bảng 1. Kết quả theo địa bàn' in text and 'Bảng 2.' in text
    assert 'Tổng cộng 90' in text
    assert 'tổ chức 09 đoàn kiểm tra, giám sát tại 09 xã' in text
    assert '755 hộ thoát nghèo bền vững, đạt 38,36%' in text


def test_it_renders_a_draft_with_blank_number_and_date():
    text = visible_text(render_html('conclusion', samples.as_draft(samples.conclusion())))
    assert re.search(r'Số:\s+/TB-BCĐCCTMTQG', text)
    assert 'Bến Tre, ngày' in text
    assert 'ngày 12 tháng 7' not in text


def test_it_escapes_user_text_and_never_evaluates_it():
    hostile = '<b>x</b> {{ 7*7 }} {% raw %} & "q"'
    html = render_html('conclusion', samples.conclusion(worked_with=hostile))
    assert '&lt;b&gt;x&lt;/b&gt;' in html
    assert '{{ 7*7 }}' in html
    assert ' 49 ' not in visible_text(html)
    assert '&amp;' in html and '&#34;q&#34;' in html


def test_it_refuses_an_unknown_kind_or_a_mismatched_view_model():
    with pytest.raises(UnknownKind):
        render_html('letter', samples.plan())
    with pytest.raises(UnknownKind):
        render_html('minutes', samples.plan())


def test_it_uses_a_strict_autoescaping_environment():
    env = render.environment()
    assert env.autoescape is True
    assert env.undefined is jinja2.StrictUndefined
    with pytest.raises(jinja2.UndefinedError):
        env.from_string('{{ nope.x }}').render()


def test_it_names_files_after_the_symbol():
    assert render.output_filename('plan', samples.plan()) == 'KH-1245-2019.pdf'
    assert render.output_filename('team_decision', samples.team_decision()) == 'QD-87-2019.pdf'
    assert render.output_filename('minutes', samples.as_draft(samples.minutes())) == 'minutes-draft.pdf'
    assert render.output_filename('schedule', samples.schedule()) == 'schedule.pdf'


def test_it_keeps_view_models_frozen_when_rendering():
    vm = samples.minutes()
    render_html('minutes', vm)
    assert vm == samples.minutes()
    assert dataclasses.replace(vm) == vm
