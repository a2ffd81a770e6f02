"""The record of reminders: one row per reminder, unique by (recipient, kind, object, due day)."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_flow.accounts.models import User
from inspect_flow.core.db import Base, utcnow
from inspect_flow.core.types import enum_column_type


class ReminderStatus(enum.StrEnum):
    """Where a reminder stands: waiting to be sent (again), sent, or dropped (the recipient turned digests off
    or lost their address before it went out)."""

    pending = 'pending'
    sent = 'sent'
    dropped = 'dropped'


class Reminder(Base):
    """One reminder to one person about one object, for one due day.

    ``kind`` is ``due_in_<N>`` (a recommendation's deadline is N days away), ``overdue`` (its deadline has
    passed), ``weekly_overdue`` (the secretariat's weekly digest of a plan's overdue recommendations; the due
    day is that week's Monday) or ``schedule`` (a team member's visits of a plan; the due day is their first
    visit). The object is a recommendation or a plan. The unique key makes "sent once" a database fact: the
    daily run inserts what is due and skips what is already recorded, whatever happened before.

    A reminder stays ``pending`` until a message carrying it is accepted by the SMTP server (or written to the
    log when none is set); the next run tries again. Several reminders of one person go out in one digest
    (``message_id``).
    """

    __tablename__ = 'reminders'
    __table_args__ = (
        sa.UniqueConstraint('user_id', 'kind', 'object_type', 'object_id', 'due_day', name='uq_reminders_key'),
        sa.Index('ix_reminders_status', 'status'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey('users.id', ondelete='CASCADE'), index=True)
    kind: Mapped[str] = mapped_column(sa.String(24))
    #: ``recommendation`` or ``plan``.
    object_type: Mapped[str] = mapped_column(sa.String(24))
    object_id: Mapped[int] = mapped_column()
    plan_id: Mapped[int | None] = mapped_column(sa.ForeignKey('plans.id', ondelete='CASCADE'), index=True)
    due_day: Mapped[date] = mapped_column(sa.Date)
    #: The day of the run that found it due.
    created_on: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[ReminderStatus] = mapped_column(enum_column_type(ReminderStatus), default=ReminderStatus.pending)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    #: The ``Message-ID`` of the digest that carried it, and when the server accepted that digest.
    message_id: Mapped[str | None] = mapped_column(sa.String(200))
    sent_dt: Mapped[datetime | None] = mapped_column()
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(lazy='joined')

    def __repr__(self) -> str:
        return (f'<Reminder {self.kind} {self.object_type}#{self.object_id} {self.due_day} to {self.user_id} '
                f'{self.status}>')
