"""The cross-round dashboard's figures, read with a few aggregate queries (no Flask): findings per year by kind,
recommendations by state and by age past their deadline, and the units where the same limitation category returns
round after round (communes followed across the 2025 reform through :func:`current_successor`).

Filters come from the URL (``?from=2019&to=2026&province=83&category=Báo cáo``) so that a view can be shared.
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspect_flow.core.text import nfc
from inspect_flow.findings.models import Finding, FindingKind, FindingStatus, Recommendation
from inspect_flow.plans.dashboard import OPEN_STATES, Bar
from inspect_flow.plans.models import Plan, PlanState
from inspect_flow.units.models import AdminUnit, IssuingBody
from inspect_flow.visits.models import Visit
from inspect_flow.workflow.states import RecommendationState

#: Age buckets of overdue recommendations: (key, first day late, last day late or None).
AGE_BUCKETS = (('0-30', 1, 30), ('31-90', 31, 90), ('91-180', 91, 180), ('180+', 181, None))
STATE_ORDER = ('verified', 'done', 'in_progress', 'open', 'overdue')
DROPPED = (FindingStatus.rejected, FindingStatus.withdrawn)


def _year(value: object) -> int | None:
    text = str(value or '').strip()
    return int(text) if text.isdigit() and 1990 <= int(text) <= 2100 else None


@dataclass(frozen=True)
class CrossFilters:
    """The cross-round filters as they appear in the URL; anything unreadable falls back to "all"."""

    year_from: int | None = None
    year_to: int | None = None
    province: str = ''
    category: str = ''

    @classmethod
    def parse(cls, args) -> CrossFilters:  # noqa: ANN001
        province = str(args.get('province', '') or '').strip()
        category = nfc(' '.join(str(args.get('category', '') or '').split())[:120])
        if any(unicodedata.category(ch).startswith('C') for ch in category):
            category = ''  # a control character or a lone surrogate names no category: the filter is off
        return cls(year_from=_year(args.get('from')), year_to=_year(args.get('to')),
                   province=province if province.isdigit() and len(province) <= 3 else '', category=category)

    def args(self) -> dict:
        """The query arguments of these filters (unset ones left out), to build shareable links."""
        values = {'from': self.year_from, 'to': self.year_to, 'province': self.province, 'category': self.category}
        return {k: v for k, v in values.items() if v not in ('', None)}


@dataclass
class RecurringUnit:
    unit: str
    category: str
    years: list[int]

    @property
    def rounds(self) -> int:
        return len(self.years)


@dataclass
class CrossDashboard:
    filters: CrossFilters
    trends: list[Bar]  # one bar per year, counts by finding kind
    recommendations: Counter  # by state, 'overdue' counted apart
    ages: Counter  # overdue recommendations by age bucket
    recurring: list[RecurringUnit]
    years: list[int]  # the years that have rounds (for the filter)
    provinces: list[tuple[str, str]]  # (code, name) of the provinces issuing rounds
    categories: list[str]

    @property
    def max_year(self) -> int:
        return max((b.total for b in self.trends), default=0)

    @property
    def recommendation_total(self) -> int:
        return sum(self.recommendations.values())

    @property
    def overdue_total(self) -> int:
        return sum(self.ages.values())


def _plan_where(filters: CrossFilters) -> list:
    """Conditions on :class:`Plan` (joined to its issuer's unit when a province is chosen)."""
    where = [Plan.state != PlanState.cancelled]
    if filters.year_from:
        where.append(Plan.year >= filters.year_from)
    if filters.year_to:
        where.append(Plan.year <= filters.year_to)
    if filters.province:
        province = (sa.select(IssuingBody.id).join(AdminUnit, AdminUnit.id == IssuingBody.unit_id)
                    .where(AdminUnit.code == filters.province))
        where.append(Plan.issuer_id.in_(province))
    return where


def cross_dashboard(session: Session, *, day: date, filters: CrossFilters | None = None) -> CrossDashboard:
    """The cross-round figures on *day* under *filters*.

    Shaped for the national scale (3,321 communes, several years; ``benchmarks/dashboard_bench.py``): the few
    rounds are read first; findings and recommendations are aggregated in SQL (read from the indexes
    ``ix_findings_rollup`` and ``ix_recommendations_rollup`` where they cover the query), and only aggregates
    and the distinct (commune, category, round) of limitations reach Python.
    """
    filters = filters or CrossFilters()
    kept = dict(session.execute(sa.select(Plan.id, Plan.year).where(*_plan_where(filters))).all())

    # trends: findings per year by kind (one grouped query, narrowed by the filters in SQL)
    plan_where = _plan_where(filters)
    finding_where = [Finding.status.not_in(DROPPED), *plan_where]
    if filters.category:
        finding_where.append(Finding.category == filters.category)
    per_year: dict[int, Counter] = defaultdict(Counter)
    for year, kind, n in session.execute(
            sa.select(Plan.year, Finding.kind, sa.func.count()).join(Plan, Plan.id == Finding.plan_id)
            .where(*finding_where).group_by(Plan.year, Finding.kind)):
        per_year[year][kind.value] += n
    trends = [Bar(str(y), dict(per_year[y]), key=y) for y in sorted(per_year)]

    # recommendations by state, the overdue ones by age past their deadline (one grouped query, CASE in SQL)
    rec_where = [Recommendation.state != RecommendationState.withdrawn, Recommendation.plan_id.in_(list(kept))]
    if filters.category:
        rec_where.append(Recommendation.finding_id.in_(
            sa.select(Finding.id).where(Finding.category == filters.category)))
    late = sa.or_(Recommendation.state == RecommendationState.overdue,
                  sa.and_(Recommendation.state.in_(OPEN_STATES), Recommendation.deadline < day))
    whens = [(sa.and_(late, Recommendation.deadline.is_(None)), AGE_BUCKETS[0][0])]
    for key, _first, last in AGE_BUCKETS:
        cond = late if last is None else sa.and_(late, Recommendation.deadline >= day - timedelta(days=last))
        whens.append((cond, key))
    bucket = sa.case(*whens, else_='')
    states: Counter = Counter()
    ages: Counter = Counter()
    if kept:
        for state, age, n in session.execute(
                sa.select(Recommendation.state, bucket, sa.func.count())
                .where(*rec_where).group_by(Recommendation.state, bucket)):
            if age:
                states['overdue'] += n
                ages[age] += n
            else:
                states[state.value] += n

    # the same limitation category in the same commune in two or more rounds (distinct triples, one query)
    triples: list[tuple[int, str, int, int]] = []
    communes = sa.select(Visit.commune_id).where(Visit.plan_id.in_(list(kept)))  # the visited communes
    if kept:
        limitation = [Finding.kind == FindingKind.limitation, Finding.status.not_in(DROPPED),
                      Finding.plan_id.in_(list(kept))]
        if filters.category:
            limitation.append(Finding.category == filters.category)
        triples = [(commune_id, category, kept[plan_id], plan_id) for commune_id, category, plan_id in session.execute(
            sa.select(Visit.commune_id, Finding.category, Finding.plan_id)
            .join(Visit, Visit.id == Finding.visit_id).where(*limitation).distinct())]
    recurring = _recurring(session, triples, communes, day)

    years = sorted(session.scalars(sa.select(Plan.year).where(Plan.state != PlanState.cancelled).distinct()))
    provinces = session.execute(
        sa.select(AdminUnit.code, AdminUnit.full_name).join(IssuingBody, IssuingBody.unit_id == AdminUnit.id)
        .join(Plan, Plan.issuer_id == IssuingBody.id).distinct().order_by(AdminUnit.code)).all()
    categories = sorted(session.scalars(sa.select(Finding.category).where(Finding.status.not_in(DROPPED))
                                        .distinct()))  # read from ix_findings_rollup alone
    return CrossDashboard(filters, trends, states, ages, recurring, years, [tuple(p) for p in provinces], categories)


def _recurring(session: Session, triples, communes: sa.Select, day: date) -> list[RecurringUnit]:  # noqa: ANN001
    """Group (commune, category, year, plan) by the commune that holds the place today: a 2019 commune and the
    2025 commune that succeeded it count as one unit (*communes*: a query of the visited communes' ids). Named
    ``"Xã Nhuận Phú Tân, Tỉnh Vĩnh Long"``: the name with its parent's, as names repeat across provinces."""
    from inspect_flow.units.models import UnitSuccession
    from inspect_flow.units.operations import current_successor_ids

    if not triples:
        return []
    now = current_successor_ids(session, communes, day)
    plans: dict[tuple[int, str], dict[int, int]] = defaultdict(dict)
    for commune_id, category, year, plan_id in triples:
        plans[(now[commune_id], category)][plan_id] = year
    found = {key: rounds for key, rounds in plans.items() if len(rounds) >= 2}
    if not found:
        return []
    # the names of the visited communes and of those that took them over (subqueries, no list of ids)
    parent = sa.orm.aliased(AdminUnit)
    successors = sa.select(UnitSuccession.successor_id).where(UnitSuccession.predecessor_id.in_(communes))
    wanted = {uid for uid, _category in found}
    names: dict[int, str] = {}
    for uid, name, parent_name in session.execute(
            sa.select(AdminUnit.id, AdminUnit.full_name, parent.full_name)
            .outerjoin(parent, parent.id == AdminUnit.parent_id)
            .where(sa.or_(AdminUnit.id.in_(communes), AdminUnit.id.in_(successors)))):
        if uid in wanted:
            names[uid] = f'{name}, {parent_name}' if parent_name is not None else name
    missing = sorted(wanted - set(names))  # a successor reached in more than one step
    for i in range(0, len(missing), 1000):
        for uid, name, parent_name in session.execute(
                sa.select(AdminUnit.id, AdminUnit.full_name, parent.full_name)
                .outerjoin(parent, parent.id == AdminUnit.parent_id).where(AdminUnit.id.in_(missing[i:i + 1000]))):
            names[uid] = f'{name}, {parent_name}' if parent_name is not None else name
    out = [RecurringUnit(names[uid], category, sorted(rounds.values())) for (uid, category), rounds in found.items()]
    return sorted(out, key=lambda r: (-r.rounds, r.unit, r.category))
