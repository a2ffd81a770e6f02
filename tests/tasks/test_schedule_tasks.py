"""The daily run on the scheduler: the beat schedule's entries (time configurable, Asia/Ho_Chi_Minh), and a real
``inspect-flow worker --beat`` on RabbitMQ running the reminder task through a real SMTP server (aiosmtpd); the
overdue marking's webhooks delivered, a failed one retried by the scheduler under the same event id."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from celery.beat import ScheduleEntry
from celery.schedules import crontab
from click.testing import CliRunner

from inspect_flow.accounts.models import Role
from inspect_flow.accounts.operations import create_user
from inspect_flow.cli import cli
from inspect_flow.core.clock import LOCAL_TZ
from inspect_flow.core.db import make_engine, make_session_factory, unit_of_work
from inspect_flow.core.errors import InvalidInput
from inspect_flow.findings.models import Recommendation
from inspect_flow.integrations.webhooks import create_subscription
from inspect_flow.tasks.app import dispatch
from inspect_flow.tasks.schedule import DAILY_AT_ENV, RECUR, REMINDERS, beat_schedule
from inspect_flow.tasks.webhooks import DELIVER_DUE
from tests import builders
from tests.notify.conftest import SmtpServer
from tests.tasks.conftest import RABBITMQ_URL, REDIS_URL
from tests.tasks.helpers import SECRET, Receiver, check_signed, wait_until


@pytest.fixture
def smtp():  # noqa: ANN201
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def receiver(monkeypatch):  # noqa: ANN001, ANN201
    monkeypatch.setenv('INSPECT_FLOW_WEBHOOK_ALLOWED_HOSTS', '127.0.0.1')
    r = Receiver([500])  # the first delivery fails: it is retried
    yield r
    r.stop()


def _next_run(app, name: str) -> datetime:  # noqa: ANN001
    """When the scheduler runs the entry *name* next, in Vietnam's time, had it run just now."""
    celery_app = app.extensions['celery']
    entry = ScheduleEntry(name=name, app=celery_app, **celery_app.conf.beat_schedule[name])
    now = datetime.now(LOCAL_TZ)
    return now + entry.schedule.remaining_estimate(now)


def test_beat_schedule_runs_the_daily_work_at_seven_in_vietnam_configurable(databases, monkeypatch):  # noqa: ANN001
    from inspect_flow import create_app

    monkeypatch.setenv('INSPECT_FLOW_BROKER_URL', REDIS_URL)  # nothing connects: the configuration only
    monkeypatch.delenv(DAILY_AT_ENV, raising=False)
    url = databases.fresh('sqlite')
    app = create_app({'DATABASE_URL': url, 'TESTING': True})
    try:
        conf = app.extensions['celery'].conf
        assert conf.timezone == 'Asia/Ho_Chi_Minh'
        entries = {name: entry['task'] for name, entry in conf.beat_schedule.items()}
        assert entries == {'reminders-daily': REMINDERS, 'plans-recur-daily': RECUR,
                           'webhooks-retry': DELIVER_DUE, 'intake-sweep': 'inspect_flow.intake.process'}
        assert conf.beat_schedule['reminders-daily']['schedule'] == crontab(hour=7, minute=0)
        assert conf.beat_schedule['webhooks-retry']['schedule'] == 30.0
        for name in ('reminders-daily', 'plans-recur-daily'):
            nxt = _next_run(app, name)
            assert (nxt + timedelta(seconds=30)).strftime('%H:%M') == '07:00', nxt  # 07:00 in Vietnam
            assert timedelta(0) < nxt - datetime.now(LOCAL_TZ) <= timedelta(days=1)
        # every registered task of the schedule is known to the app
        assert set(entries.values()) <= set(app.extensions['celery'].tasks)
    finally:
        app.extensions['inspect_flow.engine'].dispose()

    monkeypatch.setenv(DAILY_AT_ENV, '18:45')
    assert beat_schedule()['reminders-daily']['schedule'] == crontab(hour=18, minute=45)
    for bad in ('7', '25:00', '07:60', 'bảy giờ', '7:5'):
        monkeypatch.setenv(DAILY_AT_ENV, bad)
        with pytest.raises(InvalidInput) as caught:
            beat_schedule()
        assert caught.value.field == DAILY_AT_ENV and bad in caught.value.message
    result = CliRunner().invoke(cli, ['--db', url, 'worker', '--beat'])
    assert result.exit_code != 0 and 'Traceback' not in result.output
    assert result.output.count('\n') == 1 and DAILY_AT_ENV in result.output, result.output
    databases.release(url)


def _closed_round_with_official(url: str, receiver_url: str) -> tuple[int, str]:
    """A closed 2019 round (recommendations due 31/12/2019), a local official with an address for the first
    recommendation's unit, and a subscription to ``recommendation.overdue``."""
    engine = make_engine(url)
    try:
        with unit_of_work(make_session_factory(engine)) as s:
            plan = builders.plan_at(s, 'closed')
            rec = s.scalars(sa.select(Recommendation).where(Recommendation.plan_id == plan.id)
                            .order_by(Recommendation.id)).first()
            create_user(s, username='can.bo.huyen', password='password-1', role=Role.local_official,
                        full_name='Cán bộ huyện', unit=rec.addressee_unit, email='can.bo.huyen@example.gov.vn')
            create_subscription(s, url=receiver_url, events=['recommendation.overdue'], actor='test', secret=SECRET)
            return rec.id, rec.text
    finally:
        engine.dispose()


def test_daily_run_by_a_worker_with_beat_on_rabbitmq(make_worker, databases, smtp, receiver):  # noqa: ANN001
    url = databases.fresh('sqlite')
    worker = app = None
    try:
        rec_id, rec_text = _closed_round_with_official(url, receiver.url)
        worker = make_worker(url, RABBITMQ_URL, '--beat', INSPECT_FLOW_SMTP_URL=smtp.url,
                             INSPECT_FLOW_BASE_URL='https://kiemtra.example.gov.vn',
                             INSPECT_FLOW_WEBHOOK_ALLOWED_HOSTS='127.0.0.1', INSPECT_FLOW_WEBHOOK_RETRY_INTERVAL='1')
        worker.start()
        app = worker.celery()
        engine = app.extensions['inspect_flow.engine']
        with app.app_context():
            dispatch(REMINDERS, '2020-01-02')  # two days past the deadline

        # the reminder task, run by the worker, sent the digest through the SMTP server
        [(sender, rcpts, msg)] = wait_until(lambda: list(smtp.mailbox.received), 60, 'the digest was sent')
        assert rcpts == ['can.bo.huyen@example.gov.vn']
        assert msg['Subject'] == 'Quá hạn: 1 kiến nghị đã quá thời hạn thực hiện'
        text = msg.get_body(('plain',)).get_content()
        assert rec_text in text and f'https://kiemtra.example.gov.vn/recommendations/{rec_id}' in text
        with engine.connect() as conn:
            states = conn.execute(sa.text('select state from recommendations')).scalars().all()
            reminder = conn.execute(sa.text('select kind, status from reminders where object_id = :r'),
                                    {'r': rec_id}).one()
        assert states and set(states) == {'overdue'}
        assert tuple(reminder) == ('overdue', 'sent')

        # the overdue marking's webhooks: one per recommendation; the first answered 500 and waits for its retry
        def outbox() -> list[tuple]:
            with engine.connect() as conn:
                return [tuple(r) for r in conn.execute(sa.text(
                    'select id, state, attempts, delivery_id from webhook_outbox order by id'))]

        wait_until(lambda: len(outbox()) == len(states) and sum(r[2] for r in outbox()) == len(states), 60,
                   'every overdue webhook was tried once')
        [retried] = [r for r in outbox() if r[1] == 'pending']
        assert retried[2] == 1
        with engine.begin() as conn:  # its backoff is over
            conn.execute(sa.text('update webhook_outbox set next_attempt_dt = :t where id = :i'),
                         {'t': datetime(2020, 1, 1), 'i': retried[0]})
        wait_until(lambda: all(r[1] == 'delivered' for r in outbox()), 60,
                   'the scheduler retried the failed webhook')
        got = receiver.deliveries()
        assert len(got) == len(states) + 1
        ids = [headers['x-inspectflow-delivery'] for headers, _ in got]
        assert ids.count(retried[3]) == 2, 'the retry carries the same event id'
        assert set(ids) == {r[3] for r in outbox()}
        for headers, body in got:
            assert check_signed(headers, body)['event'] == 'recommendation.overdue'
    finally:
        if worker is not None:
            worker.stop()
        if app is not None:
            app.extensions['inspect_flow.engine'].dispose()
        databases.release(url)
