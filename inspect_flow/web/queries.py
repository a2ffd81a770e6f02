"""Read-only helpers for the pages: nothing here writes."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import sqlalchemy as sa

from inspect_flow.accounts import access
from inspect_flow.audit.models import AuditEntry
from inspect_flow.core.clock import today
from inspect_flow.findings.models import Conclusion, Finding, Recommendation
from inspect_flow.plans.scheduling import find_conflicts
from inspect_flow.web.helpers import db, lang
from inspect_flow.workflow.states import RecommendationState

#: The day the loaded administrative units are read on when a plan gives no other (the 2019 snapshot).
REFERENCE_DAY = date(2019, 7, 5)
OPEN_STATES = (RecommendationState.open, RecommendationState.in_progress, RecommendationState.overdue)


def conflicts(plan) -> list[dict]:  # noqa: ANN001
    """The plan's schedule conflicts, in the current language."""
    en = lang() == 'en'
    return [{'rule': c.rule, 'message': c.en if en else c.vi, 'visit_ids': list(c.visit_ids)}
            for c in find_conflicts(plan)]


def conflicts_by_visit(plan) -> dict[int, list[str]]:  # noqa: ANN001
    out: dict[int, list[str]] = defaultdict(list)
    for c in conflicts(plan):
        for vid in c['visit_ids']:
            out[vid].append(c['message'])
    return out


def my_visits(user, plan) -> list:  # noqa: ANN001
    """The visits of the teams *user* is on."""
    return [v for v in plan.visits if access.on_team(user, v.team)]


def findings_of(plan) -> list[Finding]:  # noqa: ANN001
    return list(db().scalars(sa.select(Finding).where(Finding.plan_id == plan.id).order_by(Finding.visit_id,
                                                                                           Finding.id)))


def conclusions_of(plan) -> list[Conclusion]:  # noqa: ANN001
    return list(db().scalars(sa.select(Conclusion).where(Conclusion.plan_id == plan.id).order_by(Conclusion.id)))


def recommendations_of(plan) -> list[Recommendation]:  # noqa: ANN001
    return list(db().scalars(sa.select(Recommendation).where(Recommendation.plan_id == plan.id)
                             .where(Recommendation.state != RecommendationState.withdrawn)
                             .order_by(Recommendation.conclusion_id, Recommendation.number)))


def inbox_for(user) -> list[Recommendation]:  # noqa: ANN001
    """A local official's recommendations (addressed to their unit); for staff, every recommendation."""
    q = sa.select(Recommendation).where(Recommendation.state != RecommendationState.withdrawn).order_by(
        Recommendation.deadline, Recommendation.id)
    if access.is_staff(user):
        return list(db().scalars(q))
    if user is None or user.unit_id is None:
        return []
    return list(db().scalars(q.where(Recommendation.addressee_unit_id == user.unit_id)))


def is_overdue(rec: Recommendation, day: date | None = None) -> bool:
    return rec.state == RecommendationState.overdue or (
        rec.state in OPEN_STATES and rec.is_past_deadline(day or today()))


def history(plan_id: int, *, entity: tuple[str, int] | None = None) -> list[AuditEntry]:
    q = sa.select(AuditEntry).where(AuditEntry.plan_id == plan_id)
    if entity is not None:
        q = q.where(AuditEntry.entity_type == entity[0], AuditEntry.entity_id == entity[1])
    return list(db().scalars(q.order_by(AuditEntry.created_dt.desc(), AuditEntry.id.desc())))
