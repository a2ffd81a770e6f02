"""Corrections through the API: conclusions and recommendations edited and withdrawn until the notice is issued,
then after a replacement is opened; every response checked against the OpenAPI document."""

from __future__ import annotations

from datetime import date

from inspect_flow.core.db import make_session_factory, unit_of_work
from inspect_flow.documents import operations as doc_ops
from inspect_flow.documents.sources import SignerIn
from inspect_flow.findings.models import Conclusion
from inspect_flow.plans.models import Plan


def test_corrections_until_issue_through_the_api(api_closed):  # noqa: ANN001
    api = api_closed
    cid = api.scalar("select c.id from conclusions c join admin_units u on u.id = c.unit_id where u.code = '838'")
    rec = api.scalar("select id from recommendations where conclusion_id = :c and state in ('open', 'in_progress', "
                     "'overdue') order by id", c=cid)
    done = api.scalar("select id from recommendations where state in ('done', 'verified') order by id")
    other = api.scalar("select f.id from findings f join visits v on v.id = f.visit_id join admin_units u "
                       "on u.id = v.district_id where u.code <> '838' and f.status = 'accepted' order by f.id")
    own = api.scalar("select f.id from findings f join visits v on v.id = f.visit_id join admin_units u "
                     "on u.id = v.district_id where u.code = '838' and f.status = 'accepted' order by f.id")

    r = api.call('PATCH', f'/api/v1/conclusions/{cid}', 'leader5', json={'summary': '   '})
    assert r.status_code == 422 and 'summary' in r.get_data(as_text=True)
    r = api.get(f'/api/v1/conclusions/{cid}', 'leader5')
    assert r.status_code == 200 and r.headers['ETag'] == '"1"'
    r = api.call('PATCH', f'/api/v1/conclusions/{cid}', 'leader5', json={'summary': 'Đánh giá chung đã sửa.'},
                 headers={'If-Match': '"1"'})
    assert r.status_code == 200 and r.get_json()['summary'] == 'Đánh giá chung đã sửa.' and r.headers['ETag'] == '"2"'
    r = api.call('PATCH', f'/api/v1/conclusions/{cid}', 'leader5', json={'summary': 'Cũ.', 'version': 1})
    assert r.status_code == 409
    assert api.call('PATCH', f'/api/v1/conclusions/{cid}', 'member25', json={'summary': 'X.'}).status_code in (403, 404)

    r = api.call('PATCH', f'/api/v1/recommendations/{rec}', 'leader5', json={'finding_id': other})
    assert r.status_code == 422 and r.get_json()['errors'][0]['field'] == 'finding'
    r = api.call('PATCH', f'/api/v1/recommendations/{rec}', 'leader5',
                 json={'finding_id': own, 'text': 'Rà soát lại vốn vay.', 'deadline': '2019-11-30'})
    assert r.status_code == 200 and r.get_json()['finding_id'] == own and r.get_json()['deadline'] == '2019-11-30'
    assert api.post(f'/api/v1/recommendations/{rec}/withdraw', 'leader5', json={'reason': ''}).status_code == 422
    assert api.post(f'/api/v1/recommendations/{done}/withdraw', 'secretariat',
                    json={'reason': 'Sai.'}).status_code == 409  # done: stays in the follow-up
    r = api.post(f'/api/v1/recommendations/{rec}/withdraw', 'leader5', json={'reason': 'Trùng lặp.'})
    assert r.status_code == 200 and r.get_json()['state'] == 'withdrawn'
    assert r.get_json()['withdrawn_reason'] == 'Trùng lặp.'
    listed = api.get('/api/v1/recommendations?state=withdrawn', 'secretariat').get_json()['items']
    assert [x['id'] for x in listed] == [rec]

    # the notice is issued: the conclusion is locked until a replacement is opened
    with unit_of_work(make_session_factory(api.app.extensions['inspect_flow.engine'])) as s:
        c = s.get(Conclusion, cid)
        doc = doc_ops.issue_document(s, s.get(Plan, c.plan_id), 'conclusion', unit=c.unit, actor='van-thu',
                                     issue_date=date(2019, 8, 20), signer=SignerIn(name='Nguyễn Văn An'))
        doc_id = doc.id
    r = api.call('PATCH', f'/api/v1/conclusions/{cid}', 'leader5', json={'summary': 'Sau khi ban hành.'})
    assert r.status_code == 409 and r.get_json()['code'] == 'correction.issued'
    assert api.post(f'/api/v1/documents/{doc_id}/replace', 'leader5', json={'reason': 'Sửa.'}).status_code == 403
    r = api.post(f'/api/v1/documents/{doc_id}/replace', 'secretariat', json={'reason': 'Đính chính.'})
    assert r.status_code == 201 and r.get_json()['document_id'] == doc_id and r.get_json()['closed_dt'] is None
    r = api.call('PATCH', f'/api/v1/conclusions/{cid}', 'leader5', json={'summary': 'Đã đính chính.'})
    assert r.status_code == 200
