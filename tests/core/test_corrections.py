"""Corrections until issue: what may be added, edited and withdrawn in which state of the documents that carry it.

A finding is carried by its visit's minutes and its unit's conclusion notice; a conclusion and its
recommendations by the unit's conclusion notice. An issued carrier locks; a replacement being prepared unlocks;
the issued replacement locks again.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from inspect_flow.audit.models import AuditEntry
from inspect_flow.core.errors import Conflict, DomainError, InvalidInput
from inspect_flow.documents import operations as doc_ops
from inspect_flow.documents.sources import SignerIn, load_round
from inspect_flow.findings import operations as ops
from inspect_flow.findings.models import Conclusion, Finding, FindingStatus, Recommendation
from inspect_flow.plans.models import Plan
from inspect_flow.workflow.states import RecommendationState
from tests import builders

DAY = date(2019, 8, 20)
SIGNER = SignerIn(name='Nguyễn Văn An')


def _round(session):  # noqa: ANN001, ANN202
    plan = builders.plan_at(session, 'conclusions')
    visit = plan.visits[0]
    finding = session.scalars(sa.select(Finding).where(Finding.visit_id == visit.id)).first()
    conclusion = session.scalars(sa.select(Conclusion).where(Conclusion.plan_id == plan.id,
                                                             Conclusion.unit_id == visit.conclusion_unit_id)).one()
    return plan, visit, finding, conclusion, conclusion.recommendations[0]


def _issue(session, plan, kind, visit, supersedes=None):  # noqa: ANN001, ANN202
    if kind == 'minutes':
        return doc_ops.issue_document(session, plan, 'minutes', visit=visit, actor='van-thu', issue_date=DAY,
                                      supersedes=supersedes)
    return doc_ops.issue_document(session, plan, 'conclusion', unit=visit.conclusion_unit, actor='van-thu',
                                  issue_date=DAY, signer=SIGNER, supersedes=supersedes)


def _edit_finding(session, f, c, r):  # noqa: ANN001, ANN202
    ops.update_finding(session, f, {'text': 'Hai hộ dùng vốn vay sai mục đích.'}, actor='t')


def _withdraw_finding(session, f, c, r):  # noqa: ANN001, ANN202
    ops.withdraw_finding(session, f, reason='Trùng với kết quả khác.', actor='t')


def _edit_conclusion(session, f, c, r):  # noqa: ANN001, ANN202
    ops.update_conclusion(session, c, {'summary': 'Đánh giá chung đã sửa.'}, actor='t')


def _add_rec(session, f, c, r):  # noqa: ANN001, ANN202
    plan = session.get(Plan, c.plan_id)
    ops.add_recommendation(session, plan, text='Rà soát hộ nghèo.', addressee_label='', conclusion=c,
                           addressee_unit=c.unit, actor='t')


def _edit_rec(session, f, c, r):  # noqa: ANN001, ANN202
    ops.update_recommendation(session, r, {'text': 'Kiểm tra lại việc sử dụng vốn vay.'}, actor='t')


def _withdraw_rec(session, f, c, r):  # noqa: ANN001, ANN202
    ops.withdraw_recommendation(session, r, reason='Đã nêu trong kiến nghị khác.', actor='t')


OPERATIONS = {'edit finding': _edit_finding, 'withdraw finding': _withdraw_finding,
              'edit conclusion': _edit_conclusion, 'add recommendation': _add_rec,
              'edit recommendation': _edit_rec, 'withdraw recommendation': _withdraw_rec}
ALL = set(OPERATIONS)
FINDING_OPS = {'edit finding', 'withdraw finding'}

#: state of the carrying documents → the operations allowed in it
TABLE = {
    'nothing issued': ALL,
    'minutes issued': ALL - FINDING_OPS,
    'minutes replacement prepared': ALL,
    'notice issued': set(),
    'notice replacement prepared': ALL,
    'notice replacement issued': set(),
}


def _reach(session, state, plan, visit):  # noqa: ANN001, ANN202
    if state.startswith('minutes'):
        doc = _issue(session, plan, 'minutes', visit)
    elif state.startswith('notice'):
        doc = _issue(session, plan, 'conclusion', visit)
    else:
        return
    if 'replacement' in state:
        doc_ops.open_replacement(session, doc, reason='Sửa đánh giá chung.', actor='t')
    if state == 'notice replacement issued':
        _issue(session, plan, 'conclusion', visit, supersedes=doc)


@pytest.mark.parametrize('state', list(TABLE))
def test_what_may_be_corrected_in_each_state(session, state):  # noqa: ANN001
    plan, visit, finding, conclusion, rec = _round(session)
    _reach(session, state, plan, visit)
    session.flush()
    outcome = {}
    for name, op in OPERATIONS.items():
        nested = session.begin_nested()
        try:
            op(session, finding, conclusion, rec)
            session.flush()
            outcome[name] = True
        except Conflict as exc:
            assert exc.code == 'correction.issued', (name, exc.code, str(exc))
            outcome[name] = False
        nested.rollback()
        session.expire_all()
    assert {k for k, ok in outcome.items() if ok} == TABLE[state]


def test_the_refusal_names_the_document_and_the_way_to_replace_it(session):  # noqa: ANN001
    plan, visit, finding, conclusion, rec = _round(session)
    doc = _issue(session, plan, 'conclusion', visit)
    with pytest.raises(Conflict) as exc:
        ops.update_conclusion(session, conclusion, {'summary': 'Sửa.'}, actor='t')
    assert doc.reference in exc.value.message_vi and 'thay thế' in exc.value.message_vi
    assert f'documents replace {doc.id}' in exc.value.message_en
    assert exc.value.details[0]['document_id'] == doc.id


def test_a_replacement_needs_a_reason_and_only_one_is_open(session):  # noqa: ANN001
    plan, visit, *_ = _round(session)
    doc = _issue(session, plan, 'minutes', visit)
    with pytest.raises(InvalidInput) as exc:
        doc_ops.open_replacement(session, doc, reason='  ', actor='t')
    assert exc.value.field == 'reason'
    doc_ops.open_replacement(session, doc, reason='Sửa kết quả.', actor='t')
    with pytest.raises(Conflict):
        doc_ops.open_replacement(session, doc, reason='Lần nữa.', actor='t')
    new = _issue(session, plan, 'minutes', visit, supersedes=doc)
    assert doc_ops.pending_replacement(session, doc) is None
    with pytest.raises(Conflict):  # the old one is no longer in force
        doc_ops.open_replacement(session, doc, reason='Lần nữa.', actor='t')
    assert doc_ops.open_replacement(session, new, reason='Lần nữa.', actor='t').document_id == new.id


def test_withdrawn_items_keep_their_history_and_drop_out_of_documents(session):  # noqa: ANN001
    plan, visit, finding, conclusion, rec = _round(session)
    rec.finding_id = finding.id
    session.flush()
    ops.withdraw_finding(session, finding, reason='Không đúng thực tế.', actor='truong-doan')
    ops.withdraw_recommendation(session, rec, reason='Trùng lặp.', actor='truong-doan')
    assert finding.status == FindingStatus.withdrawn and finding.withdrawn_reason == 'Không đúng thực tế.'
    assert rec.state == RecommendationState.withdrawn and rec.withdrawn_reason == 'Trùng lặp.'
    assert rec.finding_id is None  # the link to a withdrawn finding goes
    data = load_round(session, plan)
    assert finding.id not in {f.id for f in data.findings} and rec.id not in {r.id for r in data.recommendations}
    rows = session.scalars(sa.select(AuditEntry).where(AuditEntry.plan_id == plan.id, AuditEntry.comment.in_(
        ['Không đúng thực tế.', 'Trùng lặp.']))).all()
    assert {(r.entity_type, r.actor) for r in rows} == {('finding', 'truong-doan'), ('recommendation', 'truong-doan')}
    with pytest.raises(Conflict):
        ops.update_recommendation(session, rec, {'text': 'Sửa.'}, actor='t')
    with pytest.raises(Conflict):
        ops.update_finding(session, finding, {'text': 'Sửa.'}, actor='t')
    with pytest.raises(Conflict) as exc:  # out of the follow-up too
        ops.report_progress(session, rec, text='Đã làm.', reported_by='UBND huyện', actor='t')
    assert exc.value.code == 'recommendation.withdrawn' and rec.reports == []


@pytest.mark.parametrize(('call', 'field'), [
    (lambda s, f, c, r: ops.withdraw_finding(s, f, reason=' ', actor='t'), 'reason'),
    (lambda s, f, c, r: ops.withdraw_recommendation(s, r, reason='', actor='t'), 'reason'),
    (lambda s, f, c, r: ops.update_conclusion(s, c, {'summary': '  '}, actor='t'), 'summary'),
    (lambda s, f, c, r: ops.update_recommendation(s, r, {'text': ''}, actor='t'), 'text'),
    (lambda s, f, c, r: ops.update_finding(s, f, {'category': ' '}, actor='t'), 'category'),
    (lambda s, f, c, r: ops.update_finding(s, f, {'status': FindingStatus.withdrawn}, actor='t'), 'status'),
])
def test_empty_required_text_is_refused_naming_the_field(session, call, field):  # noqa: ANN001
    plan, visit, finding, conclusion, rec = _round(session)
    with pytest.raises(DomainError) as exc:
        call(session, finding, conclusion, rec)
    assert exc.value.field == field


def test_a_conclusion_with_an_empty_overall_assessment_is_refused(session):  # noqa: ANN001
    plan = builders.plan_at(session, 'conclusions', complete=False)
    with pytest.raises(InvalidInput) as exc:
        ops.add_conclusion(session, plan, plan.visits[0].conclusion_unit, summary='   ', actor='t')
    assert exc.value.field == 'summary' and 'Đánh giá chung' in exc.value.message_vi
    assert session.scalar(sa.select(sa.func.count(Conclusion.id)).where(Conclusion.plan_id == plan.id)) == 0


def test_a_stale_conclusion_edit_is_refused(session):  # noqa: ANN001
    plan, visit, finding, conclusion, rec = _round(session)
    seen = conclusion.version_id
    ops.update_conclusion(session, conclusion, {'summary': 'Lần một.'}, actor='a', expected_version=seen)
    with pytest.raises(Conflict) as exc:
        ops.update_conclusion(session, conclusion, {'summary': 'Lần hai.'}, actor='b', expected_version=seen)
    assert exc.value.code == 'stale_version' and conclusion.summary == 'Lần một.'


def test_a_recommendation_links_only_to_a_finding_of_its_own_unit(session):  # noqa: ANN001
    plan, visit, finding, conclusion, rec = _round(session)
    other_visit = next(v for v in plan.visits if v.conclusion_unit_id != visit.conclusion_unit_id)
    other = session.scalars(sa.select(Finding).where(Finding.visit_id == other_visit.id)).first()
    assert [f.id for f in ops.unit_findings(session, plan, conclusion)] == [finding.id]
    with pytest.raises(InvalidInput) as exc:
        ops.add_recommendation(session, plan, text='Rà soát.', addressee_label='', conclusion=conclusion,
                               addressee_unit=conclusion.unit, finding=other, actor='t')
    assert exc.value.field == 'finding'
    with pytest.raises(InvalidInput):
        ops.update_recommendation(session, rec, {'finding': other}, actor='t')
    ops.update_recommendation(session, rec, {'finding': finding}, actor='t')
    assert rec.finding_id == finding.id
    assert session.scalar(sa.select(sa.func.count(Recommendation.id)).where(
        Recommendation.conclusion_id == conclusion.id)) == 1
