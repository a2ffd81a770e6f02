"""The embedded default: with no broker, the same tasks run in the calling process when called, and a request
sends none (a 202 is not applied in the request, a webhook is not posted from it: the command-line loops do it,
as before)."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from inspect_flow import create_app
from inspect_flow.cli import cli
from inspect_flow.tasks.app import dispatch, in_process
from inspect_flow.tasks.intake import PROCESS
from inspect_flow.tasks.schedule import RECUR, REMINDERS
from inspect_flow.tasks.webhooks import DELIVER, DELIVER_DUE
from tests.api.conftest import ApiClient, build, submission_for
from tests.notify.conftest import SmtpServer
from tests.tasks.helpers import SECRET, Receiver, check_signed
from tests.tasks.test_schedule_tasks import _closed_round_with_official


@pytest.fixture
def no_broker(monkeypatch):  # noqa: ANN001, ANN201
    monkeypatch.delenv('INSPECT_FLOW_BROKER_URL', raising=False)
    monkeypatch.setenv('INSPECT_FLOW_WEBHOOK_ALLOWED_HOSTS', '127.0.0.1')


@pytest.fixture
def receiver():  # noqa: ANN201
    r = Receiver()
    yield r
    r.stop()


def test_without_broker_requests_send_nothing_and_the_tasks_run_in_process(no_broker, databases, receiver):  # noqa: ANN001
    url = databases.fresh('sqlite')
    app = None
    try:
        app, tokens = build(url)
        assert in_process(app)
        api = ApiClient(app, tokens)
        assert api.post('/api/v1/webhooks', json={'url': receiver.url, 'events': ['visit.submitted'],
                                                  'secret': SECRET}).status_code == 201
        visit = api.get('/api/v1/visits?state=scheduled', 'member25').get_json()['items'][0]['id']
        accepted = api.post(f'/api/v1/visits/{visit}/submissions', 'member25', json=submission_for(api, visit),
                            headers={'Prefer': 'respond-async', 'Idempotency-Key': str(uuid.uuid4())})
        assert accepted.status_code == 202
        # the request did not apply it (the 202 does not wait for the apply step)
        assert api.get(accepted.headers['Location'], 'member25').get_json()['state'] == 'queued'

        with app.app_context():
            assert dispatch(PROCESS).get() == {'done': 1, 'failed': 0, 'batches': 1}  # here, now
            assert dispatch(PROCESS).get() == {'done': 0, 'failed': 0, 'batches': 0}  # again: nothing twice
        assert api.get(accepted.headers['Location'], 'member25').get_json()['state'] == 'done'
        # its webhook is in the outbox; the worker's commit sent no task in process: nothing posted yet
        row_id, state = api.scalar('select id from webhook_outbox'), api.scalar('select state from webhook_outbox')
        assert state == 'pending' and receiver.deliveries() == []

        with app.app_context():
            assert dispatch(DELIVER, row_id).get() == {'delivered': 1, 'retried': 0, 'failed': 0}
            assert dispatch(DELIVER, row_id).get() == {'delivered': 0, 'retried': 0, 'failed': 0}
            assert dispatch(DELIVER_DUE).get() == {'delivered': 0, 'retried': 0, 'failed': 0}
        [(headers, body)] = receiver.deliveries()
        assert check_signed(headers, body)['data']['visit_id'] == visit
        assert headers['x-inspectflow-delivery'] == api.scalar('select delivery_id from webhook_outbox')
        assert api.scalar('select state from webhook_outbox') == 'delivered'
    finally:
        if app is not None:
            app.extensions['inspect_flow.engine'].dispose()
        databases.release(url)


def test_without_broker_the_daily_run_runs_in_process_once_a_day(no_broker, databases, receiver, monkeypatch):  # noqa: ANN001
    url = databases.fresh('sqlite')
    smtp = SmtpServer()
    smtp.start()
    monkeypatch.setenv('INSPECT_FLOW_SMTP_URL', smtp.url)
    app = None
    try:
        _closed_round_with_official(url, receiver.url)
        app = create_app({'DATABASE_URL': url, 'TESTING': True})
        with app.app_context():
            report = dispatch(REMINDERS, '2020-01-02').get()
            again = dispatch(REMINDERS, '2020-01-02').get()
            assert dispatch(RECUR, '2020-01-02').get() == {'created': []}  # no recurring plan
        assert (report['marked_overdue'], report['messages_sent'], report['reminders_sent']) == (2, 1, 1)
        assert (again['marked_overdue'], again['recorded'], again['messages_sent']) == (0, 0, 0), 'once a day'
        [(_, rcpts, _)] = smtp.mailbox.received
        assert rcpts == ['can.bo.huyen@example.gov.vn']
        with app.extensions['inspect_flow.engine'].connect() as conn:
            pending = conn.execute(sa.text("select count(*) from webhook_outbox where state = 'pending'")).scalar()
        assert pending == 2 and receiver.deliveries() == []  # for the command line's loop, as before
        result = CliRunner().invoke(cli, ['--db', url, 'webhooks', 'deliver'])
        assert result.exit_code == 0 and 'delivered=2' in result.output, result.output
        assert len(receiver.deliveries()) == 2
    finally:
        smtp.stop()
        if app is not None:
            app.extensions['inspect_flow.engine'].dispose()
        databases.release(url)
