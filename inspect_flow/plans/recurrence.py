"""A new round from an earlier one ("create from"), and recurring rounds (every six months or every year).

"Create from" copies an earlier plan's structure into a new plan at the planning stage: legal bases,
objectives, coverage rule (and clusters), households per commune, checklist pins and the team shape (teams,
their members and roles). It does not copy the targets, the schedule or anything the earlier round recorded.

A recurring plan's next round starts 6 or 12 months after its own fieldwork start, with the same length of
fieldwork. Its draft is created :data:`DRAFT_LEAD_DAYS` days before that by :func:`recur` (the daily
``inspect-flow plans recur``): idempotent, since a plan that already has a plan created from it (by the
recurrence or by hand) is not recurred again. The new draft carries the recurrence on. The secretariat is told by
an audit entry on both plans (comment ``recurrence``) and the plan list's "created from" marker.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspect_flow.audit.operations import record_update
from inspect_flow.core.clock import today as clock_today
from inspect_flow.core.errors import DomainError, InvalidInput
from inspect_flow.plans import operations as plan_ops
from inspect_flow.plans.models import Plan, Recurrence
from inspect_flow.workflow.states import PlanState

#: How many days before the next round's fieldwork its draft is created.
DRAFT_LEAD_DAYS = 30


@dataclass
class CreatedFrom:
    """The new plan, and the checklist pins that could not be carried over (their id and why)."""

    plan: Plan
    repinned: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def add_months(day: date, months: int) -> date:
    """*day* moved by *months*, the day of month clamped (31/08 + 6 months → 28/02 or 29/02)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def parse_recurrence(value: str | None) -> Recurrence | None:
    """``half_yearly``/``yearly`` (or ``6``/``12``), or None for an empty value / ``none``."""
    value = (value or '').strip().lower()
    if value in ('', 'none'):
        return None
    value = {'6': 'half_yearly', '12': 'yearly'}.get(value, value)
    try:
        return Recurrence(value)
    except ValueError:
        raise InvalidInput('plan.bad_recurrence', 'Chu kỳ lặp lại phải là 6 tháng một lần hoặc hằng năm.',
                           'The recurrence must be half_yearly or yearly.', field='recurrence') from None


def _subject_for(subject: str, old_year: int, new_year: int) -> str:
    return re.sub(rf'\b{old_year}\b', str(new_year), subject) if old_year != new_year else subject


def create_from(session: Session, source: Plan, *, fieldwork_start: date, fieldwork_end: date, actor: str,
                subject: str | None = None, recurrence: Recurrence | None = None,
                by_recurrence: bool = False) -> CreatedFrom:
    """Create a plan at the planning stage with *source*'s structure (see the module's docstring).

    The subject is *source*'s with its year replaced by the new fieldwork's year, unless given. A pinned
    checklist version that does not apply on the new fieldwork start is replaced by the newest version of the
    same checklist that does (``repinned``), or left out (``skipped``).

    :raise InvalidInput: bad dates or subject (as :func:`create_plan`), clusters no longer valid
    """
    from inspect_flow.checklist import find_checklist
    from inspect_flow.plans.checklists import as_checklist, check_applies, pin_checklist

    subject = subject if subject and subject.strip() else _subject_for(source.subject, source.fieldwork_start.year,
                                                                       fieldwork_start.year)
    plan = plan_ops.create_plan(
        session, issuer=source.issuer, subject=subject, fieldwork_start=fieldwork_start, fieldwork_end=fieldwork_end,
        actor=actor, symbol=source.symbol, legal_bases=list(source.legal_bases or []),
        objectives=list(source.objectives or []), coverage_rule=source.coverage_rule,
        households_per_commune=source.households_per_commune, clusters=list(source.clusters or []))
    plan.source_plan_id = source.id
    plan.recurrence = recurrence
    plan.by_recurrence = by_recurrence
    out = CreatedFrom(plan)
    for pin in sorted(source.checklists, key=lambda p: p.checklist_id):
        checklist = as_checklist(pin)
        try:
            check_applies(plan, checklist)
        except InvalidInput:
            try:
                checklist = find_checklist(pin.checklist_id, None, on=fieldwork_start)
            except (DomainError, LookupError):
                out.skipped.append(pin.checklist_id)
                continue
            out.repinned.append(f'{pin.checklist_id}@{checklist.version}')
        pin_checklist(session, plan, checklist, actor=actor)
    for team in source.teams:
        new_team = plan_ops.add_team(session, plan, team.number, actor=actor)
        for member in team.members:
            plan_ops.add_member(session, new_team, member.person, member.role, actor=actor)
    record_update(plan, actor=actor, changes={'source_plan': [None, source.reference],
                                              'recurrence': [None, recurrence.value if recurrence else None]},
                  comment='recurrence' if by_recurrence else 'create_from')
    session.flush()
    return out


def set_recurrence(session: Session, plan: Plan, recurrence: Recurrence | None, *, actor: str) -> dict:
    """Make *plan* recur (or stop recurring); audited. Allowed at any stage but cancelled."""
    if plan.state == PlanState.cancelled and recurrence is not None:
        raise InvalidInput('plan.cancelled', 'Kế hoạch đã hủy không lặp lại được.',
                           'A cancelled plan cannot recur.', field='recurrence')
    old = plan.recurrence
    if old == recurrence:
        return {}
    plan.recurrence = recurrence
    changes = {'recurrence': [old.value if old else None, recurrence.value if recurrence else None]}
    record_update(plan, actor=actor, changes=changes)
    session.flush()
    return changes


def next_window(plan: Plan) -> tuple[date, date]:
    """The next round's fieldwork (start, end): *plan*'s moved by its recurrence."""
    months = Recurrence(plan.recurrence).months
    return add_months(plan.fieldwork_start, months), add_months(plan.fieldwork_end, months)


def next_draft_on(plan: Plan) -> date | None:
    """The day the next round's draft is due (None: the plan does not recur)."""
    if plan.recurrence is None:
        return None
    return next_window(plan)[0] - timedelta(days=DRAFT_LEAD_DAYS)


def successor_of(session: Session, plan: Plan) -> Plan | None:
    """The plan created from *plan* (by hand or by the recurrence), if any: the earliest."""
    return session.scalars(sa.select(Plan).where(Plan.source_plan_id == plan.id).order_by(Plan.id)).first()


def recur(session: Session, *, on: date | None = None, actor: str = 'system') -> list[CreatedFrom]:
    """Create the next draft of every recurring plan whose draft is due on or before *on* (today by default)
    and that has none yet; the new drafts recur in turn (so a missed stretch is caught up). Idempotent."""
    day = on or clock_today()
    created: list[CreatedFrom] = []
    for _ in range(100):  # a bound on catching up (50 years of half-yearly rounds)
        due = [p for p in session.scalars(sa.select(Plan).where(Plan.recurrence.is_not(None),
                                                                Plan.state != PlanState.cancelled).order_by(Plan.id))
               if next_draft_on(p) <= day and successor_of(session, p) is None]
        if not due:
            break
        for plan in due:
            start, end = next_window(plan)
            result = create_from(session, plan, fieldwork_start=start, fieldwork_end=end, actor=actor,
                                 recurrence=Recurrence(plan.recurrence), by_recurrence=True)
            record_update(plan, actor=actor, changes={'next_round': [None, f'#{result.plan.id}']},
                          comment='recurrence')
            created.append(result)
        session.flush()
    return created
