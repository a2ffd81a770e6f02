"""The daily work on the scheduler (``inspect-flow worker --beat``), and the beat schedule itself.

Every day at :data:`DAILY_AT_ENV` (``07:00`` by default, in Asia/Ho_Chi_Minh, the Celery timezone):

- ``inspect_flow.reminders.send``: the day's run of :func:`inspect_flow.notify.operations.run_day`, as
  ``inspect-flow reminders send`` does it: recommendations past their deadline marked overdue (which puts their
  ``recommendation.overdue`` webhooks in the outbox), the day's reminders recorded, pending ones sent by e-mail;
- ``inspect_flow.plans.recur``: the next drafts of the recurring plans that are due
  (:func:`inspect_flow.plans.recurrence.recur`, as ``inspect-flow plans recur``).

Both are idempotent per day: a reminder is recorded once by its unique key and sent once; a recommendation is
marked overdue once; a plan gets one next draft. Running them twice (a redelivered task, a restarted scheduler)
sends nothing new.

Besides the daily entries, the scheduler retries the due webhooks (:mod:`inspect_flow.tasks.webhooks`) and sweeps
the intake queue (:mod:`inspect_flow.tasks.intake`).
"""

from __future__ import annotations

import os
from datetime import date

from celery import shared_task
from celery.schedules import crontab

from inspect_flow.core.errors import InvalidInput

REMINDERS = 'inspect_flow.reminders.send'
RECUR = 'inspect_flow.plans.recur'
#: The time of the daily run, ``HH:MM`` in Asia/Ho_Chi_Minh.
DAILY_AT_ENV = 'INSPECT_FLOW_DAILY_AT'
DEFAULT_DAILY_AT = '07:00'
ACTOR = 'system:scheduler'


def daily_at() -> tuple[int, int]:
    """The daily run's hour and minute (``INSPECT_FLOW_DAILY_AT``).

    :raise InvalidInput: not ``HH:MM``
    """
    text = (os.environ.get(DAILY_AT_ENV) or DEFAULT_DAILY_AT).strip()
    hour, sep, minute = text.partition(':')
    if sep and hour.isdigit() and minute.isdigit() and len(minute) == 2 and int(hour) < 24 and int(minute) < 60:
        return int(hour), int(minute)
    raise InvalidInput('schedule.bad_time', f'{DAILY_AT_ENV} phải có dạng GG:PP (ví dụ 07:00), không phải "{text}".',
                       f'{DAILY_AT_ENV} must be HH:MM (for example 07:00), not "{text}".', field=DAILY_AT_ENV)


def beat_schedule() -> dict:
    """The scheduler's entries: the daily run, the webhook retries, the intake sweep."""
    from inspect_flow.tasks.intake import PROCESS, sweep_interval
    from inspect_flow.tasks.webhooks import DELIVER_DUE, retry_interval

    hour, minute = daily_at()
    return {
        'reminders-daily': {'task': REMINDERS, 'schedule': crontab(hour=hour, minute=minute)},
        'plans-recur-daily': {'task': RECUR, 'schedule': crontab(hour=hour, minute=minute)},
        'webhooks-retry': {'task': DELIVER_DUE, 'schedule': retry_interval()},
        'intake-sweep': {'task': PROCESS, 'schedule': sweep_interval()},
    }


def _day(day: str | None) -> date:
    from inspect_flow.core.clock import today

    return date.fromisoformat(day) if day else today()


@shared_task(name=REMINDERS)
def send_reminders(day: str | None = None) -> dict:
    """One day's run (*day*: ``YYYY-MM-DD``, today by default): mark overdue, record and send the reminders.

    Committed step by step, as on the command line: a digest the server did not take stays pending for the next
    run; one that was taken is never sent again.
    """
    from inspect_flow.notify.operations import run_day
    from inspect_flow.notify.settings import from_env
    from inspect_flow.notify.transport import transport_for
    from inspect_flow.tasks.app import unit_of_work

    settings = from_env()
    with unit_of_work() as session:
        report = run_day(session, _day(day), settings, transport_for(settings.smtp_url), commit=session.commit,
                         actor=ACTOR)
    return report.as_dict()


@shared_task(name=RECUR)
def recur_plans(day: str | None = None) -> dict:
    """Create the next drafts of the recurring plans that are due on *day* (today by default)."""
    from inspect_flow.plans.recurrence import recur
    from inspect_flow.tasks.app import unit_of_work

    with unit_of_work() as session:
        created = recur(session, on=_day(day), actor=ACTOR)
        return {'created': [result.plan.id for result in created]}
