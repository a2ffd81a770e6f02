"""Visits (one team's working session in one commune), their participants and household consultations."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_flow.core.db import Base, utcnow
from inspect_flow.core.types import JSONType, enum_column_type
from inspect_flow.units.models import AdminUnit, Person
from inspect_flow.workflow.states import VisitState


class Visit(Base):
    """A team's working session at one commune (buổi làm việc tại xã), with its district in the three-tier
    structure (``district`` is None for a commune of the two-tier structure, from 01/07/2025).

    ``starts_at`` and ``ends_at`` are local wall-clock times (Asia/Ho_Chi_Minh, no DST): the schedule
    of a round is agreed in local time, and that is what the documents print.
    """

    __tablename__ = 'visits'

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey('plans.id', ondelete='CASCADE'), index=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey('teams.id', ondelete='CASCADE'), index=True)
    commune_id: Mapped[int] = mapped_column(sa.ForeignKey('admin_units.id'), index=True)
    #: The commune's district on the visit's day; None when the commune has no district (two tiers).
    district_id: Mapped[int | None] = mapped_column(sa.ForeignKey('admin_units.id'), index=True)
    starts_at: Mapped[datetime] = mapped_column()
    ends_at: Mapped[datetime] = mapped_column()
    #: Địa điểm, e.g. "Hội trường UBND xã Nhuận Phú Tân".
    place: Mapped[str] = mapped_column(sa.String(250), default='')
    state: Mapped[VisitState] = mapped_column(enum_column_type(VisitState), default=VisitState.scheduled, index=True)
    cancel_reason: Mapped[str | None] = mapped_column(sa.Text)
    #: The team leader's comment when the record was last returned for correction.
    return_comment: Mapped[str | None] = mapped_column(sa.Text)
    #: Draft and submitted answers to the pinned checklist: {item_id: value, repeat_id: [{...}, ...]}.
    answers: Mapped[dict] = mapped_column(JSONType, default=dict)
    #: Free-text content of the session: reports heard, records checked, the local side's opinion.
    content: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    submitted_dt: Mapped[datetime | None] = mapped_column()
    reviewed_dt: Mapped[datetime | None] = mapped_column()
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey('people.id'))
    version_id: Mapped[int] = mapped_column(default=1)

    plan: Mapped[Plan] = relationship(back_populates='visits')  # noqa: F821
    team: Mapped[Team] = relationship(lazy='joined')  # noqa: F821
    commune: Mapped[AdminUnit] = relationship(foreign_keys=[commune_id], lazy='joined')
    district: Mapped[AdminUnit | None] = relationship(foreign_keys=[district_id], lazy='joined')
    reviewed_by: Mapped[Person | None] = relationship()
    participants: Mapped[list[VisitParticipant]] = relationship(
        back_populates='visit', cascade='all, delete-orphan', order_by='VisitParticipant.id'
    )
    households: Mapped[list[HouseholdConsultation]] = relationship(
        back_populates='visit', cascade='all, delete-orphan', order_by='HouseholdConsultation.id'
    )

    __mapper_args__ = {'version_id_col': version_id}

    @property
    def conclusion_unit(self) -> AdminUnit:
        """The unit the visit is concluded under: its district in a three-tier round, the commune itself in a
        two-tier round (one conclusion notice per such unit)."""
        return self.district if self.district is not None else self.commune

    @property
    def conclusion_unit_id(self) -> int:
        """The id of :attr:`conclusion_unit`, without loading it."""
        return self.district_id if self.district_id is not None else self.commune_id

    @property
    def where(self) -> str:
        """"Xã Nhuận Phú Tân, Huyện Mỏ Cày Bắc" (three tiers) or "Xã Nhuận Phú Tân" (two tiers)."""
        if self.district is None:
            return self.commune.full_name
        return f'{self.commune.full_name}, {self.district.full_name}'

    @property
    def label(self) -> str:
        """A human label: "Xã Nhuận Phú Tân, Huyện Mỏ Cày Bắc (Đoàn 9, 24/07/2019)"."""
        return f'{self.where} (Đoàn {self.team.number}, {self.starts_at:%d/%m/%Y})'

    def __repr__(self) -> str:
        return f'<Visit {self.id} team={self.team_id} commune={self.commune_id} {self.state}>'


class ParticipantSide(enum.StrEnum):
    """Which side a participant of a working session sits on (thành phần)."""

    district = 'district'  # Ban Chỉ đạo huyện
    commune = 'commune'  # Ban Chỉ đạo xã
    invited = 'invited'  # Mời dự: Mặt trận, hội đoàn thể, trưởng ấp...


class VisitParticipant(Base):
    """A local participant of a working session (the team's own members come from the team)."""

    __tablename__ = 'visit_participants'

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(sa.ForeignKey('visits.id', ondelete='CASCADE'), index=True)
    side: Mapped[ParticipantSide] = mapped_column(enum_column_type(ParticipantSide))
    full_name: Mapped[str] = mapped_column(sa.String(120))
    title: Mapped[str] = mapped_column(sa.String(200), default='')
    agency: Mapped[str] = mapped_column(sa.String(200), default='')

    visit: Mapped[Visit] = relationship(back_populates='participants')

    def __repr__(self) -> str:
        return f'<VisitParticipant {self.full_name} ({self.side})>'


class HouseholdCategory(enum.StrEnum):
    """Category of a consulted household (đối tượng tham vấn)."""

    poor = 'poor'  # hộ nghèo
    near_poor = 'near_poor'  # hộ cận nghèo
    escaped = 'escaped'  # hộ thoát nghèo


HOUSEHOLD_CATEGORY_LABELS = {
    HouseholdCategory.poor: ('Hộ nghèo', 'Poor household'),
    HouseholdCategory.near_poor: ('Hộ cận nghèo', 'Near-poor household'),
    HouseholdCategory.escaped: ('Hộ thoát nghèo', 'Household that escaped poverty'),
}


class HouseholdConsultation(Base):
    """One consulted household (phiếu tham vấn hộ) and its answers.

    Households are identified by their code on the commune's list; the head's name is optional and
    is never printed in public reports.
    """

    __tablename__ = 'household_consultations'
    __table_args__ = (sa.UniqueConstraint('visit_id', 'household_code'),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(sa.ForeignKey('visits.id', ondelete='CASCADE'), index=True)
    household_code: Mapped[str] = mapped_column(sa.String(40))
    head_name: Mapped[str | None] = mapped_column(sa.String(120))
    category: Mapped[HouseholdCategory] = mapped_column(enum_column_type(HouseholdCategory))
    answers: Mapped[dict] = mapped_column(JSONType, default=dict)
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)

    visit: Mapped[Visit] = relationship(back_populates='households')

    def __repr__(self) -> str:
        return f'<HouseholdConsultation {self.household_code} {self.category}>'


from inspect_flow.plans.models import Plan, Team  # noqa: E402,F401  (resolve forward references)
