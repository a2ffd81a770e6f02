"""Asynchronous intake (Prefer: respond-async): 202 + status URL, applied by the worker exactly once, outcome
on the status resource; idempotency keys pruned by the CLI."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from click.testing import CliRunner

from inspect_flow.cli import cli
from inspect_flow.core.db import make_session_factory, utcnow
from inspect_flow.core.problems import TITLES
from inspect_flow.intake import operations as intake
from tests.api.conftest import submission_for

ASYNC = {'Prefer': 'respond-async'}
SUBMIT_AUDIT = ("select count(*) from audit_entries where entity_type = 'visit' and entity_id = :v "
                "and trigger = 'submit'")


def scheduled(api, who: str = 'member25') -> list[int]:  # noqa: ANN001
    items = api.get('/api/v1/visits?state=scheduled', who).get_json()['items']
    return [v['id'] for v in items]


def factory(api):  # noqa: ANN001, ANN201
    return make_session_factory(api.app.extensions['inspect_flow.engine'])


def send_async(api, visit: int, body: dict, key: str, who: str = 'member25'):  # noqa: ANN001, ANN201
    return api.post(f'/api/v1/visits/{visit}/submissions', who, json=body,
                    headers={**ASYNC, 'Idempotency-Key': key})


def test_async_submission_is_acknowledged_then_applied_once(api):  # noqa: ANN001
    visit = scheduled(api)[0]
    body = submission_for(api, visit)
    key = str(uuid.uuid4())
    first = send_async(api, visit, body, key)
    assert first.status_code == 202, first.get_data(as_text=True)
    status = first.get_json()
    assert status['state'] == 'queued' and status['idempotency_key'] == key
    assert first.headers['Location'] == status['status_url'] == f'/api/v1/submissions/{status["id"]}'
    assert first.headers['Preference-Applied'] == 'respond-async'
    # stored, not applied yet
    assert api.get(f'/api/v1/visits/{visit}', 'member25').get_json()['state'] == 'scheduled'
    assert api.get(status['status_url'], 'member25').get_json()['state'] == 'queued'
    # a resend with the same key replays the 202; another body under the key is refused; one intake row
    again = send_async(api, visit, body, key)
    assert again.status_code == 202 and again.get_data() == first.get_data()
    assert again.headers['Idempotent-Replayed'] == 'true'
    other = dict(body, content={**body['content'], 'local_opinion': 'Khác.'})
    assert send_async(api, visit, other, key).status_code == 409
    # the synchronous path with the same key replays the 202 too (one key, one request)
    sync = api.post(f'/api/v1/visits/{visit}/submissions', 'member25', json=body, headers={'Idempotency-Key': key})
    assert sync.status_code == 202 and sync.get_data() == first.get_data()
    assert api.scalar('select count(*) from submission_intake') == 1

    result = intake.process(factory(api))
    assert (result.done, result.failed) == (1, 0)
    assert intake.process(factory(api)).processed == 0, 'nothing is applied twice'
    done = api.get(status['status_url'], 'member25')
    assert done.status_code == 200
    done = done.get_json()
    assert done['state'] == 'done' and done['response_status'] == 201 and done['errors'] == []
    assert done['submission']['visit']['state'] == 'submitted'
    assert done['submission']['idempotency_key'] == key
    assert api.scalar(SUBMIT_AUDIT, v=visit) == 1
    # only the sender (or an administrator) sees the status
    assert api.get(status['status_url'], 'member36').status_code == 404
    assert api.get(status['status_url'], 'admin').status_code == 200
    assert api.get('/api/v1/submissions/not-a-uuid', 'member25').status_code == 404


def test_a_refused_async_submission_records_the_same_per_item_errors_as_the_sync_path(api):  # noqa: ANN001
    first, second = scheduled(api)[:2]
    bad = [submission_for(api, v) for v in (first, second)]
    for b in bad:
        b['answers']['directive_documents'] = -5
    sync = api.post(f'/api/v1/visits/{first}/submissions', 'member25', json=bad[0])
    assert sync.status_code in (409, 422), sync.get_data(as_text=True)
    sync_fields = sorted(e['field'] for e in sync.get_json()['errors'])
    assert any('directive_documents' in (f or '') for f in sync_fields)

    accepted = send_async(api, second, bad[1], str(uuid.uuid4()))
    assert accepted.status_code == 202
    assert intake.process(factory(api)).failed == 1
    status = api.get(accepted.get_json()['status_url'], 'member25').get_json()
    assert status['state'] == 'failed' and status['response_status'] == sync.status_code
    assert status['problem']['code'] == sync.get_json()['code']
    assert sorted(e['field'] for e in status['errors']) == sync_fields
    assert status['submission'] is None
    assert api.get(f'/api/v1/visits/{second}', 'member25').get_json()['state'] == 'scheduled'
    # a refusal is recorded in the submitter's language
    en = api.post(f'/api/v1/visits/{second}/submissions', 'member25', json=bad[1],
                  headers={**ASYNC, 'Idempotency-Key': str(uuid.uuid4()), 'Accept-Language': 'en'})
    intake.process(factory(api))
    assert api.get(en.get_json()['status_url'], 'member25').get_json()['problem']['title'] == \
        TITLES[sync.status_code][1]


def test_a_worker_crash_mid_batch_applies_nothing_and_the_retry_applies_each_once(api, monkeypatch):  # noqa: ANN001
    visits = scheduled(api)[:3]
    for v in visits:
        assert send_async(api, v, submission_for(api, v), str(uuid.uuid4())).status_code == 202
    real = intake._apply_row
    calls = []

    def crashing(session, row):  # noqa: ANN001, ANN202
        calls.append(row.id)
        real(session, row)
        if len(calls) == 2:
            raise SystemExit('killed')  # like kill -9 after two rows were applied, before the commit

    monkeypatch.setattr(intake, '_apply_row', crashing)
    with pytest.raises(SystemExit):
        intake.process(factory(api), max_batch_ms=60_000)  # one transaction for the three
    assert api.scalar("select count(*) from submission_intake where state = 'queued'") == 3
    assert all(api.scalar(SUBMIT_AUDIT, v=v) == 0 for v in visits)
    monkeypatch.setattr(intake, '_apply_row', real)
    assert intake.process(factory(api)).done == 3
    assert [api.scalar(SUBMIT_AUDIT, v=v) for v in visits] == [1, 1, 1]


def test_concurrent_workers_apply_each_submission_once(api):  # noqa: ANN001
    visits = scheduled(api)[:4]
    for v in visits:
        assert send_async(api, v, submission_for(api, v), str(uuid.uuid4())).status_code == 202
    results = []
    barrier = threading.Barrier(3)

    errors = []

    def work() -> None:
        barrier.wait()
        try:
            results.append(intake.process(factory(api), batch=1))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert errors == []
    assert len(visits) >= 3
    assert sum(r.done for r in results) == len(visits) and sum(r.failed for r in results) == 0
    assert [api.scalar(SUBMIT_AUDIT, v=v) for v in visits] == [1] * len(visits)
    assert api.scalar("select count(*) from submission_intake where state = 'done'") == len(visits)


def test_idle_worker_steps_aside_while_submissions_arrive(api):  # noqa: ANN001
    visit = scheduled(api)[0]
    assert send_async(api, visit, submission_for(api, visit), str(uuid.uuid4())).status_code == 202
    waiting = intake.process(factory(api), idle_ms=60_000, max_lag_s=3600)
    assert waiting.deferred and waiting.processed == 0
    assert intake.process(factory(api), idle_ms=60_000, max_lag_s=0).done == 1, 'the oldest waited long enough'


def test_cli_processes_the_queue_and_prunes_old_keys(api, db_url):  # noqa: ANN001
    visit = scheduled(api)[0]
    old_key, new_key = str(uuid.uuid4()), str(uuid.uuid4())
    assert send_async(api, visit, submission_for(api, visit), old_key).status_code == 202
    runner = CliRunner()
    res = runner.invoke(cli, ['--db', db_url, 'submissions', 'process'])
    assert res.exit_code == 0, res.output
    assert 'done=1 failed=0' in res.output
    assert api.scalar(SUBMIT_AUDIT, v=visit) == 1
    other = scheduled(api)[0]
    assert api.post(f'/api/v1/visits/{other}/submissions', 'member25', json=submission_for(api, other),
                    headers={'Idempotency-Key': new_key}).status_code == 201
    engine = api.app.extensions['inspect_flow.engine']
    with engine.begin() as conn:
        import sqlalchemy as sa

        conn.execute(sa.text('update idempotency_keys set created_dt = :d where key = :k'),
                     {'d': utcnow() - timedelta(days=8), 'k': old_key})
        conn.execute(sa.text('update submission_intake set processed_dt = :d where key = :k'),
                     {'d': utcnow() - timedelta(days=8), 'k': old_key})
    queued_key = str(uuid.uuid4())
    assert send_async(api, scheduled(api)[0], submission_for(api, scheduled(api)[0]), queued_key).status_code == 202
    with engine.begin() as conn:  # old but still queued: kept
        conn.execute(sa.text('update submission_intake set created_dt = :d where key = :k'),
                     {'d': utcnow() - timedelta(days=30), 'k': queued_key})
    res = runner.invoke(cli, ['--db', db_url, '--lang', 'en', 'api', 'prune-keys', '--older-than', '7d'])
    assert res.exit_code == 0, res.output
    assert 'Deleted 1 idempotency keys and 1 processed asynchronous submissions' in res.output
    assert api.scalar('select count(*) from submission_intake where key = :k', k=old_key) == 0
    assert api.scalar("select state from submission_intake where key = :k", k=queued_key) == 'queued'
    assert api.scalar('select count(*) from idempotency_keys where key = :k', k=old_key) == 0
    assert api.scalar('select count(*) from idempotency_keys where key = :k', k=new_key) == 1
    bad = runner.invoke(cli, ['--db', db_url, 'api', 'prune-keys', '--older-than', 'seven days'])
    assert bad.exit_code == 2
    assert api.scalar('select count(*) from idempotency_keys where key = :k', k=new_key) == 1


def test_async_without_a_key_and_a_stale_version_recorded_at_intake(api):  # noqa: ANN001
    first, second = scheduled(api)[:2]
    plain = api.post(f'/api/v1/visits/{first}/submissions', 'member25', json=submission_for(api, first),
                     headers=ASYNC)
    assert plain.status_code == 202 and plain.get_json()['idempotency_key'].startswith('intake:')
    version = api.get(f'/api/v1/visits/{second}', 'member25').get_json()['version']
    based = api.post(f'/api/v1/visits/{second}/submissions', 'member25', json=submission_for(api, second),
                     headers={**ASYNC, 'If-Match': f'"{version}"', 'Idempotency-Key': str(uuid.uuid4())})
    assert based.status_code == 202
    # the visit changes after the intake: the queued edit is now stale
    saved = api.call('PUT', f'/api/v1/visits/{second}/answers', 'member25', json={'answers': {}})
    assert saved.status_code == 200 and saved.get_json()['visit']['version'] > version
    result = intake.process(factory(api))
    assert (result.done, result.failed) == (1, 1)
    ok = api.get(plain.get_json()['status_url'], 'member25').get_json()
    assert ok['state'] == 'done' and ok['submission']['idempotency_key'] is None
    stale = api.get(based.get_json()['status_url'], 'member25').get_json()
    assert stale['state'] == 'failed' and stale['response_status'] == 409
    assert stale['problem']['code'] == 'stale_version'
    assert api.scalar(SUBMIT_AUDIT, v=second) == 0
    # already stale when it arrives: refused at once, nothing queued
    late = api.post(f'/api/v1/visits/{second}/submissions', 'member25', json=submission_for(api, second),
                    headers={**ASYNC, 'If-Match': f'"{version}"', 'Idempotency-Key': str(uuid.uuid4())})
    assert late.status_code == 409
    assert api.scalar('select count(*) from submission_intake') == 2
