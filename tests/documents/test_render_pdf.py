"""PDF output read back with pdfplumber, pypdf and pikepdf: layout, text, fonts, PDF/A."""

from __future__ import annotations

import io
import re

import pikepdf
import pypdf
import pytest
from fontTools.ttLib import TTFont

from inspect_flow.documents.render import ISSUED_PDF_VARIANT, KINDS, render_pdf

from . import samples
from .conftest import MM, read_pdf

A4 = (210 * MM, 297 * MM)
LEFT, RIGHT, TOP, BOTTOM = 30 * MM, 15 * MM, 20 * MM, 20 * MM
TOLERANCE = 1.0  # pt: pdfplumber's glyph boxes of justified lines overshoot by ~0.5 pt


def lines_of(words: list[dict], *, x_min=0.0, x_max=10_000.0, top_min=0.0) -> list[str]:
    """Group words whose box lies in [x_min, x_max] and below top_min into text lines."""
    picked = sorted((w for w in words if w['x0'] >= x_min and w['x1'] <= x_max and w['top'] >= top_min),
                    key=lambda w: (round(w['top']), w['x0']))
    lines: list[list[dict]] = []
    for w in picked:
        if lines and abs(lines[-1][0]['top'] - w['top']) < 3:
            lines[-1].append(w)
        else:
            lines.append([w])
    return [' '.join(w['text'] for w in line) for line in lines]


def find(words: list[dict], text: str) -> dict:
    """The first word equal to *text*."""
    for w in words:
        if w['text'] == text:
            return w
    raise AssertionError(f'{text!r} not found')


@pytest.mark.parametrize('kind', list(KINDS))
def test_it_lays_out_every_kind_on_a4_within_the_margins(kind, rendered):
    pdf = rendered(kind)
    landscape = KINDS[kind].landscape
    width, height = (A4[1], A4[0]) if landscape else A4
    for page_no, ((w, h), words) in enumerate(zip(pdf.page_sizes, pdf.words, strict=True), start=1):
        assert (w, h) == pytest.approx((width, height), abs=0.5)
        body = [wd for wd in words if wd['top'] >= TOP - TOLERANCE]
        assert body, f'page {page_no} is empty'
        assert min(wd['x0'] for wd in body) >= LEFT - TOLERANCE
        assert max(wd['x1'] for wd in body) <= width - RIGHT + TOLERANCE
        assert max(wd['bottom'] for wd in body) <= height - BOTTOM + TOLERANCE


@pytest.mark.parametrize('kind', list(KINDS))
def test_it_numbers_pages_from_the_second_centred_in_the_top_margin(kind, rendered):
    pdf = rendered(kind)
    width = pdf.page_sizes[0][0]
    centre = LEFT + (width - LEFT - RIGHT) / 2
    for page_no, words in enumerate(pdf.words, start=1):
        in_margin = [w for w in words if w['bottom'] <= TOP]
        if page_no == 1:
            assert in_margin == []
        else:
            assert [w['text'] for w in in_margin] == [str(page_no)]
            assert (in_margin[0]['x0'] + in_margin[0]['x1']) / 2 == pytest.approx(centre, abs=2)


@pytest.mark.parametrize('kind', list(KINDS))
def test_it_embeds_liberation_serif_or_times(kind, rendered):
    reader = pypdf.PdfReader(io.BytesIO(rendered(kind).data))
    families = set()
    for page in reader.pages:
        for font in page['/Resources']['/Font'].values():
            font = font.get_object()
            descriptor = font['/DescendantFonts'][0].get_object()['/FontDescriptor'] if '/DescendantFonts' in font \
                else font['/FontDescriptor']
            file = descriptor.get('/FontFile2') or descriptor.get('/FontFile3') or descriptor.get('/FontFile')
            assert file is not None, f'{font["/BaseFont"]} is not embedded'
            families.add(TTFont(io.BytesIO(file.get_object().get_data()))['name'].getDebugName(1))
    assert families <= {'Liberation Serif', 'Times New Roman'}, families


@pytest.mark.parametrize('kind', [k for k in KINDS if KINDS[k].type_code])
def test_it_places_the_header_in_two_columns(kind, rendered):
    pdf = rendered(kind)
    words = pdf.words[0]
    width = pdf.page_sizes[0][0]
    split = LEFT + 0.46 * (width - LEFT - RIGHT)  # the header's column boundary (46 % / 54 %)
    left_lines = lines_of(words, x_max=split, top_min=TOP)[:4]
    right_lines = lines_of(words, x_min=split, top_min=TOP)[:3]
    issuer = ' '.join(left_lines)
    assert 'BAN CHỈ ĐẠO' in issuer or 'ĐOÀN KIỂM TRA, GIÁM SÁT' in issuer
    assert right_lines[0] == 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM'
    assert right_lines[1] == 'Độc lập - Tự do - Hạnh phúc'
    # The national name and the issuer start on the same line, at the top of the page.
    assert find(words, 'CỘNG')['top'] == pytest.approx(words[0]['top'], abs=1)
    # The number sits in the left column and, when dated, on the row of the date line.
    number = find(words, 'Số:')
    assert number['x1'] < split
    if KINDS[kind].dated:
        date_word = next(w for w in words if w['text'] == 'ngày' and w['x0'] > split)
        assert date_word['top'] == pytest.approx(number['top'], abs=2)
        assert re.search(r'Bến Tre, ngày \d{2} tháng \d{1,2} năm 2019', pdf.texts[0])
    # The document type is centred on the text column.
    title = lines_of(words, top_min=number['bottom'] + 1)[0]
    assert title in {'KẾ HOẠCH', 'QUYẾT ĐỊNH', 'BIÊN BẢN LÀM VIỆC', 'THÔNG BÁO', 'BÁO CÁO'}
    first = find(words, title.split()[0])
    last = [w for w in words if abs(w['top'] - first['top']) < 1][-1]
    assert (first['x0'] + last['x1']) / 2 == pytest.approx(LEFT + (width - LEFT - RIGHT) / 2, abs=3)


def test_it_prints_the_numbers_and_dates_of_the_round(rendered):
    assert 'Số: 1245/KH-BCĐCCTMTQG' in rendered('plan').texts[0]
    assert 'Bến Tre, ngày 28 tháng 5 năm 2019' in rendered('plan').texts[0]
    assert 'Số: 12/TB-BCĐCCTMTQG' in rendered('conclusion').texts[0]
    assert 'Số: 87/QĐ-BCĐCCTMTQG' in rendered('team_decision').texts[0]
    assert 'Số: 152/BC-BCĐCCTMTQG' in rendered('report').texts[0]
    assert 'Số: 03/BB-ĐKTGS' in rendered('minutes').texts[0]
    assert 'Bến Tre, ngày' not in rendered('minutes').text


@pytest.mark.parametrize('kind', [k for k in KINDS if k != 'schedule'])
def test_it_ends_the_body_and_signs(kind, rendered):
    pdf = rendered(kind)
    assert pdf.text.count('./.') == 1
    words = pdf.words[-1]
    vm = samples.BUILDERS[kind]()
    signature = vm.team_signature if kind == 'minutes' else vm.signature
    name_first = signature.name.split()[0]
    name = [w for w in words if w['text'] == name_first][-1]
    heading_line = signature.lines[0].split()[0]
    heading = [w for w in words if w['text'] == heading_line and w['top'] < name['top']][-1]
    assert name['top'] - heading['bottom'] >= 20 * MM  # room for the seal and the signature
    end_mark = next(w for w in words if w['text'].endswith('./.'))
    assert end_mark['top'] < heading['top']  # the signature page carries the end of the body


@pytest.mark.parametrize('kind', [k for k in KINDS if k not in ('schedule', 'minutes')])
def test_it_lists_recipients_ending_with_the_archive_line(kind, rendered):
    pdf = rendered(kind)
    words = pdf.words[-1]
    width = pdf.page_sizes[-1][0]
    title = find(words, 'Nơi')
    lines = lines_of(words, x_max=LEFT + 0.45 * (width - LEFT - RIGHT), top_min=title['top'] - 1)
    assert lines[0] == 'Nơi nhận:'
    assert lines[-1].startswith('- Lưu: VT')
    assert lines[-1].endswith('.')
    assert all(line.startswith('- ') or not line[:1].isupper() or line == 'Nơi nhận:' for line in lines)
    sign = lines_of(words, x_min=LEFT + 0.45 * (width - LEFT - RIGHT), top_min=title['top'] - 1)
    signature = samples.BUILDERS[kind]().signature
    assert sign == [*signature.lines, signature.name]
    chars_title = [c for c in _chars(pdf.data, len(pdf.texts) - 1)
                   if c['text'] == 'N' and abs(c['top'] - title['top']) < 1]
    assert chars_title and 'Bold' in chars_title[0]['fontname'] and 'Italic' in chars_title[0]['fontname']
    assert chars_title[0]['size'] == pytest.approx(12, abs=0.1)


def _chars(data: bytes, page_index: int) -> list[dict]:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return pdf.pages[page_index].chars


def test_it_signs_the_minutes_on_both_sides(rendered):
    pdf = rendered('minutes')
    words = pdf.words[-1]
    width = pdf.page_sizes[-1][0]
    middle = LEFT + (width - LEFT - RIGHT) / 2
    local = find(words, 'ĐẠI')
    leader = next(w for w in words if w['text'] == 'TRƯỞNG' and w['x0'] > middle)
    assert local['x1'] < middle < leader['x0']
    assert local['top'] == pytest.approx(leader['top'], abs=1)
    phuc = find(words, 'Phúc')  # Nguyễn Hoàng Phúc, left
    nhung = find(words, 'Nhung')  # Lê Thị Hồng Nhung, right
    assert phuc['top'] == pytest.approx(nhung['top'], abs=1)  # names aligned
    assert phuc['x1'] < middle < nhung['x0']


def test_it_keeps_vietnamese_diacritics_in_the_extracted_text(rendered):
    text = rendered('conclusion').text + rendered('minutes').text
    for phrase in ('xã Nhuận Phú Tân', 'huyện Mỏ Cày Bắc', 'Độc lập - Tự do - Hạnh phúc', 'UBND TỈNH BẾN TRE',
                   'Hạn chế, tồn tại', 'Sổ nhật ký hộ gia đình', 'trông chờ vào sự hỗ trợ của Nhà nước',
                   'Đơn vị thực hiện', 'ĐẠI DIỆN ĐƠN VỊ ĐƯỢC KIỂM TRA'):
        assert phrase in text, phrase
    assert '\ufffd' not in text and '(cid:' not in text


def test_it_names_nhuan_phu_tan_and_its_recommendations_in_the_notice(rendered):
    text = re.sub(r'\s+', ' ', rendered('conclusion').text)
    assert 'tại huyện Mỏ Cày Bắc' in text
    assert 'xã Nhuận Phú Tân' in text
    for number, rec in enumerate(samples.conclusion_recommendations(), start=1):
        assert f'{number}. {rec.text}' in text
    assert '- Lưu: VT, BTXH.' in text


def test_it_prints_the_schedule_in_landscape_on_one_page(rendered):
    pdf = rendered('schedule')
    width, height = pdf.page_sizes[0]
    assert width > height
    text = pdf.text
    assert 'LỊCH LÀM VIỆC' in text
    for _team, _day, _district, commune, *_ in samples.TEAMS:
        assert commune in text
    assert len(pdf.page_sizes) == 1


def test_it_prints_a_draft_with_a_blank_number(rendered):
    pdf = read_pdf('conclusion', render_pdf('conclusion', samples.as_draft(samples.conclusion())))
    assert re.search(r'Số:\s+/TB-BCĐCCTMTQG', pdf.texts[0])
    assert not re.search(r'ngày \d', lines_of(pdf.words[0], top_min=TOP)[3])


def test_it_writes_pdf_a_for_issued_documents():
    data = render_pdf('conclusion', samples.conclusion(), pdf_variant=ISSUED_PDF_VARIANT)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        meta = pdf.open_metadata()
        assert meta['pdfaid:part'] == '2'
        assert meta['pdfaid:conformance'] == 'B'
        assert len(pdf.Root.OutputIntents) == 1
        assert str(pdf.docinfo['/Title']).startswith('Thông báo 12/TB-BCĐCCTMTQG')
    assert read_pdf('conclusion', data).texts[0].startswith('UBND TỈNH BẾN TRE')


def test_it_renders_the_same_bytes_for_the_same_data():
    vm = samples.team_report()
    assert render_pdf('team_report', vm) == render_pdf('team_report', vm)


def test_it_refuses_an_unknown_pdf_variant():
    with pytest.raises(ValueError):
        render_pdf('conclusion', samples.conclusion(), pdf_variant='pdf/z')
