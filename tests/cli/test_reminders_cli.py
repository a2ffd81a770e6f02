"""``inspect-flow reminders send`` and ``inspect-flow users email``: one day's run, idempotent; an outage reported
(exit 3) and caught up by the next run; a bad address refused naming the field, changing nothing."""

from __future__ import annotations

import json
import socket

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspect_flow.accounts.models import Role
from inspect_flow.accounts.operations import create_user, use_fast_hashing
from inspect_flow.core.db import make_engine
from inspect_flow.findings.models import Recommendation
from tests import builders
from tests.notify.conftest import smtp, smtp_server  # noqa: F401  (the loopback SMTP server)


@pytest.fixture
def closed_round(db_url) -> int:  # noqa: ANN001
    use_fast_hashing()
    engine = make_engine(db_url, poolclass=sa.pool.NullPool)
    with Session(engine) as s:
        plan = builders.plan_at(s, 'closed')
        rec = s.scalars(sa.select(Recommendation).where(Recommendation.plan_id == plan.id)
                        .order_by(Recommendation.id)).first()
        create_user(s, username='can.bo', password='password-1', role=Role.local_official, full_name='Cán bộ huyện',
                    unit=rec.addressee_unit)
        s.commit()
        rec_id = rec.id
    engine.dispose()
    return rec_id


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def test_send_outage_then_catch_up(run, closed_round, smtp, monkeypatch) -> None:  # noqa: ANN001, F811
    bad = run('users', 'email', 'can.bo', 'can.bo@', ok=False)
    assert bad.exit_code != 0 and 'Địa chỉ thư điện tử "can.bo@" không hợp lệ' in bad.stderr
    before = run.snapshot()
    assert run('users', 'email', 'can.bo', 'x y@example.org', ok=False).exit_code != 0
    assert run.snapshot() == before
    out = run('users', 'email', 'can.bo', 'Can.Bo@Example.GOV.vn', '--language', 'vi').stdout
    assert 'Can.Bo@example.gov.vn' in out and 'nhận thư nhắc việc' in out

    monkeypatch.setenv('INSPECT_FLOW_SMTP_URL', f'smtp://127.0.0.1:{_free_port()}')  # nobody listens: an outage
    r = run('reminders', 'send', '--on', '17/12/2019', ok=False)
    assert r.exit_code == 3
    assert 'Chưa gửi được: Can.Bo@example.gov.vn' in r.stderr and 'lần chạy sau' in r.stderr
    pending = json.loads(run('reminders', 'list', '--pending').stdout)
    assert [(p['recipient'], p['kind'], p['object'], p['status']) for p in pending] == [
        ('can.bo', 'due_in_14', f'recommendation#{closed_round}', 'pending')]

    monkeypatch.setenv('INSPECT_FLOW_SMTP_URL', smtp.url)
    monkeypatch.setenv('INSPECT_FLOW_TODAY', '2019-12-18')  # the clock, as cron runs it the next day
    report = json.loads(run('reminders', 'send', '--json').stdout)
    assert (report['day'], report['messages_sent'], report['reminders_sent'], report['unsent']) == (
        '2019-12-18', 1, 1, [])
    [(_, rcpts, msg)] = smtp.mailbox.take()
    assert rcpts == ['Can.Bo@example.gov.vn'] and msg['Subject'] == 'Nhắc việc: 1 kiến nghị sắp đến hạn thực hiện'
    again = json.loads(run('reminders', 'send', '--json').stdout)
    assert (again['recorded'], again['messages_sent']) == (0, 0) and smtp.mailbox.received == []
    assert json.loads(run('reminders', 'list', '--pending').stdout) == []


def test_log_when_no_server(run, closed_round, monkeypatch) -> None:  # noqa: ANN001
    run('users', 'email', 'can.bo', 'can.bo@example.gov.vn', '--language', 'en')
    monkeypatch.delenv('INSPECT_FLOW_SMTP_URL', raising=False)
    r = run('reminders', 'send', '--on', '2020-01-01', lang='en')
    assert 'sent 1 messages (1 reminders) by log' in r.stdout and '2 recommendations now overdue' in r.stdout
    run('users', 'email', 'can.bo', '--no-digests')
    assert run('reminders', 'send', '--on', '2020-01-01').exit_code == 0
