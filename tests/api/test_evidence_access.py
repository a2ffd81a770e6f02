"""Evidence by known hash through the JSON API and the asynchronous intake (issue 18, item 1): a file may be
attached only by someone who may already see it, and its metadata follows the same rule (404 alike for an
unknown file and a forbidden one)."""

from __future__ import annotations

import io
import uuid

from PIL import Image

from inspect_flow.core.db import make_session_factory
from inspect_flow.intake import operations as intake
from tests.api.conftest import member_visit, submission_for


def _jpeg(colour=(10, 160, 90)) -> bytes:  # noqa: ANN001
    out = io.BytesIO()
    Image.new('RGB', (40, 30), colour).save(out, 'JPEG')
    return out.getvalue()


def _upload(api, who: str, colour=(10, 160, 90)) -> str:  # noqa: ANN001
    r = api.post('/api/v1/evidence', who, data=_jpeg(colour), headers={'X-Filename': f'{who}.jpg'})
    assert r.status_code in (200, 201), r.get_data(as_text=True)
    return r.get_json()['ref']


def _refused(resp, field: str) -> None:  # noqa: ANN001
    assert resp.status_code == 422, resp.get_data(as_text=True)
    body = resp.get_json()
    assert body['code'] == 'evidence.not_found'
    assert [e['field'] for e in body['errors']] == [field], body


def test_metadata_is_404_alike_for_unknown_and_forbidden_files(api) -> None:  # noqa: ANN001
    ref = _upload(api, 'member25')
    unknown = 'sha256:' + 'ab' * 32
    forbidden = api.get(f'/api/v1/evidence/{ref}', 'member36')
    missing = api.get(f'/api/v1/evidence/{unknown}', 'member36')
    assert forbidden.status_code == missing.status_code == 404
    strip = lambda body: {k: v for k, v in body.items() if k != 'instance'}  # noqa: E731
    assert strip(forbidden.get_json()) == strip(missing.get_json())
    for who in ('district838', 'commune28936'):
        assert api.get(f'/api/v1/evidence/{ref}', who).status_code == 404
    mine = api.get(f'/api/v1/evidence/{ref}', 'member25')
    assert mine.status_code == 200 and mine.get_json()['original_name'] == 'member25.jpg'
    # attached to a visit of team 5, it is seen by those who see the visit: its leader, the secretariat
    visit = member_visit(api, 'member25', team=5)
    assert api.call('PUT', f'/api/v1/visits/{visit}/answers', 'member25',
                    json={'answers': {'session_photo': ref}}).status_code == 200
    for who in ('leader5', 'secretariat', 'admin'):
        assert api.get(f'/api/v1/evidence/{ref}', who).status_code == 200, who
    assert api.get(f'/api/v1/evidence/{ref}', 'member36').status_code == 404


def test_a_known_hash_is_refused_by_every_api_door_and_nothing_is_written(api) -> None:  # noqa: ANN001
    ref = _upload(api, 'member25')
    own = member_visit(api, 'member36')
    before = api.get(f'/api/v1/visits/{own}', 'member36').get_json()

    # draft answers
    r = api.call('PUT', f'/api/v1/visits/{own}/answers', 'member36', json={'answers': {'session_photo': ref}})
    _refused(r, 'session_photo')
    # a synchronous submission: in the answers, a household's answers, a finding's evidence
    body = submission_for(api, own)
    cases = [
        (dict(body, answers={**body['answers'], 'session_photo': ref}), 'answers.session_photo'),
        (dict(body, households=[{'code': 'HN-01', 'category': 'poor', 'answers': {'photo': ref}}]),
         'households.0.answers.photo'),
        (dict(body, findings=[{'kind': 'limitation', 'category': 'Hồ sơ', 'text': 'Thiếu hồ sơ.',
                               'evidence': ['Sổ theo dõi', ref]}]), 'findings.0.evidence.1'),
    ]
    for payload, field in cases:
        r = api.post(f'/api/v1/visits/{own}/submissions', 'member36', json=payload,
                     headers={'Idempotency-Key': str(uuid.uuid4())})
        _refused(r, field)
    after = api.get(f'/api/v1/visits/{own}', 'member36').get_json()
    assert (after['state'], after['version'], after['answers']) == (before['state'], before['version'],
                                                                    before['answers'])

    # the asynchronous intake: acknowledged (202), then refused by the worker with the same problem
    r = api.post(f'/api/v1/visits/{own}/submissions', 'member36', json=cases[0][0],
                 headers={'Prefer': 'respond-async', 'Idempotency-Key': str(uuid.uuid4())})
    assert r.status_code == 202
    result = intake.process(make_session_factory(api.app.extensions['inspect_flow.engine']))
    assert (result.done, result.failed) == (0, 1)
    status = api.get(r.get_json()['status_url'], 'member36').get_json()
    assert status['state'] == 'failed' and status['response_status'] == 422
    assert status['problem']['code'] == 'evidence.not_found'
    assert [e['field'] for e in status['errors']] == ['answers.session_photo']
    assert api.get(f'/api/v1/visits/{own}', 'member36').get_json()['version'] == before['version']

    # having uploaded the same bytes, member36 may attach them (and the worker applies the submission)
    assert _upload(api, 'member36') == ref
    r = api.post(f'/api/v1/visits/{own}/submissions', 'member36', json=cases[0][0],
                 headers={'Prefer': 'respond-async', 'Idempotency-Key': str(uuid.uuid4())})
    assert r.status_code == 202
    result = intake.process(make_session_factory(api.app.extensions['inspect_flow.engine']))
    assert (result.done, result.failed) == (1, 0)
    assert api.get(f'/api/v1/visits/{own}', 'member36').get_json()['answers']['session_photo'] == ref
    assert api.get(f'/api/v1/evidence/{ref}', 'member36').get_json()['original_name'] == 'member36.jpg'


def test_a_report_attaches_only_files_its_addressee_may_see(api_closed) -> None:  # noqa: ANN001
    api = api_closed
    rec = next(r for r in api.get('/api/v1/recommendations', 'district838').get_json()['items']
               if r['state'] not in ('verified',))
    foreign = _upload(api, 'admin', (1, 2, 3))
    reports = api.scalar('select count(*) from follow_up_reports')
    r = api.post(f"/api/v1/recommendations/{rec['id']}/reports", 'district838',
                 json={'text': 'Đã khắc phục.', 'evidence': ['Công văn số 12/UBND', foreign]})
    _refused(r, 'evidence.1')
    assert api.scalar('select count(*) from follow_up_reports') == reports
    own = _upload(api, 'district838', (4, 5, 6))
    r = api.post(f"/api/v1/recommendations/{rec['id']}/reports", 'district838',
                 json={'text': 'Đã khắc phục.', 'evidence': ['Công văn số 12/UBND', own]})
    assert r.status_code == 201, r.get_data(as_text=True)
    # the report holds it now: the secretariat sees it, another unit's official does not
    assert api.get(f'/api/v1/evidence/{own}', 'secretariat').status_code == 200
    assert api.get(f'/api/v1/evidence/{own}', 'commune28936').status_code == 404
    assert api.get(f'/api/v1/evidence/{foreign}', 'district838').status_code == 404
