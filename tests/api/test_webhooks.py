"""Webhooks: the outbox row is written with the event, deliveries are signed, failures retried with backoff."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from inspect_flow.core.db import make_session_factory, unit_of_work, utcnow
from inspect_flow.integrations import webhooks
from tests.api.conftest import member_visit, submission_for


class Receiver:
    """A real HTTP receiver on 127.0.0.1 that answers with the queued statuses, then 200."""

    def __init__(self, statuses: list[int]):
        self.statuses = list(statuses)
        self.received: list[tuple[dict, bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers['Content-Length']))
                outer.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(outer.statuses.pop(0) if outer.statuses else 200)
                self.end_headers()

            def log_message(self, *args) -> None:  # noqa: ANN002
                pass

        self.server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.url = f'http://127.0.0.1:{self.server.server_port}/hook'
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(monkeypatch):  # noqa: ANN001, ANN201
    monkeypatch.setenv(webhooks.ALLOWED_HOSTS_ENV, '127.0.0.1')
    r = Receiver([500])
    yield r
    r.stop()


def test_internal_targets_are_refused_unless_allowed(api, monkeypatch):  # noqa: ANN001
    monkeypatch.delenv(webhooks.ALLOWED_HOSTS_ENV, raising=False)
    for url in ('http://127.0.0.1:9/x', 'http://169.254.169.254/latest', 'http://10.1.2.3/', 'ftp://example.org/',
                'http://[::1]/x'):
        r = api.post('/api/v1/webhooks', json={'url': url, 'events': ['visit.submitted']})
        assert r.status_code == 422, url
        assert r.get_json()['errors'][0]['field'] == 'url'


def test_a_submission_is_delivered_signed_and_retried_with_backoff(api, receiver):  # noqa: ANN001
    created = api.post('/api/v1/webhooks', json={'url': receiver.url, 'events': ['visit.submitted'],
                                                 'secret': 's' * 32})
    assert created.status_code == 201, created.get_data(as_text=True)
    sub = created.get_json()
    visit = member_visit(api)
    assert api.post(f'/api/v1/visits/{visit}/submissions', 'member25',
                    json=submission_for(api, visit)).status_code == 201
    # the event was written with the submission
    assert api.scalar("select count(*) from webhook_outbox where event = 'visit.submitted'") == 1
    factory = make_session_factory(api.app.extensions['inspect_flow.engine'])
    with unit_of_work(factory) as s:
        first = webhooks.deliver_due(s)
    assert (first.delivered, first.retried) == (0, 1)  # the receiver answered 500
    with unit_of_work(factory) as s:
        assert webhooks.deliver_due(s).delivered == 0, 'not due yet: backoff'
    with unit_of_work(factory) as s:
        later = webhooks.deliver_due(s, now=utcnow() + webhooks.backoff(1) + timedelta(seconds=1))
    assert later.delivered == 1
    assert len(receiver.received) == 2
    headers, body = receiver.received[-1]
    assert webhooks.verify('s' * 32, headers['x-inspectflow-timestamp'], body, headers['x-inspectflow-signature'])
    assert not webhooks.verify('t' * 32, headers['x-inspectflow-timestamp'], body, headers['x-inspectflow-signature'])
    assert not webhooks.verify('s' * 32, headers['x-inspectflow-timestamp'], body + b' ',
                               headers['x-inspectflow-signature'])
    payload = json.loads(body)
    assert payload['event'] == 'visit.submitted' and payload['data']['visit_id'] == visit
    assert receiver.received[0][0]['x-inspectflow-delivery'] == headers['x-inspectflow-delivery']
    log = api.get(f'/api/v1/webhooks/{sub["id"]}/deliveries').get_json()['items']
    assert [a['status_code'] for a in log[0]['log']] == [500, 200]
    assert log[0]['state'] == 'delivered'


def test_a_refused_submission_writes_no_event(api, receiver):  # noqa: ANN001
    api.post('/api/v1/webhooks', json={'url': receiver.url, 'events': ['visit.submitted']})
    visit = member_visit(api)
    assert api.post(f'/api/v1/visits/{visit}/submissions', 'member25', json={'households': 3}).status_code == 422
    assert api.scalar('select count(*) from webhook_outbox') == 0


def test_backoff_grows_exponentially_and_is_capped():
    assert [webhooks.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert webhooks.backoff(30) == webhooks.BACKOFF_MAX


def test_document_issued_and_recommendation_overdue_are_delivered_signed(api_closed, receiver):  # noqa: ANN001
    from datetime import date

    from inspect_flow.documents.operations import issue_document
    from inspect_flow.documents.sources import SignerIn
    from inspect_flow.findings.operations import mark_overdue
    from inspect_flow.plans.models import Plan
    from inspect_flow.units.models import AdminUnit

    api = api_closed
    receiver.statuses.clear()
    secrets = {}
    for event in ('document.issued', 'recommendation.overdue'):
        r = api.post('/api/v1/webhooks', json={'url': receiver.url, 'events': [event], 'secret': event * 3})
        assert r.status_code == 201, r.get_data(as_text=True)
        secrets[event] = event * 3
    factory = make_session_factory(api.app.extensions['inspect_flow.engine'])
    with unit_of_work(factory) as s:
        plan = s.query(Plan).one()
        district = s.query(AdminUnit).filter_by(code='838').one()
        doc = issue_document(s, plan, 'conclusion', district=district, actor='test', issue_date=date(2019, 8, 20),
                             signer=SignerIn(name='Trần Văn A'))
        doc_id, plan_id = doc.id, plan.id
    with unit_of_work(factory) as s:
        overdue = sorted(rec.id for rec in mark_overdue(s, actor='test', today=date(2031, 1, 1)))
    assert overdue, 'the closed demo round has open recommendations'
    assert api.scalar("select count(*) from webhook_outbox where event = 'document.issued'") == 1
    assert api.scalar("select count(*) from webhook_outbox where event = 'recommendation.overdue'") == len(overdue)
    with unit_of_work(factory) as s:
        result = webhooks.deliver_due(s)
    assert (result.delivered, result.retried, result.failed) == (1 + len(overdue), 0, 0)
    by_event: dict[str, list[dict]] = {}
    for headers, body in receiver.received:
        event = headers['x-inspectflow-event']
        assert webhooks.verify(secrets[event], headers['x-inspectflow-timestamp'], body,
                               headers['x-inspectflow-signature'])
        other = next(e for e in secrets if e != event)
        assert not webhooks.verify(secrets[other], headers['x-inspectflow-timestamp'], body,
                                   headers['x-inspectflow-signature'])
        payload = json.loads(body)
        assert payload['event'] == event
        by_event.setdefault(event, []).append(payload['data'])
    [issued] = by_event['document.issued']
    assert issued['document_id'] == doc_id and issued['plan_id'] == plan_id and len(issued['sha256']) == 64
    assert issued['kind'] == 'conclusion' and issued['issue_date'] == '2019-08-20'
    assert sorted(d['recommendation_id'] for d in by_event['recommendation.overdue']) == overdue
    assert all(d['state'] == 'overdue' and d['deadline'] < '2031-01-01' for d in by_event['recommendation.overdue'])
    # marking again finds nothing new: no second event
    with unit_of_work(factory) as s:
        assert mark_overdue(s, actor='test', today=date(2031, 1, 2)) == []
    assert api.scalar("select count(*) from webhook_outbox where event = 'recommendation.overdue'") == len(overdue)


def _deliver(api, **kw):  # noqa: ANN001, ANN003, ANN202
    factory = make_session_factory(api.app.extensions['inspect_flow.engine'])
    with unit_of_work(factory) as s:
        return webhooks.deliver_due(s, **kw)


def test_a_rotated_secret_signs_with_both_during_the_overlap_then_only_the_new(api, receiver):  # noqa: ANN001
    receiver.statuses = []
    sub = api.post('/api/v1/webhooks', json={'url': receiver.url, 'events': ['visit.submitted'],
                                             'secret': 'o' * 32}).get_json()
    # only administrators rotate; a bad body keeps the old secret
    assert api.post(f'/api/v1/webhooks/{sub["id"]}/secret', 'member25', json={}).status_code == 403
    bad = api.post(f'/api/v1/webhooks/{sub["id"]}/secret', json={'secret': 'o' * 32})
    assert bad.status_code == 422 and bad.get_json()['code'] == 'webhook.same_secret'
    assert api.post(f'/api/v1/webhooks/{sub["id"]}/secret', json={'overlap_hours': 721}).status_code == 422
    assert api.scalar('select secret from webhook_subscriptions where id = :i', i=sub['id']) == 'o' * 32

    rotated = api.post(f'/api/v1/webhooks/{sub["id"]}/secret', json={'overlap_hours': 2})
    assert rotated.status_code == 200, rotated.get_data(as_text=True)
    new = rotated.get_json()['secret']
    assert new and new != 'o' * 32 and rotated.get_json()['previous_secret_until'] is not None
    listed = api.get('/api/v1/webhooks').get_json()['items'][0]
    assert listed['secret'] is None, 'the secret is shown once'

    visit = member_visit(api)
    assert api.post(f'/api/v1/visits/{visit}/submissions', 'member25',
                    json=submission_for(api, visit)).status_code == 201
    assert _deliver(api).delivered == 1
    headers, body = receiver.received[-1]
    signature, stamp = headers['x-inspectflow-signature'], headers['x-inspectflow-timestamp']
    assert signature.count('sha256=') == 2
    assert webhooks.verify(new, stamp, body, signature), 'a receiver already on the new secret accepts it'
    assert webhooks.verify('o' * 32, stamp, body, signature), 'a receiver still on the old secret accepts it'
    assert not webhooks.verify('x' * 32, stamp, body, signature)

    # after the overlap only the new secret signs
    with unit_of_work(make_session_factory(api.app.extensions['inspect_flow.engine'])) as s:
        row = webhooks.get_subscription(s, sub['id'])
        later = utcnow() + timedelta(hours=3)
        assert webhooks.signing_secrets(row, later) == [new]
        assert webhooks.signing_secrets(row) == [new, 'o' * 32]


def test_rotation_without_overlap_drops_the_old_secret_at_once(api, receiver):  # noqa: ANN001
    from click.testing import CliRunner

    from inspect_flow.cli import cli

    receiver.statuses = []
    sub = api.post('/api/v1/webhooks', json={'url': receiver.url, 'events': ['visit.submitted'],
                                             'secret': 'p' * 32}).get_json()
    url = str(api.app.extensions['inspect_flow.engine'].url.render_as_string(hide_password=False))
    result = CliRunner().invoke(cli, ['--db', url, 'webhooks', 'rotate', str(sub['id']), '--overlap-hours', '0'])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out['previous_secret_until'] is None and len(out['secret']) == 64
    visit = member_visit(api)
    api.post(f'/api/v1/visits/{visit}/submissions', 'member25', json=submission_for(api, visit))
    assert _deliver(api).delivered == 1
    headers, body = receiver.received[-1]
    assert headers['x-inspectflow-signature'].count('sha256=') == 1
    assert webhooks.verify(out['secret'], headers['x-inspectflow-timestamp'], body, headers['x-inspectflow-signature'])
    assert not webhooks.verify('p' * 32, headers['x-inspectflow-timestamp'], body,
                               headers['x-inspectflow-signature'])
    missing = CliRunner().invoke(cli, ['--db', url, 'webhooks', 'rotate', '99999'])
    assert missing.exit_code != 0 and 'Traceback' not in missing.output
