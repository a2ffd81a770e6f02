"""Inspection plans, their target units, pinned checklists, teams and commune draws."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_flow.core.db import Base, utcnow
from inspect_flow.core.types import JSONType, enum_column_type
from inspect_flow.units.models import TWO_TIER_FROM, AdminUnit, IssuingBody, Person
from inspect_flow.workflow.states import PlanState


class CoverageRule(enum.StrEnum):
    """Optional rule on which communes a round covers: one commune per group of a chosen grouping.

    The random draw (``draw_communes``) draws over the same grouping.
    """

    none = 'none'
    #: One commune per district (three tiers; the 2019 Bến Tre round). The stored value is the one the
    #: 2019 rounds were saved with; ``per_district`` is accepted on input too.
    per_district = 'one_commune_per_district'
    #: One commune per district of their predecessors before 01/07/2025 (two tiers).
    per_former_district = 'per_former_district'
    #: One commune per cluster of communes named on the plan (``Plan.clusters``).
    per_cluster = 'per_cluster'
    #: The name the rule had before the groupings (same member as ``per_district``).
    one_commune_per_district = 'one_commune_per_district'

    @property
    def key(self) -> str:
        """The rule's name on input and output (``per_district`` for the stored ``one_commune_per_district``)."""
        return self.name

    @classmethod
    def _missing_(cls, value: object) -> CoverageRule | None:
        return cls.__members__.get(str(value).strip()) if isinstance(value, str) else None


plan_target_units = sa.Table(
    'plan_target_units',
    Base.metadata,
    sa.Column('plan_id', sa.ForeignKey('plans.id', ondelete='CASCADE'), primary_key=True),
    sa.Column('unit_id', sa.ForeignKey('admin_units.id'), primary_key=True),
)


class Recurrence(enum.StrEnum):
    """How often a plan recurs (the province checks every six months and every year)."""

    half_yearly = 'half_yearly'  # 6 tháng một lần
    yearly = 'yearly'  # hằng năm

    @property
    def months(self) -> int:
        return 6 if self is Recurrence.half_yearly else 12


RECURRENCE_LABELS = {
    Recurrence.half_yearly: ('6 tháng một lần', 'Every six months'),
    Recurrence.yearly: ('Hằng năm', 'Every year'),
}


class Plan(Base):
    """An inspection and supervision plan (kế hoạch kiểm tra, giám sát) and its round.

    ``number`` and ``symbol`` make the reference (số, ký hiệu) ``1245/KH-BCĐCCTMTQG``. A plan drafted
    in inspect_flow has no number until it is issued; a plan issued elsewhere is entered with its number.
    The ``state`` column is the only source of truth for the workflow (see :mod:`inspect_flow.workflow`).
    """

    __tablename__ = 'plans'
    __table_args__ = (sa.UniqueConstraint('issuer_id', 'year', 'number', 'symbol'),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int | None] = mapped_column()
    symbol: Mapped[str] = mapped_column(sa.String(60))
    year: Mapped[int] = mapped_column()
    issuer_id: Mapped[int] = mapped_column(sa.ForeignKey('issuing_bodies.id'))
    issue_date: Mapped[date | None] = mapped_column(sa.Date)
    #: Trích yếu, e.g. "Kiểm tra, giám sát công tác giảm nghèo ... năm 2019".
    subject: Mapped[str] = mapped_column(sa.Text)
    #: Căn cứ: one legal basis per entry.
    legal_bases: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    #: Mục đích, yêu cầu: one objective per entry.
    objectives: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    fieldwork_start: Mapped[date] = mapped_column(sa.Date)
    fieldwork_end: Mapped[date] = mapped_column(sa.Date)
    coverage_rule: Mapped[CoverageRule] = mapped_column(
        enum_column_type(CoverageRule, 40), default=CoverageRule.none
    )
    #: Clusters of communes for the ``per_cluster`` coverage rule: ``[{"name": "Cụm 1", "communes": [codes]}]``
    #: (codes of the units valid on the plan's dates).
    clusters: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: How many households each team consults per commune (phương pháp: tham vấn trực tiếp).
    households_per_commune: Mapped[int] = mapped_column(default=0)
    state: Mapped[PlanState] = mapped_column(enum_column_type(PlanState), default=PlanState.planning, index=True)
    cancel_reason: Mapped[str | None] = mapped_column(sa.Text)
    #: Whether the round recurs: its next draft is created by ``plans recur`` (:mod:`inspect_flow.plans.recurrence`).
    recurrence: Mapped[Recurrence | None] = mapped_column(sa.Enum(
        Recurrence, native_enum=False, create_constraint=False, length=20, validate_strings=True,
        values_callable=lambda cls: [m.value for m in cls], name='recurrence'))
    #: The earlier plan this one was created from ("create from" or a recurrence); lineage only, no foreign key,
    #: so the earlier plan stays deletable.
    source_plan_id: Mapped[int | None] = mapped_column(index=True)
    #: Whether this plan was created by the daily recurrence (not by hand).
    by_recurrence: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)
    version_id: Mapped[int] = mapped_column(default=1)

    issuer: Mapped[IssuingBody] = relationship()
    target_units: Mapped[list[AdminUnit]] = relationship(secondary=plan_target_units, order_by='AdminUnit.code')
    teams: Mapped[list[Team]] = relationship(
        back_populates='plan', order_by='Team.number', cascade='all, delete-orphan'
    )
    visits: Mapped[list[Visit]] = relationship(  # noqa: F821
        back_populates='plan', order_by='Visit.starts_at', cascade='all, delete-orphan'
    )
    checklists: Mapped[list[PlanChecklist]] = relationship(back_populates='plan', cascade='all, delete-orphan')
    draws: Mapped[list[CommuneDraw]] = relationship(
        back_populates='plan', order_by='CommuneDraw.id', cascade='all, delete-orphan'
    )

    __mapper_args__ = {'version_id_col': version_id}

    @property
    def two_tier(self) -> bool:
        """Whether the round takes place in the two-tier structure (fieldwork from 01/07/2025: no districts)."""
        return self.fieldwork_start >= TWO_TIER_FROM

    @property
    def reference(self) -> str:
        """The plan's reference, e.g. ``1245/KH-BCĐCCTMTQG``, or ``…/KH-BCĐCCTMTQG`` before it is numbered."""
        number = f'{self.number:02d}' if self.number is not None else '…'
        return f'{number}/{self.symbol}'

    def __repr__(self) -> str:
        return f'<Plan {self.id} {self.reference} {self.state}>'


class PlanChecklist(Base):
    """A checklist version pinned by a plan: its whole content is stored, so later edits of the file
    never change an ongoing round's forms or past answers."""

    __tablename__ = 'plan_checklists'
    __table_args__ = (sa.UniqueConstraint('plan_id', 'checklist_id'),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey('plans.id', ondelete='CASCADE'), index=True)
    checklist_id: Mapped[str] = mapped_column(sa.String(80))
    version: Mapped[str] = mapped_column(sa.String(40))
    title: Mapped[str] = mapped_column(sa.String(250), default='')
    content: Mapped[dict] = mapped_column(JSONType)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    pinned_dt: Mapped[datetime] = mapped_column(default=utcnow)

    plan: Mapped[Plan] = relationship(back_populates='checklists')

    def __repr__(self) -> str:
        return f'<PlanChecklist {self.checklist_id}@{self.version}>'


class TeamRole(enum.StrEnum):
    """A member's role in an inspection team (đoàn kiểm tra)."""

    leader = 'leader'  # Trưởng đoàn
    deputy = 'deputy'  # Phó Trưởng đoàn
    member = 'member'  # Thành viên
    secretary = 'secretary'  # Thư ký


ROLE_LABELS = {
    TeamRole.leader: ('Trưởng đoàn', 'Team leader'),
    TeamRole.deputy: ('Phó Trưởng đoàn', 'Deputy leader'),
    TeamRole.member: ('Thành viên', 'Member'),
    TeamRole.secretary: ('Thư ký', 'Secretary'),
}


class Team(Base):
    """An inspection team of a plan (đoàn kiểm tra, giám sát số ...)."""

    __tablename__ = 'teams'
    __table_args__ = (sa.UniqueConstraint('plan_id', 'number'),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey('plans.id', ondelete='CASCADE'), index=True)
    number: Mapped[int] = mapped_column()

    plan: Mapped[Plan] = relationship(back_populates='teams')
    members: Mapped[list[TeamMember]] = relationship(
        back_populates='team', cascade='all, delete-orphan', order_by='TeamMember.id'
    )

    @property
    def leader(self) -> Person | None:
        """The team leader (trưởng đoàn), if one is named."""
        return next((m.person for m in self.members if m.role == TeamRole.leader), None)

    def member_for(self, person: Person) -> TeamMember | None:
        """Return *person*'s membership of this team, if any."""
        return next((m for m in self.members if m.person_id == person.id), None)

    def __repr__(self) -> str:
        return f'<Team {self.number} of plan {self.plan_id}>'


class TeamMember(Base):
    """A person's place in a team, with their role."""

    __tablename__ = 'team_members'
    __table_args__ = (
        sa.UniqueConstraint('team_id', 'person_id'),
        # One leader per team, enforced by the database as well as by the operations.
        sa.Index(
            'uq_team_members_one_leader',
            'team_id',
            unique=True,
            sqlite_where=sa.text("role = 'leader'"),
            postgresql_where=sa.text("role = 'leader'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey('teams.id', ondelete='CASCADE'), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey('people.id'), index=True)
    role: Mapped[TeamRole] = mapped_column(enum_column_type(TeamRole))

    team: Mapped[Team] = relationship(back_populates='members')
    person: Mapped[Person] = relationship(lazy='joined')

    def __repr__(self) -> str:
        return f'<TeamMember {self.person_id} {self.role} of team {self.team_id}>'


class CommuneDraw(Base):
    """A recorded random draw of communes (chọn ngẫu nhiên xã), replayable from its seed.

    TT 39/2016/TT-BLĐTBXH asks provincial teams to choose communes at random. The candidates, the
    parameters, the seed and the result are stored so anyone can replay and audit the draw.
    """

    __tablename__ = 'commune_draws'

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey('plans.id', ondelete='CASCADE'), index=True)
    seed: Mapped[str] = mapped_column(sa.String(64))
    #: How many communes were drawn per group (per district in 2019, whence the name).
    per_district: Mapped[int] = mapped_column()
    #: {group key: [candidate commune codes, sorted]} as the draw saw them; the group key is a district
    #: code (per district, per former district) or a cluster name (per cluster).
    candidates: Mapped[dict] = mapped_column(sa.JSON)
    #: {group key: [drawn commune codes]}.
    result: Mapped[dict] = mapped_column(sa.JSON)
    actor: Mapped[str] = mapped_column(sa.String(120))
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)

    plan: Mapped[Plan] = relationship(back_populates='draws')

    def __repr__(self) -> str:
        return f'<CommuneDraw {self.id} seed={self.seed}>'


from inspect_flow.visits.models import Visit  # noqa: E402,F401  (resolve the forward reference)
