"""What is due: the reminders a day brings (a few set-based queries, whatever the number of plans), and the items
waiting for one person in the app (:func:`due_for`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspect_flow.accounts.models import Role, User
from inspect_flow.findings.models import Recommendation
from inspect_flow.notify.settings import Settings
from inspect_flow.plans.models import Plan, TeamMember
from inspect_flow.visits.models import Visit
from inspect_flow.workflow.states import PlanState, RecommendationState, VisitState

#: A recommendation the addressee still has to act on before its deadline.
PENDING_WORK = (RecommendationState.open, RecommendationState.in_progress)
#: Plans whose schedule team members are reminded of.
SCHEDULED_PLANS = (PlanState.scheduling, PlanState.visiting)

OVERDUE = 'overdue'
WEEKLY = 'weekly_overdue'
SCHEDULE = 'schedule'


def due_kind(lead: int) -> str:
    return f'due_in_{lead}'


def lead_for(days_left: int, leads: tuple[int, ...]) -> int | None:
    """The reminder a deadline *days_left* away falls under: the smallest lead it is within (``(14, 3)``: 14 for
    4 … 14 days left, 3 for 0 … 3), or ``None`` when it is further away or past."""
    if days_left < 0:
        return None
    within = [n for n in leads if days_left <= n]
    return min(within) if within else None


def week_start(day: date) -> date:
    """The Monday of *day*'s week: the due day of that week's digest."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class Due:
    """A reminder the day brings: its unique key, and the plan it belongs to."""

    user_id: int
    kind: str
    object_type: str
    object_id: int
    due_day: date
    plan_id: int | None


def _recipients(session: Session, *roles: Role) -> list[User]:
    """Active accounts of *roles* that have an address and want digests."""
    return list(session.scalars(sa.select(User).where(
        User.role.in_(roles), User.is_active.is_(True), User.email.is_not(None), User.digests_enabled.is_(True))))


def reminders_due(session: Session, day: date, settings: Settings) -> list[Due]:
    """Every reminder *day* brings (those already recorded included: recording skips them).

    * to the local officials of a recommendation's addressee unit: ``due_in_<N>`` once its deadline is N days
      away or less (the smallest N of the settings' leads it is within), then ``overdue`` once it is overdue;
    * to the secretariat: ``weekly_overdue`` per plan with overdue recommendations, once a week (due on Monday);
    * to the team leaders and members: ``schedule`` per plan, once their first visit is at most the settings'
      schedule days away.
    """
    out: list[Due] = []
    officials: dict[int, list[int]] = defaultdict(list)
    for user in _recipients(session, Role.local_official):
        if user.unit_id is not None:
            officials[user.unit_id].append(user.id)
    if officials:
        horizon = day + timedelta(days=max(settings.leads))
        rows = session.execute(sa.select(
            Recommendation.id, Recommendation.plan_id, Recommendation.addressee_unit_id, Recommendation.deadline,
            Recommendation.state,
        ).where(
            Recommendation.addressee_unit_id.in_(list(officials)),
            Recommendation.deadline.is_not(None),
            sa.or_(Recommendation.state == RecommendationState.overdue,
                   sa.and_(Recommendation.state.in_(PENDING_WORK), Recommendation.deadline >= day,
                           Recommendation.deadline <= horizon)),
        ))
        for rec_id, plan_id, unit_id, deadline, state in rows:
            if state == RecommendationState.overdue:
                kind = OVERDUE
            else:
                lead = lead_for((deadline - day).days, settings.leads)
                if lead is None:
                    continue
                kind = due_kind(lead)
            out.extend(Due(uid, kind, 'recommendation', rec_id, deadline, plan_id) for uid in officials[unit_id])
    secretariat = _recipients(session, Role.secretariat)
    if secretariat:
        plan_ids = session.scalars(sa.select(Recommendation.plan_id).where(
            Recommendation.state == RecommendationState.overdue).distinct())
        monday = week_start(day)
        for plan_id in plan_ids:
            out.extend(Due(u.id, WEEKLY, 'plan', plan_id, monday, plan_id) for u in secretariat)
    out.extend(_schedules_due(session, day, settings))
    return out


def _schedules_due(session: Session, day: date, settings: Settings) -> list[Due]:
    """Per (team account, plan): the day of the person's first visit in the plan, when it is within reach."""
    first = sa.func.min(Visit.starts_at)
    rows = session.execute(
        sa.select(User.id, Visit.plan_id, first)
        .join(TeamMember, TeamMember.person_id == User.person_id)
        .join(Visit, Visit.team_id == TeamMember.team_id)
        .join(Plan, Plan.id == Visit.plan_id)
        .where(User.role.in_([Role.team_leader, Role.team_member]), User.is_active.is_(True),
               User.email.is_not(None), User.digests_enabled.is_(True),
               Visit.state != VisitState.cancelled, Plan.state.in_(SCHEDULED_PLANS))
        .group_by(User.id, Visit.plan_id)
    )
    out = []
    for user_id, plan_id, starts_at in rows:
        first_day = _as_date(starts_at)
        if day <= first_day <= day + timedelta(days=settings.schedule_days):
            out.append(Due(user_id, SCHEDULE, 'plan', plan_id, first_day, plan_id))
    return out


def _as_date(value) -> date:  # noqa: ANN001  (min() of a DateTime comes back as text on SQLite)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return datetime.fromisoformat(str(value)).date()


# --- in the app ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DueItem:
    """One thing waiting for a person: a recommendation to act on or verify, or a visit coming up."""

    kind: str  # 'due_soon', 'overdue' or 'visit'
    object_type: str  # 'recommendation' or 'visit'
    object_id: int
    plan_id: int
    due: date
    #: Days from today to *due* (negative: overdue by that many days).
    days_left: int
    title: str
    #: The path in the app, e.g. ``/recommendations/12``.
    path: str


def _due_query(person: User, day: date, settings: Settings) -> sa.Select | None:
    """The recommendations or visits waiting for *person* on *day* (see :func:`due_for`), soonest first."""
    if person is None or not person.is_active:
        return None
    if person.role == Role.local_official and person.unit_id is not None or person.role in (Role.admin,
                                                                                             Role.secretariat):
        horizon = day + timedelta(days=max(settings.leads))
        query = sa.select(Recommendation).where(
            Recommendation.deadline.is_not(None),
            sa.or_(Recommendation.state == RecommendationState.overdue,
                   sa.and_(Recommendation.state.in_(PENDING_WORK), Recommendation.deadline <= horizon)))
        if person.role == Role.local_official:
            query = query.where(Recommendation.addressee_unit_id == person.unit_id)
        else:
            query = query.where(Recommendation.state == RecommendationState.overdue)
        return query.order_by(Recommendation.deadline, Recommendation.id)
    if person.role in (Role.team_leader, Role.team_member) and person.person_id is not None:
        start = datetime(day.year, day.month, day.day)
        end = start + timedelta(days=settings.schedule_days + 1)
        return (sa.select(Visit).join(TeamMember, TeamMember.team_id == Visit.team_id)
                .join(Plan, Plan.id == Visit.plan_id)
                .where(TeamMember.person_id == person.person_id, Visit.state == VisitState.scheduled,
                       Plan.state.in_(SCHEDULED_PLANS), Visit.starts_at >= start, Visit.starts_at < end)
                .order_by(Visit.starts_at, Visit.id))
    return None


def _day_and_settings(today: date | None, settings: Settings | None) -> tuple[date, Settings]:
    from inspect_flow.core.clock import today as clock_today
    from inspect_flow.notify.settings import from_env

    return today or clock_today(), settings or from_env()


def due_for(session: Session, person: User, *, today: date | None = None,
            settings: Settings | None = None) -> list[DueItem]:
    """What waits for *person* (an account) today, soonest first; the work page lists it.

    * a local official: the recommendations addressed to their unit that are overdue, or open or in progress with
      a deadline within the largest reminder lead;
    * the secretariat and administrators: every overdue recommendation;
    * team leaders and members: their teams' visits still to come within the schedule days.

    One query; nothing for an inactive account.
    """
    day, settings = _day_and_settings(today, settings)
    query = _due_query(person, day, settings)
    if query is None:
        return []
    items: list[DueItem] = []
    for obj in session.scalars(query).unique():
        if isinstance(obj, Recommendation):
            overdue = obj.state == RecommendationState.overdue or obj.deadline < day
            items.append(DueItem('overdue' if overdue else 'due_soon', 'recommendation', obj.id, obj.plan_id,
                                 obj.deadline, (obj.deadline - day).days, obj.text, f'/recommendations/{obj.id}'))
        else:
            when = obj.starts_at.date()
            items.append(DueItem('visit', 'visit', obj.id, obj.plan_id, when, (when - day).days,
                                 obj.commune.full_name, f'/visits/{obj.id}'))
    return items


def count_due_for(session: Session, person: User, *, today: date | None = None,
                  settings: Settings | None = None) -> int:
    """``len(due_for(...))`` in one ``COUNT`` (the top bar of every page)."""
    day, settings = _day_and_settings(today, settings)
    query = _due_query(person, day, settings)
    if query is None:
        return 0
    return session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())) or 0
