"""The round dashboard's figures, read from the database (no Flask): progress that counts cancelled visits and
names them, findings by unit and by category, recommendations by state, and the whole overdue list with filters.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspect_flow.findings.models import Finding, FindingKind, FindingStatus, Recommendation
from inspect_flow.plans.models import Plan
from inspect_flow.visits.models import Visit
from inspect_flow.workflow.states import RecommendationState, VisitState

OPEN_STATES = (RecommendationState.open, RecommendationState.in_progress, RecommendationState.overdue)
DONE_STATES = (VisitState.submitted, VisitState.reviewed)
KINDS = tuple(k.value for k in FindingKind)
#: The "days late" thresholds the overdue list can be filtered on.
LATE_STEPS = (0, 30, 90, 180, 365)
SORTS = ('deadline', 'late', 'addressee')


@dataclass(frozen=True)
class OverdueFilters:
    """The overdue list's filters, as they appear in the URL (``?addressee=…&late=90&sort=late``)."""

    addressee: str = ''
    late: int = 0
    sort: str = 'deadline'

    @classmethod
    def parse(cls, args) -> OverdueFilters:  # noqa: ANN001
        """Read the filters from a mapping of query arguments; anything unknown falls back to the default."""
        late = str(args.get('late', '') or '')
        sort = str(args.get('sort', '') or '')
        return cls(addressee=' '.join(str(args.get('addressee', '') or '').split())[:250],
                   late=int(late) if late.isdigit() and int(late) in LATE_STEPS else 0,
                   sort=sort if sort in SORTS else 'deadline')

    def args(self, **change) -> dict:  # noqa: ANN003
        """The query arguments of these filters with *change* applied (defaults left out)."""
        values = {'addressee': self.addressee, 'late': self.late, 'sort': self.sort, **change}
        return {k: v for k, v in values.items() if v not in ('', 0, 'deadline', None)}


@dataclass
class Progress:
    total: int = 0
    done: int = 0
    reviewed: int = 0
    submitted: int = 0
    cancelled: int = 0

    @property
    def active(self) -> int:
        return self.total - self.cancelled


@dataclass
class Bar:
    label: str | None
    counts: dict[str, int]
    key: int | str | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class OverdueRow:
    id: int
    addressee: str
    text: str
    deadline: date | None
    days_late: int
    state: RecommendationState


@dataclass
class RoundDashboard:
    progress: Progress
    teams: list[tuple[int, Progress]]
    units: list[tuple[str, Progress]]
    cancelled: list[Visit]
    findings_by_unit: list[Bar]
    findings_by_category: list[Bar]
    recommendations: Counter
    recommendation_total: int
    overdue: list[OverdueRow]
    overdue_total: int
    addressees: list[str]
    filters: OverdueFilters = field(default_factory=OverdueFilters)

    @property
    def max_unit(self) -> int:
        return max((b.total for b in self.findings_by_unit), default=0)

    @property
    def max_category(self) -> int:
        return max((b.total for b in self.findings_by_category), default=0)


def is_overdue(rec: Recommendation, day: date) -> bool:
    return rec.state == RecommendationState.overdue or (rec.state in OPEN_STATES and rec.is_past_deadline(day))


def round_dashboard(session: Session, plan: Plan, *, day: date,
                    filters: OverdueFilters | None = None) -> RoundDashboard:
    """The figures of *plan*'s dashboard on *day*: counted in SQL (visits by team, unit and state; findings by
    unit, category and kind), the recommendations read as bare columns; no visit's record is loaded."""
    from inspect_flow.plans.models import Team
    from inspect_flow.units.models import AdminUnit

    filters = filters or OverdueFilters()
    overall = Progress()
    by_team: dict[int, Progress] = defaultdict(Progress)
    by_unit: dict[str, Progress] = defaultdict(Progress)
    unit_of_visit = sa.func.coalesce(Visit.district_id, Visit.commune_id)  # Visit.conclusion_unit
    counts = session.execute(
        sa.select(Team.number, unit_of_visit, Visit.state, sa.func.count()).join(Team, Team.id == Visit.team_id)
        .where(Visit.plan_id == plan.id).group_by(Team.number, unit_of_visit, Visit.state)).all()
    unit_ids = {uid for _n, uid, _s, _c in counts}
    names = dict(session.execute(sa.select(AdminUnit.id, AdminUnit.full_name)
                                 .where(AdminUnit.id.in_(unit_ids))).all()) if unit_ids else {}
    for number, unit_id, state, n in counts:
        for p in (overall, by_team[number], by_unit[names[unit_id]]):
            p.total += n
            p.cancelled += n * (state == VisitState.cancelled)
            p.reviewed += n * (state == VisitState.reviewed)
            p.submitted += n * (state == VisitState.submitted)
            p.done += n * (state in DONE_STATES)
    cancelled = list(session.scalars(sa.select(Visit).where(Visit.plan_id == plan.id,
                                                            Visit.state == VisitState.cancelled)
                                     .order_by(Visit.starts_at, Visit.id)))

    # findings (rejected and withdrawn ones aside) by the visit's concluded unit and by category, split by kind
    unit_counts: dict[str | None, Counter] = defaultdict(Counter)
    cat_counts: dict[str, Counter] = defaultdict(Counter)
    dropped = (FindingStatus.rejected, FindingStatus.withdrawn)
    rows = session.execute(sa.select(unit_of_visit, Finding.category, Finding.kind, sa.func.count())
                           .outerjoin(Visit, Visit.id == Finding.visit_id)
                           .where(Finding.plan_id == plan.id, Finding.status.not_in(dropped))
                           .group_by(unit_of_visit, Finding.category, Finding.kind))
    for unit_id, category, kind, n in rows:
        unit_counts[names.get(unit_id)][kind.value] += n  # None: a round-level finding
        cat_counts[category][kind.value] += n
    by_unit_bars = sorted((Bar(u, dict(c)) for u, c in unit_counts.items()), key=lambda b: (-b.total, b.label or ''))
    by_cat_bars = sorted((Bar(k, dict(c)) for k, c in cat_counts.items()), key=lambda b: (-b.total, b.label))

    recs = session.execute(sa.select(Recommendation.id, Recommendation.addressee_label, Recommendation.text,
                                     Recommendation.deadline, Recommendation.state)
                           .where(Recommendation.plan_id == plan.id,
                                  Recommendation.state != RecommendationState.withdrawn)).all()

    def late(state: RecommendationState, deadline: date | None) -> bool:  # is_overdue() on bare columns
        return state == RecommendationState.overdue or (state in OPEN_STATES and deadline is not None
                                                         and day > deadline)

    states = Counter('overdue' if late(r.state, r.deadline) else r.state.value for r in recs)
    overdue_all = [OverdueRow(r.id, r.addressee_label, r.text, r.deadline,
                              (day - r.deadline).days if r.deadline else 0, r.state)
                   for r in recs if late(r.state, r.deadline)]
    wanted = overdue_all
    if filters.addressee:
        wanted = [o for o in wanted if o.addressee == filters.addressee]
    if filters.late:
        wanted = [o for o in wanted if o.days_late >= filters.late]
    key = {'deadline': lambda o: (o.deadline or date.max, o.id), 'late': lambda o: (-o.days_late, o.id),
           'addressee': lambda o: (o.addressee, o.deadline or date.max, o.id)}[filters.sort]
    return RoundDashboard(
        progress=overall, teams=sorted(by_team.items()), units=sorted(by_unit.items()), cancelled=cancelled,
        findings_by_unit=by_unit_bars, findings_by_category=by_cat_bars, recommendations=states,
        recommendation_total=len(recs), overdue=sorted(wanted, key=key), overdue_total=len(overdue_all),
        addressees=sorted({o.addressee for o in overdue_all}), filters=filters)
