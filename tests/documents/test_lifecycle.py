"""The lifecycle of a document on the demo round, SQLite and PostgreSQL: draft, issue, freeze, correct."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import date, timedelta

import pdfplumber
import pikepdf
import pytest
import sqlalchemy as sa

from inspect_flow.audit.models import AuditEntry
from inspect_flow.audit.operations import apply_changes
from inspect_flow.core.clock import today
from inspect_flow.core.errors import Conflict, InvalidInput
from inspect_flow.documents import operations as ops
from inspect_flow.documents import sources
from inspect_flow.documents.models import DocumentState, IssuedDocument
from inspect_flow.documents.numbering import last_number
from inspect_flow.documents.vnformat import date_short
from inspect_flow.findings import operations as findings_ops
from inspect_flow.findings.models import Conclusion, Finding, FindingKind, FindingStatus
from inspect_flow.plans import operations as plan_ops
from tests import builders

SIGNER = sources.SignerIn(name='Nguyễn Văn Minh')
DAY = date(2019, 7, 15)


def _text(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return ' '.join(' '.join(p.extract_text().split()) for p in doc.pages)


def _issue(session, plan, kind='conclusion', **kwargs):  # noqa: ANN001, ANN202
    kwargs.setdefault('issue_date', DAY)
    kwargs.setdefault('signer', SIGNER)
    if kind == 'conclusion':
        kwargs.setdefault('district', '838')
    return ops.issue_document(session, plan, kind, actor='van-thu', **kwargs)


def test_issuing_takes_the_next_number_freezes_a_pdf_a_and_audits_it(demo_session, demo_plan):
    before = last_number(demo_session, demo_plan.issuer, 2019, 'TB')
    doc = _issue(demo_session, demo_plan, drafting_unit='BTXH')
    assert doc.number == before + 1 == last_number(demo_session, demo_plan.issuer, 2019, 'TB')
    assert (doc.state, doc.type_code, doc.year, doc.symbol) == (DocumentState.issued, 'TB', 2019, 'TB-BCĐCCTMTQG')
    assert doc.sha256 == hashlib.sha256(doc.pdf).hexdigest() and ops.verify_document(doc)
    with pikepdf.open(io.BytesIO(doc.pdf)) as pdf:
        assert pdf.open_metadata()['pdfaid:part'] == '2'
    text = _text(doc.pdf)
    assert f'Số: {doc.number:02d}/TB-BCĐCCTMTQG' in text and 'Bến Tre, ngày 15 tháng 7 năm 2019' in text
    entry = demo_session.scalars(sa.select(AuditEntry).where(AuditEntry.entity_type == 'issueddocument',
                                                             AuditEntry.entity_id == doc.id)).one()
    assert entry.action == 'create' and entry.actor == 'van-thu' and entry.plan_id == demo_plan.id
    assert entry.changes['reference'][1] == doc.reference and entry.changes['sha256'][1] == doc.sha256
    assert entry.changes['signer'][1]['name'] == SIGNER.name
    assert ops.current_issued(demo_session, sources.resolve_target(demo_session, demo_plan, 'conclusion',
                                                                   district='838')) == doc


def test_two_issues_get_consecutive_numbers_per_issuer_year_and_kind(demo_session, demo_plan):
    start_tb = last_number(demo_session, demo_plan.issuer, 2019, 'TB')
    start_bb = last_number(demo_session, demo_plan.issuer, 2019, 'BB')
    first = _issue(demo_session, demo_plan, district='838')
    second = _issue(demo_session, demo_plan, district='833')
    assert (first.number, second.number) == (start_tb + 1, start_tb + 2)
    npt = next(v for v in demo_plan.visits if v.district.code == '838')
    minutes = _issue(demo_session, demo_plan, 'minutes', visit=npt.id, issue_date=npt.starts_at.date())
    assert minutes.number == start_bb + 1 and minutes.symbol == 'BB-BCĐCCTMTQG'
    next_year = _issue(demo_session, demo_plan, district='829', issue_date=date(2020, 1, 2))
    assert (next_year.year, next_year.number) == (2020, 1)  # the sequence restarts on 1 January
    assert last_number(demo_session, demo_plan.issuer, 2020, 'TB') == 1
    assert last_number(demo_session, demo_plan.issuer, 2019, 'TB') == start_tb + 2  # 2020 did not touch 2019


def test_later_edits_change_the_draft_never_the_issued_pdf(demo_session, demo_plan):
    doc = _issue(demo_session, demo_plan)
    frozen, digest = doc.pdf, doc.sha256
    # the notice locks what it carries: corrections go through a replacement (tests/core/test_corrections.py)
    ops.open_replacement(demo_session, doc, reason='Đính chính kết quả và thời hạn.', actor='tester')
    npt = next(v for v in demo_plan.visits if v.district.code == '838')
    finding = demo_session.scalars(sa.select(Finding).where(
        Finding.visit_id == npt.id, Finding.kind == FindingKind.limitation,
        Finding.status == FindingStatus.accepted).order_by(Finding.id)).first()
    old_text = finding.text.rstrip('.')
    apply_changes(finding, {'text': 'Hồ sơ rà soát hộ nghèo lưu trữ chưa đầy đủ (sửa sau khi ban hành).'},
                  actor='tester')
    conclusion = demo_session.scalars(sa.select(Conclusion).where(Conclusion.plan_id == demo_plan.id,
                                                                  Conclusion.unit_id == npt.district_id)).one()
    rec = next(r for r in conclusion.recommendations if r.state.value == 'open')
    findings_ops.update_recommendation(demo_session, rec, {'deadline': date(2019, 11, 15)}, actor='tester')
    demo_session.flush()
    demo_session.expire_all()
    stored = demo_session.get(IssuedDocument, doc.id)
    assert stored.pdf == frozen and stored.sha256 == digest and ops.verify_document(stored)
    issued_text = _text(stored.pdf)
    assert old_text in issued_text and 'sửa sau khi ban hành' not in issued_text
    draft = ops.render_draft(demo_session, demo_plan, 'conclusion', district='838')
    draft_text = _text(draft.pdf)
    assert 'sửa sau khi ban hành' in draft_text and old_text not in draft_text
    assert 'thời hạn: trước ngày 15/11/2019' in draft_text and 'trước ngày 15/11/2019' not in issued_text
    assert re.search(r'Số:\s+/TB-BCĐCCTMTQG', draft_text)


def test_an_issued_document_cannot_be_changed_deleted_or_issued_again(demo_session, demo_plan):
    doc = _issue(demo_session, demo_plan)
    for change in ({'subject': 'Khác'}, {'pdf': b'%PDF-1.7 other'}, {'number': doc.number + 5}):
        nested = demo_session.begin_nested()
        for key, value in change.items():
            setattr(doc, key, value)
        with pytest.raises(Conflict) as info:
            demo_session.flush()
        assert info.value.code == 'document.frozen'
        nested.rollback()
    nested = demo_session.begin_nested()
    demo_session.delete(doc)
    with pytest.raises(Conflict):
        demo_session.flush()
    nested.rollback()
    before = last_number(demo_session, demo_plan.issuer, 2019, 'TB')
    with pytest.raises(Conflict) as info:
        _issue(demo_session, demo_plan)
    assert info.value.code == 'document.already_issued'
    assert f'--supersedes {doc.id}' in info.value.message_vi and doc.reference in info.value.message_en
    assert last_number(demo_session, demo_plan.issuer, 2019, 'TB') == before  # a refusal takes no number


def test_a_correction_is_a_new_numbered_document_that_supersedes_the_old(demo_session, demo_plan):
    old = _issue(demo_session, demo_plan)
    new = _issue(demo_session, demo_plan, supersedes=old.id, issue_date=date(2019, 7, 20))
    assert new.number == old.number + 1 and new.supersedes_id == old.id and new.id != old.id
    text = _text(new.pdf)
    assert f'(Thay thế Thông báo số {old.reference} ngày {date_short(old.issue_date)}' in text
    assert f'Số: {new.number:02d}/TB-BCĐCCTMTQG' in text
    target = sources.resolve_target(demo_session, demo_plan, 'conclusion', district='838')
    assert ops.current_issued(demo_session, target) == new
    assert ops.issued_for(demo_session, target) == [old, new]
    with pytest.raises(Conflict) as info:
        _issue(demo_session, demo_plan, supersedes=old.id)
    assert info.value.code == 'document.already_superseded'
    other = _issue(demo_session, demo_plan, district='833')
    with pytest.raises(InvalidInput) as info:
        _issue(demo_session, demo_plan, supersedes=other.id)
    assert info.value.code == 'document.supersedes_mismatch'


@pytest.mark.parametrize(('kind', 'kwargs', 'error', 'code'), [
    ('schedule', {}, InvalidInput, 'document.not_issuable'),
    ('conclusion', {'signer': sources.SignerIn()}, InvalidInput, 'document.signer_required'),
    ('report', {'signer': sources.SignerIn(name=' ')}, InvalidInput, 'document.signer_required'),
    ('conclusion', {'signer': sources.SignerIn(name='A', prefix='XX.')}, InvalidInput, 'document.bad_signer'),
    ('conclusion', {'issue_date': date(2019, 7, 1)}, InvalidInput, 'document.date_too_early'),
    ('conclusion', {'issue_date': today() + timedelta(days=1)}, InvalidInput, 'document.date_in_future'),
    ('report', {'issue_date': date(2019, 7, 20)}, InvalidInput, 'document.date_too_early'),
    ('plan', {}, Conflict, 'document.plan_numbered'),
    ('memo', {}, InvalidInput, 'document.unknown_kind'),
    ('conclusion', {'district': '832', 'supersedes': 987654}, Exception, 'document.not_found'),
])
def test_it_refuses_a_bad_issue_without_taking_a_number(demo_session, demo_plan, kind, kwargs, error, code):
    before = {k: last_number(demo_session, demo_plan.issuer, 2019, k) for k in ('KH', 'TB', 'BC')}
    with pytest.raises(error) as info:
        _issue(demo_session, demo_plan, kind, **kwargs)
    assert info.value.code == code
    assert {k: last_number(demo_session, demo_plan.issuer, 2019, k) for k in ('KH', 'TB', 'BC')} == before


def test_it_refuses_documents_of_a_round_not_ready_for_them(demo_session):
    plan = builders.plan_at(demo_session, 'visiting')  # visits submitted, not reviewed
    visit = plan.visits[0]
    day = visit.starts_at.date()
    with pytest.raises(Conflict) as info:
        ops.issue_document(demo_session, plan, 'minutes', visit=visit.id, issue_date=day, actor='t')
    assert info.value.code == 'document.visit_not_reviewed'
    with pytest.raises(Conflict) as info:
        ops.issue_document(demo_session, plan, 'team_report', team=visit.team.number, issue_date=day, actor='t')
    assert info.value.code == 'document.team_not_done'
    with pytest.raises(Conflict) as info:
        ops.issue_document(demo_session, plan, 'conclusion', district=visit.district.code, issue_date=day,
                           signer=SIGNER, actor='t')
    assert info.value.code == 'document.no_conclusion'
    with pytest.raises(Conflict) as info:
        ops.issue_document(demo_session, plan, 'report', issue_date=date(2019, 8, 1), signer=SIGNER, actor='t')
    assert info.value.code == 'document.round_not_concluded'


def test_issuing_a_draft_plan_gives_the_plan_its_number(demo_session):
    issuer = builders.issuer(demo_session)
    plan = plan_ops.create_plan(demo_session, issuer=issuer, subject='Kiểm tra, giám sát công tác giảm nghèo năm 2019',
                                fieldwork_start=date(2019, 7, 5), fieldwork_end=date(2019, 7, 24), actor='t')
    with pytest.raises(Conflict) as info:
        ops.issue_document(demo_session, plan, 'team_decision', issue_date=date(2019, 6, 1), signer=SIGNER, actor='t')
    assert info.value.code == 'document.plan_not_issued'
    expected = last_number(demo_session, issuer, 2019, 'KH') + 1
    doc = ops.issue_document(demo_session, plan, 'plan', issue_date=date(2019, 5, 28), signer=SIGNER, actor='t')
    assert (doc.number, plan.number, plan.issue_date) == (expected, expected, date(2019, 5, 28))
    assert f'Số: {expected:02d}/KH-BCĐCCTMTQG' in _text(doc.pdf)
    changes = demo_session.scalars(sa.select(AuditEntry).where(AuditEntry.entity_type == 'plan',
                                                               AuditEntry.entity_id == plan.id,
                                                               AuditEntry.action == 'update')).all()
    assert any(c.changes.get('number') == [None, expected] for c in changes)
    with pytest.raises(Conflict) as info:
        ops.issue_document(demo_session, plan, 'plan', issue_date=date(2019, 5, 29), signer=SIGNER, actor='t')
    assert info.value.code == 'document.already_issued'


ATTACKS = [
    '<link rel="attachment" href="file:///etc/passwd">',
    '<img src="http://169.254.169.254/latest/meta-data/">',
    '<style>@import url("file:///etc/passwd");</style>',
    '{{ 7*7 }} {% include "/etc/passwd" %}',
]


def test_text_typed_into_the_round_is_printed_as_text_and_fetches_nothing(demo_session, demo_plan):
    """Hostile text in findings, recommendations and participants, through the database to the PDF."""
    from inspect_flow.documents.fetcher import AssetFetcher
    from inspect_flow.documents.render import render_pdf

    npt = next(v for v in demo_plan.visits if v.district.code == '838')
    finding = demo_session.scalars(sa.select(Finding).where(Finding.visit_id == npt.id,
                                                            Finding.status == FindingStatus.accepted)).first()
    apply_changes(finding, {'text': ATTACKS[0] + ' ' + ATTACKS[3]}, actor='tester')
    conclusion = demo_session.scalars(sa.select(Conclusion).where(Conclusion.plan_id == demo_plan.id,
                                                                  Conclusion.unit_id == npt.district_id)).one()
    apply_changes(conclusion.recommendations[0], {'addressee_label': ATTACKS[1]}, actor='tester')
    npt.participants[0].full_name = ATTACKS[2]
    demo_session.flush()
    fetcher = AssetFetcher()
    texts = []
    for kind, target in (('minutes', {'visit': npt.id}), ('conclusion', {'district': '838'})):
        view = sources.build_view_model(demo_session, sources.resolve_target(demo_session, demo_plan, kind,
                                                                             **target))
        texts.append(_text(render_pdf(kind, view, url_fetcher=fetcher)))
    assert fetcher.refused == []  # nothing outside the fonts was even asked for
    assert all('/fonts/' in url for url in fetcher.served)
    minutes, notice = (re.sub(r'\s+', '', t) for t in texts)  # lines may break inside the long URLs
    for attack in (ATTACKS[0], ATTACKS[2], ATTACKS[3]):
        assert re.sub(r'\s+', '', attack) in minutes, attack
    assert re.sub(r'\s+', '', ATTACKS[1]) in notice  # the template was not evaluated: {{ 7*7 }} is still there


def test_two_officers_issuing_the_same_document_at_once_get_one_document_and_one_number(databases, db_kind):
    """Both pass the first check; the register's lock makes the second see the first's document."""
    import threading

    from inspect_flow.core.db import make_engine, make_session_factory, unit_of_work
    from inspect_flow.demo.round2019 import find_demo_plan, run_demo

    engine = make_engine(databases.fresh(db_kind), pool_size=4)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        run_demo(session, 'closed')
    barrier = threading.Barrier(2)
    results: list[object] = []

    def officer(name: str) -> None:
        try:
            barrier.wait(timeout=10)  # (before any statement: SQLite takes its write lock at the first one)
            with unit_of_work(factory) as session:
                plan = find_demo_plan(session)
                doc = ops.issue_document(session, plan, 'conclusion', district='838', issue_date=DAY, signer=SIGNER,
                                         actor=name)
                results.append(doc.reference)
        except BaseException as exc:  # noqa: BLE001
            results.append(exc)

    threads = [threading.Thread(target=officer, args=(f'van-thu-{i}',)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    issued = [r for r in results if isinstance(r, str)]
    refused = [r for r in results if not isinstance(r, str)]
    assert len(issued) == 1 and issued[0].startswith('01/TB-'), results
    assert len(refused) == 1 and getattr(refused[0], 'code', None) == 'document.already_issued', refused
    with engine.connect() as conn:
        assert conn.execute(sa.text("select count(*) from documents")).scalar() == 1
        assert conn.execute(sa.text("select last_number from number_registers where kind = 'TB'")).scalar() == 1
    engine.dispose()
