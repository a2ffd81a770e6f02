"""Earlier recommendations follow the units: which ones a round picks up, and the team's check of each.

A round picks up the recommendations that earlier rounds addressed to a unit it targets or visits, or to a unit
that unit succeeded (mergers, and the 2025 reform), while they are still open, in progress, reported done but
not verified, or overdue.

The rule across the 2025 reform: a unit "succeeded" the units recorded as its predecessors
(:func:`inspect_flow.units.operations.successions_into`, followed back step by step) and, for a commune of the
two-tier structure, the districts those predecessor communes belonged to
(:func:`inspect_flow.units.operations.former_districts`). So a 2019 district's recommendation follows to *every*
2025 commune that took over any of that district's communes: the district's duties passed to all of them.
Within one round it is listed once, attached to each visit of such a commune, and checked once: the first
check settles it; the other visits show that it was checked at that visit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspect_flow.audit.operations import record_create
from inspect_flow.core.errors import Conflict, InvalidInput
from inspect_flow.findings.follow_up_models import OUTCOME_LABELS, CheckOutcome, FollowUpCheck
from inspect_flow.findings.models import FollowUpReport, Recommendation
from inspect_flow.plans.models import Plan
from inspect_flow.plans.operations import require_stage
from inspect_flow.plans.scheduling import active_visits
from inspect_flow.units.models import AdminUnit, Person, UnitLevel
from inspect_flow.units.operations import successions_into
from inspect_flow.visits.models import Visit
from inspect_flow.workflow.machines import fire
from inspect_flow.workflow.states import PlanState, RecommendationState, VisitState

R = RecommendationState

#: The states in which a recommendation follows to the next round.
FOLLOWING_STATES = (R.open, R.in_progress, R.done, R.overdue)
#: The plan stages in which the team records its checks (the visits and the findings).
CHECK_STAGES = (PlanState.visiting, PlanState.findings)
#: The visit states in which a check can be recorded (as for findings).
CHECK_VISIT_STATES = (VisitState.in_progress, VisitState.returned, VisitState.submitted)


@dataclass
class FollowUpItem:
    """An earlier recommendation picked up by a round: the visits it is attached to and its check, if made."""

    recommendation: Recommendation
    from_plan: Plan
    visits: list[Visit] = field(default_factory=list)
    check: FollowUpCheck | None = None

    def as_dict(self) -> dict:
        """The ``follow_up`` entry of ``plans show --json``."""
        rec = self.recommendation
        return {
            'recommendation_id': rec.id,
            'from_plan': self.from_plan.reference,
            'addressee': rec.addressee_label,
            'text': rec.text,
            'deadline': rec.deadline.isoformat() if rec.deadline else None,
            'state': rec.state.value,
            'verified_in_visit': self.check.visit_id if self.check is not None else None,
            'outcome': self.check.outcome.value if self.check is not None else None,
            'visits': [v.id for v in self.visits],
        }


def succeeded_units(session: Session, unit: AdminUnit) -> dict[int, AdminUnit]:
    """*unit* and every unit it succeeded: its recorded predecessors, followed back, and for a commune the
    districts its predecessor communes belonged to. Keyed by id."""
    found = {unit.id: unit}
    todo = [unit]
    while todo:
        current = todo.pop()
        for s in successions_into(session, current):
            old = s.predecessor
            for u in (old, old.district if old.level == UnitLevel.commune else None):
                if u is not None and u.id not in found:
                    found[u.id] = u
                    todo.append(u)
    return found


def _visit_units(session: Session, visit: Visit) -> dict[int, AdminUnit]:
    units = succeeded_units(session, visit.commune)
    if visit.district is not None:
        units.update(succeeded_units(session, visit.district))
    return units


def _checks(session: Session, plan: Plan) -> dict[int, FollowUpCheck]:
    rows = session.scalars(sa.select(FollowUpCheck).where(FollowUpCheck.plan_id == plan.id))
    return {c.recommendation_id: c for c in rows}


def _earlier(session: Session, plan: Plan, unit_ids: set[int], checked: set[int]) -> list[Recommendation]:
    if not unit_ids and not checked:
        return []
    earlier = _earlier_plans(plan)
    following = sa.and_(Recommendation.addressee_unit_id.in_(unit_ids or {-1}),
                        Recommendation.state.in_(FOLLOWING_STATES),
                        Recommendation.plan_id.in_(earlier))
    query = sa.select(Recommendation).where(sa.or_(following, Recommendation.id.in_(checked or {-1})))
    return list(session.scalars(query.order_by(Recommendation.plan_id, Recommendation.id)))


def _earlier_plans(plan: Plan):  # noqa: ANN202
    return sa.select(Plan.id).where(Plan.id != plan.id, Plan.state != PlanState.cancelled,
                                    Plan.fieldwork_start < plan.fieldwork_start)


def _any_earlier(session: Session, plan: Plan) -> bool:
    """Whether an earlier round left any recommendation still to follow up, anywhere."""
    return session.scalar(sa.select(Recommendation.id).where(
        Recommendation.state.in_(FOLLOWING_STATES), Recommendation.plan_id.in_(_earlier_plans(plan))).limit(1)) \
        is not None


def follow_up(session: Session, plan: Plan) -> list[FollowUpItem]:
    """The earlier recommendations *plan* picks up, oldest round first, with the visits each is attached to.

    The units are the plan's targets and the communes (and districts) of its visits; a recommendation this
    round has checked stays listed whatever its state now.
    """
    checks = _checks(session, plan)
    if not checks and not _any_earlier(session, plan):
        return []  # nothing to follow up: no need to trace every visit's units back (a national round has 3,000)
    units: dict[int, AdminUnit] = {}
    for target in plan.target_units:
        units.update(succeeded_units(session, target))
    visits = [(v, _visit_units(session, v)) for v in active_visits(plan)]
    for _, vu in visits:
        units.update(vu)
    items = []
    for rec in _earlier(session, plan, set(units), set(checks)):
        attached = [v for v, vu in visits if rec.addressee_unit_id in vu]
        items.append(FollowUpItem(rec, session.get(Plan, rec.plan_id), attached, checks.get(rec.id)))
    return items


def follow_up_for_visit(session: Session, visit: Visit) -> list[FollowUpItem]:
    """The earlier recommendations attached to *visit*."""
    return [i for i in follow_up(session, visit.plan) if any(v.id == visit.id for v in i.visits)]


def counts(items: list[FollowUpItem]) -> dict[str, int]:
    """How many were picked up, checked, and found done, partly done or not done."""
    out = {'total': len(items), 'checked': sum(1 for i in items if i.check is not None)}
    for outcome in CheckOutcome:
        out[outcome.value] = sum(1 for i in items if i.check is not None and i.check.outcome == outcome)
    return out


def outcome_label(outcome: CheckOutcome | str, lang: str = 'vi') -> str:
    vi, en = OUTCOME_LABELS[CheckOutcome(outcome)]
    return en if lang == 'en' else vi


def _outcome(value: CheckOutcome | str) -> CheckOutcome:
    try:
        return CheckOutcome(value)
    except ValueError:
        raise InvalidInput('follow_up.bad_outcome', 'Kết quả kiểm tra phải là: đã thực hiện, thực hiện một phần '
                           'hoặc chưa thực hiện.', 'The outcome must be done, partly_done or not_done.',
                           field='outcome') from None


def _apply(rec: Recommendation, outcome: CheckOutcome, *, note: str, evidence: list, team_label: str,
           verifier: Person | None, actor: str, day: date) -> None:
    """Move *rec* to the state the check implies (see :data:`TRANSITIONS` in the tests, and the README)."""
    if outcome == CheckOutcome.done:
        if rec.state != R.done:
            rec.reports.append(FollowUpReport(reported_by=team_label, report_date=day, text=note or 'Đã thực hiện.',
                                              evidence=list(evidence), is_completed=True))
            fire(rec, 'report_done', actor=actor)
        fire(rec, 'verify', actor=actor)
        rec.verified_by = verifier
        return
    if outcome == CheckOutcome.partly_done:
        rec.reports.append(FollowUpReport(reported_by=team_label, report_date=day, text=note,
                                          evidence=list(evidence), is_completed=False))
        if rec.state == R.open:
            fire(rec, 'start', actor=actor)
    if rec.state == R.done:  # reported done, but the team found it is not: back to work (overdue if late)
        fire(rec, 'reject', actor=actor, comment=note, today=day)
    if rec.state in (R.open, R.in_progress) and rec.is_past_deadline(day):
        fire(rec, 'mark_overdue', actor=actor, today=day)


def check_recommendation(session: Session, visit: Visit, rec: Recommendation, *, outcome: CheckOutcome | str,
                         note: str = '', evidence: list | None = None, actor: str,
                         checker: Person | None = None, day: date | None = None) -> FollowUpCheck:
    """Record the team's check, during *visit*, of an earlier recommendation attached to it; the
    recommendation's state follows:

    - done: verified (the team's finding serves as the completion report);
    - partly done: in progress (started if it was open; back from "done" if it was reported done), overdue
      when its deadline passed before the visit;
    - not done: unchanged if open or in progress within the deadline, overdue past it, back from "done".

    *day*: the day of the check (the visit's day by default), against which the deadline is judged.

    :raise InvalidInput: bad outcome; no note for partly done or not done (field ``note``); no evidence for done
        (field ``evidence``); the recommendation is not attached to the visit (field ``recommendation``)
    :raise Conflict: the plan's stage or the visit's state does not allow it; already checked in this round
    """
    plan = visit.plan
    require_stage(plan, *CHECK_STAGES, action_vi='ghi kết quả kiểm tra kiến nghị trước',
                  action_en='record the check of an earlier recommendation')
    if visit.state not in CHECK_VISIT_STATES:
        raise Conflict('follow_up.visit_locked', 'Buổi làm việc không còn mở để ghi kết quả.',
                       'The visit is no longer open for records.')
    outcome = _outcome(outcome)
    note = ' '.join((note or '').split())
    evidence = [e.strip() for e in evidence or [] if e and e.strip()]
    if outcome != CheckOutcome.done and not note:
        raise InvalidInput('note.required', 'Phải ghi nhận xét: thực hiện đến đâu, còn gì chưa làm.',
                           'A note is required: how far it went, what is left.', field='note')
    if outcome == CheckOutcome.done and not evidence:
        raise InvalidInput('evidence.required', 'Phải ghi minh chứng đã thực hiện (văn bản, hồ sơ đã xem).',
                           'Evidence is required (documents or records seen).', field='evidence')
    item = next((i for i in follow_up_for_visit(session, visit) if i.recommendation.id == rec.id), None)
    if item is None:
        raise InvalidInput('follow_up.not_attached', f'Kiến nghị số {rec.id} không thuộc buổi làm việc này.',
                           f'Recommendation {rec.id} is not attached to this visit.', field='recommendation')
    if item.check is not None:
        raise Conflict('follow_up.already_checked', f'Kiến nghị số {rec.id} đã được kiểm tra trong đợt này '
                       f'(buổi làm việc số {item.check.visit_id}).',
                       f'Recommendation {rec.id} was already checked in this round (visit {item.check.visit_id}).')
    day = day or visit.starts_at.date()
    before = rec.state
    _apply(rec, outcome, note=note, evidence=evidence, team_label=f'Đoàn kiểm tra {plan.reference}',
           verifier=checker, actor=actor, day=day)
    check = FollowUpCheck(plan_id=plan.id, visit_id=visit.id, recommendation_id=rec.id, outcome=outcome, note=note,
                          evidence=evidence, state_before=before.value, state_after=rec.state.value,
                          checked_by=checker, created_by=actor)
    session.add(check)
    session.flush()
    record_create(check, actor=actor, fields={'recommendation': rec.id, 'outcome': outcome, 'note': note,
                                              'state_before': before.value,
                                              'state_after': rec.state.value})
    return check
