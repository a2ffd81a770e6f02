"""A small two-tier round (Tỉnh Vĩnh Long, 2026) renders its whole document set without districts: the
committee's header under "UBND TỈNH VĨNH LONG", one conclusion notice per commune, Nơi nhận to the communes'
People's Committees, and no "huyện" anywhere, in the PDFs and in the DOCX working copies (read back)."""

from __future__ import annotations

import io
from datetime import date

import docx
import pdfplumber
import pytest

from inspect_flow.documents import operations as ops
from inspect_flow.documents import sources
from inspect_flow.documents.docx_export import render_docx
from inspect_flow.findings import operations as f_ops
from inspect_flow.units import operations as unit_ops
from tests import builders

KINDS_OF_ROUND = ['plan', 'team_decision', 'schedule', 'minutes', 'conclusion', 'team_report', 'report']


def _pdf_text(data: bytes) -> str:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return '\n'.join(p.extract_text() or '' for p in pdf.pages)


def _flat(text: str) -> str:
    """The text with its line breaks (where a PDF wraps) as single spaces."""
    return ' '.join(text.split())


def _docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                parts.append(cell.text)
    return '\n'.join(parts)


@pytest.fixture
def round2026(session):  # noqa: ANN001, ANN201
    """A closed two-tier round; Phú Khương's conclusion also has a recommendation to a provincial department."""
    plan = builders.plan_at(session, 'conclusions', two_tier=True)
    pk = unit_ops.get_unit(session, '28756', builders.DAY_2026)
    conclusion = f_ops.get_conclusion(session, plan, pk)
    f_ops.add_recommendation(session, plan, text='Hướng dẫn phường rà soát hộ nghèo theo chuẩn mới.',
                             addressee_label='', actor=builders.ACTOR, conclusion=conclusion,
                             addressee_body=builders.department_2026(session), deadline=date(2026, 9, 30))
    return plan


def test_the_two_tier_document_set_has_one_notice_per_commune(session, round2026):  # noqa: ANN001
    notices = [t for t in sources.document_set(round2026) if t.kind == 'conclusion']
    assert sorted((t.unit.code, t.label) for t in notices) == [
        ('28756', 'Thông báo kết luận - Phường Phú Khương'), ('28948', 'Thông báo kết luận - Xã Nhuận Phú Tân')]
    assert {t.kind for t in sources.document_set(round2026)} == set(KINDS_OF_ROUND)


def test_two_tier_pdfs_read_back_without_huyen(session, round2026):  # noqa: ANN001
    drafts = ops.render_drafts(session, round2026, signer=sources.SignerIn(name='Nguyễn Văn An'),
                               drafting_unit='SNNMT')
    assert sorted({d.target.kind for d in drafts}) == sorted(KINDS_OF_ROUND)
    for d in drafts:
        text = _pdf_text(d.pdf)
        assert 'huyện' not in text.lower(), (d.target.label, [ln for ln in text.splitlines() if 'huyện' in ln.lower()])
        if d.target.kind in sources.COMMITTEE_KINDS and d.target.kind != 'schedule':
            assert 'UBND TỈNH VĨNH LONG' in text, d.target.label
            assert 'Vĩnh Long, ngày' in text, d.target.label
    notices = {d.target.unit.code: _flat(_pdf_text(d.pdf)) for d in drafts if d.target.kind == 'conclusion'}
    npt, pk = notices['28948'], notices['28756']
    assert '- UBND xã Nhuận Phú Tân;' in npt and 'Phường Phú Khương' not in npt
    assert '- UBND phường Phú Khương;' in pk and '- Sở Nông nghiệp và Môi trường tỉnh Vĩnh Long;' in pk
    assert 'Ban Chỉ đạo các Chương trình mục tiêu quốc gia xã Nhuận Phú Tân' in npt
    report = next(_flat(_pdf_text(d.pdf)) for d in drafts if d.target.kind == 'report')
    assert 'tại 02 xã, phường. Kết quả như sau:' in report
    schedule = next(_pdf_text(d.pdf) for d in drafts if d.target.kind == 'schedule')
    assert 'Xã, phường' in schedule and 'Xã Nhuận Phú Tân' in schedule


def test_two_tier_docx_read_back_without_huyen(session, round2026):  # noqa: ANN001
    signer = sources.SignerIn(name='Nguyễn Văn An')
    seen = set()
    for target in sources.document_set(round2026):
        view = sources.build_view_model(session, target, signer=signer)
        text = _docx_text(render_docx(target.kind, view))
        assert 'huyện' not in text.lower(), target.label
        if target.kind in ('plan', 'conclusion', 'report'):
            assert 'UBND TỈNH VĨNH LONG' in text, target.label
        if target.kind == 'conclusion':
            expected = {'28948': 'UBND xã Nhuận Phú Tân', '28756': 'UBND phường Phú Khương'}[target.unit.code]
            assert f'- {expected};' in text, target.label
        seen.add(target.kind)
    assert seen == set(KINDS_OF_ROUND)


def test_a_two_tier_notice_is_issued_for_a_commune_and_found_again(session, round2026):  # noqa: ANN001
    doc = ops.issue_document(session, round2026, 'conclusion', unit='28948', actor=builders.ACTOR,
                             issue_date=date(2026, 3, 25), signer=sources.SignerIn(name='Nguyễn Văn An'))
    npt = unit_ops.get_unit(session, '28948', builders.DAY_2026)
    assert doc.unit_id == npt.id
    assert ops.target_of(session, doc).label == 'Thông báo kết luận - Xã Nhuận Phú Tân'
    assert ops.current_issued(session, sources.resolve_target(session, round2026, 'conclusion', unit='28948')) == doc
    assert 'huyện' not in _pdf_text(doc.pdf).lower()


def test_a_district_code_names_no_two_tier_notice(session, round2026):  # noqa: ANN001
    from inspect_flow.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as exc:
        sources.resolve_target(session, round2026, 'conclusion', unit='838')
    assert exc.value.field == 'unit'
    assert exc.value.message == ('Kế hoạch …/KH-BCĐCCTMTQG không có buổi làm việc tại đơn vị mã "838". Các xã, '
                                 'phường đã làm việc: Phường Phú Khương (28756), Xã Nhuận Phú Tân (28948).'
                                 ).replace('…', f'{round2026.number:02d}')
