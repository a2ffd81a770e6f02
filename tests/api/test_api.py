"""Contract, authentication, per-role access, problem documents and evidence uploads."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from inspect_flow.integrations.tokens import revoke_token


def test_openapi_document_and_docs_page_are_self_contained(api):  # noqa: ANN001
    doc = api.doc
    assert doc['openapi'] == '3.1.0'
    text = api.c.get('/api/v1/openapi.json').get_data(as_text=True)
    for ref in set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', text)):
        assert ref in doc['components']['schemas'], ref
    for path in ('/plans', '/visits/{visit_id}/submissions', '/findings/{finding_id}', '/documents/{document_id}/pdf',
                 '/units', '/recommendations/{recommendation_id}/reports', '/plans/{plan_id}/checklists'):
        assert path in doc['paths']
    page = api.c.get('/api/v1/docs')
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert not re.search(r'(src|href)="(https?:)?//', html), 'no external assets'
    assert api.c.get('/api/v1/docs.js').status_code == 200


def test_tokens_authenticate_and_revoked_ones_do_not(api):  # noqa: ANN001
    assert api.get('/api/v1/me', None).status_code == 401
    bad = api.get('/api/v1/me', None, headers={'Authorization': 'Bearer ifk_nope'})
    assert bad.status_code == 401
    assert bad.headers['Content-Type'] == 'application/problem+json'
    assert api.get('/api/v1/me', 'member25').get_json()['username'] == 'ngan.ltk'
    from inspect_flow.core.db import make_session_factory, unit_of_work
    from inspect_flow.integrations.models import ApiToken
    from inspect_flow.integrations.tokens import hash_secret

    with unit_of_work(make_session_factory(api.app.extensions['inspect_flow.engine'])) as s:
        token = s.query(ApiToken).filter_by(token_hash=hash_secret(api.tokens['member25'])).one()
        revoke_token(s, token)
    assert api.get('/api/v1/me', 'member25').status_code == 401
    assert api.scalar('select count(*) from api_tokens where token_hash like :p', p='ifk_%') == 0, 'only hashes'


def test_per_role_access_matches_the_web_rules(api):  # noqa: ANN001
    all_visits = api.get('/api/v1/visits?limit=200').get_json()['items']
    assert len(all_visits) == 9
    mine = api.get('/api/v1/visits?limit=200', 'member25').get_json()['items']
    assert 0 < len(mine) < 9
    other = next(v for v in all_visits if v['id'] not in {m['id'] for m in mine})
    assert api.get(f'/api/v1/visits/{other["id"]}', 'member25').status_code == 404
    assert api.get(f'/api/v1/visits/{mine[0]["id"]}', 'member25').status_code == 200
    # a local official sees no plan; the secretariat sees it but may not submit a team's record
    assert api.get('/api/v1/plans', 'district838').get_json()['items'] == []
    plan = api.get('/api/v1/plans').get_json()['items'][0]['id']
    assert api.get(f'/api/v1/plans/{plan}', 'district838').status_code == 404
    r = api.post(f'/api/v1/visits/{mine[0]["id"]}/submissions', 'secretariat', json={})
    assert r.status_code == 403
    # webhooks are for administrators
    assert api.get('/api/v1/webhooks', 'secretariat').status_code == 403
    assert api.get('/api/v1/webhooks').status_code == 200


def test_lists_paginate_without_gaps_or_repeats(api):  # noqa: ANN001
    seen, cursor = [], None
    for _ in range(20):
        page = api.get('/api/v1/visits?limit=2' + (f'&cursor={cursor}' if cursor else '')).get_json()
        seen += [v['id'] for v in page['items']]
        cursor = page['next_cursor']
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 9
    # Bến Tre's 9 district-level units of 2019 (Trà Vinh's and Vĩnh Long's are known from 01/01/2025 only).
    districts = api.get('/api/v1/units?level=district&on=2019-07-05&limit=200').get_json()['items']
    assert len(districts) == 9 and {u['level'] for u in districts} == {'district'}


@pytest.mark.parametrize('lang', ['vi', 'en'])
def test_bad_input_gets_problem_documents_never_500(api, lang):  # noqa: ANN001
    visit = api.get('/api/v1/visits?state=scheduled', 'member25').get_json()['items'][0]['id']
    url = f'/api/v1/visits/{visit}/submissions'
    h = {'Accept-Language': lang}
    cases = [
        ('POST', url, {'data': b'{"participants": [', 'content_type': 'application/json'}, 422),
        ('POST', url, {'data': b'NaN', 'content_type': 'application/json'}, 422),
        ('POST', url, {'json': {'households': [{'code': 'H1', 'category': 'rich'}]}}, 422),
        ('POST', url, {'json': {'content': {'purpose': 'a\x00b'}}}, 422),
        ('POST', url, {'json': {'answers': {'x': 10**40}}}, 422),
        ('POST', url, {'json': [1, 2]}, 422),
        ('GET', '/api/v1/visits/99999999999999999999', {}, 404),
        ('GET', '/api/v1/visits/abc', {}, 404),
        ('GET', '/api/v1/findings?limit=100000', {}, 422),
        ('GET', '/api/v1/plans?cursor=-1', {}, 422),
    ]
    for method, path, kw, status in cases:
        r = api.call(method, path, 'member25', headers=h, **kw)
        assert r.status_code == status, (path, kw, r.get_data(as_text=True))
        body = r.get_json()
        assert r.headers['Content-Type'] == 'application/problem+json'
        assert body['status'] == status and body['type'].startswith('urn:inspect-flow:problem:')
        assert body['title'] == {'vi': {404: 'Không tìm thấy', 422: 'Dữ liệu không hợp lệ'},
                                 'en': {404: 'Not found', 422: 'Unprocessable content'}}[lang][status]
    r = api.call('POST', url, 'member25', headers=h, json={'households': [{'code': 'H1', 'category': 'rich'}]})
    assert [e['field'] for e in r.get_json()['errors']] == ['households.0.category']


def _photo_with_gps() -> bytes:
    img = Image.new('RGB', (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x8825] = {1: 'N', 2: (10.0, 14.0, 0.0)}
    out = io.BytesIO()
    img.save(out, 'JPEG', exif=exif)
    return out.getvalue()


def test_evidence_is_stored_once_typed_from_bytes_and_stripped(api):  # noqa: ANN001
    data = _photo_with_gps()
    first = api.post('/api/v1/evidence', 'member25', data=data, headers={'X-Filename': 'a.jpg'})
    second = api.post('/api/v1/evidence', 'member25', data=data, headers={'X-Filename': 'copy.jpg'})
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.get_json()['ref'] == second.get_json()['ref']
    assert first.get_json()['media_type'] == 'image/jpeg'
    assert api.scalar('select count(*) from evidence_files') == 1
    assert api.get(f"/api/v1/evidence/{first.get_json()['ref']}", 'member25').status_code == 200
    fake = api.post('/api/v1/evidence', 'member25', data=b'<html>not a photo</html>', headers={'X-Filename': 'x.jpg'})
    assert fake.status_code == 422 and fake.get_json()['code'] == 'evidence.bad_type'
    big = api.post('/api/v1/evidence', 'member25', data=b'\xff\xd8\xff' + b'0' * (11 * 1024 * 1024))
    assert big.status_code in (413, 422)


def test_documents_metadata_and_pdf(api_closed):  # noqa: ANN001
    api = api_closed
    from inspect_flow.core.db import make_session_factory, unit_of_work
    from inspect_flow.documents.operations import issue_document
    from inspect_flow.plans.models import Plan

    with unit_of_work(make_session_factory(api.app.extensions['inspect_flow.engine'])) as s:
        plan = s.query(Plan).one()
        from datetime import date

        from inspect_flow.documents.sources import SignerIn
        from inspect_flow.units.models import AdminUnit

        district = s.query(AdminUnit).filter_by(code='838').one()
        issue_document(s, plan, 'conclusion', district=district, actor='test', issue_date=date(2019, 8, 20),
                       signer=SignerIn(name='Trần Văn A'))
    docs = api.get('/api/v1/documents?state=issued').get_json()['items']
    assert len(docs) == 1 and docs[0]['pdf_url']
    pdf = api.get(docs[0]['pdf_url'])
    assert pdf.status_code == 200 and pdf.data.startswith(b'%PDF')
    # The web's rule: the district's officials read the notice sent to them; a team that did not visit does not.
    assert api.get(docs[0]['pdf_url'], 'district838').status_code == 200
    assert [d['id'] for d in api.get('/api/v1/documents', 'district838').get_json()['items']] == [docs[0]['id']]
    assert api.get(docs[0]['pdf_url'], 'member36').status_code == 404
    assert api.get('/api/v1/documents', 'member36').get_json()['items'] == []
    recs = api.get('/api/v1/recommendations', 'district838').get_json()['items']
    assert recs and all(r['addressee_unit_id'] == recs[0]['addressee_unit_id'] for r in recs)


def test_units_are_read_on_their_day_with_their_successions(api):  # noqa: ANN001
    def one(code: str, on: str) -> dict:
        items = api.get(f'/api/v1/units?code={code}&on={on}').get_json()['items']
        assert len(items) == 1, items
        return items[0]

    old = one('28936', '2019-07-12')
    assert (old['full_name'], old['valid_to']) == ('Xã Nhuận Phú Tân', '2025-07-01')
    assert one('28948', '2019-07-12')['full_name'] == 'Xã Khánh Thạnh Tân'
    new = one('28948', '2026-03-01')
    assert new['full_name'] == 'Xã Nhuận Phú Tân' and new['valid_from'] == '2025-07-01'
    detail = api.get(f'/api/v1/units/{old["id"]}').get_json()
    assert [(s['code'], s['date'], s['is_default']) for s in detail['successors']] == [('28948', '2025-07-01', True)]
    assert detail['now_part_of']['id'] == new['id']
    formed = api.get(f'/api/v1/units/{new["id"]}').get_json()
    assert sorted(p['code'] for p in formed['predecessors']) == ['28927', '28936', '28948']
    assert formed['predecessors'][1]['name'] == 'Xã Nhuận Phú Tân'
    assert formed['now_part_of'] is None
    bad = api.get('/api/v1/units?on=2026-02-31')
    assert bad.status_code == 422
    assert [e['field'] for e in bad.get_json()['errors']] == ['on']
