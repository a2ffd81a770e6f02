"""The demo round's documents, built from the database and issued, read back from the PDFs.

The documents are rendered once for the module (issuing in a transaction that is rolled back at the
end), from the SQLite copy of the demo round; test_sources proves PostgreSQL gives the same view
models. What the PDFs must say is taken from the database rows, not written here.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date

import pdfplumber
import pikepdf
import pypdf
import pytest
import sqlalchemy as sa
from fontTools.ttLib import TTFont

from inspect_flow.documents import operations as ops
from inspect_flow.documents import sources
from inspect_flow.documents.render import KINDS, render_pdf
from inspect_flow.documents.vnformat import date_short, date_words
from inspect_flow.findings.models import Conclusion, Finding, FindingKind, FindingStatus
from inspect_flow.units.models import AdminUnit

from .conftest import MM, open_demo_session

A4 = (210 * MM, 297 * MM)
LEFT, RIGHT, TOP, BOTTOM = 30 * MM, 15 * MM, 20 * MM, 20 * MM
#: pt. Justified lines end up to ~0.8 pt past the right edge (glyph advances rounded by the shaper;
#: measured on the rasterised page, 0.75 pt of ink), and pdfplumber's boxes add a little.
TOL = 1.5
SIGNER = sources.SignerIn(name='Nguyễn Văn Minh')
#: (key, kind, target, issue date or None for a draft)
ISSUES = [
    ('team_decision', 'team_decision', {}, date(2019, 6, 20)),
    ('conclusion_829', 'conclusion', {'district': '829'}, date(2019, 7, 5)),
    ('minutes', 'minutes', {'visit': 'npt'}, date(2019, 7, 12)),
    ('conclusion', 'conclusion', {'district': '838'}, date(2019, 7, 15)),
    ('team_report', 'team_report', {'team': 'npt'}, date(2019, 7, 16)),
    ('report', 'report', {}, date(2019, 8, 12)),
]
DRAFTS = [('plan', 'plan'), ('schedule', 'schedule')]
COMMITTEE = ('plan', 'team_decision', 'conclusion', 'conclusion_829', 'report')


@dataclass
class Pdf:
    key: str
    kind: str
    data: bytes
    sizes: list[tuple[float, float]]
    words: list[list[dict]]
    chars: list[list[dict]]
    lines: list[list[dict]]
    issued: dict | None = None

    @property
    def body(self) -> str:
        """The text of every page without the page numbers, whitespace collapsed."""
        words = [w['text'] for page in self.words for w in page if w['top'] >= TOP - TOL]
        return ' '.join(words)


@dataclass
class Demo:
    pdfs: dict[str, Pdf] = field(default_factory=dict)
    facts: dict = field(default_factory=dict)


def _read(key: str, kind: str, data: bytes, issued: dict | None = None) -> Pdf:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return Pdf(key, kind, data, [(p.width, p.height) for p in pdf.pages],
                   [p.extract_words(use_text_flow=True) for p in pdf.pages], [p.chars for p in pdf.pages],
                   [p.lines + p.rects for p in pdf.pages], issued)


@pytest.fixture(scope='module')
def demo(demo_engines) -> Demo:  # noqa: ANN001
    from inspect_flow.demo.round2019 import find_demo_plan

    session, conn, outer = open_demo_session(demo_engines('sqlite'))
    out = Demo()
    try:
        plan = find_demo_plan(session)
        npt = next(v for v in plan.visits if v.commune.full_name == 'Xã Nhuận Phú Tân')
        mcb = session.scalars(sa.select(AdminUnit).where(AdminUnit.code == '838')).one()
        for key, kind, target, day in ISSUES:
            target = {k: (npt.id if k == 'visit' else npt.team.number) if v == 'npt' else v for k, v in target.items()}
            doc = ops.issue_document(session, plan, kind, issue_date=day, signer=SIGNER, drafting_unit='BTXH',
                                     actor='tester', **target)
            out.pdfs[key] = _read(key, kind, doc.pdf, {'number': doc.number, 'symbol': doc.symbol,
                                                       'reference': doc.reference, 'date': doc.issue_date})
        for key, kind in DRAFTS:
            draft = ops.render_draft(session, plan, kind, signer=SIGNER, drafting_unit='BTXH')
            out.pdfs[key] = _read(key, kind, draft.pdf)
        conclusion = session.scalars(sa.select(Conclusion).where(Conclusion.plan_id == plan.id,
                                                                 Conclusion.unit_id == mcb.id)).one()
        out.facts = {
            'plan_number': plan.number, 'plan_date': plan.issue_date,
            'recommendations': [(r.number, r.text, r.addressee_label, r.deadline) for r in conclusion.recommendations],
            'communes_838': sorted({v.commune.full_name for v in plan.visits if v.district_id == mcb.id}),
            'npt_people': [p.full_name for p in npt.participants] + [m.person.full_name for m in npt.team.members],
            'npt_households': [h.household_code for h in npt.households],
            'npt_date': npt.starts_at.date(),
            'npt_findings': {k: [f.text for f in session.scalars(sa.select(Finding).where(
                Finding.visit_id == npt.id, Finding.kind == k, Finding.status == FindingStatus.accepted))]
                for k in FindingKind},
            'leader_5': npt.team.leader.full_name,
            'households': sum(len(v.households) for v in plan.visits),
            'communes': [v.commune.name for v in plan.visits],
        }
    finally:
        session.close()
        outer.rollback()
        conn.close()
    return out


KEYS = [k for k, *_ in ISSUES] + [k for k, _ in DRAFTS]
NUMBERED = [k for k in KEYS if k not in ('schedule',)]


def lines_of(words: list[dict], *, x_min=0.0, x_max=10_000.0, top_min=0.0, top_max=10_000.0) -> list[str]:
    picked = sorted((w for w in words if w['x0'] >= x_min - TOL and w['x1'] <= x_max + TOL
                     and top_min <= w['top'] <= top_max), key=lambda w: (round(w['top']), w['x0']))
    rows: list[list[dict]] = []
    for w in picked:
        if rows and abs(rows[-1][0]['top'] - w['top']) < 3:
            rows[-1].append(w)
        else:
            rows.append([w])
    return [' '.join(w['text'] for w in sorted(r, key=lambda w: w['x0'])) for r in rows]


def _word(words: list[dict], text: str, **where) -> dict:
    for w in words:
        if w['text'] == text and all(w[k] > v for k, v in where.items()):
            return w
    raise AssertionError(f'{text!r} not found')


def _text_column(pdf: Pdf) -> tuple[float, float]:
    width = pdf.sizes[0][0]
    return LEFT, width - RIGHT


# ----------------------------------------------------------------------------------------------- page


@pytest.mark.parametrize('key', KEYS)
def test_every_page_is_a4_with_the_text_inside_the_decree_30_margins(demo, key):
    pdf = demo.pdfs[key]
    landscape = KINDS[pdf.kind].landscape
    width, height = (A4[1], A4[0]) if landscape else A4
    for page_no, ((w, h), words) in enumerate(zip(pdf.sizes, pdf.words, strict=True), start=1):
        assert (w, h) == pytest.approx((width, height), abs=0.5)
        body = [wd for wd in words if wd['top'] >= TOP - TOL]
        assert body, f'page {page_no} is empty'
        assert min(wd['x0'] for wd in body) >= LEFT - TOL
        assert max(wd['x1'] for wd in body) <= width - RIGHT + TOL
        assert max(wd['bottom'] for wd in body) <= height - BOTTOM + TOL
        # the text (or a table's border) really starts at the left margin
        shapes = [r['x0'] for r in pdf.lines[page_no - 1]]
        assert min([wd['x0'] for wd in body] + shapes) <= LEFT + 2


@pytest.mark.parametrize('key', KEYS)
def test_pages_are_numbered_from_the_second_centred_in_the_top_margin(demo, key):
    pdf = demo.pdfs[key]
    left, right = _text_column(pdf)
    for page_no, words in enumerate(pdf.words, start=1):
        in_margin = [w for w in words if w['bottom'] <= TOP]
        if page_no == 1:
            assert in_margin == []
        else:
            assert [w['text'] for w in in_margin] == [str(page_no)]
            assert (in_margin[0]['x0'] + in_margin[0]['x1']) / 2 == pytest.approx((left + right) / 2, abs=2)
    if pdf.kind != 'schedule':
        assert len(pdf.sizes) >= 2  # the numbering is seen at work


@pytest.mark.parametrize('key', KEYS)
def test_every_font_is_embedded_and_is_times_or_liberation_serif(demo, key):
    reader = pypdf.PdfReader(io.BytesIO(demo.pdfs[key].data))
    families = set()
    for page in reader.pages:
        for font in page['/Resources']['/Font'].values():
            font = font.get_object()
            descriptor = (font['/DescendantFonts'][0].get_object()['/FontDescriptor'] if '/DescendantFonts' in font
                          else font['/FontDescriptor'])
            file = descriptor.get('/FontFile2') or descriptor.get('/FontFile3') or descriptor.get('/FontFile')
            assert file is not None, f'{font["/BaseFont"]} is not embedded'
            families.add(TTFont(io.BytesIO(file.get_object().get_data()))['name'].getDebugName(1))
    assert families and families <= {'Liberation Serif', 'Times New Roman'}, families
    assert '\ufffd' not in demo.pdfs[key].body and '(cid:' not in demo.pdfs[key].body


# ----------------------------------------------------------------------------------------------- header


@pytest.mark.parametrize('key', KEYS)
def test_the_header_has_the_issuing_body_and_the_motto_each_with_its_rule(demo, key):
    pdf = demo.pdfs[key]
    words, rules = pdf.words[0], _rules(pdf.lines[0])
    left, right = _text_column(pdf)
    national = _word(words, 'CỘNG')
    split = national['x0'] - 4
    issuer_lines = lines_of(words, x_max=split, top_max=national['top'] + 50)
    right_lines = lines_of(words, x_min=split, top_max=national['top'] + 30)
    assert right_lines[:2] == ['CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc']
    assert 'BAN CHỈ ĐẠO CÁC CHƯƠNG TRÌNH' in issuer_lines
    if key in ('minutes', 'team_report'):
        assert 'ĐOÀN KIỂM TRA, GIÁM SÁT' in issuer_lines
    else:
        assert issuer_lines[0] == 'UBND TỈNH BẾN TRE'
    # the issuer and the national name start on the same line
    assert words[0]['top'] == pytest.approx(national['top'], abs=1)
    # the motto's rule: as long as the motto, right under it
    motto = [w for w in words if w['x0'] >= split and abs(w['top'] - _word(words, 'Độc')['top']) < 2]
    m_x0, m_x1, m_bottom = min(w['x0'] for w in motto), max(w['x1'] for w in motto), max(w['bottom'] for w in motto)
    assert any(abs(r['x0'] - m_x0) < 2 and abs(r['x1'] - m_x1) < 2 and -2 <= r['top'] - m_bottom < 4 for r in rules)
    # the issuer's rule: centred under the issuing body, a third to a half of its width, above the number
    rule = min((r for r in rules if r['x1'] <= split), key=lambda r: r['top'])
    bold_lines = [w for w in words if w['x1'] <= split and w['bottom'] <= rule['top'] + 1 and 'Bold' in _font(pdf, w)]
    b_x0, b_x1 = min(w['x0'] for w in bold_lines), max(w['x1'] for w in bold_lines)
    b_bottom = max(w['bottom'] for w in bold_lines)
    assert 0 <= rule['top'] - b_bottom < 8
    assert (rule['x0'] + rule['x1']) / 2 == pytest.approx((b_x0 + b_x1) / 2, abs=3)
    assert (b_x1 - b_x0) / 3 - 2 <= rule['x1'] - rule['x0'] <= (b_x1 - b_x0) / 2 + 2
    if key != 'schedule':
        number = _word(words, 'Số:')
        assert number['top'] > rule['bottom'] + 2
        assert number['x1'] < split
    assert left - TOL <= min(w['x0'] for w in words) and max(w['x1'] for w in words) <= right + TOL


def _rules(shapes: list[dict]) -> list[dict]:
    """The thin horizontal rules drawn on a page: thin filled rectangles, and borders that WeasyPrint
    paints as the band between two rectangles sharing their top (an even-odd fill)."""
    boxes = [{k: s[k] for k in ('x0', 'x1', 'top', 'bottom')} for s in shapes]
    out = [b for b in boxes if b['bottom'] - b['top'] < 2]
    for a in boxes:
        for b in boxes:
            if (a is not b and abs(a['x0'] - b['x0']) < 0.1 and abs(a['x1'] - b['x1']) < 0.1
                    and abs(a['top'] - b['top']) < 0.1 and 0 < b['bottom'] - a['bottom'] < 2):
                out.append({'x0': a['x0'], 'x1': a['x1'], 'top': a['bottom'], 'bottom': b['bottom']})
    return out


def _font(pdf: Pdf, word: dict, page: int = 0) -> str:
    for c in pdf.chars[page]:
        if abs(c['top'] - word['top']) < 1 and word['x0'] - 0.5 <= c['x0'] <= word['x1']:
            return c['fontname']
    raise AssertionError(f'no glyph for {word["text"]}')


def _size(pdf: Pdf, word: dict, page: int = 0) -> float:
    for c in pdf.chars[page]:
        if abs(c['top'] - word['top']) < 1 and word['x0'] - 0.5 <= c['x0'] <= word['x1']:
            return c['size']
    raise AssertionError(f'no glyph for {word["text"]}')


@pytest.mark.parametrize('key', [k for k, *_ in ISSUES])
def test_issued_documents_carry_the_number_the_register_allocated(demo, key):
    pdf = demo.pdfs[key]
    issued = pdf.issued
    first = ' '.join(lines_of(pdf.words[0], top_min=TOP))
    assert f'Số: {issued["number"]:02d}/{issued["symbol"]}' in first
    assert re.search(r'Số: \d{2,}/(QĐ|BB|TB|BC)-BCĐCCTMTQG', first)


def test_the_conclusion_is_numbered_tb_and_dated_with_the_day_padded_and_the_month_not(demo):
    pdf = demo.pdfs['conclusion_829']
    first = lines_of(pdf.words[0], top_min=TOP)
    expected = r'Số: \d{2}/TB-BCĐCCTMTQG Bến Tre, ngày 05 tháng 7 năm 2019'
    assert any(re.fullmatch(expected, line) for line in first), first
    date_word = _word(pdf.words[0], 'ngày', x0=(LEFT + A4[0] - RIGHT) / 2 - 60)
    assert 'Italic' in _font(pdf, date_word)
    assert 'Bến Tre, ngày 12 tháng 8 năm 2019' in ' '.join(lines_of(demo.pdfs['report'].words[0]))
    assert f'Bến Tre, {date_words(demo.facts["plan_date"])}' in ' '.join(lines_of(demo.pdfs['plan'].words[0]))
    assert 'Bến Tre, ngày' not in demo.pdfs['minutes'].body  # minutes have no date line: the time is in the body


@pytest.mark.parametrize(('key', 'title'), [
    ('plan', 'KẾ HOẠCH'), ('team_decision', 'QUYẾT ĐỊNH'), ('schedule', 'LỊCH LÀM VIỆC'),
    ('minutes', 'BIÊN BẢN LÀM VIỆC'), ('conclusion', 'THÔNG BÁO'), ('team_report', 'BÁO CÁO'), ('report', 'BÁO CÁO'),
])
def test_the_type_name_is_bold_and_centred_above_the_subject_and_its_rule(demo, key, title):
    pdf = demo.pdfs[key]
    words = pdf.words[0]
    left, right = _text_column(pdf)
    top = _word(words, title.split()[0], top=TOP + 40)['top']
    line = [w for w in words if abs(w['top'] - top) < 1]
    assert ' '.join(w['text'] for w in line) == title
    assert ((line[0]['x0'] + line[-1]['x1']) / 2) == pytest.approx((left + right) / 2, abs=3)
    assert all('Bold' in _font(pdf, w) for w in line)
    assert _size(pdf, line[0]) == pytest.approx(14, abs=0.2)
    subject = lines_of(words, top_min=top + 5, top_max=top + 20)[0]
    assert subject and 'Bold' in _font(pdf, next(w for w in words if top + 5 <= w['top'] <= top + 20))
    rule = [r for r in _rules(pdf.lines[0]) if r['top'] > top
            and abs((r['x0'] + r['x1']) / 2 - (left + right) / 2) < 3]
    assert rule, 'no rule under the subject'


# ----------------------------------------------------------------------------------------------- body


SECTIONS = {
    'plan': ['I. MỤC ĐÍCH, YÊU CẦU', 'II. NỘI DUNG KIỂM TRA, GIÁM SÁT', 'III. ĐỐI TƯỢNG, ĐỊA BÀN, THỜI GIAN',
             'IV. PHƯƠNG PHÁP KIỂM TRA, GIÁM SÁT', 'V. THÀNH PHẦN ĐOÀN KIỂM TRA, GIÁM SÁT', 'VI. TỔ CHỨC THỰC HIỆN'],
    'team_decision': ['QUYẾT ĐỊNH:', 'Điều 1.', 'Điều 2.', 'Điều 3.'],
    'minutes': ['I. THÀNH PHẦN', 'II. NỘI DUNG LÀM VIỆC', '4. Tham vấn hộ', 'III. NHẬN XÉT, ĐÁNH GIÁ CỦA ĐOÀN',
                '1. Ưu điểm', '2. Hạn chế, tồn tại', '3. Nguyên nhân', 'IV. KẾT LUẬN, KIẾN NGHỊ CỦA TRƯỞNG ĐOÀN',
                'V. Ý KIẾN CỦA ĐƠN VỊ ĐƯỢC KIỂM TRA'],
    'conclusion': ['1. Đánh giá chung, kết quả đạt được', '2. Hạn chế, tồn tại và nguyên nhân', 'Nguyên nhân:',
                   '3. Đề nghị, nhiệm vụ thời gian tới'],
    'team_report': ['I. KHÁI QUÁT', 'II. KẾT QUẢ KIỂM TRA, GIÁM SÁT', 'III. ĐÁNH GIÁ CHUNG', 'IV. KIẾN NGHỊ, ĐỀ XUẤT'],
    'report': ['I. KHÁI QUÁT', 'Bảng 1. Kết quả theo địa bàn', 'Bảng 2. Hạn chế, tồn tại theo nhóm nội dung',
               'Bảng 3. Số liệu giảm nghèo', 'II. KẾT QUẢ KIỂM TRA, GIÁM SÁT', 'III. ĐÁNH GIÁ CHUNG',
               '1. Ưu điểm', '2. Hạn chế, tồn tại', '3. Nguyên nhân', 'IV. KIẾN NGHỊ, ĐỀ XUẤT'],
}


@pytest.mark.parametrize('key', list(SECTIONS))
def test_the_sections_come_in_order(demo, key):
    body = demo.pdfs[key].body
    at = 0
    for heading in SECTIONS[key]:
        found = body.find(heading, at)
        assert found >= 0, f'{heading!r} missing or out of order'
        at = found + len(heading)


@pytest.mark.parametrize('key', [k for k in KEYS if k != 'schedule'])
def test_the_body_ends_with_the_end_mark_on_the_page_that_is_signed(demo, key):
    pdf = demo.pdfs[key]
    assert pdf.body.count('./.') == 1
    words = pdf.words[-1]
    end = next((w for w in words if w['text'].endswith('./.')), None)
    assert end is not None, 'the end mark is not on the signature page'
    sign_top = min(w['top'] for w in words if w['text'] in ('KT.', 'TRƯỞNG', 'ĐẠI', 'Nơi'))
    assert end['top'] < sign_top


@pytest.mark.parametrize('key', [k for k in KEYS if k not in ('schedule', 'minutes')])
def test_the_signature_block_is_on_the_right_and_nơi_nhận_on_the_left(demo, key):
    pdf = demo.pdfs[key]
    words, page = pdf.words[-1], len(pdf.words) - 1
    left, right = _text_column(pdf)
    split = left + 0.45 * (right - left)
    title = _word(words, 'Nơi')
    recipients = lines_of(words, x_max=split, top_min=title['top'] - 1)
    assert recipients[0] == 'Nơi nhận:'
    assert recipients[-1] == '- Lưu: VT, BTXH.'
    assert all(r.startswith('- ') for r in recipients[1:] if r[:1] in '-' or r[:1].isupper())
    n = next(c for c in pdf.chars[page] if c['text'] == 'N' and abs(c['top'] - title['top']) < 1)
    assert 'Bold' in n['fontname'] and 'Italic' in n['fontname'] and n['size'] == pytest.approx(12, abs=0.1)
    first_recipient = next(w for w in words if w['text'] == '-' and w['top'] > title['bottom'] and w['x1'] < split)
    assert _size(pdf, first_recipient, page) == pytest.approx(11, abs=0.1)
    signature = lines_of(words, x_min=split, top_min=title['top'] - 1)
    if key in COMMITTEE:
        assert signature == ['KT. TRƯỞNG BAN', 'PHÓ TRƯỞNG BAN', SIGNER.name]
    else:
        assert signature == ['TRƯỞNG ĐOÀN', demo.facts['leader_5']]
    head = _word(words, signature[0].split()[0], x0=split)
    name = _word(words, signature[-1].split()[0], x0=split, top=head['top'])
    assert name['top'] - head['bottom'] >= 20 * MM  # room for the signature and the seal
    assert 'Bold' in _font(pdf, head, page) and 'Bold' in _font(pdf, name, page)
    sign_centre = (head['x0'] + [w for w in words if abs(w['top'] - head['top']) < 1][-1]['x1']) / 2
    assert sign_centre > (left + right) / 2


def test_the_minutes_are_signed_by_both_sides_and_the_secretary(demo):
    pdf = demo.pdfs['minutes']
    words = pdf.words[-1]
    left, right = _text_column(pdf)
    middle = (left + right) / 2
    local = _word(words, 'ĐẠI')
    leader = next(w for w in words if w['text'] == 'TRƯỞNG' and w['x0'] > middle)
    assert local['x1'] < middle < leader['x0'] and local['top'] == pytest.approx(leader['top'], abs=1)
    body = pdf.body
    assert 'THƯ KÝ' in body and '(Ký, ghi rõ họ tên)' in body
    assert demo.facts['leader_5'] in body


def test_the_minutes_record_the_visit_from_the_data(demo):
    body = demo.pdfs['minutes'].body
    facts = demo.facts
    assert f'Hôm nay, vào lúc 7 giờ 30 phút, {date_words(facts["npt_date"])}, tại' in body
    for name in facts['npt_people']:
        assert name in body, name
    assert f'Đoàn tham vấn trực tiếp {len(facts["npt_households"]):02d} hộ' in body
    for code in facts['npt_households']:
        assert code in body
    sections = {FindingKind.achievement: ('1. Ưu điểm', '2. Hạn chế, tồn tại'),
                FindingKind.limitation: ('2. Hạn chế, tồn tại', '3. Nguyên nhân'),
                FindingKind.cause: ('3. Nguyên nhân', 'IV. KẾT LUẬN')}
    evaluation = body.index('III. NHẬN XÉT, ĐÁNH GIÁ CỦA ĐOÀN')
    for kind, (start, end) in sections.items():
        a, b = body.index(start, evaluation), body.index(end, evaluation)
        assert facts['npt_findings'][kind], kind
        for text in facts['npt_findings'][kind]:
            # a bare figure ("Có 118 hộ…") is printed with the commune it measures ("Xã Nhuận Phú Tân có 118 hộ…")
            bare = re.match(r'Có \d', text)
            wanted = f'Xã Nhuận Phú Tân c{text[1:]}' if bare else text
            assert wanted.rstrip('.') in body[a:b], text


def test_the_conclusion_for_mo_cay_bac_names_nhuan_phu_tan_and_lists_its_recommendations(demo):
    body = demo.pdfs['conclusion'].body
    assert 'tại huyện Mỏ Cày Bắc' in body
    assert demo.facts['communes_838'] == ['Xã Nhuận Phú Tân']
    assert 'xã Nhuận Phú Tân' in body
    assert 'Đoàn kiểm tra, giám sát số 05 do đồng chí' in body
    recs = demo.facts['recommendations']
    assert len(recs) >= 3
    at = body.index('3. Đề nghị, nhiệm vụ thời gian tới')
    for number, text, addressee, deadline in recs:
        item = (f'{number}. {text.rstrip(".")} (Đơn vị thực hiện: {addressee}; '
                f'thời hạn: trước ngày {date_short(deadline)})')
        found = body.find(item, at)
        assert found > at, item
        at = found
    assert body.index('- Lưu: VT, BTXH.') > at


def test_the_round_report_rolls_up_every_team(demo):
    body = demo.pdfs['report'].body
    facts = demo.facts
    assert f'Các Đoàn đã tham vấn trực tiếp {facts["households"]} hộ' in body
    assert 'Ban Chỉ đạo đã tổ chức 09 đoàn kiểm tra, giám sát tại 09 xã của 09 huyện, thành phố' in body
    for commune in facts['communes']:
        assert commune in body, commune
    assert f'Thực hiện Kế hoạch số {facts["plan_number"]}/KH-BCĐCCTMTQG ngày {date_short(facts["plan_date"])}' in body


# ----------------------------------------------------------------------------------------------- PDF/A


@pytest.mark.parametrize('key', KEYS)
def test_issued_documents_are_pdf_a_2b_and_drafts_are_not(demo, key):
    pdf = demo.pdfs[key]
    with pikepdf.open(io.BytesIO(pdf.data)) as doc:
        meta = doc.open_metadata()
        if pdf.issued is None:
            assert 'pdfaid:part' not in meta
            return
        assert meta['pdfaid:part'] == '2' and meta['pdfaid:conformance'] == 'B'
        assert len(doc.Root.OutputIntents) == 1
        assert pdf.issued['reference'] in str(doc.docinfo['/Title'])


def test_a_draft_of_an_issued_kind_has_a_blank_number_and_date(demo_engines):
    from inspect_flow.demo.round2019 import find_demo_plan

    session, conn, outer = open_demo_session(demo_engines('sqlite'))
    try:
        plan = find_demo_plan(session)
        draft = ops.render_draft(session, plan, 'conclusion', district='838')
    finally:
        session.close()
        outer.rollback()
        conn.close()
    pdf = _read('draft', 'conclusion', draft.pdf)
    first = lines_of(pdf.words[0], top_min=TOP)
    assert any(re.fullmatch(r'Số: /TB-BCĐCCTMTQG Bến Tre, ngày tháng năm', line) for line in first), first
    assert draft.pdf == render_pdf('conclusion', draft.view_model)
