"""Digests read back from a real SMTP server on loopback: headers, the RFC 2047 subject, both parts, the links;
each reminder sent once and in the history; refusals and outages retried; the log when no server is set."""

from __future__ import annotations

import logging
from datetime import date

import pytest
import sqlalchemy as sa

from inspect_flow.accounts.models import Role
from inspect_flow.accounts.operations import create_user, find_user, update_contact
from inspect_flow.audit.models import AuditEntry
from inspect_flow.core.errors import InvalidInput
from inspect_flow.findings.models import Recommendation
from inspect_flow.notify.models import Reminder, ReminderStatus
from inspect_flow.notify.operations import run_day
from inspect_flow.notify.queries import count_due_for, due_for
from inspect_flow.notify.settings import Settings, from_env, parse_leads
from inspect_flow.notify.transport import LogTransport, SmtpTransport, transport_for
from tests import builders
from tests.notify.conftest import links, parts

BASE = 'https://kiemtra.example.gov.vn/app'


def settings_for(smtp) -> Settings:  # noqa: ANN001
    return Settings(base_url=BASE, smtp_url=smtp.url, mail_from='Ban Chỉ đạo tỉnh <bcd@example.gov.vn>')


def official(session, rec, username: str, *, language: str = 'vi', email: str | None = None):  # noqa: ANN001, ANN201
    return create_user(session, username=username, password='password-1', role=Role.local_official,
                       full_name=f'Cán bộ {rec.addressee_unit.name}', unit=rec.addressee_unit, language=language,
                       email=email or f'{username}@example.gov.vn')


@pytest.fixture
def closed(session):  # noqa: ANN001, ANN201
    """A closed 2019 round: two recommendations to two districts, deadline 31/12/2019."""
    plan = builders.plan_at(session, 'closed')
    recs = list(session.scalars(sa.select(Recommendation).where(Recommendation.plan_id == plan.id)
                                .order_by(Recommendation.id)))
    return plan, recs


def run(session, day: date, smtp):  # noqa: ANN001, ANN201
    return run_day(session, day, settings_for(smtp), SmtpTransport(smtp.url))


def test_deadline_digest_read_back(session, closed, smtp) -> None:  # noqa: ANN001
    plan, (rec, other) = closed
    user = official(session, rec, 'can.bo.vi')
    report = run(session, date(2019, 12, 17), smtp)  # 14 days before 31/12/2019
    assert (report.messages_sent, report.reminders_sent, report.unsent) == (1, 1, [])
    [(sender, rcpts, msg)] = smtp.mailbox.received
    raw = smtp.mailbox.raw[0]
    assert sender == 'bcd@example.gov.vn' and rcpts == ['can.bo.vi@example.gov.vn']
    subject_line = next(line for line in raw.split(b'\r\n') if line.startswith(b'Subject:'))
    assert b'=?utf-8?' in subject_line.lower() and 'ệ'.encode() not in raw.split(b'\r\n\r\n')[0]  # RFC 2047
    assert msg['Subject'] == 'Nhắc việc: 1 kiến nghị sắp đến hạn thực hiện'
    assert msg['To'].addresses[0].display_name == user.full_name
    assert msg['From'].addresses[0].display_name == 'Ban Chỉ đạo tỉnh'
    assert msg['Message-ID'] and msg['Date'] and msg['Auto-Submitted'] == 'auto-generated'
    assert msg.get_content_type() == 'multipart/alternative'
    text, html = parts(msg)
    assert 'Kính gửi' in text and '31/12/2019 (còn 14 ngày)' in text and rec.text in text
    assert f'{BASE}/recommendations/{rec.id}' in links(text)
    assert f'href="{BASE}/recommendations/{rec.id}"' in html and '<strong>' in html
    assert f'/recommendations/{other.id}' not in text  # another district's recommendation
    row = session.scalars(sa.select(Reminder)).one()
    assert (row.kind, row.object_id, row.due_day, row.status, row.message_id) == (
        'due_in_14', rec.id, date(2019, 12, 31), ReminderStatus.sent, msg['Message-ID'])
    audit = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == 'reminder')).one()
    assert (audit.entity_type, audit.entity_id, audit.plan_id, audit.trigger) == (
        'recommendation', rec.id, plan.id, 'due_in_14')
    assert audit.changes['recipient'] == [None, 'can.bo.vi'] and audit.comment == msg['Subject']
    # again the same day, and the next day: nothing new
    smtp.mailbox.take()
    assert run(session, date(2019, 12, 17), smtp).messages_sent == 0
    assert run(session, date(2019, 12, 18), smtp).messages_sent == 0
    assert smtp.mailbox.received == []


def test_languages_kinds_and_overdue(session, closed, smtp) -> None:  # noqa: ANN001
    plan, (rec, other) = closed
    official(session, rec, 'vi.user')
    official(session, other, 'en.user', language='en')
    run(session, date(2019, 12, 28), smtp)
    got = {m['To'].addresses[0].username: m for _, _, m in smtp.mailbox.take()}
    assert got['vi.user']['Subject'] == 'Nhắc việc: 1 kiến nghị sắp đến hạn thực hiện'
    assert got['en.user']['Subject'] == 'Reminder: 1 recommendation due soon'
    assert '31/12/2019 (3 days left)' in parts(got['en.user'])[0]
    report = run(session, date(2020, 1, 1), smtp)
    assert report.marked_overdue == 2  # the daily run marks them, nobody by hand
    got = {m['To'].addresses[0].username: m for _, _, m in smtp.mailbox.take()}
    assert got['vi.user']['Subject'] == 'Quá hạn: 1 kiến nghị đã quá thời hạn thực hiện'
    assert 'quá hạn 1 ngày' in parts(got['vi.user'])[0]
    assert got['en.user']['Subject'] == 'Overdue: 1 recommendation past the deadline'
    kinds = sorted(session.scalars(sa.select(Reminder.kind)))
    assert kinds == ['due_in_3', 'due_in_3', 'overdue', 'overdue']


def test_weekly_digest_by_unit_and_due_for(session, closed, smtp) -> None:  # noqa: ANN001
    plan, (rec, other) = closed
    create_user(session, username='vpt.tuan', password='password-1', role=Role.secretariat,
                full_name='Nguyễn Thị Thanh Thảo', email='thao@example.gov.vn')
    run(session, date(2020, 1, 1), smtp)  # a Wednesday: overdue marked, the weekly digest of this week goes now
    [(_, _, msg)] = smtp.mailbox.take()
    assert msg['Subject'] == 'Tổng hợp tuần 01/01/2020: 2 kiến nghị quá hạn'
    text, html = parts(msg)
    for r in (rec, other):
        assert f'{plan.reference} — {r.addressee_label} (1)' in text and f'{BASE}/recommendations/{r.id}' in html
    assert run(session, date(2020, 1, 3), smtp).messages_sent == 0  # once a week
    run(session, date(2020, 1, 6), smtp)  # Monday
    assert [m['Subject'] for _, _, m in smtp.mailbox.take()] == ['Tổng hợp tuần 06/01/2020: 2 kiến nghị quá hạn']
    assert session.scalars(sa.select(AuditEntry.entity_type).where(AuditEntry.action == 'reminder')).all() == [
        'plan', 'plan']
    items = due_for(session, find_user(session, 'vpt.tuan'), today=date(2020, 1, 6))
    assert [(i.kind, i.object_id, i.days_left, i.path) for i in items] == [
        ('overdue', rec.id, -6, f'/recommendations/{rec.id}'),
        ('overdue', other.id, -6, f'/recommendations/{other.id}')]
    assert count_due_for(session, find_user(session, 'vpt.tuan'), today=date(2020, 1, 6)) == 2


def test_schedule_digest_for_team_members(session, smtp) -> None:  # noqa: ANN001
    plan = builders.plan_at(session, 'scheduling')  # visits on 11/07 and 12/07/2019
    team = next(t for t in plan.teams if t.number == 1)
    member = next(m.person for m in team.members if m.role.value == 'member')
    user = create_user(session, username='thanh.vien', password='password-1', role=Role.team_member,
                       full_name=member.full_name, person=member, email='tv@example.gov.vn')
    assert run(session, date(2019, 7, 3), smtp).messages_sent == 0  # 8 days before: not yet
    assert [i.kind for i in due_for(session, user, today=date(2019, 7, 4))] == ['visit']
    assert count_due_for(session, user, today=date(2019, 7, 4)) == 1
    assert count_due_for(session, user, today=date(2019, 7, 3)) == 0  # 8 days before
    run(session, date(2019, 7, 4), smtp)
    [(_, _, msg)] = smtp.mailbox.take()
    assert msg['Subject'] == f'Lịch làm việc của đoàn kiểm tra: {plan.reference}'
    text, _ = parts(msg)
    visit = next(v for v in plan.visits if v.team_id == team.id)
    assert '11/07/2019 07:30–11:30: ' + visit.commune.full_name in text and f'{BASE}/visits/{visit.id}' in text
    assert 'Đoàn 1' in text and '12/07/2019' not in text  # team 2's visit is not theirs
    assert run(session, date(2019, 7, 5), smtp).messages_sent == 0


def test_refused_and_down_then_sent_next_day(session, closed, smtp) -> None:  # noqa: ANN001
    plan, (rec, other) = closed
    official(session, rec, 'bi.tu.choi')
    official(session, other, 'nhan.duoc')
    smtp.mailbox.refuse.add('bi.tu.choi@example.gov.vn')
    report = run(session, date(2019, 12, 17), smtp)
    assert [(u.username, u.group, u.reminders) for u in report.unsent] == [('bi.tu.choi', 'due_soon', 1)]
    assert '550' in report.unsent[0].error and report.messages_sent == 1
    smtp.mailbox.take()
    smtp.mailbox.refuse.clear()
    smtp.stop()  # an outage
    try:
        report = run(session, date(2019, 12, 18), smtp)
    finally:
        smtp.start()
    assert report.messages_sent == 0 and [u.username for u in report.unsent] == ['bi.tu.choi']
    assert 'ConnectionRefusedError' in report.unsent[0].error
    row = session.scalars(sa.select(Reminder).where(Reminder.status == ReminderStatus.pending)).one()
    assert row.attempts == 2 and row.last_error
    report = run(session, date(2019, 12, 19), smtp)
    assert (report.messages_sent, report.unsent) == (1, [])
    [(_, rcpts, msg)] = smtp.mailbox.take()
    assert rcpts == ['bi.tu.choi@example.gov.vn'] and '(còn 14 ngày)' not in parts(msg)[0]  # as of the day sent
    assert session.scalar(sa.select(sa.func.count()).select_from(Reminder)
                          .where(Reminder.status == ReminderStatus.sent)) == 2


def test_no_mail_for_those_without_address_or_with_digests_off(session, closed, smtp, caplog) -> None:  # noqa: ANN001
    plan, (rec, other) = closed
    user = official(session, rec, 'khong.nhan')
    update_contact(session, user, digests_enabled=False)
    create_user(session, username='khong.dia.chi', password='password-1', role=Role.local_official,
                full_name='Không địa chỉ', unit=other.addressee_unit)
    assert run(session, date(2019, 12, 17), smtp).recorded == 0
    update_contact(session, user, digests_enabled=True)
    caplog.set_level(logging.INFO, logger='inspect_flow.notify')
    report = run_day(session, date(2019, 12, 18), settings_for(smtp), transport_for(None))  # no server: the log
    assert report.messages_sent == 1 and smtp.mailbox.received == []
    assert 'Subject: Nhắc việc: 1 kiến nghị sắp đến hạn thực hiện' in caplog.text
    assert f'{BASE}/recommendations/{rec.id}' in caplog.text


@pytest.mark.parametrize('url, expected', [
    ('smtp://mail.example.gov.vn', ('mail.example.gov.vn', 25, False, False, None)),
    ('smtp://u%40x:p%3Aw@mail:2525?starttls=1', ('mail', 2525, False, True, 'u@x')),
    ('smtps://mail', ('mail', 465, True, False, None)),
])
def test_smtp_url(url: str, expected: tuple) -> None:
    t = SmtpTransport(url)
    assert (t.host, t.port, t.ssl, t.starttls, t.username) == expected


@pytest.mark.parametrize('url', ['http://mail', 'smtp://', 'smtp://host:99999', 'mail.example'])
def test_bad_smtp_url(url: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        SmtpTransport(url)
    assert exc.value.field == 'INSPECT_FLOW_SMTP_URL'


def test_settings() -> None:
    assert from_env({}).leads == (14, 3) and isinstance(transport_for(None), LogTransport)
    assert from_env({'INSPECT_FLOW_REMINDER_DAYS': '3, 30,7'}).leads == (30, 7, 3)
    for bad in ('0', 'x', '3,400'):
        with pytest.raises(InvalidInput):
            parse_leads(bad)


def test_starttls_refused_is_an_outage(smtp) -> None:  # noqa: ANN001
    """A server that does not offer STARTTLS when it is asked for: nothing is sent in clear."""
    from email.message import EmailMessage

    from inspect_flow.notify.transport import NotSent

    t = SmtpTransport(smtp.url + '?starttls=1')
    msg = EmailMessage()
    msg['From'], msg['To'], msg['Subject'] = 'a@example.org', 'b@example.org', 'x'
    msg.set_content('x')
    with pytest.raises(NotSent) as exc:
        t.send(msg)
    assert exc.value.down and 'STARTTLS' in exc.value.reason.upper()
    assert smtp.mailbox.received == []
