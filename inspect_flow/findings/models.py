"""Findings, conclusions per district (three tiers) or commune (two tiers), recommendations, follow-up reports."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_flow.core.db import Base, utcnow
from inspect_flow.core.types import enum_column_type
from inspect_flow.units.models import AdminUnit, IssuingBody, Person
from inspect_flow.workflow.states import RecommendationState


class FindingKind(enum.StrEnum):
    """What a finding says (nhận xét, đánh giá của đoàn)."""

    achievement = 'achievement'  # ưu điểm, kết quả đạt được
    limitation = 'limitation'  # hạn chế, tồn tại
    cause = 'cause'  # nguyên nhân


class Severity(enum.StrEnum):
    """How serious a limitation is."""

    low = 'low'
    medium = 'medium'
    high = 'high'


class FindingSource(enum.StrEnum):
    """Where the team saw it (the evidence model of a round)."""

    report = 'report'  # nghe báo cáo của Ban Chỉ đạo huyện, xã
    records = 'records'  # kiểm tra hồ sơ
    household = 'household'  # tham vấn hộ
    observation = 'observation'  # quan sát thực tế
    checklist = 'checklist'  # a finding rule of the checklist


class FindingStatus(enum.StrEnum):
    """Whether the team stands behind a finding. Rule-suggested findings start as ``suggested``."""

    suggested = 'suggested'
    accepted = 'accepted'
    rejected = 'rejected'
    #: Taken back by the team after it was accepted, with a reason: kept with its history, out of documents
    #: and counts.
    withdrawn = 'withdrawn'


FINDING_KIND_LABELS = {
    FindingKind.achievement: ('Kết quả đạt được', 'Achievement'),
    FindingKind.limitation: ('Hạn chế, tồn tại', 'Limitation'),
    FindingKind.cause: ('Nguyên nhân', 'Cause'),
}


class Finding(Base):
    """One finding of a round, usually from one visit."""

    __tablename__ = 'findings'
    #: The dashboards' roll-ups read this index alone (``benchmarks/dashboard_bench.py``).
    __table_args__ = (sa.Index('ix_findings_rollup', 'category', 'kind', 'status', 'plan_id', 'visit_id', 'id'),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey('plans.id', ondelete='CASCADE'), index=True)
    visit_id: Mapped[int | None] = mapped_column(sa.ForeignKey('visits.id', ondelete='CASCADE'), index=True)
    kind: Mapped[FindingKind] = mapped_column(enum_column_type(FindingKind))
    #: A short category used for roll-ups, e.g. "Sử dụng vốn vay" (use of loans).
    category: Mapped[str] = mapped_column(sa.String(120))
    text: Mapped[str] = mapped_column(sa.Text)
    severity: Mapped[Severity | None] = mapped_column(enum_column_type(Severity))
    source: Mapped[FindingSource] = mapped_column(enum_column_type(FindingSource), default=FindingSource.observation)
    #: The checklist item the finding is about, or the finding rule that suggested it.
    checklist_item_id: Mapped[str | None] = mapped_column(sa.String(80))
    rule_id: Mapped[str | None] = mapped_column(sa.String(80))
    #: References to evidence: records seen, household codes, uploaded files.
    evidence: Mapped[list] = mapped_column(sa.JSON, default=list)
    status: Mapped[FindingStatus] = mapped_column(enum_column_type(FindingStatus), default=FindingStatus.accepted)
    #: Why the team withdrew it (status ``withdrawn``).
    withdrawn_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_by: Mapped[str] = mapped_column(sa.String(120), default='')
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)
    updated_dt: Mapped[datetime | None] = mapped_column()
    version_id: Mapped[int] = mapped_column(default=1)

    visit: Mapped[Visit | None] = relationship()  # noqa: F821

    __mapper_args__ = {'version_id_col': version_id}

    def __repr__(self) -> str:
        return f'<Finding {self.id} {self.kind} {self.category!r}>'


class Conclusion(Base):
    """The team leader's conclusion (kết luận) for one unit, issued as a THÔNG BÁO KẾT LUẬN.

    The unit is the visits' :attr:`~inspect_flow.visits.models.Visit.conclusion_unit`: a district in a
    three-tier round (2019), the visited commune in a two-tier round (from 01/07/2025).
    """

    __tablename__ = 'conclusions'
    __table_args__ = (sa.UniqueConstraint('plan_id', 'unit_id'),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey('plans.id', ondelete='CASCADE'), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey('admin_units.id'))
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey('teams.id'))
    #: Đánh giá chung: the overall assessment opening the notice.
    summary: Mapped[str] = mapped_column(sa.Text, default='')
    created_by: Mapped[str] = mapped_column(sa.String(120), default='')
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)
    updated_dt: Mapped[datetime | None] = mapped_column()
    version_id: Mapped[int] = mapped_column(default=1, server_default=sa.text('1'))

    unit: Mapped[AdminUnit] = relationship()
    team: Mapped[Team | None] = relationship()  # noqa: F821
    recommendations: Mapped[list[Recommendation]] = relationship(
        back_populates='conclusion', order_by='Recommendation.number'
    )

    __mapper_args__ = {'version_id_col': version_id}

    @property
    def active_recommendations(self) -> list[Recommendation]:
        """Its recommendations, the withdrawn ones left out (what its notice prints)."""
        return [r for r in self.recommendations if r.state != RecommendationState.withdrawn]

    def __repr__(self) -> str:
        return f'<Conclusion plan={self.plan_id} unit={self.unit_id}>'


class Recommendation(Base):
    """A recommendation (kiến nghị, đề nghị) to a unit or body, tracked until it is verified.

    The addressee is a unit (UBND huyện Mỏ Cày Bắc through the district unit, UBND xã Nhuận Phú Tân
    through the commune unit) or an issuing body (a provincial department, Sở …); ``addressee_label`` is
    the name printed in documents.
    """

    __tablename__ = 'recommendations'
    #: Recommendations by state and age past their deadline, read from this index alone.
    __table_args__ = (sa.Index('ix_recommendations_rollup', 'plan_id', 'state', 'deadline', 'finding_id'),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey('plans.id', ondelete='CASCADE'), index=True)
    conclusion_id: Mapped[int | None] = mapped_column(sa.ForeignKey('conclusions.id'), index=True)
    finding_id: Mapped[int | None] = mapped_column(sa.ForeignKey('findings.id', ondelete='SET NULL'))
    #: Position in the conclusion notice (1, 2, 3...).
    number: Mapped[int] = mapped_column(default=1)
    addressee_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey('admin_units.id'), index=True)
    addressee_body_id: Mapped[int | None] = mapped_column(sa.ForeignKey('issuing_bodies.id'))
    addressee_label: Mapped[str] = mapped_column(sa.String(250))
    text: Mapped[str] = mapped_column(sa.Text)
    deadline: Mapped[date | None] = mapped_column(sa.Date)
    state: Mapped[RecommendationState] = mapped_column(
        enum_column_type(RecommendationState), default=RecommendationState.open, index=True
    )
    created_by: Mapped[str] = mapped_column(sa.String(120), default='')
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)
    verified_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey('people.id'))
    #: Why it was withdrawn (state ``withdrawn``).
    withdrawn_reason: Mapped[str | None] = mapped_column(sa.Text)
    version_id: Mapped[int] = mapped_column(default=1)

    conclusion: Mapped[Conclusion | None] = relationship(back_populates='recommendations')
    finding: Mapped[Finding | None] = relationship()
    addressee_unit: Mapped[AdminUnit | None] = relationship()
    addressee_body: Mapped[IssuingBody | None] = relationship()
    verified_by: Mapped[Person | None] = relationship()
    reports: Mapped[list[FollowUpReport]] = relationship(
        back_populates='recommendation', cascade='all, delete-orphan', order_by='FollowUpReport.id'
    )

    __mapper_args__ = {'version_id_col': version_id}

    def is_past_deadline(self, today: date) -> bool:
        """Tell whether the deadline has passed on *today* (the deadline day itself is still in time)."""
        return self.deadline is not None and today > self.deadline

    def __repr__(self) -> str:
        return f'<Recommendation {self.id} {self.state}>'


class FollowUpReport(Base):
    """A report by the addressee on what it has done about a recommendation (báo cáo thực hiện kiến nghị)."""

    __tablename__ = 'follow_up_reports'

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(
        sa.ForeignKey('recommendations.id', ondelete='CASCADE'), index=True
    )
    reported_by: Mapped[str] = mapped_column(sa.String(120))
    report_date: Mapped[date] = mapped_column(sa.Date)
    text: Mapped[str] = mapped_column(sa.Text)
    evidence: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: Whether the addressee reports the recommendation as fully carried out.
    is_completed: Mapped[bool] = mapped_column(default=False)
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)

    recommendation: Mapped[Recommendation] = relationship(back_populates='reports')

    def __repr__(self) -> str:
        return f'<FollowUpReport {self.id} on {self.recommendation_id}>'


from inspect_flow.plans.models import Team  # noqa: E402,F401
from inspect_flow.visits.models import Visit  # noqa: E402,F401
