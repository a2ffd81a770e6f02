"""The asynchronous intake's apply step on a real worker (Redis), on both databases: a 202-accepted submission is
applied by the worker, its ``visit.submitted`` webhook delivered by the worker, signed; repeated apply tasks apply
nothing twice."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from inspect_flow.tasks.app import dispatch
from inspect_flow.tasks.intake import PROCESS
from tests.api.conftest import ApiClient, build, submission_for
from tests.tasks.conftest import REDIS_URL
from tests.tasks.helpers import SECRET, Receiver, check_signed, queue_drained, wait_until

ASYNC = {'Prefer': 'respond-async'}
SUBMIT_AUDIT = ("select count(*) from audit_entries where entity_type = 'visit' and entity_id = :v "
                "and trigger = 'submit'")


@pytest.fixture
def receiver(monkeypatch):  # noqa: ANN001, ANN201
    monkeypatch.setenv('INSPECT_FLOW_WEBHOOK_ALLOWED_HOSTS', '127.0.0.1')
    r = Receiver()
    yield r
    r.stop()


def _status(api: ApiClient, url: str) -> dict | None:
    body = api.get(url, 'member25').get_json()
    return body if body['state'] != 'queued' else None


@pytest.mark.parametrize('kind', ['sqlite', 'postgresql'])
def test_accepted_submission_is_applied_by_the_worker_once_and_its_webhook_delivered(
        make_worker, databases, receiver, kind):  # noqa: ANN001
    url = databases.fresh(kind)
    worker = app = None
    try:
        plain, tokens = build(url)  # the 2019 demo round, visits scheduled
        plain.extensions['inspect_flow.engine'].dispose()
        worker = make_worker(url, REDIS_URL, INSPECT_FLOW_WEBHOOK_ALLOWED_HOSTS='127.0.0.1')
        worker.start()
        app = worker.celery()  # the web app as deployed with the worker: same broker, same queue
        api = ApiClient(app, tokens)
        created = api.post('/api/v1/webhooks', json={'url': receiver.url, 'events': ['visit.submitted'],
                                                     'secret': SECRET})
        assert created.status_code == 201, created.get_data(as_text=True)
        items = api.get('/api/v1/visits?state=scheduled', 'member25').get_json()['items']
        first, second = items[0]['id'], items[1]['id']

        accepted = api.post(f'/api/v1/visits/{first}/submissions', 'member25', json=submission_for(api, first),
                            headers={**ASYNC, 'Idempotency-Key': str(uuid.uuid4())})
        assert accepted.status_code == 202, accepted.get_data(as_text=True)
        status_url = accepted.headers['Location']
        done = wait_until(lambda: _status(api, status_url), 60, 'the worker applied the submission')
        assert done['state'] == 'done' and done['response_status'] == 201, done
        assert done['submission']['visit']['state'] == 'submitted'
        assert api.get(f'/api/v1/visits/{first}', 'member25').get_json()['state'] == 'submitted'

        # the worker's commit sent the delivery task: posted to the receiver, signed, under the row's delivery id
        [(headers, body)] = wait_until(receiver.deliveries, 60, 'the webhook was delivered')
        payload = check_signed(headers, body)
        assert payload['event'] == 'visit.submitted' and payload['data']['visit_id'] == first
        assert headers['x-inspectflow-event'] == 'visit.submitted'
        delivery = api.scalar('select delivery_id from webhook_outbox')
        assert headers['x-inspectflow-delivery'] == delivery
        wait_until(lambda: api.scalar('select state from webhook_outbox') == 'delivered', 30,
                   'the outbox row is marked delivered')

        # the same apply task again, twice, for a queue whose submission was applied: nothing happens twice
        processed_dt = api.scalar('select processed_dt from submission_intake')
        with app.app_context():
            dispatch(PROCESS)
            dispatch(PROCESS)
        queue_drained(worker)
        assert api.scalar(SUBMIT_AUDIT, v=first) == 1
        assert api.scalar('select processed_dt from submission_intake') == processed_dt
        assert api.scalar('select count(*) from webhook_outbox') == 1, 'one event, one delivery'

        # several tasks for one queued submission (its own and two more, sent at once): applied once
        accepted = api.post(f'/api/v1/visits/{second}/submissions', 'member25', json=submission_for(api, second),
                            headers={**ASYNC, 'Idempotency-Key': str(uuid.uuid4())})
        assert accepted.status_code == 202
        with app.app_context():
            dispatch(PROCESS)
            dispatch(PROCESS)
        done = wait_until(lambda: _status(api, accepted.headers['Location']), 60, 'the second submission applied')
        assert done['state'] == 'done', done
        queue_drained(worker)
        assert api.scalar(SUBMIT_AUDIT, v=second) == 1
        assert api.scalar("select count(*) from submission_intake where state = 'done'") == 2
        wait_until(lambda: len(receiver.deliveries()) == 2, 30, 'the second webhook was delivered')
        assert api.scalar("select count(*) from webhook_outbox where state = 'delivered'") == 2
        with app.extensions['inspect_flow.engine'].connect() as conn:
            rows = set(conn.execute(sa.text('select delivery_id from webhook_outbox')).scalars())
        assert {h['x-inspectflow-delivery'] for h, _ in receiver.deliveries()} == rows
    finally:
        if worker is not None:
            worker.stop()
        if app is not None:
            app.extensions['inspect_flow.engine'].dispose()
        databases.release(url)
