"""The audit trail: every state change and every edit of a finding or recommendation."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from inspect_flow.core.db import Base, utcnow


class AuditEntry(Base):
    """One audited action: who, when, what, from → to (healthchecks' ``Flip`` plus Indico's log entry).

    ``plan_id`` is set on every row that belongs to a round, so a plan's whole history is one query.
    For a state change, ``from_state``/``to_state`` and ``trigger`` are set; for an edit, ``changes``
    holds ``{field: [old, new]}``.
    """

    __tablename__ = 'audit_entries'

    id: Mapped[int] = mapped_column(primary_key=True)
    created_dt: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(sa.String(120))
    plan_id: Mapped[int | None] = mapped_column(sa.ForeignKey('plans.id', ondelete='CASCADE'), index=True)
    entity_type: Mapped[str] = mapped_column(sa.String(40))
    entity_id: Mapped[int] = mapped_column()
    #: create, update, delete or transition.
    action: Mapped[str] = mapped_column(sa.String(20))
    trigger: Mapped[str | None] = mapped_column(sa.String(40))
    from_state: Mapped[str | None] = mapped_column(sa.String(24))
    to_state: Mapped[str | None] = mapped_column(sa.String(24))
    changes: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    comment: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__ = (sa.Index('ix_audit_entries_entity', 'entity_type', 'entity_id'),)

    def __repr__(self) -> str:
        return f'<AuditEntry {self.id} {self.entity_type}#{self.entity_id} {self.action}>'
