"""The DOCX drafts of the demo round opened in LibreOffice: laid out as the PDF (issue 13, item 8).

Every kind of the 2019 round is exported as a draft DOCX from the SQLite copy of the demo round (the DOCX
depends only on the view model; test_docx_export builds them on both databases), converted to PDF in ONE
LibreOffice run for the module, and read back with pdfplumber:

* the national name on one line, the motto's and the issuing body's rules under their text, no rule
  crossing the ``Số:`` line;
* the schedule's dates whole (``05/7/2019`` one word) and the schedule on no more pages than its PDF;
* the draft blanks before ``/TB-…`` and between ``ngày``, ``tháng``, ``năm`` keep their room;
* every word inside the Decree 30 margins.
"""

from __future__ import annotations

from dataclasses import dataclass

import pdfplumber
import pytest

from inspect_flow.documents import sources
from inspect_flow.documents.docx_export import render_docx
from inspect_flow.documents.render import KINDS, render_pdf
from inspect_flow.documents.vnformat import date_short

from .conftest import MM, open_demo_session
from .libreoffice import docx_to_pdf

SIGNER = sources.SignerIn(name='Nguyễn Văn Minh')
LEFT, RIGHT, TOP, BOTTOM = 30 * MM, 15 * MM, 20 * MM, 20 * MM
TOL = 1.5  # pt
NATIONAL_NAME = 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM'
MOTTO = 'Độc lập - Tự do - Hạnh phúc'
NUMBERED = [k for k in KINDS if KINDS[k].type_code]


@dataclass
class Converted:
    kind: str
    vm: object
    pages: list[dict]  # per page: size, words, rules (thin horizontal lines and rects)

    @property
    def first(self) -> dict:
        return self.pages[0]


def _rules(page) -> list[dict]:  # noqa: ANN001
    """Horizontal strokes: lines and rects at most 2 pt high and wider than 5 pt (a stroke drawn twice once)."""
    out = {}
    for obj in page.lines + page.rects:
        if obj['bottom'] - obj['top'] <= 2 and obj['x1'] - obj['x0'] > 5:
            rule = {'x0': obj['x0'], 'x1': obj['x1'], 'y': (obj['top'] + obj['bottom']) / 2}
            out.setdefault((round(rule['x0']), round(rule['x1']), round(rule['y'])), rule)
    return list(out.values())


@pytest.fixture(scope='module')
def converted(demo_engines, tmp_path_factory) -> dict[str, Converted]:  # noqa: ANN001
    from inspect_flow.demo.round2019 import find_demo_plan

    folder = tmp_path_factory.mktemp('docx-lo')
    session, conn, outer = open_demo_session(demo_engines('sqlite'))
    try:
        plan = find_demo_plan(session)
        targets = {}
        for target in sources.document_set(plan):
            targets.setdefault(target.kind, target)
        data = sources.load_round(session, plan)
        vms = {kind: sources.build_view_model(session, t, signer=SIGNER, drafting_unit='BTXH', data=data)
               for kind, t in targets.items()}
    finally:
        session.close()
        outer.rollback()
        conn.close()
    paths = []
    for kind, vm in vms.items():
        path = folder / f'{kind}.docx'
        path.write_bytes(render_docx(kind, vm))
        paths.append(path)
    out = {}
    for kind, pdf_path in zip(vms, docx_to_pdf(paths, folder / 'pdf', folder / 'profile'), strict=True):
        with pdfplumber.open(pdf_path) as pdf:
            pages = [{'size': (p.width, p.height), 'words': p.extract_words(use_text_flow=True),
                      'rules': _rules(p)} for p in pdf.pages]
        out[kind] = Converted(kind, vms[kind], pages)
    return out


def _row(words: list[dict], first: str, *, below: float = 0.0) -> list[dict]:
    """The words on the line of the first word *first* (below *below*), left to right."""
    anchor = next(w for w in words if w['text'] == first and w['top'] >= below)
    return sorted((w for w in words if abs(w['top'] - anchor['top']) < 3), key=lambda w: w['x0'])


def _phrase(words: list[dict], phrase: str) -> list[dict]:
    """The words of *phrase*, in order, all on one line (else AssertionError)."""
    tokens = phrase.split()
    row = _row(words, tokens[0])
    texts = [w['text'] for w in row]
    for i in range(len(texts) - len(tokens) + 1):
        if texts[i:i + len(tokens)] == tokens:
            return row[i:i + len(tokens)]
    raise AssertionError(f'{phrase!r} is not on one line: {" ".join(texts)!r}')


def test_every_kind_was_converted(converted):  # noqa: ANN001
    assert set(converted) == set(KINDS)


@pytest.mark.parametrize('kind', list(KINDS))
def test_the_national_name_and_the_motto_stay_on_one_line_each(kind, converted):  # noqa: ANN001
    words = converted[kind].first['words']
    name = _phrase(words, NATIONAL_NAME)
    motto = _phrase(words, MOTTO)
    assert motto[0]['top'] > name[0]['bottom'] - 1


@pytest.mark.parametrize('kind', list(KINDS))
def test_the_rules_sit_under_the_issuer_and_the_motto_and_none_crosses_the_number_line(kind, converted):  # noqa: ANN001
    page = converted[kind].first
    words, rules = page['words'], page['rules']
    width = page['size'][0]
    motto = _phrase(words, MOTTO)
    title_top = next(w['top'] for w in words if w['top'] > motto[-1]['bottom'] + 20)  # the type name or later
    # the motto's rule: as long as the motto, just under it
    under_motto = [r for r in rules if motto[0]['bottom'] - 1 <= r['y'] <= motto[0]['bottom'] + 6]
    assert len(under_motto) == 1, rules
    assert under_motto[0]['x0'] == pytest.approx(motto[0]['x0'], abs=3)
    assert under_motto[0]['x1'] == pytest.approx(motto[-1]['x1'], abs=3)
    # the issuing body's rule: in the left column, under its last line, about a third of the column
    left_col = [w for w in words if w['x1'] < motto[0]['x0'] - 5 and w['top'] < title_top]
    left_rules = [r for r in rules if r['x1'] < motto[0]['x0'] and r['y'] < title_top]
    assert len(left_rules) == 1, left_rules
    rule = left_rules[0]
    issuer_lines = [w for w in left_col if w['bottom'] <= rule['y'] + 1]
    assert issuer_lines and rule['y'] - max(w['bottom'] for w in issuer_lines) < 8
    column = 0.42 if KINDS[kind].landscape else 0.46
    column_mm = (width / MM - 45) * column
    assert (rule['x1'] - rule['x0']) / MM == pytest.approx(column_mm * 0.32, abs=2)
    if KINDS[kind].type_code:
        number = _row(words, 'Số:')
        assert number[0]['top'] > rule['y'] + 2  # the number line starts below the rule ...
        for r in rules:  # ... and no rule touches it
            assert not (number[0]['top'] - 1 <= r['y'] <= number[0]['bottom'] + 1), (r, number[0])


@pytest.mark.parametrize('kind', list(KINDS))
def test_every_word_lies_within_the_decree_30_margins(kind, converted):  # noqa: ANN001
    for page_no, page in enumerate(converted[kind].pages, start=1):
        width, height = page['size']
        body = [w for w in page['words'] if w['top'] >= TOP - TOL]
        assert body, f'page {page_no} is empty'
        assert min(w['x0'] for w in body) >= LEFT - TOL
        assert max(w['x1'] for w in body) <= width - RIGHT + TOL
        assert max(w['bottom'] for w in body) <= height - BOTTOM + TOL
        numbers = [w['text'] for w in page['words'] if w['bottom'] <= TOP]
        assert numbers == ([] if page_no == 1 else [str(page_no)])


def test_the_schedule_keeps_its_dates_whole_and_its_pdf_page_count(converted):  # noqa: ANN001
    schedule = converted['schedule']
    texts = [w['text'] for page in schedule.pages for w in page['words']]
    dates = [date_short(e.visit_date) for e in schedule.vm.entries]
    assert len(dates) >= 9
    for day in dates:
        assert day in texts, day
    assert not any(t.endswith('/201') for t in texts)
    with pdfplumber.open(__import__('io').BytesIO(render_pdf('schedule', schedule.vm))) as pdf:
        pdf_pages = len(pdf.pages)
    assert len(schedule.pages) <= pdf_pages


@pytest.mark.parametrize('kind', ['team_decision', 'conclusion', 'report'])
def test_the_draft_blanks_keep_their_room(kind, converted):  # noqa: ANN001
    words = converted[kind].first['words']
    number = _row(words, 'Số:')
    assert number[1]['text'].startswith('/'), number  # no number printed, the symbol after the blank
    assert (number[1]['x0'] - number[0]['x1']) / MM > 5  # room to write a number by hand
    date = _row(words, 'ngày')
    texts = [w['text'] for w in date]
    assert texts[-3:] == ['ngày', 'tháng', 'năm'], texts
    for a, b in zip(date[-3:], date[-2:], strict=False):
        assert (b['x0'] - a['x1']) / MM > 4, (a['text'], b['text'])
