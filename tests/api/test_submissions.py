"""Idempotent submissions: replayed sequentially and concurrently, each stored exactly once; stale edits refused."""

from __future__ import annotations

import json
import threading
import uuid

import requests

from tests.api.conftest import check_against_spec, member_visit, submission_for

SUBMIT_AUDIT = ("select count(*) from audit_entries where entity_type = 'visit' and entity_id = :v "
                "and trigger = 'submit'")


def test_same_key_replays_the_original_response_and_stores_once(api):  # noqa: ANN001
    visit = member_visit(api)
    body = submission_for(api, visit)
    key = str(uuid.uuid4())
    first = api.post(f'/api/v1/visits/{visit}/submissions', 'member25', json=body, headers={'Idempotency-Key': key})
    assert first.status_code == 201, first.get_data(as_text=True)
    assert first.get_json()['visit']['state'] == 'submitted'
    for _ in range(3):
        again = api.post(f'/api/v1/visits/{visit}/submissions', 'member25', json=body,
                         headers={'Idempotency-Key': key})
        assert again.status_code == 201
        assert again.get_data() == first.get_data()
        assert again.headers['Idempotent-Replayed'] == 'true'
    assert api.scalar(SUBMIT_AUDIT, v=visit) == 1
    assert api.scalar('select count(*) from idempotency_keys where key = :k', k=key) == 1
    # the same key with another body is a client error, and changes nothing
    other = dict(body, content={**body['content'], 'local_opinion': 'Khác.'})
    clash = api.post(f'/api/v1/visits/{visit}/submissions', 'member25', json=other, headers={'Idempotency-Key': key})
    assert clash.status_code == 409
    assert clash.get_json()['code'] == 'idempotency.key_reused'
    assert api.scalar(SUBMIT_AUDIT, v=visit) == 1
    # without a key, a second submission is refused by the workflow (the visit is already submitted)
    assert api.post(f'/api/v1/visits/{visit}/submissions', 'member25', json=body).status_code == 409


def test_client_submission_id_in_the_body_works_like_the_header(api):  # noqa: ANN001
    visit = member_visit(api)
    body = dict(submission_for(api, visit), submission_id=str(uuid.uuid4()))
    first = api.post(f'/api/v1/visits/{visit}/submissions', 'member25', json=body)
    again = api.post(f'/api/v1/visits/{visit}/submissions', 'member25', json=body)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.get_data() == first.get_data()
    assert api.scalar(SUBMIT_AUDIT, v=visit) == 1


def test_a_refused_submission_stores_no_key_and_can_be_retried(api):  # noqa: ANN001
    visit = member_visit(api)
    key = str(uuid.uuid4())
    bad = api.post(f'/api/v1/visits/{visit}/submissions', 'member25', json={'households': 'many'},
                   headers={'Idempotency-Key': key})
    assert bad.status_code == 422
    assert any(e['field'] == 'households' for e in bad.get_json()['errors'])
    assert api.scalar('select count(*) from idempotency_keys where key = :k', k=key) == 0
    good = api.post(f'/api/v1/visits/{visit}/submissions', 'member25', json=submission_for(api, visit),
                    headers={'Idempotency-Key': key})
    assert good.status_code == 201


def test_concurrent_duplicates_against_a_live_server_store_one_submission(api, live):  # noqa: ANN001
    visit = member_visit(api)
    body = submission_for(api, visit)
    key = str(uuid.uuid4())
    n = 8
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def send(i: int) -> None:
        barrier.wait()
        with requests.Session() as http:
            for _attempt in range(20):
                r = http.post(f'{live.url}/api/v1/visits/{visit}/submissions', json=body, timeout=30,
                              headers={'Authorization': f'Bearer {api.tokens["member25"]}', 'Idempotency-Key': key})
                if r.status_code != 503:  # the only retryable answer: database busy
                    break
            results[i] = r

    threads = [threading.Thread(target=send, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert all(r is not None for r in results)
    assert [r.status_code for r in results] == [201] * n, [r.text for r in results]
    assert len({r.content for r in results}) == 1, 'every copy gets the identical response'
    for r in results:
        check_against_spec(api.doc, 'POST', f'/api/v1/visits/{visit}/submissions', r)
    assert api.scalar(SUBMIT_AUDIT, v=visit) == 1
    assert api.scalar('select count(*) from idempotency_keys where key = :k', k=key) == 1
    assert sum(r.headers.get('Idempotent-Replayed') == 'true' for r in results) == n - 1


def test_stale_edits_get_409_and_current_ones_pass(api):  # noqa: ANN001
    visit = member_visit(api, 'member25', team=5)
    r = api.post(f'/api/v1/visits/{visit}/submissions', 'member25', json=submission_for(api, visit))
    assert r.status_code == 201
    findings = api.get(f'/api/v1/findings?visit_id={visit}', 'leader5').get_json()['items']
    assert findings, 'the submission recorded findings'
    f = findings[0]
    url = f'/api/v1/findings/{f["id"]}'
    # a member of the team may see the finding but not decide it
    assert api.call('PATCH', url, 'member25', json={'text': 'x'}).status_code == 403
    edit = api.call('PATCH', url, 'leader5', json={'text': 'Sửa lần một.'}, headers={'If-Match': f'"{f["version"]}"'})
    assert edit.status_code == 200, edit.get_data(as_text=True)
    assert edit.get_json()['version'] == f['version'] + 1
    stale = api.call('PATCH', url, 'leader5', json={'text': 'Sửa dựa trên bản cũ.'},
                     headers={'If-Match': f'"{f["version"]}"'})
    assert stale.status_code == 409
    assert stale.get_json()['code'] == 'stale_version'
    stale_body = api.call('PATCH', url, 'leader5', json={'text': 'Bản cũ.', 'version': f['version']})
    assert stale_body.status_code == 409
    assert api.get(url, 'leader5').get_json()['text'] == 'Sửa lần một.'


def test_stale_visit_draft_is_refused(api):  # noqa: ANN001
    visit = member_visit(api)
    current = api.get(f'/api/v1/visits/{visit}', 'member25').get_json()['version']
    ok = api.call('PUT', f'/api/v1/visits/{visit}/answers', 'member25', json={'answers': {}, 'version': current})
    assert ok.status_code == 200, ok.get_data(as_text=True)
    new_version = ok.get_json()['visit']['version']
    assert new_version > current
    stale = api.call('PUT', f'/api/v1/visits/{visit}/answers', 'member25', json={'answers': {}},
                     headers={'If-Match': f'"{current}"'})
    assert stale.status_code == 409
    assert json.loads(stale.get_data())['code'] == 'stale_version'
