"""Two years of a closed round with 36 recommendations, the clock moved day by day (``INSPECT_FLOW_TODAY``): every
reminder goes out exactly once, on its day; a restart halfway (new engine, new session) sends nothing twice; a day
the SMTP server is down sends its reminders the next day. Each day is a handful of set-based queries."""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspect_flow.accounts.models import Role
from inspect_flow.accounts.operations import create_user, update_contact
from inspect_flow.core import clock
from inspect_flow.core.db import make_engine
from inspect_flow.findings import operations as f_ops
from inspect_flow.notify.models import Reminder
from inspect_flow.notify.operations import run_day
from inspect_flow.notify.queries import week_start
from inspect_flow.notify.settings import Settings
from inspect_flow.notify.transport import SmtpTransport
from inspect_flow.plans import operations as plan_ops
from tests import builders
from tests.notify.conftest import links, parts

START = date(2019, 7, 25)
DAYS = 731
FIRST_DEADLINE = date(2019, 8, 20)
N_RECS = 36


def _build(session: Session) -> dict:
    plan = builders.plan_at(session, 'conclusions', complete=False)
    conclusions = [f_ops.add_conclusion(session, plan, v.conclusion_unit, summary='Đánh giá chung.',
                                        actor=builders.ACTOR) for v in plan.visits]
    units = [(c, c.unit) for c in conclusions] + [(c, v.commune) for c in conclusions for v in plan.visits
                                                  if v.conclusion_unit_id == c.unit_id]
    recs = []
    for i in range(N_RECS):
        conclusion, unit = units[i % len(units)]
        recs.append(f_ops.add_recommendation(
            session, plan, text=f'Kiến nghị số {i + 1}: rà soát, cập nhật danh sách hộ nghèo của địa phương.',
            addressee_label='', deadline=FIRST_DEADLINE + timedelta(days=20 * i), conclusion=conclusion,
            addressee_unit=unit, actor=builders.ACTOR))
    plan_ops.advance_plan(session, plan, 'close', actor=builders.ACTOR)
    officials = {}
    for n, (_, unit) in enumerate(units):
        officials[unit.id] = create_user(session, username=f'can.bo.{n}', password='password-1',
                                         role=Role.local_official, full_name=f'Cán bộ {unit.full_name}', unit=unit,
                                         email=f'can.bo.{n}@example.gov.vn', language='en' if n == 1 else 'vi').id
    quiet = create_user(session, username='khong.nhan', password='password-1', role=Role.local_official,
                        full_name='Không nhận thư', unit=units[0][1], email='khong.nhan@example.gov.vn')
    update_contact(session, quiet, digests_enabled=False)
    secretariat = create_user(session, username='thu.ky', password='password-1', role=Role.secretariat,
                              full_name='Thư ký Văn phòng', email='thu.ky@example.gov.vn').id
    session.commit()
    return {'plan': plan.id, 'recs': [(r.id, r.addressee_unit_id, r.deadline) for r in recs],
            'officials': officials, 'secretariat': secretariat}


def _expected(data: dict, completed: set[int], outage: date) -> dict[date, set[tuple]]:
    """The reminders each day sends, worked out from the rules independently of the code."""
    out: dict[date, set[tuple]] = defaultdict(set)
    overdue_from = []
    for rec_id, unit_id, deadline in data['recs']:
        user = data['officials'][unit_id]
        out[deadline - timedelta(days=14)].add((user, 'due_in_14', 'recommendation', rec_id, deadline))
        if rec_id not in completed:
            out[deadline - timedelta(days=3)].add((user, 'due_in_3', 'recommendation', rec_id, deadline))
            out[deadline + timedelta(days=1)].add((user, 'overdue', 'recommendation', rec_id, deadline))
            overdue_from.append(deadline + timedelta(days=1))
    seen_weeks = set()
    for day in (START + timedelta(days=n) for n in range(DAYS)):
        if any(d <= day for d in overdue_from) and week_start(day) not in seen_weeks:
            seen_weeks.add(week_start(day))
            out[day].add((data['secretariat'], 'weekly_overdue', 'plan', data['plan'], week_start(day)))
    out[outage + timedelta(days=1)] |= out.pop(outage, set())
    return out


def test_two_years_day_by_day(db_url, smtp, monkeypatch) -> None:  # noqa: ANN001
    engine = make_engine(db_url)
    session = Session(engine)
    data = _build(session)
    completed = {rec_id for n, (rec_id, _, _) in enumerate(data['recs']) if n % 4 == 1}  # done 5 days before
    completes_on = {d - timedelta(days=5): rec_id for rec_id, _, d in data['recs'] if rec_id in completed}
    outage = data['recs'][10][2] - timedelta(days=14)
    expected = _expected(data, completed, outage)
    settings = Settings(base_url='https://kiemtra.example.gov.vn', smtp_url=smtp.url)
    sent_keys: set[tuple] = set()
    messages = 0
    started = time.perf_counter()
    for n in range(DAYS):
        monkeypatch.setenv('INSPECT_FLOW_TODAY', (START + timedelta(days=n)).isoformat())
        day = clock.today()
        if n == DAYS // 2:  # a restart: new engine, new session; yesterday's run again sends nothing
            session.close()
            engine.dispose()
            engine = make_engine(db_url)
            session = Session(engine)
            again = run_day(session, day - timedelta(days=1), settings, SmtpTransport(smtp.url), commit=session.commit)
            assert (again.recorded, again.messages_sent) == (0, 0)
        if day in completes_on:
            rec = f_ops.get_recommendation(session, completes_on[day])
            f_ops.report_progress(session, rec, text='Đã hoàn thành.', reported_by='UBND', actor='addressee',
                                  completed=True, report_date=day)
            session.commit()
        if day == outage:
            smtp.stop()
        try:
            report = run_day(session, day, settings, SmtpTransport(smtp.url), commit=session.commit)
        finally:
            if day == outage:
                smtp.start()
        got = smtp.mailbox.take()
        if day == outage:
            assert report.unsent and not got and report.messages_sent == 0, day
        else:
            assert not report.unsent, (day, report.unsent)
        ids = {msg['Message-ID']: msg for _, _, msg in got}
        rows = session.execute(sa.select(Reminder.user_id, Reminder.kind, Reminder.object_type, Reminder.object_id,
                                         Reminder.due_day, Reminder.message_id)
                               .where(Reminder.message_id.in_(list(ids)))).all() if ids else []
        keys = {tuple(r[:5]) for r in rows}
        assert keys == expected.get(day, set()), day
        assert not keys & sent_keys, day  # never twice
        sent_keys |= keys
        messages += len(got)
        assert len(ids) == len(got) == report.messages_sent
        for *key, message_id in rows:  # each message links to what it reminds of
            if key[2] == 'recommendation':
                assert f'https://kiemtra.example.gov.vn/recommendations/{key[3]}' in links(parts(ids[message_id])[0])
    elapsed = time.perf_counter() - started
    assert sent_keys == set().union(*expected.values())
    assert len(sent_keys) == 36 + 27 * 2 + len([k for k in sent_keys if k[1] == 'weekly_overdue'])
    assert session.scalar(sa.select(sa.func.count()).select_from(Reminder).where(Reminder.status != 'sent')) == 0
    session.close()
    engine.dispose()
    assert messages > 100 and elapsed < 120, (messages, elapsed)
