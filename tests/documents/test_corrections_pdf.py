"""The conclusion notice after corrections, read back from the issued PDF: the edited overall assessment is
printed, the withdrawn recommendation is not; its replacement carries the correction made afterwards."""

from __future__ import annotations

import re
from datetime import date

from inspect_flow.documents import operations as doc_ops
from inspect_flow.documents.sources import SignerIn
from inspect_flow.findings import operations as ops
from tests import builders

from .conftest import read_pdf


def _flat(text: str) -> str:
    return re.sub(r'\s+', ' ', text)


def test_the_issued_notice_prints_the_corrections(session):  # noqa: ANN001
    plan = builders.plan_at(session, 'conclusions')
    visit = plan.visits[0]
    unit = visit.conclusion_unit
    conclusion = ops.get_conclusion(session, plan, unit)
    ops.update_conclusion(session, conclusion, {'summary': 'Ban Chỉ đạo huyện triển khai đúng kế hoạch'},
                          actor='truong-doan')
    kept = conclusion.recommendations[0]
    gone = ops.add_recommendation(session, plan, text='Kiến nghị nhập nhầm cần rút', addressee_label='',
                                  conclusion=conclusion, addressee_unit=unit, actor='truong-doan')
    ops.withdraw_recommendation(session, gone, reason='Nhập nhầm.', actor='truong-doan')

    doc = doc_ops.issue_document(session, plan, 'conclusion', unit=unit, actor='van-thu',
                                 issue_date=date(2019, 8, 20), signer=SignerIn(name='Nguyễn Văn An'))
    text = _flat(read_pdf('conclusion', doc.pdf).text)
    assert 'Ban Chỉ đạo huyện triển khai đúng kế hoạch' in text and 'Đánh giá chung.' not in text
    assert _flat(kept.text).rstrip('.') in text
    assert 'Kiến nghị nhập nhầm cần rút' not in text

    doc_ops.open_replacement(session, doc, reason='Bổ sung đánh giá.', actor='van-thu')
    ops.update_conclusion(session, conclusion, {'summary': 'Ban Chỉ đạo huyện triển khai kịp thời, đúng kế hoạch'},
                          actor='truong-doan')
    new = doc_ops.issue_document(session, plan, 'conclusion', unit=unit, actor='van-thu', supersedes=doc,
                                 issue_date=date(2019, 8, 22), signer=SignerIn(name='Nguyễn Văn An'))
    text = _flat(read_pdf('conclusion', new.pdf).text)
    assert 'triển khai kịp thời, đúng kế hoạch' in text and 'Kiến nghị nhập nhầm cần rút' not in text
    assert doc.reference.split('/')[0] in text  # it names the notice it replaces
    assert doc_ops.pending_replacement(session, doc) is None
    assert ops.locked_by(session, ops.conclusion_carriers(plan, unit)) == [new]
