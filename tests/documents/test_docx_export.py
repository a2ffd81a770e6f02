"""DOCX export: the same content as the PDF, in the Decree 30 page set-up, editable in Word."""

from __future__ import annotations

import io

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm
from hypothesis import example, given, settings
from hypothesis import strategies as st

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
    assert rule.text == '' and rule._p.find('.//' + qn('w:top')) is not None  # drawn at its top: no overlap below
    assert rule.paragraph_format.left_indent > Mm(15)  # a short rule, not the column's width
    assert [p.text for p in right.paragraphs] == ['CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc',
                                                  '']
    assert right.paragraphs[1].runs[0].font.bold
    motto_rule = right.paragraphs[2]
    assert motto_rule._p.find('.//' + qn('w:top')) is not None
    # as long as the motto (56 mm at 13 pt bold) in a column of about 89 mm: indents of about 16.5 mm
    assert Mm(15) < motto_rule.paragraph_format.left_indent < Mm(18)
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


# ----------------------------------------------------------------------------- layout in the XML

TWIPS_PER_MM = 1440 / 25.4


def _twips(el, tag: str) -> int:  # noqa: ANN001
    return int(el.find(qn(tag)).get(qn('w:w')))


def _check_fixed(table) -> list[float]:  # noqa: ANN001
    """Assert *table* is laid out fixed, its cells as wide as their grid columns; return the columns in mm."""
    tbl = table._tbl
    assert tbl.tblPr.find(qn('w:tblLayout')).get(qn('w:type')) == 'fixed'
    grid = [int(c.get(qn('w:w'))) for c in tbl.tblGrid.gridCol_lst]
    assert abs(_twips(tbl.tblPr, 'w:tblW') - sum(grid)) <= len(grid)
    for tr in tbl.tr_lst:
        c = 0
        for tc in tr.tc_lst:
            span = tc.grid_span
            assert abs(_twips(tc.tcPr, 'w:tcW') - sum(grid[c:c + span])) <= span
            c += span
        assert c == len(grid)
    return [g / TWIPS_PER_MM for g in grid]


def test_demo_drafts_have_fixed_tables_that_fit_and_keep_their_blanks(demo_session, demo_plan):  # noqa: ANN001
    """On both databases: every table of every draft of the demo round is fixed and fits the text width, the
    schedule's date column holds a date, the header's right column the national name, the blanks are kept."""
    from inspect_flow.documents import sources
    from inspect_flow.documents.docx_export import text_width_mm

    seen = set()
    data = sources.load_round(demo_session, demo_plan)  # read once for the seven documents
    for target in sources.document_set(demo_plan):
        if target.kind in seen:
            continue
        seen.add(target.kind)
        vm = sources.build_view_model(demo_session, target, signer=sources.SignerIn(), data=data)
        document = docx.Document(io.BytesIO(render_docx(target.kind, vm)))
        text_mm = 252 if KINDS[target.kind].landscape else 165
        header, *tables = document.tables
        left, right = _check_fixed(header)
        assert left + right == pytest.approx(text_mm, abs=0.5)
        assert right > text_width_mm('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 12, bold=True)
        for table in tables:
            columns = _check_fixed(table)
            assert sum(columns) <= text_mm + 0.5
        if target.kind == 'schedule':
            grid = tables[0]
            assert len(grid.columns) == 7 and grid.cell(0, 1).text == 'Thời gian'
            date_mm = text_width_mm('24/7/2019', 12)
            assert _check_fixed(grid)[1] > date_mm + 2  # the padding of both sides
            assert sum(_check_fixed(grid)) == pytest.approx(252, abs=0.5)
        if target.kind == 'report':  # Bảng 3's two header rows: rowspan and colspan as in the PDF
            figures = next(t for t in tables if len(t.columns) == 10)
            second = [figures.cell(1, c).text for c in range(10)]
            assert second[0] == 'STT' and second[2] == 'Tổng số hộ' and second[5] == 'Thoát nghèo'  # spanned down
            assert second[3:5] == ['Số hộ', 'Tỷ lệ'] and second[8:] == ['Hộ tham gia', 'Thoát nghèo bền vững']
            assert figures.cell(0, 3).text == figures.cell(0, 4).text == 'Hộ nghèo đầu năm'
        if target.kind in ('conclusion', 'report', 'team_decision'):
            assert header.cell(1, 0).text.startswith('Số: ' + '\u00a0' * 6 + '/')
            assert 'ngày\u00a0\u00a0\u00a0\u00a0tháng\u00a0\u00a0\u00a0\u00a0năm' in header.cell(1, 1).text
    assert seen == set(KINDS)


def test_html_white_space_collapses_but_no_break_spaces_stay():
    from inspect_flow.documents.docx_export import html_to_docx

    html = '<html><body><p>\n  Số:\u00a0\u00a0\u00a0/BC  và\n\t<b> đậm </b> hết  </p></body></html>'
    document = docx.Document(io.BytesIO(html_to_docx(html)))
    assert [p.text for p in document.paragraphs] == ['Số:\u00a0\u00a0\u00a0/BC và đậm hết']
    assert [r.bold for r in document.paragraphs[0].runs] == [False, True, False]


@settings(max_examples=200, deadline=None)
@example([(None, 0.0, 5e-324)], 50.5)  # a subnormal natural width: the ratio must be taken before the product
@given(st.lists(st.tuples(st.one_of(st.none(), st.floats(0.01, 0.6)), st.floats(0, 60), st.floats(0, 200)),
                min_size=1, max_size=9),
       st.floats(50, 300))
def test_column_widths_fill_the_table_and_hold_each_columns_longest_word(cols, total):  # noqa: ANN001
    from inspect_flow.documents.docx_export import column_widths

    shares = [s for s, _, _ in cols]
    minimums = [m for _, m, _ in cols]
    naturals = [n for _, _, n in cols]
    widths = column_widths(total, shares, minimums, naturals)
    assert sum(widths) == pytest.approx(total, rel=1e-6)
    if sum(minimums) <= total:
        assert all(w >= m - 1e-6 for w, m in zip(widths, minimums, strict=True))
    else:  # cannot fit: the minimums, shrunk alike
        assert all(w <= m + 1e-6 for w, m in zip(widths, minimums, strict=True))


def test_column_widths_keep_the_templates_shares_when_the_words_fit():
    from inspect_flow.documents.docx_export import column_widths

    assert column_widths(200, [0.1, 0.3, 0.6], [5, 5, 5]) == pytest.approx([20, 60, 120])
    # a date needs 22 mm in a 5 % column: taken from the others in proportion to their slack
    widths = column_widths(200, [0.05, 0.35, 0.6], [22, 5, 5])
    assert widths[0] == pytest.approx(22) and sum(widths) == pytest.approx(200)
    assert widths[1:] == pytest.approx([70 - 12 * 65 / 180, 120 - 12 * 115 / 180])  # slack 65 and 115 mm


@pytest.mark.parametrize('kind', list(KINDS))
def test_properties_are_in_schema_order(kind):
    """Word refuses a file whose property elements are out of the order of the OOXML schema."""
    from inspect_flow.documents import docx_export as dx

    document = _open(kind, samples.as_draft(samples.BUILDERS[kind]()) if kind != 'schedule' else None)
    body = document.element.body
    orders = {'pPr': dx._PPR_ORDER, 'tblPr': dx._TBLPR_ORDER, 'trPr': dx._TRPR_ORDER, 'tcPr': dx._TCPR_ORDER}
    checked = 0
    for name, order in orders.items():
        for props in body.iter(qn(f'w:{name}')):
            names = [child.tag.split('}')[-1] for child in props]
            assert all(n in order for n in names), names
            assert names == sorted(names, key=order.index), names
            checked += 1
    assert checked > 50
