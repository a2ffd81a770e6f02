"""The cross-round dashboard in the API (``GET /api/v1/dashboard``): the figures of the ``/dashboard`` page under
the same URL filters, for the same people (the secretariat, administrators and team leaders). A thin shell over
:func:`inspect_flow.plans.analytics.cross_dashboard`."""

from __future__ import annotations

from flask import Response
from pydantic import Field

from inspect_flow.accounts import access
from inspect_flow.api import schemas as s
from inspect_flow.api.core import db, parse_query, route, user
from inspect_flow.api.views import out, require


class DashboardQuery(s.In):
    """The filters of ``/dashboard`` (all optional; together they narrow the rounds counted)."""

    year_from: int | None = Field(default=None, alias='from', ge=1990, le=2100,
                                  description='Rounds of this year and later.')
    year_to: int | None = Field(default=None, alias='to', ge=1990, le=2100, description='Rounds of this year and '
                                                                                        'earlier.')
    province: str | None = Field(default=None, pattern=r'^[0-9]{1,3}$',
                                 description="The code of the province whose bodies issued the rounds, e.g. '86'.")
    category: str | None = Field(default=None, min_length=1, max_length=120, pattern=r'^[^\x00-\x1f\x7f]+$',
                                 description='A finding category of the managed vocabulary, e.g. "Báo cáo".')


class YearTrend(s.Out):
    """Findings of one year's rounds by kind (rejected and withdrawn findings left out)."""

    year: int
    achievement: int
    limitation: int
    cause: int
    total: int


class RecommendationCounts(s.Out):
    by_state: dict[str, int] = Field(description='verified, done, in_progress, open and overdue (an open or in '
                                                 'progress recommendation past its deadline counts as overdue).')
    total: int = Field(description='Every recommendation counted (withdrawn ones left out).')
    by_age: dict[str, int] = Field(description="Overdue ones by days late: '0-30', '31-90', '91-180', '180+'.")
    overdue: int


class RecurringOut(s.Out):
    """A unit (as it is today, across the 2025 reform) where the same limitation category returns."""

    unit: str
    category: str
    rounds: int
    years: list[int]


class ProvinceOut(s.Out):
    code: str
    name: str


class DashboardOut(s.Out):
    """The cross-round figures under the filters, as on the ``/dashboard`` page."""

    filters: dict[str, int | str | None]
    trends: list[YearTrend]
    recommendations: RecommendationCounts
    recurring: list[RecurringOut]
    years: list[int] = Field(description='The years that have rounds (values of the year filters).')
    provinces: list[ProvinceOut] = Field(description='The provinces issuing rounds (values of the province filter).')
    categories: list[str] = Field(description='The finding categories in use (values of the category filter).')


@route('GET', '/dashboard', summary='Across rounds: findings by year, recommendations by state and age, returning '
       'limitations (secretariat, leaders)', tag='dashboard', query=DashboardQuery, responses={200: DashboardOut},
       description='The figures of the `/dashboard` page under the same filters (`from`, `to`, `province`, '
                   '`category`). For the secretariat, administrators and team leaders; anyone else gets 403.')
def cross_dashboard() -> Response:
    from inspect_flow.core.clock import today
    from inspect_flow.plans.analytics import AGE_BUCKETS, STATE_ORDER, CrossFilters
    from inspect_flow.plans.analytics import cross_dashboard as figures

    require(access.can_view_cross_dashboard(user()))
    q = parse_query(DashboardQuery)
    filters = CrossFilters.parse({'from': q.year_from or '', 'to': q.year_to or '', 'province': q.province or '',
                                  'category': q.category or ''})
    d = figures(db(), day=today(), filters=filters)
    payload = {
        'filters': {'from': filters.year_from, 'to': filters.year_to, 'province': filters.province or None,
                    'category': filters.category or None},
        'trends': [{'year': int(b.key), **{k: b.counts.get(k, 0) for k in ('achievement', 'limitation', 'cause')},
                    'total': b.total} for b in d.trends],
        'recommendations': {'by_state': {k: d.recommendations.get(k, 0) for k in STATE_ORDER},
                            'total': d.recommendation_total,
                            'by_age': {k: d.ages.get(k, 0) for k, _first, _last in AGE_BUCKETS},
                            'overdue': d.overdue_total},
        'recurring': [{'unit': r.unit, 'category': r.category, 'rounds': r.rounds, 'years': r.years}
                      for r in d.recurring],
        'years': d.years,
        'provinces': [{'code': code, 'name': name} for code, name in d.provinces],
        'categories': d.categories,
    }
    return out(DashboardOut, payload)
