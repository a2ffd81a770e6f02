"""The team's on-site check of an earlier round's recommendation (kiểm tra việc thực hiện kiến nghị trước)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_flow.core.db import Base, utcnow
from inspect_flow.core.types import enum_column_type
from inspect_flow.units.models import Person


class CheckOutcome(enum.StrEnum):
    """What the team found of an earlier recommendation during a visit."""

    done = 'done'  # đã thực hiện
    partly_done = 'partly_done'  # thực hiện một phần
    not_done = 'not_done'  # chưa thực hiện


OUTCOME_LABELS = {
    CheckOutcome.done: ('Đã thực hiện', 'Done'),
    CheckOutcome.partly_done: ('Thực hiện một phần', 'Partly done'),
    CheckOutcome.not_done: ('Chưa thực hiện', 'Not done'),
}


class FollowUpCheck(Base):
    """One check, in one round, of a recommendation an earlier round made: one per (plan, recommendation)."""

    __tablename__ = 'follow_up_checks'
    __table_args__ = (sa.UniqueConstraint('plan_id', 'recommendation_id'),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey('plans.id', ondelete='CASCADE'), index=True)
    visit_id: Mapped[int | None] = mapped_column(sa.ForeignKey('visits.id', ondelete='SET NULL'), index=True)
    recommendation_id: Mapped[int] = mapped_column(sa.ForeignKey('recommendations.id', ondelete='CASCADE'),
                                                   index=True)
    outcome: Mapped[CheckOutcome] = mapped_column(enum_column_type(CheckOutcome, 20))
    note: Mapped[str] = mapped_column(sa.Text, default='')
    evidence: Mapped[list] = mapped_column(sa.JSON, default=list)
    state_before: Mapped[str] = mapped_column(sa.String(24))
    state_after: Mapped[str] = mapped_column(sa.String(24))
    checked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey('people.id'))
    created_by: Mapped[str] = mapped_column(sa.String(120), default='')
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)

    checked_by: Mapped[Person | None] = relationship()
    recommendation: Mapped[Recommendation] = relationship()  # noqa: F821
    visit: Mapped[Visit | None] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f'<FollowUpCheck rec={self.recommendation_id} plan={self.plan_id} {self.outcome}>'


from inspect_flow.findings.models import Recommendation  # noqa: E402,F401
from inspect_flow.visits.models import Visit  # noqa: E402,F401
