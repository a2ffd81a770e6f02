"""Corrections in the browser: a team leader edits and withdraws findings, conclusions and recommendations until
the notice is issued; the secretariat opens a replacement, and corrections are possible again."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa

from inspect_flow.core.db import make_session_factory, unit_of_work
from inspect_flow.documents import operations as doc_ops
from inspect_flow.documents.sources import SignerIn
from inspect_flow.findings.models import Conclusion, Finding, Recommendation
from inspect_flow.plans.models import Plan

from .conftest import Client, snapshot


def _ids(app) -> dict:  # noqa: ANN001
    with unit_of_work(make_session_factory(app.extensions['inspect_flow.engine'])) as s:
        plan = s.scalars(sa.select(Plan).where(Plan.number == 1245)).one()
        visit = next(v for v in plan.visits if v.team.number == 5)
        other = next(v for v in plan.visits if v.conclusion_unit_id != visit.conclusion_unit_id)
        mine = s.scalars(sa.select(Finding).where(Finding.visit_id == visit.id, Finding.status == 'accepted')
                         .order_by(Finding.id)).all()
        theirs = s.scalars(sa.select(Finding).where(Finding.visit_id == other.id, Finding.status == 'accepted')).first()
        return {'plan': plan.id, 'unit': visit.conclusion_unit_id, 'unit_name': visit.conclusion_unit.full_name,
                'commune': visit.commune.full_name, 'other_commune': other.commune.full_name,
                'finding': mine[0].id, 'finding2': mine[1].id, 'theirs': theirs.id, 'visit': visit.id}


def _row(app, model, row_id):  # noqa: ANN001, ANN202
    with unit_of_work(make_session_factory(app.extensions['inspect_flow.engine'])) as s:
        obj = s.get(model, row_id)
        return {c.key: getattr(obj, c.key) for c in sa.inspect(model).columns}


def test_corrections_in_the_browser_until_issue_and_through_a_replacement(app_factory):  # noqa: ANN001
    app = app_factory('conclusions')
    ids = _ids(app)
    leader = Client(app)
    leader.login('cong.td5')
    fid = ids['finding']

    # a finding: an empty text is refused beside its field, keeping what was typed; nothing is written
    before = snapshot(app)
    r = leader.post(f'/findings/{fid}/edit', {'kind': 'limitation', 'category': 'Vốn vay đã sửa', 'text': '  ',
                                             'source': 'household', 'severity': 'high', 'version': '1'})
    assert r.status_code == 422
    body = r.get_data(as_text=True)
    assert 'id="e-text-e' in body and 'Phải nhập &#34;Nội dung&#34;' in body and 'Vốn vay đã sửa' in body
    assert snapshot(app) == before
    r = leader.post(f'/findings/{fid}/edit', {'kind': 'limitation', 'category': 'Sử dụng vốn vay',
                                             'text': 'Hai hộ dùng vốn vay sai mục đích.', 'source': 'household',
                                             'severity': 'high', 'version': '1'})
    assert r.status_code == 302
    assert _row(app, Finding, fid)['text'] == 'Hai hộ dùng vốn vay sai mục đích.'
    # a stale version is refused
    r = leader.post(f'/findings/{fid}/edit', {'kind': 'limitation', 'category': 'X', 'text': 'Y',
                                             'source': 'household', 'version': '1'})
    assert r.status_code == 422
    assert _row(app, Finding, fid)['text'] == 'Hai hộ dùng vốn vay sai mục đích.'
    # withdrawing asks for a reason
    r = leader.post(f'/findings/{ids["finding2"]}/withdraw', {'reason': ' '})
    assert r.status_code == 422 and 'id="e-reason-withdraw-' in r.get_data(as_text=True)
    assert leader.post(f'/findings/{ids["finding2"]}/withdraw', {'reason': 'Trùng lặp.'}).status_code == 302
    page = leader.get(f'/plans/{ids["plan"]}/findings').get_data(as_text=True)
    assert 'Đã rút' in page and 'Lý do rút: Trùng lặp.' in page

    # a conclusion with an empty overall assessment is refused, naming the field
    r = leader.post(f'/plans/{ids["plan"]}/conclusions', {'unit': ids['unit'], 'summary': ''})
    assert r.status_code == 422 and 'Đánh giá chung' in r.get_data(as_text=True)
    assert leader.post(f'/plans/{ids["plan"]}/conclusions',
                       {'unit': ids['unit'], 'summary': 'Triển khai kịp thời.'}).status_code == 302
    page = leader.get(f'/plans/{ids["plan"]}/conclusions').get_data(as_text=True)
    cid = int(re.search(r'id="conclusion-(\d+)"', page).group(1))
    # "from finding" offers the unit's own findings only, each named with its commune; the withdrawn one is gone
    select = re.search(r'<select id="f-finding" name="finding"\s*>(.*?)</select>', page, re.S).group(1)
    assert f'{ids["commune"]} — Hai hộ dùng vốn vay sai mục đích.' in select
    assert ids['other_commune'] not in select and f'value="{ids["finding2"]}"' not in select
    r = leader.post(f'/conclusions/{cid}/recommendations', {'text': 'Rà soát vốn vay.', 'addressee_unit': ids['unit'],
                                                            'finding': ids['theirs']})
    assert r.status_code == 422 and 'kiến nghị chỉ dựa trên kết quả của chính đơn vị' in r.get_data(as_text=True)
    for text in ('Rà soát vốn vay.', 'Kiến nghị sẽ rút.'):
        assert leader.post(f'/conclusions/{cid}/recommendations',
                           {'text': text, 'addressee_unit': ids['unit'], 'finding': fid,
                            'deadline': '2019-10-31'}).status_code == 302
    with unit_of_work(make_session_factory(app.extensions['inspect_flow.engine'])) as s:
        keep, drop = [r.id for r in s.get(Conclusion, cid).recommendations]

    r = leader.post(f'/conclusions/{cid}/edit', {'summary': ' ', 'version': '1'})
    assert r.status_code == 422 and 'id="e-summary-c' in r.get_data(as_text=True)
    assert leader.post(f'/conclusions/{cid}/edit', {'summary': 'Triển khai kịp thời, đúng kế hoạch.',
                                                    'version': '1'}).status_code == 302
    assert leader.post(f'/recommendations/{keep}/edit', {'text': 'Rà soát lại vốn vay.', 'addressee': 'UBND huyện',
                                                         'deadline': '2019-11-30', 'finding': fid}).status_code == 302
    assert _row(app, Recommendation, keep)['deadline'] == date(2019, 11, 30)
    assert leader.post(f'/recommendations/{drop}/withdraw', {'reason': 'Trùng kiến nghị 1.'}).status_code == 302
    page = leader.get(f'/plans/{ids["plan"]}/conclusions').get_data(as_text=True)
    assert 'Kiến nghị đã rút (1)' in page and 'Lý do: Trùng kiến nghị 1.' in page

    # the notice is issued: the page says so, and a correction is refused with the way forward
    with unit_of_work(make_session_factory(app.extensions['inspect_flow.engine'])) as s:
        doc = doc_ops.issue_document(s, s.get(Plan, ids['plan']), 'conclusion', unit=s.get(Conclusion, cid).unit,
                                     actor='van-thu', issue_date=date(2019, 8, 20),
                                     signer=SignerIn(name='Nguyễn Văn An'))
        doc_id, ref = doc.id, doc.reference
    page = leader.get(f'/plans/{ids["plan"]}/conclusions').get_data(as_text=True)
    assert f'Đã ban hành</strong>: <strong>{ref}</strong>' in page and 'Sửa đánh giá chung' not in page
    assert 'Văn thư (Thường trực) mở văn bản thay thế' in page  # the leader cannot open it
    before = snapshot(app)
    r = leader.post(f'/conclusions/{cid}/edit', {'summary': 'Sửa sau khi ban hành.', 'version': '2'})
    assert r.status_code == 422 and 'văn bản mới thay thế' in r.get_data(as_text=True)
    assert leader.post(f'/documents/{doc_id}/replace', {'reason': 'x'}).status_code == 403
    assert snapshot(app) == before

    staff = Client(app)
    staff.login('thao.vpt')
    r = staff.post(f'/documents/{doc_id}/replace', {'reason': '', 'back': f'/plans/{ids["plan"]}/conclusions'})
    assert r.status_code == 422 and f'id="e-reason-replace-{doc_id}"' in r.get_data(as_text=True)
    assert staff.post(f'/documents/{doc_id}/replace', {'reason': 'Đính chính đánh giá chung.'}).status_code == 302
    page = leader.get(f'/plans/{ids["plan"]}/conclusions').get_data(as_text=True)
    assert f'Đang soạn văn bản thay thế</strong> cho văn bản số <strong>{ref}</strong>' in page
    assert 'Sửa đánh giá chung' in page
    assert leader.post(f'/conclusions/{cid}/edit', {'summary': 'Đánh giá chung đã đính chính.'}).status_code == 302
    assert _row(app, Conclusion, cid)['summary'] == 'Đánh giá chung đã đính chính.'
