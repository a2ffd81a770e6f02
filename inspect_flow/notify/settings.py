"""The reminders' settings, read from the environment when a run starts (one place for all of them).

* ``INSPECT_FLOW_REMINDER_DAYS``: how many days before a deadline the addressees are reminded, e.g. ``14,3``
  (the default): one digest 14 days before, another 3 days before. The overdue digest always follows.
* ``INSPECT_FLOW_SCHEDULE_DAYS``: how many days before their first visit team members get their schedule (7).
* ``INSPECT_FLOW_BASE_URL``: the address of the app the messages link into (``http://127.0.0.1:5000``).
* ``INSPECT_FLOW_SMTP_URL``: ``smtp://[user:password@]host[:port][?starttls=1]`` or ``smtps://…`` (SSL); none:
  the messages are written to the log.
* ``INSPECT_FLOW_MAIL_FROM``: the sender (``inspect_flow <noreply@localhost>``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from inspect_flow.core.errors import InvalidInput

DEFAULT_LEADS = (14, 3)
DEFAULT_SCHEDULE_DAYS = 7
DEFAULT_BASE_URL = 'http://127.0.0.1:5000'
DEFAULT_FROM = 'inspect_flow <noreply@localhost>'


@dataclass(frozen=True)
class Settings:
    #: Days before a deadline, largest first (e.g. ``(14, 3)``).
    leads: tuple[int, ...] = DEFAULT_LEADS
    schedule_days: int = DEFAULT_SCHEDULE_DAYS
    base_url: str = DEFAULT_BASE_URL
    smtp_url: str | None = None
    mail_from: str = DEFAULT_FROM

    def link(self, path: str) -> str:
        """The absolute address of *path* in the app."""
        return self.base_url.rstrip('/') + path


def parse_leads(text: str) -> tuple[int, ...]:
    """``"14,3"`` → ``(14, 3)``; refuse anything but distinct whole numbers of days in 1 … 365."""
    try:
        leads = sorted({int(part) for part in text.split(',') if part.strip()}, reverse=True)
    except ValueError:
        leads = []
    if not leads or any(not 1 <= n <= 365 for n in leads):
        raise InvalidInput('reminders.bad_days', f'INSPECT_FLOW_REMINDER_DAYS "{text}" không hợp lệ (ví dụ: 14,3).',
                           f'INSPECT_FLOW_REMINDER_DAYS "{text}" is not valid (e.g. 14,3).',
                           field='INSPECT_FLOW_REMINDER_DAYS')
    return tuple(leads)


def from_env(environ: dict | None = None) -> Settings:
    """The settings in *environ* (``os.environ`` by default)."""
    env = os.environ if environ is None else environ
    schedule = env.get('INSPECT_FLOW_SCHEDULE_DAYS', '').strip()
    if schedule and not (schedule.isdigit() and 0 <= int(schedule) <= 365):
        raise InvalidInput('reminders.bad_schedule_days', f'INSPECT_FLOW_SCHEDULE_DAYS "{schedule}" không hợp lệ.',
                           f'INSPECT_FLOW_SCHEDULE_DAYS "{schedule}" is not valid.', field='INSPECT_FLOW_SCHEDULE_DAYS')
    return Settings(
        leads=parse_leads(env['INSPECT_FLOW_REMINDER_DAYS']) if env.get('INSPECT_FLOW_REMINDER_DAYS')
        else DEFAULT_LEADS,
        schedule_days=int(schedule) if schedule else DEFAULT_SCHEDULE_DAYS,
        base_url=(env.get('INSPECT_FLOW_BASE_URL') or DEFAULT_BASE_URL).strip(),
        smtp_url=(env.get('INSPECT_FLOW_SMTP_URL') or '').strip() or None,
        mail_from=(env.get('INSPECT_FLOW_MAIL_FROM') or DEFAULT_FROM).strip(),
    )
