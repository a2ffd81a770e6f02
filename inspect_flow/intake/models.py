"""The asynchronous intake's table: submissions stored for the worker (``submission_intake``)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from inspect_flow.core.db import Base, utcnow


class SubmissionIntake(Base):
    """A submission accepted with ``Prefer: respond-async``: the raw body, stored durably under its key.

    Written with the idempotency row in one short transaction; :func:`inspect_flow.intake.operations.process`
    later applies it with the same operations as the synchronous path and records the outcome here, in the
    same transaction as the domain change (so it is applied exactly once, even across ``kill -9``).
    """

    __tablename__ = 'submission_intake'
    __table_args__ = (sa.Index('ix_submission_intake_state_id', 'state', 'id'),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Public id of the status resource (``/api/v1/submissions/<uid>``), made before the insert.
    uid: Mapped[str] = mapped_column(sa.String(36), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey('users.id', ondelete='CASCADE'), index=True)
    visit_id: Mapped[int] = mapped_column(sa.ForeignKey('visits.id', ondelete='CASCADE'), index=True)
    key: Mapped[str] = mapped_column(sa.String(255))
    #: The request body as received (JSON text).
    body: Mapped[str] = mapped_column(sa.Text)
    #: The API token it was acknowledged under (checked again when applied: a revoked token refuses it).
    token_id: Mapped[int | None] = mapped_column()
    #: The If-Match version the request carried, if any.
    if_match: Mapped[int | None] = mapped_column()
    #: Language of the requester (``vi`` or ``en``), for the messages recorded when it is applied.
    lang: Mapped[str] = mapped_column(sa.String(2), default='vi')
    #: queued → done (applied) or failed (refused; ``result`` holds the problem document).
    state: Mapped[str] = mapped_column(sa.String(8), default='queued')
    response_status: Mapped[int | None] = mapped_column()
    #: JSON text: what the synchronous path would have answered (the submission, or the problem).
    result: Mapped[str | None] = mapped_column(sa.Text)
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)
    processed_dt: Mapped[datetime | None] = mapped_column()

    def __repr__(self) -> str:
        return f'<SubmissionIntake {self.id} visit={self.visit_id} {self.state}>'
