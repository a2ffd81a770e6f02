"""What waits for one person, across plans: a list of sections, each a titled list of items.

The page ``/me`` and the API's ``GET /api/v1/me/work`` show the same list. A section is added by writing one
function ``(ctx) -> WorkSection | None`` and listing it in :data:`SECTIONS` (``None``: the section is not for
this person). No Flask here: an item names what it is about (``kind`` and ``id``, or a document's target
``params``); each front end turns that into its own link.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspect_flow.accounts import access
from inspect_flow.accounts.models import Role, User
from inspect_flow.findings.models import Conclusion, Recommendation
from inspect_flow.plans.models import Plan, TeamMember
from inspect_flow.visits.models import Visit
from inspect_flow.workflow.states import PlanState, RecommendationState, VisitState, state_label

#: How many coming visits a section lists (the next ones first).
COMING_LIMIT = 20
#: How many documents to issue a section lists per plan before pointing to the plan's documents page.
DOCUMENTS_PER_PLAN = 6
OPEN_RECOMMENDATIONS = (RecommendationState.open, RecommendationState.in_progress, RecommendationState.overdue)


@dataclass(frozen=True)
class WorkItem:
    """One thing on a person's list.

    :param kind: ``visit``, ``recommendation``, ``conclusion`` (a unit's conclusion to write: ``id`` is the unit)
        or ``document`` (``params`` names the target as the documents page does; ``id`` is None), or
        ``documents`` (more documents of the plan: ``id`` is None)
    """

    kind: str
    id: int | None
    plan_id: int
    plan_reference: str
    title: str
    detail: str = ''
    day: date | None = None
    state: str | None = None
    state_label: str | None = None
    overdue: bool = False
    params: dict = field(default_factory=dict)
    #: The item's place on its page (a document's row on the documents page: ``doc-minutes-visit5``).
    anchor: str = ''


@dataclass
class WorkSection:
    """A titled list: ``key`` is stable (tests, the API, a later section's anchor), ``title`` and ``empty`` are
    in the asked language."""

    key: str
    title: str
    items: list[WorkItem]
    empty: str = ''


@dataclass
class _Ctx:
    session: Session
    user: User
    day: date
    lang: str

    def t(self, vi: str, en: str) -> str:
        return en if self.lang == 'en' else vi

    @property
    def is_team(self) -> bool:
        return access.has_team_account(self.user)

    @property
    def is_leader(self) -> bool:
        return self.is_team and self.user.role == Role.team_leader


def _live_plan():  # noqa: ANN202
    return Plan.state != PlanState.cancelled


def _visits(ctx: _Ctx, *, leading: bool = False) -> sa.Select:
    """The visits a person works on (their teams'), or every visit for staff; cancelled plans aside."""
    q = sa.select(Visit).join(Plan, Plan.id == Visit.plan_id).where(_live_plan())
    if access.is_staff(ctx.user) and not leading:
        return q
    q = q.join(TeamMember, TeamMember.team_id == Visit.team_id).where(TeamMember.person_id == ctx.user.person_id)
    if leading:
        q = q.where(TeamMember.role.in_(access.LEADING))
    return q


def _visit_item(ctx: _Ctx, v: Visit, *, with_day: bool = True) -> WorkItem:
    when = f'{v.starts_at:%H:%M}–{v.ends_at:%H:%M}'
    if with_day:
        when = f'{v.starts_at:%d/%m/%Y}, {when}'
    detail = ctx.t(f'Đoàn {v.team.number} · {when}', f'Team {v.team.number} · {when}')
    if v.state == VisitState.returned and v.return_comment:
        detail += ' · ' + ctx.t('Trưởng đoàn nhắn', 'The leader says') + f': “{v.return_comment}”'
    return WorkItem('visit', v.id, v.plan_id, v.plan.reference, v.where, detail, v.starts_at.date(),
                    v.state.value, state_label(v.state, ctx.lang))


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min)
    return start, start + timedelta(days=1)


def today_visits(ctx: _Ctx) -> WorkSection | None:
    if not (ctx.is_team or access.is_staff(ctx.user)):
        return None
    start, end = _day_bounds(ctx.day)
    rows = ctx.session.scalars(_visits(ctx).where(Visit.starts_at >= start, Visit.starts_at < end,
                                                  Visit.state != VisitState.cancelled)
                               .order_by(Visit.starts_at, Visit.id)).unique()
    return WorkSection('today', ctx.t(f'Hôm nay, {ctx.day:%d/%m/%Y}', f'Today, {ctx.day:%d/%m/%Y}'),
                       [_visit_item(ctx, v, with_day=False) for v in rows],
                       ctx.t('Hôm nay không có buổi làm việc nào.', 'No visit today.'))


def coming_visits(ctx: _Ctx) -> WorkSection | None:
    if not (ctx.is_team or access.is_staff(ctx.user)):
        return None
    _, end = _day_bounds(ctx.day)
    rows = ctx.session.scalars(_visits(ctx).where(Visit.starts_at >= end,  # a returned one waits under "to fix"
                                                  Visit.state.in_((VisitState.scheduled, VisitState.in_progress)))
                               .order_by(Visit.starts_at, Visit.id).limit(COMING_LIMIT)).unique()
    return WorkSection('coming', ctx.t('Lịch sắp tới', 'Coming visits'), [_visit_item(ctx, v) for v in rows],
                       ctx.t('Chưa có buổi làm việc nào sắp tới.', 'No visit coming.'))


def visits_to_fix(ctx: _Ctx) -> WorkSection | None:
    """Returned for correction, started on an earlier day but not submitted, and scheduled on an earlier day of a
    round still visiting but never opened: the team's to finish."""
    if not ctx.is_team:
        return None
    start, _ = _day_bounds(ctx.day)
    rows = ctx.session.scalars(_visits(ctx).where(sa.or_(
        Visit.state == VisitState.returned,
        sa.and_(Visit.state == VisitState.in_progress, Visit.starts_at < start),
        sa.and_(Visit.state == VisitState.scheduled, Visit.starts_at < start, Plan.state == PlanState.visiting)))
        .order_by(Visit.state.desc(), Visit.starts_at, Visit.id)).unique()
    items = sorted((_visit_item(ctx, v) for v in rows), key=lambda i: (i.state != 'returned', i.day or ctx.day))
    return WorkSection('to_fix', ctx.t('Cần sửa, cần nộp', 'To correct or submit'), items,
                       ctx.t('Không có buổi nào bị trả lại hay còn dở.', 'Nothing returned or left unfinished.'))


def reviews(ctx: _Ctx) -> WorkSection | None:
    if not ctx.is_leader:
        return None
    rows = ctx.session.scalars(_visits(ctx, leading=True).where(Visit.state == VisitState.submitted)
                               .order_by(Visit.submitted_dt, Visit.id)).unique()
    return WorkSection('reviews', ctx.t('Chờ Trưởng đoàn duyệt', 'Waiting for your review'),
                       [_visit_item(ctx, v) for v in rows],
                       ctx.t('Không có kết quả nào chờ duyệt.', 'Nothing to review.'))


def conclusions_to_write(ctx: _Ctx) -> WorkSection | None:
    """The units a leader concludes on (their teams' visits) in plans at the conclusions stage, not concluded yet."""
    if not ctx.is_leader:
        return None
    rows = list(ctx.session.scalars(_visits(ctx, leading=True).where(
        Plan.state == PlanState.conclusions, Visit.state != VisitState.cancelled)
        .order_by(Visit.plan_id, Visit.starts_at)).unique())
    done = {(c.plan_id, c.unit_id) for c in ctx.session.execute(
        sa.select(Conclusion.plan_id, Conclusion.unit_id).where(Conclusion.plan_id.in_({v.plan_id for v in rows})))}
    items, seen = [], set()
    for v in rows:
        key = (v.plan_id, v.conclusion_unit_id)
        if key in done or key in seen:
            continue
        seen.add(key)
        items.append(WorkItem('conclusion', v.conclusion_unit_id, v.plan_id, v.plan.reference,
                              v.conclusion_unit.full_name, ctx.t(f'Đoàn {v.team.number}', f'Team {v.team.number}')))
    return WorkSection('conclusions', ctx.t('Kết luận cần viết', 'Conclusions to write'), items,
                       ctx.t('Không có kết luận nào cần viết.', 'No conclusion to write.'))


def _rec_item(ctx: _Ctx, r: Recommendation) -> WorkItem:
    overdue = r.state == RecommendationState.overdue or (r.state in OPEN_RECOMMENDATIONS
                                                         and r.is_past_deadline(ctx.day))
    deadline = ctx.t('Thời hạn', 'Deadline') + f' {r.deadline:%d/%m/%Y}' if r.deadline else ctx.t(
        'Không có thời hạn', 'No deadline')
    plan = ctx.session.get(Plan, r.plan_id)
    return WorkItem('recommendation', r.id, r.plan_id, plan.reference, r.text, f'{r.addressee_label} · {deadline}',
                    r.deadline, r.state.value, state_label(r.state, ctx.lang), overdue)


def recommendations_to_answer(ctx: _Ctx) -> WorkSection | None:
    u = ctx.user
    if u.role != Role.local_official or u.unit_id is None:
        return None
    rows = ctx.session.scalars(sa.select(Recommendation).join(Plan, Plan.id == Recommendation.plan_id).where(
        _live_plan(), Recommendation.addressee_unit_id == u.unit_id, Recommendation.state.in_(OPEN_RECOMMENDATIONS))
        .order_by(Recommendation.deadline, Recommendation.id))
    items = sorted((_rec_item(ctx, r) for r in rows), key=lambda i: (not i.overdue, i.day or date.max))
    return WorkSection('recommendations', ctx.t('Kiến nghị cần báo cáo kết quả', 'Recommendations to answer'),
                       items, ctx.t('Không có kiến nghị nào đang chờ đơn vị.', 'No recommendation waits for you.'))


def reports_to_verify(ctx: _Ctx) -> WorkSection | None:
    if not access.is_staff(ctx.user):
        return None
    rows = ctx.session.scalars(sa.select(Recommendation).join(Plan, Plan.id == Recommendation.plan_id).where(
        _live_plan(), Recommendation.state == RecommendationState.done).order_by(Recommendation.id))
    return WorkSection('verify', ctx.t('Báo cáo kết quả chờ xác nhận', 'Reports to verify'),
                       [_rec_item(ctx, r) for r in rows],
                       ctx.t('Không có báo cáo nào chờ xác nhận.', 'No report to verify.'))


def overdue_recommendations(ctx: _Ctx) -> WorkSection | None:
    """For the secretariat: every overdue recommendation, by unit then deadline — the list the top bar's count
    and the weekly digest count (:func:`inspect_flow.notify.queries.due_for`, one home for what is due)."""
    if not access.is_staff(ctx.user):
        return None
    from inspect_flow.notify.queries import due_for

    ids = [d.object_id for d in due_for(ctx.session, ctx.user, today=ctx.day) if d.object_type == 'recommendation']
    recs = ctx.session.scalars(sa.select(Recommendation).where(Recommendation.id.in_(ids))) if ids else []
    items = sorted((_rec_item(ctx, r) for r in recs), key=lambda i: (i.detail.split(' · ')[0], i.day or date.max))
    return WorkSection('overdue', ctx.t('Kiến nghị quá hạn', 'Overdue recommendations'), items,
                       ctx.t('Không có kiến nghị nào quá hạn.', 'No recommendation is overdue.'))


def documents_to_issue(ctx: _Ctx) -> WorkSection | None:
    """Per plan, the documents whose data is ready (:func:`inspect_flow.documents.operations.is_ready`) and that
    are not issued yet."""
    if not access.is_staff(ctx.user):
        return None
    from inspect_flow.documents import operations as doc_ops
    from inspect_flow.documents import sources
    from inspect_flow.documents.render import KINDS

    items: list[WorkItem] = []
    plans = ctx.session.scalars(sa.select(Plan).where(_live_plan(), Plan.state != PlanState.planning)
                                .order_by(Plan.fieldwork_start.desc(), Plan.id))
    for plan in plans:
        waiting = [tg for tg in sources.document_set(plan) if KINDS[tg.kind].type_code is not None
                   and doc_ops.current_issued(ctx.session, tg) is None and doc_ops.is_ready(ctx.session, tg)]
        for tg in waiting[:DOCUMENTS_PER_PLAN]:
            vi, en = sources.KIND_LABELS[tg.kind]
            items.append(WorkItem('document', None, plan.id, plan.reference,
                                  tg.label.replace(vi, ctx.t(vi, en), 1), params=doc_ops.target_params(tg),
                                  anchor=f'doc-{tg.slug}'))
        if len(waiting) > DOCUMENTS_PER_PLAN:
            more = len(waiting) - DOCUMENTS_PER_PLAN
            items.append(WorkItem('documents', None, plan.id, plan.reference,
                                  ctx.t(f'và {more} văn bản khác', f'and {more} more')))
    return WorkSection('documents', ctx.t('Văn bản chờ ban hành', 'Documents to issue'), items,
                       ctx.t('Không có văn bản nào chờ ban hành.', 'No document waits to be issued.'))


#: The sections, in the order the page shows them. Add one by appending a function.
SECTIONS: list[Callable[[_Ctx], WorkSection | None]] = [
    today_visits, coming_visits, visits_to_fix, reviews, conclusions_to_write, recommendations_to_answer,
    reports_to_verify, overdue_recommendations, documents_to_issue,
]


def my_work(session: Session, user: User, day: date, lang: str = 'vi') -> list[WorkSection]:
    """The sections of *user*'s work on *day*, in *lang* (``vi`` or ``en``): only those meant for them."""
    if user is None or not user.is_active:
        return []
    ctx = _Ctx(session, user, day, lang)
    return [s for s in (f(ctx) for f in SECTIONS) if s is not None]
