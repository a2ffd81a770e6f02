"""The token cache of the asynchronous intake (``TokenCache``, ``revoked_before``), on SQLite and PostgreSQL.

Only ``POST /visits/{id}/submissions`` with ``Prefer: respond-async`` trusts a token checked in the last few
seconds; the intake worker checks the token again when it applies the submission, so a revoked token may
get a 202 within the cache window but never an applied submission. Everything else checks every request.
"""

from __future__ import annotations

import time
import uuid

import sqlalchemy as sa

from inspect_flow.accounts.operations import find_user
from inspect_flow.core.db import make_session_factory, unit_of_work
from inspect_flow.intake import operations as intake
from inspect_flow.integrations.tokens import create_token, hash_secret
from tests.api.conftest import submission_for

ASYNC = {'Prefer': 'respond-async'}
PATH = '/api/v1/visits/{}/submissions'
SUBMIT_AUDIT = ("select count(*) from audit_entries where entity_type = 'visit' and entity_id = :v "
                "and trigger = 'submit'")


def factory(api):  # noqa: ANN001, ANN201
    return make_session_factory(api.app.extensions['inspect_flow.engine'])


def cache(api):  # noqa: ANN001, ANN201
    return api.app.extensions['inspect_flow.token_cache']


def member25_visits(api) -> list[int]:  # noqa: ANN001
    items = api.get('/api/v1/visits?state=scheduled', 'member25').get_json()['items']
    assert len(items) >= 3, 'the demo round puts member25 on three teams'
    return [v['id'] for v in items]


def send_async(api, visit: int, who: str = 'member25', key: str | None = None):  # noqa: ANN001, ANN201
    return api.post(PATH.format(visit), who, json=submission_for(api, visit),
                    headers={**ASYNC, 'Idempotency-Key': key or str(uuid.uuid4())})


def revoke(api, who: str = 'member25') -> None:  # noqa: ANN001
    """Revoke *who*'s token through the API, as its owner would."""
    token_id = api.scalar('select id from api_tokens where token_hash = :h', h=hash_secret(api.tokens[who]))
    resp = api.call('DELETE', f'/api/v1/tokens/{token_id}', who)
    assert resp.status_code == 200 and resp.get_json()['revoked_dt'] is not None


def visit_state(api, visit: int) -> str:  # noqa: ANN001
    return api.get(f'/api/v1/visits/{visit}', 'admin').get_json()['state']


def test_a_revoked_token_is_acknowledged_within_the_cache_window_but_refused_when_applied(api):  # noqa: ANN001
    cache(api).seconds = 600  # the window outlasts the test, however slow the machine
    before, after = member25_visits(api)[:2]
    early = send_async(api, before)  # fills the cache
    assert early.status_code == 202, early.get_data(as_text=True)
    revoke(api)

    late = send_async(api, after)
    assert late.status_code == 202, 'within the cache window a revoked token is still acknowledged'
    assert api.scalar('select count(*) from submission_intake') == 2

    result = intake.process(factory(api))
    assert (result.done, result.failed) == (1, 1)
    applied = api.get(early.get_json()['status_url'], 'admin').get_json()
    assert applied['state'] == 'done' and applied['response_status'] == 201, \
        'a submission acknowledged before the revocation is applied'
    assert visit_state(api, before) == 'submitted'
    refused = api.get(late.get_json()['status_url'], 'admin').get_json()
    assert refused['state'] == 'failed' and refused['response_status'] == 401
    assert refused['problem']['code'] == 'auth.revoked'
    assert refused['submission'] is None
    assert visit_state(api, after) == 'scheduled', 'a submission acknowledged after the revocation is not applied'
    assert api.scalar(SUBMIT_AUDIT, v=after) == 0

    # once the cache forgets the token, the acknowledgment itself is refused and nothing is stored
    cache(api).clear()
    third = send_async(api, after)
    assert third.status_code == 401 and third.get_json()['code'] == 'auth.required'
    assert api.scalar('select count(*) from submission_intake') == 2


def test_the_cached_token_expires_after_its_window(api):  # noqa: ANN001
    visit = member25_visits(api)[0]
    cache(api).seconds = 0.2
    assert send_async(api, visit).status_code == 202  # fills the cache for 0.2 s
    revoke(api)
    time.sleep(0.3)
    refused = send_async(api, visit)
    assert refused.status_code == 401, 'after the window the token is checked again'
    assert refused.headers['WWW-Authenticate'] == 'Bearer'
    assert api.scalar('select count(*) from submission_intake') == 1


def test_everything_but_the_async_intake_refuses_a_revoked_token_at_once(api):  # noqa: ANN001
    cache(api).seconds = 600
    visits = member25_visits(api)
    assert send_async(api, visits[0]).status_code == 202  # the token is now in the cache
    revoke(api)
    assert send_async(api, visits[1]).status_code == 202, 'the cache still trusts it (the point of this test)'

    got = api.get(f'/api/v1/visits/{visits[1]}', 'member25')
    assert got.status_code == 401 and got.get_json()['code'] == 'auth.required'
    assert api.get('/api/v1/tokens', 'member25').status_code == 401
    sync = api.post(PATH.format(visits[2]), 'member25', json=submission_for(api, visits[2]),
                    headers={'Idempotency-Key': str(uuid.uuid4())})
    assert sync.status_code == 401, 'a synchronous submission checks the token on every request'
    assert visit_state(api, visits[2]) == 'scheduled'
    saved = api.call('PUT', f'/api/v1/visits/{visits[2]}/answers', 'member25', json={'answers': {}})
    assert saved.status_code == 401
    # the status of a queued submission is not readable with it either
    uid = api.scalar('select uid from submission_intake order by id limit 1')
    assert api.get(f'/api/v1/submissions/{uid}', 'member25').status_code == 401
    assert api.get(f'/api/v1/submissions/{uid}', 'admin').get_json()['state'] == 'queued'


def test_another_token_of_the_same_user_is_not_affected(api):  # noqa: ANN001
    cache(api).seconds = 600
    visits = member25_visits(api)
    with unit_of_work(factory(api)) as s:
        api.tokens['member25b'] = create_token(s, find_user(s, 'ngan.ltk'), name='second device')[1]
    assert send_async(api, visits[0]).status_code == 202
    assert send_async(api, visits[1], 'member25b').status_code == 202
    revoke(api)
    result = intake.process(factory(api))
    assert (result.done, result.failed) == (2, 0), 'both were acknowledged before the revocation'
    assert send_async(api, visits[2], 'member25b').status_code == 202
    assert intake.process(factory(api)).done == 1, "the user's other token still works"


def test_a_user_disabled_within_the_cache_window_is_refused_when_applied(api):  # noqa: ANN001
    cache(api).seconds = 600
    visits = member25_visits(api)
    assert send_async(api, visits[0]).status_code == 202
    with api.app.extensions['inspect_flow.engine'].begin() as conn:
        conn.execute(sa.text("update users set is_active = :f where username = 'ngan.ltk'"), {'f': False})
    late = send_async(api, visits[1])
    assert late.status_code == 202, 'the cached snapshot still says active'
    assert api.get(f'/api/v1/visits/{visits[1]}', 'member25').status_code == 401
    result = intake.process(factory(api))
    assert result.processed == 2 and result.done == 0, 'neither is applied for a disabled account'
    refused = api.get(late.get_json()['status_url'], 'admin').get_json()
    assert refused['state'] == 'failed' and refused['response_status'] == 403
    assert visit_state(api, visits[1]) == 'scheduled'
