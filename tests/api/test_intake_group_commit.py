"""Group commit of asynchronous acknowledgments (:mod:`inspect_flow.intake.writer`), on SQLite and
PostgreSQL: many concurrent requests each stored once, a key replayed or refused inside one batch and across
batches, a bad request failing alone while the rest of its batch is stored, and the writer's counters."""

from __future__ import annotations

import hashlib
import json
import threading
import uuid

import pytest
import sqlalchemy as sa

from inspect_flow.core.db import utcnow
from inspect_flow.core.errors import Conflict
from inspect_flow.intake import operations as intake
from inspect_flow.intake.writer import IntakeWriter, PendingIntake, Written
from inspect_flow.integrations.idempotency import request_fingerprint
from inspect_flow.integrations.tokens import hash_secret
from tests.api.conftest import submission_for

ASYNC = {'Prefer': 'respond-async'}
PATH = '/api/v1/visits/{}/submissions'
MISSING_VISIT = 987_654


def member25_visits(api) -> list[int]:  # noqa: ANN001
    items = api.get('/api/v1/visits?state=scheduled', 'member25').get_json()['items']
    assert len(items) >= 3, 'the demo round puts member25 on three teams'
    return [v['id'] for v in items]


def user_id(api, username: str = 'ngan.ltk') -> int:  # noqa: ANN001
    return api.scalar('select id from users where username = :u', u=username)


def token_id(api, persona: str = 'member25') -> int:  # noqa: ANN001
    return api.scalar('select id from api_tokens where token_hash = :h', h=hash_secret(api.tokens[persona]))


def fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def pending(user: int, visit: int, key: str | None = None, *, body: str = '{}', touch: int | None = None,
            request_hash: str | None = None) -> PendingIntake:
    """What :func:`intake.accept` hands the writer, built by hand so that several can be queued at once."""
    uid = str(uuid.uuid4())
    now = utcnow()
    values = {'uid': uid, 'user_id': user, 'token_id': None, 'visit_id': visit, 'key': key or f'intake:{uid}',
              'body': body, 'if_match': None, 'lang': 'vi', 'state': 'queued', 'created_dt': now}
    response = json.dumps({'id': uid, 'visit_id': visit, 'key': values['key']})
    key_row = None
    if key is not None:
        key_row = {'user_id': user, 'key': key, 'scope': f'POST {PATH.format(visit)}',
                   'request_hash': request_hash or fingerprint(body), 'created_dt': now, 'response_status': 202,
                   'response_body': response}
    return PendingIntake(intake=values, response=response, key=key_row, touch_token_id=touch)


def write_as_one_batch(writer: IntakeWriter, items: list[PendingIntake]) -> list[Written | BaseException]:
    """Write *items* as one batch, as the writer thread does with the requests it found waiting."""
    writer._write_batch(items)
    out: list[Written | BaseException] = []
    for item in items:
        assert item.future.done(), 'every request of the batch is answered'
        try:
            out.append(item.future.result(0))
        except Exception as exc:  # noqa: BLE001
            out.append(exc)
    return out


@pytest.fixture
def writer(api):  # noqa: ANN001, ANN201
    """A writer of its own on the app's database (the app's writer serves the HTTP tests)."""
    w = IntakeWriter(api.app.extensions['inspect_flow.engine'])
    yield w
    if w._conn is not None:  # the idle writer thread holds it; close it so the database can be dropped
        w._conn.close()


def run_threads(n: int, target) -> list:  # noqa: ANN001
    """Run *target(i)* in *n* threads released together; return their results (re-raising the first error)."""
    barrier = threading.Barrier(n)
    results: list = [None] * n
    errors: list = []

    def work(i: int) -> None:
        barrier.wait()
        try:
            results[i] = target(i)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    assert not any(th.is_alive() for th in threads), 'a request thread never returned'
    if errors:
        raise errors[0]
    return results


def post_async(client, api, visit: int, body: str, key: str, persona: str = 'member25'):  # noqa: ANN001, ANN201
    return client.post(PATH.format(visit), data=body, content_type='application/json',
                       headers={**ASYNC, 'Idempotency-Key': key, 'Authorization': f'Bearer {api.tokens[persona]}'})


def warm_up(api, visit: int, body: str) -> None:  # noqa: ANN001
    """One request first, so that the app's writer holds its connection and the token is cached (for the whole
    test) before a burst: see test_a_cold_burst_larger_than_the_connection_pool_is_acknowledged."""
    api.app.extensions['inspect_flow.token_cache'].seconds = 600
    first = post_async(api.app.test_client(), api, visit, body, f'warm-up-{uuid.uuid4()}')
    assert first.status_code == 202, first.get_data(as_text=True)


def intake_rows(api) -> dict[str, str]:  # noqa: ANN001
    with api.app.extensions['inspect_flow.engine'].connect() as conn:
        return dict(conn.execute(sa.text('select key, uid from submission_intake')).all())


# --- through the HTTP API ---------------------------------------------------------------------------------

def test_concurrent_async_submissions_are_each_stored_once(api):  # noqa: ANN001
    visits = member25_visits(api)
    bodies = {v: json.dumps(submission_for(api, v)) for v in visits}
    writer = api.app.extensions['inspect_flow.intake_writer']
    warm_up(api, visits[0], bodies[visits[0]])

    def send(i: int) -> list[tuple[str, int, dict]]:
        client = api.app.test_client()
        out = []
        for j in range(10):
            visit = visits[(i + j) % len(visits)]
            key = f't{i}-r{j}-{uuid.uuid4()}'
            resp = post_async(client, api, visit, bodies[visit], key)
            out.append((key, resp.status_code, resp.get_json()))
        return out

    sent = [r for rs in run_threads(16, send) for r in rs]
    assert len(sent) == 160
    assert [(s, b) for _k, s, b in sent if s != 202] == [], 'every acknowledgment is a 202'
    assert all(body['idempotency_key'] == key and body['state'] == 'queued' for key, _s, body in sent)
    assert len({body['id'] for _k, _s, body in sent}) == 160, 'each request has its own status resource'
    for table in ('idempotency_keys', 'submission_intake'):
        assert api.scalar(f'select count(*) from {table}') == 161, table
        assert api.scalar(f'select count(distinct key) from {table}') == 161, f'a key stored twice in {table}'
    stored = intake_rows(api)
    assert all(stored[key] == body['id'] for key, _s, body in sent), 'the 202 names the row that was stored'
    assert writer.rows == 161, 'the counter counts every stored row'
    assert 1 <= writer.batches <= 161
    # nothing was applied: acknowledgment only stores
    assert api.scalar("select count(*) from submission_intake where state <> 'queued'") == 0


def test_a_cold_burst_larger_than_the_connection_pool_is_acknowledged(api, monkeypatch):  # noqa: ANN001
    """More concurrent requests than the connection pool holds, on a cold writer (no connection yet): all are
    acknowledged. A request holds one pooled connection at a time (a token-cache miss uses a short session of
    its own) and gives it back before it waits for the writer, which has its own connection outside the pool.
    Before that fix the writer waited for a connection the waiting requests held: every request stalled for
    the pool timeout (shortened here so that a regression fails fast) and some got 503 db.unavailable."""
    visits = member25_visits(api)
    body = json.dumps(submission_for(api, visits[0]))
    engine = api.app.extensions['inspect_flow.engine']
    monkeypatch.setattr(engine.pool, '_timeout', 2)
    assert engine.pool.size() + engine.pool._max_overflow <= 16

    def send(i: int) -> tuple[int, str | None]:
        resp = post_async(api.app.test_client(), api, visits[i % len(visits)], body, f'burst-{i}')
        return resp.status_code, (resp.get_json() or {}).get('code')

    results = run_threads(16, send)
    refused = [r for r in results if r[0] != 202]
    assert refused == [], (
        f'{len(refused)} of 16 concurrent async requests were refused {sorted(set(refused))}: the request threads '
        'held every pooled connection while waiting for the intake writer, which needed one to commit their rows')


def test_the_same_key_sent_concurrently_is_stored_once_and_replayed_to_the_others(api):  # noqa: ANN001
    visit = member25_visits(api)[0]
    body = json.dumps(submission_for(api, visit))
    key = str(uuid.uuid4())
    warm_up(api, visit, body)

    def send(_i: int):  # noqa: ANN202
        return post_async(api.app.test_client(), api, visit, body, key)

    responses = run_threads(8, send)
    assert [r.status_code for r in responses] == [202] * 8
    fresh = [r for r in responses if r.headers.get('Idempotent-Replayed') != 'true']
    assert len(fresh) == 1, 'exactly one request stored the submission; the others replayed it'
    assert {r.get_data() for r in responses} == {fresh[0].get_data()}, 'a replay is the identical 202 body'
    assert api.scalar('select count(*) from submission_intake where key = :k', k=key) == 1
    assert api.scalar('select count(*) from idempotency_keys where key = :k', k=key) == 1
    stored = api.scalar('select uid from submission_intake where key = :k', k=key)
    assert json.loads(fresh[0].get_data())['id'] == stored
    other = json.loads(body)
    other['content'] = {**other['content'], 'local_opinion': 'Khác.'}
    refused = post_async(api.app.test_client(), api, visit, json.dumps(other), key)
    assert refused.status_code == 409
    assert refused.get_json()['code'] == 'idempotency.key_reused'
    assert api.scalar('select count(*) from submission_intake') == 2, 'the warm-up and the one stored copy'


# --- the writer, through intake.accept ------------------------------------------------------------------------

def accept(writer: IntakeWriter, user: int, visit: int, raw: dict, key: str | None, **kw) -> Written:  # noqa: ANN003
    path = PATH.format(visit)
    return intake.accept(writer, user, visit, raw_text=json.dumps(raw), key=key,
                         fingerprint=request_fingerprint('POST', path, raw) if key else None, path=path,
                         if_match=None, lang='vi', **kw)


def test_accept_from_many_threads_with_one_key_stores_one_row(api, writer):  # noqa: ANN001
    visit = member25_visits(api)[0]
    user = user_id(api)
    raw = {'content': {'local_opinion': 'Một.'}}
    key = str(uuid.uuid4())
    results = run_threads(12, lambda _i: accept(writer, user, visit, raw, key))
    assert all(isinstance(r, Written) and r.status == 202 for r in results)
    assert sorted(r.replayed for r in results) == [False] + [True] * 11
    assert len({r.body for r in results}) == 1, 'every replay carries the body of the stored 202'
    stored = intake_rows(api)
    assert list(stored) == [key]
    assert json.loads(results[0].body)['id'] == stored[key]
    with pytest.raises(Conflict) as info:
        accept(writer, user, visit, {'content': {'local_opinion': 'Hai.'}}, key)
    assert info.value.code == 'idempotency.key_reused' and info.value.status == 409
    assert writer.rows == 1 and api.scalar('select count(*) from submission_intake') == 1


def test_a_key_stored_by_an_earlier_request_replays(api, writer):  # noqa: ANN001
    visits = member25_visits(api)
    user = user_id(api)
    raw = {'content': {'local_opinion': 'Một.'}}
    first = accept(writer, user, visits[0], raw, 'early')
    assert (first.status, first.replayed) == (202, False)
    # another process (another writer) receives the resend
    other = IntakeWriter(api.app.extensions['inspect_flow.engine'])
    try:
        again = accept(other, user, visits[0], raw, 'early')
        assert (again.status, again.body, again.replayed) == (202, first.body, True)
        with pytest.raises(Conflict) as info:
            accept(other, user, visits[0], {'content': {}}, 'early')
        assert info.value.code == 'idempotency.key_reused'
        assert (other.rows, other.batches) == (0, 2), 'replays and refusals store no row'
    finally:
        if other._conn is not None:
            other._conn.close()
    # a key used by a synchronous submission replays its 201 through the writer
    body = submission_for(api, visits[1])
    sync = api.post(PATH.format(visits[1]), 'member25', json=body, headers={'Idempotency-Key': 'sync-key'})
    assert sync.status_code == 201, sync.get_data(as_text=True)
    replay = accept(writer, user, visits[1], body, 'sync-key')
    assert (replay.status, replay.replayed) == (201, True)
    assert json.loads(replay.body) == sync.get_json()
    assert api.scalar('select count(*) from submission_intake') == 1
    assert writer.rows == 1


# --- one batch ------------------------------------------------------------------------------------------------

def test_one_batch_stores_a_key_once_replays_it_and_refuses_another_body(api, writer):  # noqa: ANN001
    visits = member25_visits(api)
    user, other_user = user_id(api), user_id(api, 'nghia.tv')
    early_a = accept(writer, user, visits[0], {'a': 1}, 'early-a')
    early_b = accept(writer, user, visits[0], {'b': 1}, 'early-b')
    assert not early_a.replayed and not early_b.replayed
    writer2 = IntakeWriter(api.app.extensions['inspect_flow.engine'])
    touched = token_id(api)
    assert api.scalar('select last_used_dt from api_tokens where id = :t', t=touched) is None
    same_as_early_b = request_fingerprint('POST', PATH.format(visits[0]), {'b': 1})
    items = [
        pending(user, visits[0], 'k', body='{"n": 1}', touch=touched),  # 0 stores k
        pending(user, visits[0], 'k', body='{"n": 1}'),  # 1 same key, same body: replays 0
        pending(user, visits[1], 'k2', body='{"n": 2}'),  # 2 stores k2
        pending(user, visits[1], 'k2', body='{"n": 3}'),  # 3 same key, other body: refused
        pending(user, visits[2]),  # 4 no key
        pending(other_user, visits[0], 'k', body='{"n": 4}'),  # 5 the same key of another user: its own
        pending(user, visits[0], 'early-a', body='{}'),  # 6 stored by an earlier batch, other body: refused
        pending(user, visits[0], 'early-b', request_hash=same_as_early_b),  # 7 stored before, same body: replays
    ]
    try:
        out = write_as_one_batch(writer2, items)
        assert (writer2.batches, writer2.rows) == (1, 4), 'one transaction, four rows stored'
    finally:
        if writer2._conn is not None:
            writer2._conn.close()
    assert out[0] == Written(202, items[0].response, False)
    assert out[1] == Written(202, items[0].response, True), 'the later copy replays the first'
    assert out[2] == Written(202, items[2].response, False)
    assert isinstance(out[3], Conflict) and out[3].code == 'idempotency.key_reused'
    assert out[4] == Written(202, items[4].response, False)
    assert out[5] == Written(202, items[5].response, False)
    assert isinstance(out[6], Conflict) and out[6].code == 'idempotency.key_reused'
    assert out[7] == Written(202, early_b.body, True), 'a key stored by an earlier batch replays its 202'
    with api.app.extensions['inspect_flow.engine'].connect() as conn:
        rows = {(r.user_id, r.key): r.uid
                for r in conn.execute(sa.text('select user_id, key, uid from submission_intake'))}
    assert rows == {(user, 'early-a'): json.loads(early_a.body)['id'],
                    (user, 'early-b'): json.loads(early_b.body)['id'],
                    (user, 'k'): items[0].intake['uid'], (user, 'k2'): items[2].intake['uid'],
                    (user, items[4].intake['key']): items[4].intake['uid'], (other_user, 'k'): items[5].intake['uid']}
    assert api.scalar("select response_body from idempotency_keys where user_id = :u and key = 'k'", u=user) == \
        items[0].response
    assert api.scalar('select last_used_dt from api_tokens where id = :t', t=touched) is not None, \
        'the token use is recorded with the batch'


@pytest.mark.parametrize('order', ['copy_first', 'other_body_first'])
def test_a_copy_and_another_body_under_one_key_in_one_batch_each_get_their_own_answer(api, writer, order):  # noqa: ANN001
    """A copy of the first request and one with another body under the same key, in one batch, each get their
    own answer: the copy replays the first 202, the other body is refused 409. (``stored_responses`` once
    answered by (user, key) only, giving the last answer to both: the copy refused, or the other body
    answered with the first 202 as if stored, and silently lost.)"""
    visit = member25_visits(api)[0]
    user = user_id(api)
    first = pending(user, visit, 'shared', body='{"n": 1}')
    copy = pending(user, visit, 'shared', body='{"n": 1}')
    other = pending(user, visit, 'shared', body='{"n": 2}')
    later = [copy, other] if order == 'copy_first' else [other, copy]
    out = dict(zip(['first', *(('copy', 'other') if order == 'copy_first' else ('other', 'copy'))],
                   write_as_one_batch(writer, [first, *later]), strict=True))
    assert out['first'] == Written(202, first.response, False)
    assert isinstance(out['other'], Conflict), (
        f'a different body under a used key must be refused 409, but it was answered {out["other"]!r} '
        '(the answer meant for the copy in the same batch)')
    assert out['copy'] == Written(202, first.response, True), (
        f'a copy of the first request must replay its 202, but it was answered {out["copy"]!r} '
        '(the answer meant for the other body in the same batch)')
    assert intake_rows(api) == {'shared': first.intake['uid']}


def test_a_bad_request_fails_alone_and_the_rest_of_its_batch_is_stored(api, writer):  # noqa: ANN001
    engine = api.app.extensions['inspect_flow.engine']
    if engine.dialect.name == 'sqlite':
        with engine.connect() as conn:
            assert conn.exec_driver_sql('PRAGMA foreign_keys').scalar() == 1, 'SQLite enforces foreign keys'
    visits = member25_visits(api)
    user = user_id(api)
    assert api.scalar('select count(*) from visits where id = :v', v=MISSING_VISIT) == 0
    items = [
        pending(user, visits[0], 'good-1', body='{"n": 1}'),
        pending(user, MISSING_VISIT, 'bad', body='{"n": 2}'),  # violates submission_intake.visit_id's foreign key
        pending(user, visits[1]),
        pending(user, visits[0], 'good-1', body='{"n": 1}'),  # a copy of the first: replays it
        pending(user, visits[2], 'good-3', body='{"n": 3}'),
    ]
    out = write_as_one_batch(writer, items)
    assert isinstance(out[1], sa.exc.IntegrityError), f'the bad request fails with its own error, got {out[1]!r}'
    assert out[0] == Written(202, items[0].response, False)
    assert out[2] == Written(202, items[2].response, False)
    assert out[3] == Written(202, items[0].response, True)
    assert out[4] == Written(202, items[4].response, False)
    stored = intake_rows(api)
    assert set(stored) == {'good-1', items[2].intake['key'], 'good-3'}
    assert api.scalar("select count(*) from idempotency_keys where key = 'bad'") == 0, \
        'nothing of the bad request is stored (its key is free for a corrected resend)'
    # the batch was rolled back, then each request written in a transaction of its own
    assert (writer.batches, writer.rows) == (4, 3)
    # the writer goes on (with a new connection): the corrected resend is stored under the same key
    fixed = pending(user, visits[1], 'bad', body='{"n": 2}')
    assert writer.write(fixed) == Written(202, fixed.response, False)
    assert (writer.batches, writer.rows) == (5, 4)
    assert api.scalar('select count(*) from submission_intake') == writer.rows


def test_a_batch_of_one_bad_request_fails_and_stores_nothing(api, writer):  # noqa: ANN001
    user = user_id(api)
    with pytest.raises(sa.exc.IntegrityError):
        writer.write(pending(user, MISSING_VISIT, 'lonely', body='{}'))
    assert (writer.batches, writer.rows) == (0, 0)
    assert api.scalar('select count(*) from submission_intake') == 0
    assert api.scalar('select count(*) from idempotency_keys') == 0
