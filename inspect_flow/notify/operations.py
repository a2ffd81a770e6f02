"""The daily run: mark what is overdue, record the reminders the day brings (each once, by its unique key), and
send every pending one in per-person digests. An SMTP outage leaves them pending; the next run sends them.

The run commits after recording and after each digest (the *commit* it is given), so a crash or an outage
halfway loses nothing and sends nothing twice: a reminder is marked sent in the transaction that follows the
server's acceptance of its digest.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspect_flow.accounts.models import User
from inspect_flow.audit.operations import record_event
from inspect_flow.core.db import utcnow
from inspect_flow.findings.models import Recommendation
from inspect_flow.findings.operations import mark_overdue
from inspect_flow.notify import compose as c
from inspect_flow.notify.models import Reminder, ReminderStatus
from inspect_flow.notify.queries import OVERDUE, PENDING_WORK, SCHEDULE, WEEKLY, reminders_due
from inspect_flow.notify.settings import Settings
from inspect_flow.notify.transport import LogTransport, NotSent, SmtpTransport
from inspect_flow.plans.models import Plan, TeamMember
from inspect_flow.visits.models import Visit
from inspect_flow.workflow.states import RecommendationState, VisitState

logger = logging.getLogger('inspect_flow.notify')
ACTOR = 'system:reminders'


@dataclass
class Unsent:
    """A digest the server did not take: to whom, what, why."""

    username: str
    email: str
    group: str
    reminders: int
    error: str


@dataclass
class RunReport:
    day: date
    marked_overdue: int = 0
    recorded: int = 0
    messages_sent: int = 0
    reminders_sent: int = 0
    dropped: int = 0
    unsent: list[Unsent] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {'day': self.day.isoformat(), 'marked_overdue': self.marked_overdue, 'recorded': self.recorded,
                'messages_sent': self.messages_sent, 'reminders_sent': self.reminders_sent, 'dropped': self.dropped,
                'unsent': [u.__dict__ for u in self.unsent]}


def _insert(session: Session):  # noqa: ANN202
    if session.get_bind().dialect.name == 'postgresql':
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(Reminder.__table__)


def record_due(session: Session, day: date, settings: Settings) -> int:
    """Record the reminders *day* brings that are not recorded yet (one ``INSERT … ON CONFLICT DO NOTHING`` on the
    unique key); return how many are new."""
    dues = {(d.user_id, d.kind, d.object_type, d.object_id, d.due_day): d
            for d in reminders_due(session, day, settings)}
    if not dues:
        return 0
    now = utcnow()
    rows = [{'user_id': d.user_id, 'kind': d.kind, 'object_type': d.object_type, 'object_id': d.object_id,
             'plan_id': d.plan_id, 'due_day': d.due_day, 'created_on': day, 'status': ReminderStatus.pending.value,
             'attempts': 0, 'created_dt': now} for d in dues.values()]
    table = Reminder.__table__
    stmt = _insert(session).on_conflict_do_nothing(
        index_elements=['user_id', 'kind', 'object_type', 'object_id', 'due_day']).returning(table.c.id)
    inserted = session.execute(stmt, rows).all()
    return len(inserted)


def _wants_mail(user: User) -> bool:
    return bool(user.is_active and user.email and user.digests_enabled)


def send_pending(session: Session, day: date, settings: Settings, transport: LogTransport | SmtpTransport, *,
                 commit: Callable[[], None] | None = None, report: RunReport | None = None,
                 actor: str = ACTOR) -> RunReport:
    """Send every pending reminder, one digest per person and kind (:data:`compose.GROUPS`), and record each
    one sent in its object's history. A reminder whose object no longer needs it (a recommendation done since,
    a plan with nothing overdue any more) or whose person no longer takes e-mail is dropped."""
    commit = commit or session.flush
    report = report or RunReport(day)
    pending = list(session.scalars(sa.select(Reminder).where(Reminder.status == ReminderStatus.pending)
                                   .order_by(Reminder.user_id, Reminder.id)))
    if not pending:
        return report
    rec_ids = {r.object_id for r in pending if r.object_type == 'recommendation'}
    plan_ids = {r.plan_id for r in pending if r.plan_id is not None}
    recs = {rec.id: rec for rec in session.scalars(sa.select(Recommendation).where(Recommendation.id.in_(rec_ids)))}
    plans = {p.id: p for p in session.scalars(sa.select(Plan).where(Plan.id.in_(plan_ids)))}
    weekly_plans = {r.object_id for r in pending if r.kind == WEEKLY}
    overdue_by_plan: dict[int, list[Recommendation]] = defaultdict(list)
    if weekly_plans:
        for rec in session.scalars(sa.select(Recommendation).where(
                Recommendation.plan_id.in_(weekly_plans), Recommendation.state == RecommendationState.overdue)
                .order_by(Recommendation.addressee_label, Recommendation.deadline, Recommendation.id)):
            overdue_by_plan[rec.plan_id].append(rec)
    schedule_people = {r.user.person_id for r in pending if r.kind == SCHEDULE and r.user.person_id is not None}
    visits_of: dict[tuple[int, int], list[Visit]] = defaultdict(list)
    if schedule_people:
        for person_id, visit in session.execute(
                sa.select(TeamMember.person_id, Visit).join(Visit, Visit.team_id == TeamMember.team_id)
                .where(TeamMember.person_id.in_(schedule_people), Visit.state != VisitState.cancelled)
                .order_by(Visit.starts_at)):
            visits_of[(person_id, visit.plan_id)].append(visit)

    def still_needed(rem: Reminder) -> bool:
        if not _wants_mail(rem.user):
            return False
        if rem.object_type == 'recommendation':
            rec = recs.get(rem.object_id)
            if rec is None:
                return False
            if rem.kind == OVERDUE:
                return rec.state == RecommendationState.overdue
            return rec.state in PENDING_WORK
        if rem.kind == WEEKLY:
            return bool(overdue_by_plan.get(rem.object_id))
        if rem.kind == SCHEDULE:
            return bool(visits_of.get((rem.user.person_id, rem.object_id)))
        return False

    groups: dict[tuple[int, str], list[Reminder]] = defaultdict(list)
    for rem in pending:
        if still_needed(rem):
            groups[(rem.user_id, c.group_of(rem.kind))].append(rem)
        else:
            rem.status = ReminderStatus.dropped
            report.dropped += 1
    commit()
    for (_, group), rems in groups.items():
        user = rems[0].user
        digest = c.compose(
            user, group, day=day, settings=settings, plans=plans,
            recs=sorted({recs[r.object_id] for r in rems if r.object_type == 'recommendation'},
                        key=lambda rec: (rec.deadline, rec.id)),
            overdue_by_plan={r.object_id: overdue_by_plan[r.object_id] for r in rems if r.kind == WEEKLY},
            visits_by_plan={r.object_id: visits_of[(user.person_id, r.object_id)] for r in rems if r.kind == SCHEDULE})
        msg = c.to_message(user, digest, settings)
        try:
            transport.send(msg)
        except NotSent as exc:
            for rem in rems:
                rem.attempts += 1
                rem.last_error = exc.reason
            report.unsent.append(Unsent(user.username, user.email, group, len(rems), exc.reason))
            logger.warning('reminder digest to %s not sent: %s', user.email, exc.reason)
            commit()
            continue
        sent_dt = utcnow()
        for rem in rems:
            rem.status = ReminderStatus.sent
            rem.attempts += 1
            rem.last_error = None
            rem.message_id = msg['Message-ID']
            rem.sent_dt = sent_dt
            record_event(session, entity_type=rem.object_type, entity_id=rem.object_id, plan_id=rem.plan_id,
                         action='reminder', trigger=rem.kind, actor=actor,
                         fields={'recipient': user.username, 'email': user.email, 'due_day': c.vdate(rem.due_day)},
                         comment=digest.subject)
        report.messages_sent += 1
        report.reminders_sent += len(rems)
        commit()
    return report


def run_day(session: Session, day: date, settings: Settings, transport: LogTransport | SmtpTransport, *,
            commit: Callable[[], None] | None = None, actor: str = ACTOR) -> RunReport:
    """One day's run (``inspect-flow reminders send --on DAY``): mark overdue recommendations, record the day's
    reminders, send every pending one. Running it again the same day sends nothing new."""
    commit = commit or session.flush
    report = RunReport(day)
    report.marked_overdue = len(mark_overdue(session, actor=actor, today=day))
    report.recorded = record_due(session, day, settings)
    commit()
    try:
        return send_pending(session, day, settings, transport, commit=commit, report=report, actor=actor)
    finally:
        transport.close()


def history_of(session: Session, object_type: str, object_id: int) -> list[Reminder]:
    """The reminders recorded about one recommendation or plan, oldest first."""
    return list(session.scalars(sa.select(Reminder).where(Reminder.object_type == object_type,
                                                          Reminder.object_id == object_id)
                                .order_by(Reminder.due_day, Reminder.id)))
