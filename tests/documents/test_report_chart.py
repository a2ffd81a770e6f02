"""The round report carries an inline SVG chart of limitations by category, its numbers beside the bars, above the
by-category table; the PDF keeps the figures as text."""

from __future__ import annotations

import io
import re

from inspect_flow.documents.render import render_html, render_pdf
from tests.documents import samples


def test_the_report_chart_has_one_bar_per_category_with_its_number() -> None:
    doc = samples.round_report()
    html = render_html('report', doc)
    chart = html.split('by-category-chart', 1)[1].split('</table>', 1)[0]
    bars = re.findall(r'<rect x="0" y="0" width="([\d.]+)" height="10" fill="#555"/>', chart)
    assert len(bars) == len(doc.by_category) > 1
    top = max(r.occurrences for r in doc.by_category)
    assert [float(w) for w in bars] == [round(100 * r.occurrences / top, 2) for r in doc.by_category]
    for r in doc.by_category:
        assert f'{r.occurrences}/{doc.counts.communes}</td>' in chart
    assert html.index('Hình 1.') < html.index('Bảng 2.')

    import pdfplumber

    with pdfplumber.open(io.BytesIO(render_pdf('report', doc))) as pdf:
        text = '\n'.join(page.extract_text() or '' for page in pdf.pages)
    assert 'Hình 1. Số địa bàn có hạn chế, tồn tại theo nhóm nội dung' in text
    flat = ' '.join(text.split())
    assert all(f'{r.occurrences}/{doc.counts.communes}' in flat for r in doc.by_category)
    assert doc.by_category[-1].category.split(',')[0] in flat
