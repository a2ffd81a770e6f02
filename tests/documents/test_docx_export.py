"""DOCX export: the same content as the PDF, in the Decree 30 page set-up, editable in Word."""

from __future__ import annotations

import io

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm

from inspect_flow.documents.docx_export import render_docx
from inspect_flow.documents.render import KINDS

from . import samples


def _open(kind: str, vm=None) -> docx.document.Document:  # noqa: ANN001
    return docx.Document(io.BytesIO(render_docx(kind, vm or samples.BUILDERS[kind]())))


@pytest.mark.parametrize('kind', list(KINDS))
def test_the_page_is_a4_with_the_decree_30_margins_and_numbers_from_page_two(kind):
    document = _open(kind)
    section = document.sections[0]
    size = (section.page_width, section.page_height)
    expected = (Mm(297), Mm(210)) if KINDS[kind].landscape else (Mm(210), Mm(297))
    assert all(abs(a - b) < Mm(0.5) for a, b in zip(size, expected, strict=True))
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert all(abs(a - Mm(b)) < Mm(0.1) for a, b in zip(margins, (20, 20, 30, 15), strict=True))  # twips round
    assert section.different_first_page_header_footer
    assert not ''.join(p.text for p in section.first_page_header.paragraphs).strip()
    instr = section.header._element.findall('.//' + qn('w:instrText'))
    assert [i.text.strip() for i in instr] == ['PAGE']


def test_the_header_table_holds_the_issuer_the_motto_the_number_and_the_date():
    document = _open('conclusion')
    header = document.tables[0]
    left, right = header.cell(0, 0), header.cell(0, 1)
    assert [p.text for p in left.paragraphs][:3] == ['UBND TỈNH BẾN TRE', 'BAN CHỈ ĐẠO CÁC CHƯƠNG TRÌNH',
                                                     'MỤC TIÊU QUỐC GIA']
    rule = left.paragraphs[3]
    assert rule.text == '' and rule._p.find('.//' + qn('w:bottom')) is not None
    assert rule.paragraph_format.left_indent > Mm(15)  # a short rule, not the column's width
    assert [p.text for p in right.paragraphs] == ['CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc']
    assert right.paragraphs[1].runs[0].font.underline and right.paragraphs[1].runs[0].font.bold
    assert header.cell(1, 0).text == 'Số: 12/TB-BCĐCCTMTQG'
    date_line = header.cell(1, 1).paragraphs[0]
    assert date_line.text == 'Bến Tre, ngày 12 tháng 7 năm 2019' and date_line.runs[0].font.italic
    for t in document.tables[:1]:
        borders = t._tbl.tblPr.find(qn('w:tblBorders'))
        assert borders is not None and all(b.get(qn('w:val')) == 'nil' for b in borders)


def test_the_body_keeps_the_text_headings_and_recommendations():
    vm = samples.conclusion()
    document = _open('conclusion', vm)
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == 'THÔNG BÁO' and document.paragraphs[0].runs[0].font.bold
    assert '3. Đề nghị, nhiệm vụ thời gian tới' in texts
    for number, rec in enumerate(vm.recommendations, start=1):
        assert any(t.startswith(f'3.{number}. {rec.text}') for t in texts), rec.text  # numbered under heading 3
    body = next(p for p in document.paragraphs if p.text.startswith('Thực hiện'))
    assert abs(body.paragraph_format.first_line_indent - Mm(12.7)) < Mm(0.1)
    assert body.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.JUSTIFY
    assert any(t.endswith('./.') for t in texts)


def test_the_signature_block_has_nơi_nhận_left_and_the_signer_right():
    vm = samples.conclusion()
    document = _open('conclusion', vm)
    sign = document.tables[-1]
    left = [p.text for p in sign.cell(0, 0).paragraphs]
    right = [p.text for p in sign.cell(0, 1).paragraphs if p.text]
    assert left[0] == 'Nơi nhận:' and left[-1] == '- Lưu: VT, BTXH.'
    assert sign.cell(0, 0).paragraphs[0].runs[0].font.italic
    assert sign.cell(0, 0).paragraphs[1].runs[0].font.size.pt == 11
    assert right == [*vm.signature.lines, vm.signature.name]


def test_user_text_stays_text():
    vm = samples.conclusion(leader_name='<b>Nguyễn</b> & {{ 7*7 }}')
    text = '\n'.join(p.text for p in _open('conclusion', vm).paragraphs)
    assert '<b>Nguyễn</b> & {{ 7*7 }}' in text and '49' not in text
