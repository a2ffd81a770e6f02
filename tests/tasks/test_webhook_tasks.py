"""Webhook delivery on a real worker (Redis): a worker killed with SIGKILL while its receiver holds the request;
after a restart the webhook is delivered, every time under the same event id, and the outbox row ends delivered."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from inspect_flow.integrations.webhooks import create_subscription, enqueue
from inspect_flow.tasks.app import unit_of_work
from tests.tasks.conftest import REDIS_URL
from tests.tasks.helpers import SECRET, Receiver, check_signed, wait_until


@pytest.fixture
def holding_receiver(monkeypatch):  # noqa: ANN001, ANN201
    monkeypatch.setenv('INSPECT_FLOW_WEBHOOK_ALLOWED_HOSTS', '127.0.0.1')
    r = Receiver(hold_first=True)
    yield r
    r.stop()


def _row(engine: sa.Engine, row_id: int) -> sa.Row:
    with engine.connect() as conn:
        return conn.execute(sa.text('select state, attempts, delivery_id from webhook_outbox where id = :i'),
                            {'i': row_id}).one()


@pytest.mark.parametrize('kind', ['sqlite', 'postgresql'])
def test_worker_killed_mid_delivery_delivers_after_restart_under_the_same_event_id(
        make_worker, databases, holding_receiver, kind):  # noqa: ANN001
    receiver = holding_receiver
    url = databases.fresh(kind)
    worker = app = None
    try:
        worker = make_worker(url, REDIS_URL, INSPECT_FLOW_WEBHOOK_ALLOWED_HOSTS='127.0.0.1')
        worker.start()
        app = worker.celery()
        engine = app.extensions['inspect_flow.engine']
        with app.app_context():
            with unit_of_work() as session:  # an event in the outbox, as an operation's flush puts it there
                create_subscription(session, url=receiver.url, events=['document.issued'], actor='test',
                                    secret=SECRET)
                [row] = enqueue(session, 'document.issued', {'document_id': 7, 'number': 12})
                session.flush()
                row_id, delivery_id = row.id, row.delivery_id
            # committed: the delivery task was sent

        assert receiver.first.wait(60), 'the worker did not post the webhook within 60 s'
        worker.kill()  # SIGKILL of the worker's process group while the receiver holds the request
        receiver.release.set()
        assert _row(engine, row_id).state == 'pending', 'the killed attempt changed nothing'

        worker.start()  # a new worker on the same queue: the broker gives the unacknowledged task back
        wait_until(lambda: _row(engine, row_id).state == 'delivered', 90,
                   'the webhook was delivered after the restart')
        got = receiver.deliveries()
        assert len(got) >= 2, 'posted once before the kill, again after it'
        payloads = [check_signed(headers, body) for headers, body in got]
        assert {headers['x-inspectflow-delivery'] for headers, _ in got} == {delivery_id}
        assert all(p == payloads[0] for p in payloads) and payloads[0]['data'] == {'document_id': 7, 'number': 12}
        state, attempts, _ = _row(engine, row_id)
        assert (state, attempts) == ('delivered', 1)  # the attempt cut by the kill left no trace but the post
        with engine.connect() as conn:
            log = conn.execute(sa.text('select attempt, status_code from webhook_attempts where outbox_id = :i'),
                               {'i': row_id}).all()
        assert [tuple(x) for x in log] == [(1, 200)]
    finally:
        if worker is not None:
            worker.stop()
        if app is not None:
            app.extensions['inspect_flow.engine'].dispose()
        databases.release(url)


def test_a_broker_that_is_down_fails_no_commit_and_keeps_no_request_waiting(databases, monkeypatch, caplog):  # noqa: ANN001
    import time

    from inspect_flow import create_app
    from inspect_flow.tasks.intake import send_process

    monkeypatch.setenv('INSPECT_FLOW_BROKER_URL', 'redis://127.0.0.1:1/0')  # nothing listens there
    monkeypatch.setenv('INSPECT_FLOW_WEBHOOK_ALLOWED_HOSTS', '127.0.0.1')
    url = databases.fresh('sqlite')
    app = create_app({'DATABASE_URL': url, 'TESTING': True})
    try:
        with app.app_context():
            started = time.monotonic()
            with unit_of_work() as session:
                create_subscription(session, url='http://127.0.0.1:9/hook', events=['document.issued'],
                                    actor='test', secret=SECRET)
                enqueue(session, 'document.issued', {'document_id': 1})
            assert send_process() is False
            assert time.monotonic() - started < 3, 'no retrying against a broker that is down'
        with app.extensions['inspect_flow.engine'].connect() as conn:
            assert conn.execute(sa.text("select state from webhook_outbox")).scalar() == 'pending'  # committed
        logged = [r.getMessage() for r in caplog.records if r.name == 'inspect_flow.tasks']
        assert any('the scheduler will deliver them' in m for m in logged), logged
        assert any('the scheduler will apply' in m for m in logged), logged
    finally:
        app.extensions['inspect_flow.engine'].dispose()
        databases.release(url)
