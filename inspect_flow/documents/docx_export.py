"""DOCX export of a document, for officers who must edit a draft before it is signed.

The DOCX is built from the same HTML the PDF is rendered from (:func:`render.render_html`), so the
two never drift apart: this module walks that HTML (our own templates, user text already escaped
in it) and writes the matching Word structures with python-docx:

* the page: A4 (landscape for the schedule), the Decree 30 margins, Times New Roman 14 pt;
* the header: a borderless two-column table; the rule under the issuing body is a paragraph border
  narrowed by indents (a third of the column), the rule under the motto is the motto's underline;
* headings, justified paragraphs with a 1.27 cm first-line indent, dash lists, grid tables;
* the signature block: a borderless table, Nơi nhận on the left in 12/11 pt, the signature centred
  on the right with room for the seal;
* page numbers centred in the top margin from page 2 (a PAGE field, first page header left empty).

An issued document is the frozen PDF/A; a DOCX is always a working copy.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import html as lxml_html

from inspect_flow.core.limits import BAD_CHARACTERS
from inspect_flow.documents.render import KINDS, render_html

FONT = 'Times New Roman'
BODY_PT = 14
TABLE_PT = 12
INDENT = Mm(12.7)


def _classes(el) -> set[str]:  # noqa: ANN001
    return set((el.get('class') or '').split())


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


def _spacing(paragraph, before: float = 0, after: float = 0, line: float | None = None) -> None:  # noqa: ANN001
    fmt = paragraph.paragraph_format
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    if line is not None:
        fmt.line_spacing = line


def _bottom_border(paragraph, size: int = 6) -> None:  # noqa: ANN001
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement('w:pBdr')
    bottom = OxmlElement('w:bottom')
    for key, value in (('w:val', 'single'), ('w:sz', str(size)), ('w:space', '1'), ('w:color', '000000')):
        bottom.set(qn(key), value)
    borders.append(bottom)
    ppr.append(borders)


def _no_borders(table) -> None:  # noqa: ANN001
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement('w:tblBorders')
    for edge in ('top', 'left', 'bottom', 'right', 'insideH', 'insideV'):
        el = OxmlElement(f'w:{edge}')
        el.set(qn('w:val'), 'nil')
        borders.append(el)
    tbl_pr.append(borders)


def _cant_split(row) -> None:  # noqa: ANN001
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement('w:cantSplit')
    tr_pr.append(el)


def _repeat_header(row) -> None:  # noqa: ANN001
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement('w:tblHeader')
    tr_pr.append(el)


def _add_runs(paragraph, el, *, size: float, bold: bool = False, italic: bool = False) -> None:  # noqa: ANN001
    """Add the text of *el* and its inline children, keeping bold and italic spans."""
    if el.text:
        _set_font(paragraph.add_run(el.text), size, bold, italic)
    for child in el:
        if child.tag == 'br':
            paragraph.add_run().add_break()
        else:
            classes = _classes(child)
            _add_runs(paragraph, child, size=size, bold=bold or 'article-no' in classes or child.tag in ('b', 'strong'),
                      italic=italic or 'item-meta' in classes or child.tag in ('i', 'em'))
        if child.tail:
            _set_font(paragraph.add_run(child.tail), size, bold, italic)


def _text(el) -> str:  # noqa: ANN001
    return ' '.join(''.join(el.itertext()).split())


def _line(container, text: str, *, size: float, bold: bool = False, italic: bool = False,  # noqa: ANN001
          align=WD_ALIGN_PARAGRAPH.CENTER, underline: bool = False):  # noqa: ANN001, ANN202
    p = container.add_paragraph()
    p.alignment = align
    _spacing(p, line=1.0)
    run = p.add_run(text)
    _set_font(run, size, bold, italic)
    run.font.underline = underline
    return p


def _rule(container, width_mm: float, column_mm: float, before: float = 0):  # noqa: ANN001, ANN202
    """A short centred rule: an empty paragraph with a bottom border, narrowed by its indents."""
    p = container.add_paragraph()
    side = max(0.0, (column_mm - width_mm) / 2)
    p.paragraph_format.left_indent = Mm(side)
    p.paragraph_format.right_indent = Mm(side)
    _spacing(p, before=before, after=0, line=1.0)
    _set_font(p.add_run(), 2)
    _bottom_border(p)
    return p


class _Writer:
    def __init__(self, landscape: bool):
        self.doc = Document()
        section = self.doc.sections[0]
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = Mm(297), Mm(210)
        else:
            section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin = section.bottom_margin = Mm(20)
        section.left_margin, section.right_margin = Mm(30), Mm(15)
        section.header_distance = Mm(10)
        self.text_mm = (297 if landscape else 210) - 45
        style = self.doc.styles['Normal']
        style.font.name = FONT
        style.font.size = Pt(BODY_PT)
        style.element.rPr.rFonts.set(qn('w:eastAsia'), FONT)
        self._page_numbers(section)
        body = self.doc.element.body
        for p in list(body.iterchildren(qn('w:p'))):  # python-docx's template starts with an empty paragraph
            body.remove(p)

    def _page_numbers(self, section) -> None:  # noqa: ANN001
        section.different_first_page_header_footer = True
        p = section.header.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
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

    # ------------------------------------------------------------------ blocks

    def header(self, table_el) -> None:  # noqa: ANN001
        rows = table_el.findall('.//tr')
        table = self.doc.add_table(rows=len(rows), cols=2)
        _no_borders(table)
        widths = (0.46, 0.54)
        for r, row_el in enumerate(rows):
            cells = row_el.findall('td')
            for c, cell_el in enumerate(cells[:2]):
                cell = table.cell(r, c)
                cell.width = Mm(self.text_mm * widths[c])
                cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
                classes = _classes(cell_el)
                if 'number' in classes:
                    _line(cell, _text(cell_el), size=13)
                elif 'place-date' in classes:
                    _line(cell, _text(cell_el), size=14, italic=True)
                else:
                    for div in cell_el:
                        dc = _classes(div)
                        if 'rule' in dc:
                            _rule(cell, self.text_mm * widths[c] / 3, self.text_mm * widths[c], before=1)
                        elif 'parent' in dc:
                            _line(cell, _text(div), size=12)
                        elif 'issuer-name' in dc:
                            _line(cell, _text(div), size=12, bold=True)
                        elif 'national-name' in dc:
                            _line(cell, _text(div), size=12, bold=True)
                        elif 'motto' in dc:
                            _line(cell, _text(div), size=13, bold=True, underline=True)
                if not cell.paragraphs:
                    cell.add_paragraph()

    def title(self, div) -> None:  # noqa: ANN001
        first = True
        for child in div:
            classes = _classes(child)
            if 'rule' in classes:
                _rule(self.doc, self.text_mm * 0.28, self.text_mm, before=2)
                continue
            p = _line(self.doc, _text(child), size=14, bold='type-name' in classes or 'subject' in classes,
                      italic='note' in classes or 'attached' in classes)
            if first:
                _spacing(p, before=12, line=1.0)
                first = False

    def paragraph(self, el, *, bold: bool = False, italic: bool = False, indent: bool = True,  # noqa: ANN001
                  align=WD_ALIGN_PARAGRAPH.JUSTIFY, size: float = BODY_PT) -> None:  # noqa: ANN001
        p = self.doc.add_paragraph()
        p.alignment = align
        if indent:
            p.paragraph_format.first_line_indent = INDENT
        _spacing(p, after=6, line=1.15)
        _add_runs(p, el, size=size, bold=bold, italic=italic)

    def grid(self, table_el) -> None:  # noqa: ANN001
        head = table_el.findall('./thead/tr')
        body = table_el.findall('./tbody/tr') + table_el.findall('./tfoot/tr')
        if not head and not body:
            body = table_el.findall('.//tr')
        rows = head + body
        ncols = max(sum(int(c.get('colspan', 1)) for c in r.findall('./*')) for r in rows)
        table = self.doc.add_table(rows=len(rows), cols=ncols)
        table.style = 'Table Grid'
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        widths = [c.get('style', '') for c in table_el.findall('./colgroup/col')]
        for r, row_el in enumerate(rows):
            row = table.rows[r]
            _cant_split(row)
            if row_el in head:
                _repeat_header(row)
            c = 0
            for cell_el in row_el.findall('./*'):
                span = int(cell_el.get('colspan', 1))
                cell = table.cell(r, c)
                if span > 1:
                    cell = cell.merge(table.cell(r, c + span - 1))
                p = cell.paragraphs[0]
                header = cell_el.tag == 'th' or row_el in table_el.findall('./tfoot/tr')
                p.alignment = (WD_ALIGN_PARAGRAPH.CENTER if cell_el.tag == 'th' or 'c' in _classes(cell_el)
                               else WD_ALIGN_PARAGRAPH.LEFT)
                _spacing(p, line=1.0)
                _add_runs(p, cell_el, size=TABLE_PT, bold=header)
                c += span
        for c, style in enumerate(widths[:ncols]):
            if 'width:' in style:
                share = float(style.split('width:')[1].split('%')[0]) / 100
                for row in table.rows:
                    row.cells[c].width = Mm(self.text_mm * share)
        spacer = self.doc.add_paragraph()
        _spacing(spacer, after=2, line=1.0)

    def _signature_cell(self, cell, sig_el, space_mm: float = 26) -> None:  # noqa: ANN001
        for div in sig_el:
            classes = _classes(div)
            if 'sig-line' in classes:
                _line(cell, _text(div), size=14, bold=True)
            elif 'sig-caption' in classes:
                _line(cell, _text(div), size=13, italic=True)
            elif 'sig-space' in classes:
                for _ in range(int(space_mm // 6)):
                    _line(cell, '', size=14)
            elif 'sig-name' in classes:
                _line(cell, _text(div), size=14, bold=True)

    def sign_block(self, table_el) -> None:  # noqa: ANN001
        classes = _classes(table_el)
        rows = table_el.findall('.//tr')
        if 'two' in classes:
            if 'secretary' in classes:
                table = self.doc.add_table(rows=1, cols=1)
                _no_borders(table)
                cell = table.cell(0, 0)
                cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
                sig = table_el.find('.//div[@class="signature"]')
                if sig is not None:
                    self._signature_cell(cell, sig)
                return
            table = self.doc.add_table(rows=1, cols=2)
            _no_borders(table)
            heads, names = rows[0].findall('td'), rows[-1].findall('td')
            for c in range(2):
                cell = table.cell(0, c)
                cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
                for div in heads[c]:
                    dc = _classes(div)
                    _line(cell, _text(div), size=13 if 'sig-line' in dc else 13, bold='sig-line' in dc,
                          italic='sig-caption' in dc)
                for _ in range(4):
                    _line(cell, '', size=14)
                _line(cell, _text(names[c]), size=14, bold=True)
            return
        table = self.doc.add_table(rows=1, cols=2)
        _no_borders(table)
        _cant_split(table.rows[0])
        left, right = rows[0].findall('td')[:2]
        lc, rc = table.cell(0, 0), table.cell(0, 1)
        lc.width, rc.width = Mm(self.text_mm * 0.45), Mm(self.text_mm * 0.55)
        for cell in (lc, rc):
            cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
        for div in left:
            dc = _classes(div)
            if 'recipients-title' in dc:
                _line(lc, _text(div), size=12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
            elif 'recipient' in dc:
                _line(lc, _text(div), size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
        sig = right.find('.//div[@class="signature"]')
        if sig is not None:
            self._signature_cell(rc, sig)
        if not lc.paragraphs:
            lc.add_paragraph()

    # ------------------------------------------------------------------ walk

    def block(self, el) -> None:  # noqa: ANN001
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
        elif 'h1' in classes or 'h2' in classes:
            self.paragraph(el, bold=True)
        elif 'h3' in classes:
            self.paragraph(el, bold=True, italic=True)
        elif 'decider' in classes or 'decide' in classes:
            self.paragraph(el, bold=True, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
        elif 'team-caption' in classes:
            self.paragraph(el, bold=True)
        elif 'team-block' in classes:
            for child in el:
                self.block(child)
        elif 'attached' in classes:
            self.paragraph(el, italic=True, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
        elif tag in ('p', 'div'):
            self.paragraph(el, italic='basis' in classes)

    def save(self) -> bytes:
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


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
        if isinstance(el.tag, str):
            writer.block(el)
    return writer.save()


def render_docx(kind: str, view_model) -> bytes:  # noqa: ANN001
    """Render *view_model* as an editable DOCX (same content as the PDF)."""
    return html_to_docx(render_html(kind, view_model), landscape=KINDS[kind].landscape)
