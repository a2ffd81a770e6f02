"""DOCX export of a document, for officers who must edit a draft before it is signed.

The DOCX is built from the same HTML the PDF is rendered from (:func:`render.render_html`), so the
two never drift apart: this module walks that HTML (our own templates, user text already escaped
in it) and writes the matching Word structures with python-docx, laid out as ``_document.css``
lays out the PDF (Decree 30/2020, Phụ lục I):

* the page: A4 (landscape for the schedule), margins 20/20/30/15 mm, Times New Roman 14 pt,
  Vietnamese as the proofing language;
* the header: a borderless two-column table with fixed widths (46/54 %, 42/58 % in landscape; the
  right column never narrower than the national name, so it stays on one line) and no cell padding;
* the short rules under the issuing body (a third of its column) and under the motto (the motto's
  width): empty paragraphs with a *top* border, narrowed by indents, so a rule sits right under the
  text above it and takes its own little height: it can never reach the ``Số:`` line below;
* the draft blanks (``Số:      /KH-…``, ``ngày    tháng    năm``) are the no-break spaces the HTML
  holds, kept as they are (only ASCII white space is collapsed, as HTML does);
* headings, justified paragraphs with a 12.7 mm first-line indent, line height 1.2 as in the PDF;
* grid tables with fixed layout: a ``w:tblGrid`` and cell widths from the template's ``<colgroup>``
  (what the PDF uses), widened where needed so that no column is narrower than its longest word
  (a date such as ``05/7/2019`` is never broken); a table without a ``<colgroup>`` gets widths from
  its content; rows never split, the header row repeats;
* the signature block: a borderless table, Nơi nhận on the left in 12/11 pt, the signature centred
  on the right with 26 mm for the signature and seal; the minutes' two signatures on three rows so
  the names align;
* page numbers centred in the top margin from page 2 (a PAGE field, first page header left empty).

Widths of text are measured with the metrics of Liberation Serif (metric-compatible with Times New
Roman), the font files the PDF embeds.

An issued document is the frozen PDF/A; a DOCX is always a working copy.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlparse

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import html as lxml_html

from inspect_flow.core.limits import BAD_CHARACTERS
from inspect_flow.documents.render import KINDS, font_faces, render_html

FONT = 'Times New Roman'
BODY_PT = 14
TABLE_PT = 12
INDENT = Mm(12.7)
PT_MM = 25.4 / 72
#: Word's "single" line of Times New Roman is 1.149 em (ascent + descent + line gap); the PDF's CSS
#: line-height is 1.2 em for the body, 1.15 em in tables and the header.
SINGLE_EM = 1.149
BODY_LINE = 1.2 / SINGLE_EM
#: Cell padding of grid tables (pt): the PDF's ``padding: 2pt 3pt`` (``1pt 3pt`` in landscape).
GRID_PAD_X = 3.0
#: Page set-up (mm): Decree 30 margins, the same as ``_document.css``'s ``@page``.
MARGINS = {'top': 20, 'bottom': 20, 'left': 30, 'right': 15}

_ASCII_SPACE = re.compile(r'[ \t\n\r\f]+')  # HTML white space; U+00A0 is not in it and stays


# --------------------------------------------------------------------------- measuring text


@lru_cache(maxsize=4)
def _metrics(bold: bool, italic: bool) -> tuple[dict[int, int], float] | None:
    """(advance width per code point, units per em) of the face the PDF uses, or None without the file."""
    from fontTools.ttLib import TTFont

    weight, style = ('bold' if bold else 'normal'), ('italic' if italic else 'normal')
    face = next((f for f in font_faces() if f.weight == weight and f.style == style), None)
    if face is None or not face.url:
        return None
    path = Path(unquote(urlparse(face.url).path))
    try:
        with TTFont(str(path)) as font:
            cmap, hmtx = font.getBestCmap(), font['hmtx']
            widths = {cp: hmtx[name][0] for cp, name in cmap.items()}
            return widths, float(font['head'].unitsPerEm)
    except Exception:  # noqa: BLE001 - an unreadable font file: fall back to the estimate
        return None


def text_width_mm(text: str, size_pt: float, *, bold: bool = False, italic: bool = False) -> float:
    """The width of *text* set in Times New Roman (Liberation Serif metrics) at *size_pt*, in mm."""
    text = unicodedata.normalize('NFC', text)
    metrics = _metrics(bold, italic)
    if metrics is None:  # no font file: half an em per character, a little generous
        return len(text) * 0.55 * size_pt * PT_MM
    widths, upm = metrics
    fallback = widths.get(ord('n'), upm / 2)
    units = sum(widths.get(ord(ch), fallback) for ch in text)
    return units / upm * size_pt * PT_MM


def longest_word_mm(text: str, size_pt: float, *, bold: bool = False) -> float:
    """The width of the longest unbreakable run of *text* (no-break spaces hold words together)."""
    words = _ASCII_SPACE.split(text)
    return max((text_width_mm(w, size_pt, bold=bold) for w in words if w), default=0.0)


def column_widths(total: float, shares: list[float | None], minimums: list[float],
                  naturals: list[float] | None = None) -> list[float]:
    """Widths of a fixed-layout table's columns, summing to *total*.

    :param shares: each column's share of *total* from the template (``<col style="width:7%">``), or None;
        columns without a share split what is left equally (CSS ``table-layout: fixed``), or by content
        when *naturals* is given and no column has a share
    :param minimums: the least width of each column (its longest word and its padding)
    :param naturals: each column's width on one line, for a table without shares
    :return: widths ≥ *minimums* where the minimums fit in *total* (else the minimums scaled down)
    """
    n = len(shares)
    if n == 0:
        return []
    if all(s is None for s in shares) and naturals is not None:
        base = _auto_widths(total, minimums, naturals)
    else:
        given = sum(s for s in shares if s is not None) * total
        free = [i for i, s in enumerate(shares) if s is None]
        rest = max(0.0, total - given) / len(free) if free else 0.0
        base = [s * total if s is not None else rest for s in shares]
        scale = sum(base)
        base = [b / scale * total for b in base] if scale > 0 else [total / n] * n
    need = sum(minimums)
    if need >= total:
        return [m / need * total for m in minimums] if need > 0 else [total / n] * n
    widths = list(base)
    for _ in range(n):  # raise the narrow columns, paying with the slack of the others
        short = [i for i in range(n) if widths[i] < minimums[i] - 1e-9]
        if not short:
            break
        deficit = sum(minimums[i] - widths[i] for i in short)
        for i in short:
            widths[i] = minimums[i]
        slack = {i: widths[i] - minimums[i] for i in range(n) if widths[i] > minimums[i]}
        pool = sum(slack.values())
        for i, s in slack.items():
            widths[i] -= deficit * (s / pool)
    return widths


def _auto_widths(total: float, minimums: list[float], naturals: list[float]) -> list[float]:
    naturals = [max(nat, mn) for nat, mn in zip(naturals, minimums, strict=True)]
    if sum(naturals) <= 0:
        return [total / len(naturals)] * len(naturals)
    if sum(naturals) <= total:
        extra = total - sum(naturals)
        whole = sum(naturals)
        return [nat + extra * (nat / whole) for nat in naturals]  # the ratio first: no subnormal underflow
    room = total - sum(minimums)
    stretch = [nat - mn for nat, mn in zip(naturals, minimums, strict=True)]
    weight = sum(stretch) or 1.0
    return [mn + max(room, 0.0) * (s / weight) for mn, s in zip(minimums, stretch, strict=True)]


# --------------------------------------------------------------------------- OOXML helpers

_PPR_ORDER = ('pStyle', 'keepNext', 'keepLines', 'pageBreakBefore', 'framePr', 'widowControl', 'numPr',
              'suppressLineNumbers', 'pBdr', 'shd', 'tabs', 'suppressAutoHyphens', 'kinsoku', 'wordWrap',
              'overflowPunct', 'topLinePunct', 'autoSpaceDE', 'autoSpaceDN', 'bidi', 'adjustRightInd',
              'snapToGrid', 'spacing', 'ind', 'contextualSpacing', 'mirrorIndents', 'suppressOverlap', 'jc',
              'textDirection', 'textAlignment', 'textboxTightWrap', 'outlineLvl', 'divId', 'cnfStyle', 'rPr',
              'sectPr', 'pPrChange')
_TBLPR_ORDER = ('tblStyle', 'tblpPr', 'tblOverlap', 'bidiVisual', 'tblStyleRowBandSize', 'tblStyleColBandSize',
                'tblW', 'jc', 'tblCellSpacing', 'tblInd', 'tblBorders', 'shd', 'tblLayout', 'tblCellMar', 'tblLook',
                'tblCaption', 'tblDescription')
_TRPR_ORDER = ('cnfStyle', 'divId', 'gridBefore', 'gridAfter', 'wBefore', 'wAfter', 'cantSplit', 'trHeight',
               'tblHeader', 'tblCellSpacing', 'jc', 'hidden')
_TCPR_ORDER = ('cnfStyle', 'tcW', 'gridSpan', 'hMerge', 'vMerge', 'tcBorders', 'shd', 'noWrap', 'tcMar',
               'textDirection', 'tcFitText', 'vAlign', 'hideMark')


def _put(parent, tag: str, order: tuple[str, ...], **attrs: str):  # noqa: ANN001, ANN202
    """Replace or add ``w:<tag>`` in *parent* at its schema position; set its ``w:`` attributes."""
    old = parent.find(qn(f'w:{tag}'))
    if old is not None:
        parent.remove(old)
    el = OxmlElement(f'w:{tag}')
    for key, value in attrs.items():
        el.set(qn(f'w:{key}'), value)
    rank = order.index(tag)
    for i, child in enumerate(parent):
        name = child.tag.split('}')[-1]
        if name in order and order.index(name) > rank:
            parent.insert(i, el)
            break
    else:
        parent.append(el)
    return el


def _twips(mm: float) -> str:
    return str(round(mm * 1440 / 25.4))


def _border_el(parent, edges: tuple[str, ...], val: str, size_eighths: int = 0, space: int = 0) -> None:  # noqa: ANN001
    for edge in edges:
        el = OxmlElement(f'w:{edge}')
        el.set(qn('w:val'), val)
        if val != 'nil':
            el.set(qn('w:sz'), str(size_eighths))
            el.set(qn('w:space'), str(space))
            el.set(qn('w:color'), '000000')
        parent.append(el)


def _set_font(run, size: float | None = None, bold: bool | None = None, italic: bool | None = None) -> None:  # noqa: ANN001
    run.font.name = FONT
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn('w:rFonts'))
    if fonts is None:
        fonts = OxmlElement('w:rFonts')
        rpr.insert(0, fonts)
    for attr in ('w:ascii', 'w:hAnsi', 'w:cs', 'w:eastAsia'):
        fonts.set(qn(attr), FONT)
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold
    if italic is not None:
        run.font.italic = italic


def _mark_size(paragraph, size: float, *, hidden: bool = False) -> None:  # noqa: ANN001
    """The size of the paragraph mark, which sets the height of an empty paragraph."""
    rpr = _put(paragraph._p.get_or_add_pPr(), 'rPr', _PPR_ORDER)
    if hidden:
        rpr.append(OxmlElement('w:vanish'))
    for tag in ('sz', 'szCs'):
        el = OxmlElement(f'w:{tag}')
        el.set(qn('w:val'), str(round(size * 2)))
        rpr.append(el)


def _spacing(paragraph, before: float = 0, after: float = 0, line: float | None = None,  # noqa: ANN001
             exact: float | None = None) -> None:
    fmt = paragraph.paragraph_format
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    if exact is not None:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(exact)
    elif line is not None:
        fmt.line_spacing = line


def _no_borders(table) -> None:  # noqa: ANN001
    borders = _put(table._tbl.tblPr, 'tblBorders', _TBLPR_ORDER)
    _border_el(borders, ('top', 'left', 'bottom', 'right', 'insideH', 'insideV'), 'nil')


def _grid_borders(table, size_eighths: int = 4) -> None:  # noqa: ANN001
    borders = _put(table._tbl.tblPr, 'tblBorders', _TBLPR_ORDER)
    _border_el(borders, ('top', 'left', 'bottom', 'right', 'insideH', 'insideV'), 'single', size_eighths)


def _fix_widths(table, widths_mm: list[float], *, pad_x_pt: float = 0.0, pad_y_pt: float = 0.0) -> None:  # noqa: ANN001
    """Fixed layout: the table's width, its ``w:tblGrid`` columns, every cell's width, the cell padding."""
    tbl_pr = table._tbl.tblPr
    _put(tbl_pr, 'tblW', _TBLPR_ORDER, w=_twips(sum(widths_mm)), type='dxa')
    _put(tbl_pr, 'tblLayout', _TBLPR_ORDER, type='fixed')
    margins = _put(tbl_pr, 'tblCellMar', _TBLPR_ORDER)
    for edge, value in (('top', pad_y_pt), ('left', pad_x_pt), ('bottom', pad_y_pt), ('right', pad_x_pt)):
        el = OxmlElement(f'w:{edge}')
        el.set(qn('w:w'), str(round(value * 20)))
        el.set(qn('w:type'), 'dxa')
        margins.append(el)
    for col, width in zip(table._tbl.tblGrid.gridCol_lst, widths_mm, strict=True):
        col.set(qn('w:w'), _twips(width))
    for tr in table._tbl.tr_lst:
        c = 0
        for tc in tr.tc_lst:
            span = tc.grid_span
            tc_pr = tc.get_or_add_tcPr()
            _put(tc_pr, 'tcW', _TCPR_ORDER, w=_twips(sum(widths_mm[c:c + span])), type='dxa')
            c += span


def _row_flag(row, tag: str) -> None:  # noqa: ANN001
    _put(row._tr.get_or_add_trPr(), tag, _TRPR_ORDER)


def _clear(cell) -> None:  # noqa: ANN001
    """Remove the empty paragraph a new cell starts with (a cell must end up with at least one)."""
    for p in list(cell.paragraphs):
        p._p.getparent().remove(p._p)


# --------------------------------------------------------------------------- inline text


@dataclass
class _Seg:
    text: str  # '\n' for a line break
    bold: bool
    italic: bool


def _segments(el, bold: bool = False, italic: bool = False) -> list[_Seg]:  # noqa: ANN001
    out: list[_Seg] = []
    if el.text:
        out.append(_Seg(el.text, bold, italic))
    for child in el:
        if not isinstance(child.tag, str):  # a comment
            pass
        elif child.tag == 'br':
            out.append(_Seg('\n', bold, italic))
        else:
            classes = _classes(child)
            out.extend(_segments(child, bold or 'article-no' in classes or child.tag in ('b', 'strong'),
                                 italic or 'item-meta' in classes or child.tag in ('i', 'em')))
        if child.tail:
            out.append(_Seg(child.tail, bold, italic))
    return out


def _normalise(segs: list[_Seg]) -> list[_Seg]:
    """Collapse HTML white space as a browser does (ASCII only: no-break spaces stay), trim each line."""
    out: list[_Seg] = []
    at_line_start = True
    for seg in segs:
        if seg.text == '\n':
            if out and out[-1].text != '\n':
                out[-1].text = out[-1].text.rstrip(' ')
            out.append(seg)
            at_line_start = True
            continue
        text = _ASCII_SPACE.sub(' ', seg.text)
        if at_line_start or (out and out[-1].text.endswith(' ')):
            text = text.lstrip(' ')
        if not text:
            continue
        out.append(_Seg(text, seg.bold, seg.italic))
        at_line_start = False
    while out and out[-1].text != '\n' and not out[-1].text.strip(' '):
        out.pop()
    if out and out[-1].text != '\n':
        out[-1].text = out[-1].text.rstrip(' ')
    return [s for s in out if s.text]


def _text(el) -> str:  # noqa: ANN001
    """The text of *el* on one line: HTML white space collapsed, no-break spaces kept."""
    return ''.join(' ' if s.text == '\n' else s.text for s in _normalise(_segments(el)))


def _classes(el) -> set[str]:  # noqa: ANN001
    return set((el.get('class') or '').split())


def _find_class(el, name: str):  # noqa: ANN001, ANN202
    """The first element under *el* (or *el*) with the class *name*, or None."""
    return next((d for d in el.iter() if isinstance(d.tag, str) and name in _classes(d)), None)


def _add_runs(paragraph, el, *, size: float, bold: bool = False, italic: bool = False) -> None:  # noqa: ANN001
    """Add the text of *el* and its inline children, keeping bold and italic spans and line breaks."""
    for seg in _normalise(_segments(el, bold, italic)):
        if seg.text == '\n':
            paragraph.add_run().add_break()
        else:
            _set_font(paragraph.add_run(seg.text), size, seg.bold, seg.italic)


def _line(container, text: str, *, size: float, bold: bool = False, italic: bool = False,  # noqa: ANN001
          align=WD_ALIGN_PARAGRAPH.CENTER, before: float = 0, after: float = 0):  # noqa: ANN001, ANN202
    p = container.add_paragraph()
    p.alignment = align
    _spacing(p, before=before, after=after, line=1.0)
    if text:
        _set_font(p.add_run(text), size, bold, italic)
    _mark_size(p, size)
    return p


def _rule(container, width_mm: float, column_mm: float, before: float = 0):  # noqa: ANN001, ANN202
    """A short centred rule, *width_mm* long, *before* pt under the text above.

    An empty paragraph, 1 pt high, narrowed by its indents, with a 0.75 pt *top* border: the border is
    drawn at the paragraph's top, so the rule sits under the line above and never below its own box.
    """
    p = container.add_paragraph()
    side = max(0.0, (column_mm - width_mm) / 2)
    p.paragraph_format.left_indent = Mm(side)
    p.paragraph_format.right_indent = Mm(side)
    _spacing(p, before=before, after=0, exact=1)
    _mark_size(p, 1)
    borders = _put(p._p.get_or_add_pPr(), 'pBdr', _PPR_ORDER)
    _border_el(borders, ('top',), 'single', 6, 0)
    return p


def _space(container, height_mm: float):  # noqa: ANN001, ANN202
    """An empty paragraph exactly *height_mm* high (room for a signature and seal)."""
    p = container.add_paragraph()
    _spacing(p, exact=height_mm / PT_MM)
    _mark_size(p, 2)
    return p


# --------------------------------------------------------------------------- the writer


class _Writer:
    def __init__(self, landscape: bool):
        self.landscape = landscape
        self.doc = Document()
        section = self.doc.sections[0]
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = Mm(297), Mm(210)
        else:
            section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(MARGINS['top']), Mm(MARGINS['bottom'])
        section.left_margin, section.right_margin = Mm(MARGINS['left']), Mm(MARGINS['right'])
        section.header_distance = Mm(8)
        self.text_mm = (297 if landscape else 210) - MARGINS['left'] - MARGINS['right']
        self.p_size = 13 if landscape else BODY_PT
        self.p_after = 2 if landscape else 6
        self._defaults()
        self._page_numbers(section)
        body = self.doc.element.body
        for p in list(body.iterchildren(qn('w:p'))):  # python-docx's template starts with an empty paragraph
            body.remove(p)
        self.last_paragraph = None  # the last body paragraph, to keep it with a signature block
        self.before_next = 0.0  # space a table leaves before the next paragraph (its CSS margin-bottom)

    def _defaults(self) -> None:
        """Times New Roman 14 pt, Vietnamese proofing, no spacing, single lines: the document's defaults."""
        styles = self.doc.styles.element
        rpr = styles.find(f'{qn("w:docDefaults")}/{qn("w:rPrDefault")}/{qn("w:rPr")}')
        for child in list(rpr):
            rpr.remove(child)
        fonts = OxmlElement('w:rFonts')
        for attr in ('ascii', 'hAnsi', 'cs', 'eastAsia'):
            fonts.set(qn(f'w:{attr}'), FONT)
        rpr.append(fonts)
        for tag in ('sz', 'szCs'):
            el = OxmlElement(f'w:{tag}')
            el.set(qn('w:val'), str(BODY_PT * 2))
            rpr.append(el)
        lang = OxmlElement('w:lang')
        lang.set(qn('w:val'), 'vi-VN')
        lang.set(qn('w:eastAsia'), 'vi-VN')
        lang.set(qn('w:bidi'), 'ar-SA')
        rpr.append(lang)
        spacing = styles.find(f'{qn("w:docDefaults")}/{qn("w:pPrDefault")}/{qn("w:pPr")}/{qn("w:spacing")}')
        if spacing is not None:
            spacing.set(qn('w:after'), '0')
            spacing.set(qn('w:line'), '240')
        style = self.doc.styles['Normal']
        style.font.name = FONT
        style.font.size = Pt(BODY_PT)
        style.element.rPr.rFonts.set(qn('w:eastAsia'), FONT)

    def _page_numbers(self, section) -> None:  # noqa: ANN001
        section.different_first_page_header_footer = True
        p = section.header.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _spacing(p, line=1.0)
        run = p.add_run()
        _set_font(run, 13)
        for kind, text in (('begin', None), (None, 'PAGE'), ('end', None)):
            if kind:
                el = OxmlElement('w:fldChar')
                el.set(qn('w:fldCharType'), kind)
            else:
                el = OxmlElement('w:instrText')
                el.set(qn('xml:space'), 'preserve')
                el.text = text
            run._r.append(el)

    def _table(self, rows: int, cols: int):  # noqa: ANN202
        table = self.doc.add_table(rows=rows, cols=cols)
        table.autofit = False
        self.last_paragraph = None
        return table

    def _gap(self, height_pt: float) -> None:
        """*height_pt* of space before a table: the last paragraph's space after, or, after a table, a
        paragraph that high (adjacent tables would merge in Word)."""
        body = [el for el in self.doc.element.body if el.tag != qn('w:sectPr')]
        if body and body[-1].tag == qn('w:p'):
            fmt = self.doc.paragraphs[-1].paragraph_format
            fmt.space_after = Pt(max(height_pt, fmt.space_after.pt if fmt.space_after is not None else 0))
            fmt.keep_with_next = True
            return
        p = self.doc.add_paragraph()
        _spacing(p, exact=max(height_pt, 1))
        _mark_size(p, 1)
        p.paragraph_format.keep_with_next = True

    # ------------------------------------------------------------------ blocks

    def header_widths(self) -> tuple[float, float]:
        """(left, right) widths of the header's columns in mm: the PDF's shares, the right column widened
        to hold the national name on one line."""
        share = 0.42 if self.landscape else 0.46
        right = self.text_mm * (1 - share)
        right = max(right, text_width_mm('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 12, bold=True) + 1.5)
        return self.text_mm - right, right

    def header(self, table_el) -> None:  # noqa: ANN001
        rows = table_el.findall('.//tr')
        table = self._table(len(rows), 2)
        _no_borders(table)
        widths = self.header_widths()
        _fix_widths(table, list(widths))
        for r, row_el in enumerate(rows):
            for c, cell_el in enumerate(row_el.findall('td')[:2]):
                cell = table.cell(r, c)
                _clear(cell)
                classes = _classes(cell_el)
                if 'number' in classes:
                    _line(cell, _text(cell_el), size=13, before=6)
                elif 'place-date' in classes:
                    _line(cell, _text(cell_el), size=14, italic=True, before=6)
                else:
                    self._header_cell(cell, cell_el, widths[c])
                if not cell.paragraphs:
                    _line(cell, '', size=2)
        self.before_next = 2 if self.landscape else 6

    def _header_cell(self, cell, cell_el, width: float) -> None:  # noqa: ANN001
        for div in cell_el:
            if not isinstance(div.tag, str):
                continue
            dc = _classes(div)
            if 'rule' in dc:
                _rule(cell, width * 0.32, width, before=3)
            elif 'parent' in dc:
                _line(cell, _text(div), size=12)
            elif 'issuer-name' in dc or 'national-name' in dc:
                _line(cell, _text(div), size=12, bold=True)
            elif 'motto' in dc:
                motto = _text(div)
                _line(cell, motto, size=13, bold=True)
                _rule(cell, text_width_mm(motto, 13, bold=True), width, before=0.5)
            else:
                _line(cell, _text(div), size=12)

    def title(self, div) -> None:  # noqa: ANN001
        first = True
        size = 14
        for child in div:
            if not isinstance(child.tag, str):
                continue
            classes = _classes(child)
            if 'rule' in classes:
                _rule(self.doc, self.text_mm * 0.28, self.text_mm, before=4)
                continue
            before = 4 if 'note' in classes else 3 if 'attached' in classes else 0
            if first:
                before = max(self.before_next, 4 if self.landscape else 14)
                first = False
            p = _line(self.doc, _text(child), size=13 if ('attached' in classes and self.landscape) else size,
                      bold='type-name' in classes or 'subject' in classes,
                      italic='note' in classes or 'attached' in classes, before=before)
            p.paragraph_format.line_spacing = BODY_LINE
            p.paragraph_format.keep_with_next = True
        self.before_next = 6 if self.landscape else 10
        self.last_paragraph = None

    def paragraph(self, el, *, bold: bool = False, italic: bool = False, indent: bool = True,  # noqa: ANN001
                  align=WD_ALIGN_PARAGRAPH.JUSTIFY, size: float | None = None, before: float = 0,  # noqa: ANN001
                  after: float | None = None, keep: bool = False) -> None:
        p = self.doc.add_paragraph()
        p.alignment = align
        if indent:
            p.paragraph_format.first_line_indent = INDENT
        after = self.p_after if after is None else after
        _spacing(p, before=max(before, self.before_next), after=after, line=BODY_LINE)
        self.before_next = 0.0
        p.paragraph_format.widow_control = True
        if keep:
            p.paragraph_format.keep_with_next = True
        size = self.p_size if size is None else size
        _add_runs(p, el, size=size, bold=bold, italic=italic)
        _mark_size(p, size)
        self.last_paragraph = p

    def grid(self, table_el) -> None:  # noqa: ANN001
        head = table_el.findall('./thead/tr')
        foot = table_el.findall('./tfoot/tr')
        body = table_el.findall('./tbody/tr') + foot
        if not head and not body:
            body = table_el.findall('.//tr')
        rows = head + body
        placed = _place_cells(rows)
        if not placed:
            return
        ncols = max(c + cs for _, c, _, cs, _ in placed)
        figures = 'figures' in _classes(table_el)
        size = 11.0 if figures else float(TABLE_PT)
        pad_x = 2.0 if figures else GRID_PAD_X
        pad_y = 1.0 if self.landscape or figures else 2.0
        widths = self._grid_widths(table_el, rows, placed, foot, ncols, size, pad_x)
        table = self._table(len(rows), ncols)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        _grid_borders(table)
        for r, row_el in enumerate(rows):
            _row_flag(table.rows[r], 'cantSplit')
            if row_el in head:
                _row_flag(table.rows[r], 'tblHeader')
        for r, c, rs, cs, cell_el in placed:
            cell = table.cell(r, c)
            if rs > 1 or cs > 1:
                cell = cell.merge(table.cell(r + rs - 1, c + cs - 1))
                for extra in cell.paragraphs[1:]:  # merging gathers the empty paragraphs of the cells
                    extra._p.getparent().remove(extra._p)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            p = cell.paragraphs[0]
            classes = _classes(cell_el)
            strong = cell_el.tag == 'th' or rows[r] in foot
            p.alignment = (WD_ALIGN_PARAGRAPH.CENTER if cell_el.tag == 'th' or 'c' in classes
                           else WD_ALIGN_PARAGRAPH.RIGHT if 'r' in classes else WD_ALIGN_PARAGRAPH.LEFT)
            _spacing(p, line=(1.1 if self.landscape else 1.15) / SINGLE_EM)  # the PDF's line-height
            _add_runs(p, cell_el, size=size, bold=strong)
            _mark_size(p, size)
        _fix_widths(table, widths, pad_x_pt=pad_x, pad_y_pt=pad_y)
        self.before_next = 8.0

    def _grid_widths(self, table_el, rows, placed, foot, ncols: int, size: float, pad_x: float) -> list[float]:  # noqa: ANN001
        shares: list[float | None] = [None] * ncols
        for c, col in enumerate(table_el.findall('./colgroup/col')[:ncols]):
            match = re.search(r'width:\s*([\d.]+)%', col.get('style', ''))
            if match:
                shares[c] = float(match.group(1)) / 100
        pad_mm = 2 * pad_x * PT_MM + 0.6  # both paddings and a little room for rounding
        minimums = [pad_mm + size * PT_MM] * ncols  # at least an em of text
        naturals = [0.0] * ncols
        for r, c, _, cs, cell_el in placed:
            if cs != 1:
                continue
            strong = cell_el.tag == 'th' or rows[r] in foot
            lines = [s.text for s in _normalise(_segments(cell_el)) if s.text != '\n']
            minimums[c] = max(minimums[c], longest_word_mm(' '.join(lines), size, bold=strong) + pad_mm)
            naturals[c] = max(naturals[c], max((text_width_mm(t, size, bold=strong) for t in lines),
                                               default=0.0) + pad_mm)
        return column_widths(self.text_mm, shares, minimums, naturals)

    def _signature_cell(self, cell, sig_el, space_mm: float = 26, line_pt: float = 14) -> None:  # noqa: ANN001
        for div in sig_el:
            if not isinstance(div.tag, str):
                continue
            classes = _classes(div)
            if 'sig-line' in classes:
                _line(cell, _text(div), size=line_pt, bold=True)
            elif 'sig-caption' in classes:
                _line(cell, _text(div), size=13, italic=True)
            elif 'sig-space' in classes:
                _space(cell, space_mm)
            elif 'sig-name' in classes:
                _line(cell, _text(div), size=14, bold=True)

    def sign_block(self, table_el) -> None:  # noqa: ANN001
        classes = _classes(table_el)
        if self.last_paragraph is not None:  # the last lines of the body go with the signature
            self.last_paragraph.paragraph_format.keep_with_next = True
        rows = table_el.findall('.//tr')
        if 'two' in classes and 'secretary' in classes:
            body = [el for el in self.doc.element.body if el.tag != qn('w:sectPr')]
            if body and body[-1].tag == qn('w:tbl'):  # the signatures above stay on the secretary's page
                for p in body[-1].iter(qn('w:p')):
                    _put(p.get_or_add_pPr(), 'keepNext', _PPR_ORDER)
            self._gap(8)
            table = self._table(1, 1)
            _no_borders(table)
            _fix_widths(table, [self.text_mm])
            cell = table.cell(0, 0)
            _clear(cell)
            _cant_split_all(table)
            sig = _find_class(table_el, 'signature')
            if sig is not None:
                self._signature_cell(cell, sig, line_pt=13)  # as the minutes' other two signatures
            if not cell.paragraphs:
                _line(cell, '', size=2)
        elif 'two' in classes:
            self._gap(10)
            self._sign_row(rows)
        else:
            self._gap(10)
            self._sign_with_recipients(rows)
        self.before_next = 0.0

    def _sign_row(self, rows) -> None:  # noqa: ANN001
        """Two signatures side by side: headings, the room to sign, the names, on three rows."""
        heads = rows[0].findall('td') if rows else []
        names = rows[-1].findall('td') if len(rows) > 2 else []
        table = self._table(3, 2)
        _no_borders(table)
        _fix_widths(table, [self.text_mm / 2] * 2)
        _cant_split_all(table)
        for c in range(2):
            head, space, name = (table.cell(r, c) for r in range(3))
            for cell in (head, space, name):
                _clear(cell)
            for div in (heads[c] if c < len(heads) else []):
                if not isinstance(div.tag, str):
                    continue
                dc = _classes(div)
                _line(head, _text(div), size=13, bold='sig-line' in dc, italic='sig-caption' in dc)
            _line(space, '', size=2)
            _line(name, _text(names[c]) if c < len(names) else '', size=14, bold=True)
            if not head.paragraphs:
                _line(head, '', size=2)
        row = table.rows[1]
        row.height = Mm(24)
        row.height_rule = WD_ROW_HEIGHT_RULE.EXACTLY
        for r in range(2):  # the three rows stay on one page
            for p in table.rows[r].cells[0].paragraphs + table.rows[r].cells[1].paragraphs:
                p.paragraph_format.keep_with_next = True

    def _sign_with_recipients(self, rows) -> None:  # noqa: ANN001
        table = self._table(1, 2)
        _no_borders(table)
        _fix_widths(table, [self.text_mm * 0.45, self.text_mm * 0.55])
        _cant_split_all(table)
        cells = rows[0].findall('td') if rows else []
        lc, rc = table.cell(0, 0), table.cell(0, 1)
        _clear(lc)
        _clear(rc)
        for div in (cells[0] if cells else []):
            if not isinstance(div.tag, str):
                continue
            dc = _classes(div)
            if 'recipients-title' in dc:
                _line(lc, _text(div), size=12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
            elif 'recipient' in dc:
                _line(lc, _text(div), size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
        sig = _find_class(cells[1], 'signature') if len(cells) > 1 else None
        if sig is not None:
            self._signature_cell(rc, sig)
        for cell in (lc, rc):
            if not cell.paragraphs:
                _line(cell, '', size=2)

    # ------------------------------------------------------------------ walk

    def block(self, el) -> None:  # noqa: ANN001
        if not isinstance(el.tag, str):
            return
        classes = _classes(el)
        tag = el.tag
        if tag == 'table':
            if 'doc-header' in classes:
                self.header(el)
            elif 'sign-block' in classes:
                self.sign_block(el)
            else:
                self.grid(el)
        elif 'doc-title' in classes:
            self.title(el)
        elif 'h1' in classes:
            self.paragraph(el, bold=True, before=4, keep=True)
        elif 'h2' in classes:
            self.paragraph(el, bold=True, keep=True)
        elif 'h3' in classes:
            self.paragraph(el, bold=True, italic=True, keep=True)
        elif 'decider' in classes:
            self.paragraph(el, bold=True, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, after=8, keep=True)
        elif 'decide' in classes:
            self.paragraph(el, bold=True, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, before=6, keep=True)
        elif 'team-caption' in classes:
            self.paragraph(el, bold=True, before=4, after=2, keep=True)
        elif 'team-block' in classes:
            for child in el:
                self.block(child)
        elif 'attached' in classes:
            self.paragraph(el, italic=True, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, before=3)
        elif tag in ('p', 'div'):
            self.paragraph(el, italic='basis' in classes, after=3 if 'basis' in classes else None)

    def save(self) -> bytes:
        body = self.doc.element.body
        last = [el for el in body if el.tag != qn('w:sectPr')][-1:]
        if last and last[0].tag == qn('w:tbl'):  # Word ends a body with a paragraph: 1 pt high and hidden
            end = self.doc.add_paragraph()
            _spacing(end, exact=1)
            _mark_size(end, 1, hidden=True)
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


def _place_cells(rows) -> list[tuple[int, int, int, int, object]]:  # noqa: ANN001
    """Where each cell of an HTML table sits: (row, column, rows spanned, columns spanned, element),
    skipping the slots that a cell above spans into (``rowspan``), as a browser does."""
    taken: set[tuple[int, int]] = set()
    placed = []
    for r, row_el in enumerate(rows):
        c = 0
        for cell_el in row_el:
            if not isinstance(cell_el.tag, str) or cell_el.tag not in ('td', 'th'):
                continue
            while (r, c) in taken:
                c += 1
            rs = max(1, min(_int(cell_el.get('rowspan')), len(rows) - r))
            cs = max(1, min(_int(cell_el.get('colspan')), 1000))
            taken.update((r + i, c + j) for i in range(rs) for j in range(cs))
            placed.append((r, c, rs, cs, cell_el))
            c += cs
    return placed


def _int(value: str | None) -> int:
    try:
        return int(value) if value else 1
    except ValueError:
        return 1


def _cant_split_all(table) -> None:  # noqa: ANN001
    for row in table.rows:
        _row_flag(row, 'cantSplit')


def html_to_docx(html: str, *, landscape: bool = False) -> bytes:
    """Convert the HTML of one of our document templates to DOCX bytes.

    Characters XML cannot hold (NUL and the other C0 controls but tab, newline and carriage return; lone
    surrogates) are left out: text stored before the limits (``inspect_flow.core.limits``) may hold them, and a
    document must still be made from it.
    """
    tree = lxml_html.document_fromstring(BAD_CHARACTERS.sub('', html))
    body = tree.find('body')
    writer = _Writer(landscape)
    for el in body:
        writer.block(el)
    return writer.save()


def render_docx(kind: str, view_model) -> bytes:  # noqa: ANN001
    """Render *view_model* as an editable DOCX (same content and layout as the PDF)."""
    return html_to_docx(render_html(kind, view_model), landscape=KINDS[kind].landscape)
