"""The guard rules of each workflow. Each is a pure predicate with a user-readable reason."""

from __future__ import annotations

from inspect_flow.plans.scheduling import active_visits, find_conflicts, uncovered_clusters, uncovered_targets
from inspect_flow.workflow.rules import Problem, problem, rule
from inspect_flow.workflow.states import PlanState, VisitState

# --- plan -----------------------------------------------------------------------------------------------


@rule('plan.has_team')
def plan_has_team(plan, _kw):  # noqa: ANN001
    if plan.teams:
        return []
    return problem('plan.has_team', 'Kế hoạch chưa có đoàn kiểm tra nào.', 'The plan has no inspection team yet.')


@rule('plan.teams_have_leaders')
def plan_teams_have_leaders(plan, _kw):  # noqa: ANN001
    return [
        Problem('plan.teams_have_leaders', f'Đoàn {t.number} chưa có Trưởng đoàn.', f'Team {t.number} has no leader.')
        for t in plan.teams
        if t.leader is None
    ]


@rule('plan.targets_chosen')
def plan_targets_chosen(plan, _kw):  # noqa: ANN001
    if plan.target_units:
        return []
    if plan.two_tier:
        return problem('plan.targets_chosen', 'Chưa chọn địa bàn kiểm tra (xã, phường).',
                       'No target units (communes) have been chosen.')
    return problem(
        'plan.targets_chosen',
        'Chưa chọn địa bàn kiểm tra (huyện, xã).',
        'No target units (districts, communes) have been chosen.',
    )


@rule('plan.targets_scheduled')
def plan_targets_scheduled(plan, _kw):  # noqa: ANN001
    return [
        Problem(
            'plan.targets_scheduled',
            f'Chưa xếp lịch làm việc tại {name}.',
            f'No visit is scheduled in {name}.',
        )
        for name in [u.full_name for u in uncovered_targets(plan)] + uncovered_clusters(plan)
    ]


@rule('plan.no_conflicts')
def plan_no_conflicts(plan, _kw):  # noqa: ANN001
    return [Problem('plan.no_conflicts', f'Lịch còn xung đột: {c.vi}', f'Schedule conflict: {c.en}')
            for c in find_conflicts(plan)]


@rule('plan.visits_submitted')
def plan_visits_submitted(plan, _kw):  # noqa: ANN001
    done = {VisitState.submitted, VisitState.reviewed}
    return [
        Problem(
            'plan.visits_submitted',
            f'Buổi làm việc tại {v.commune.full_name} (Đoàn {v.team.number}) chưa nộp kết quả.',
            f'The visit to {v.commune.full_name} (team {v.team.number}) has not been submitted.',
        )
        for v in active_visits(plan)
        if v.state not in done
    ]


@rule('plan.findings_reviewed')
def plan_findings_reviewed(plan, _kw):  # noqa: ANN001
    return [
        Problem(
            'plan.findings_reviewed',
            f'Trưởng Đoàn {v.team.number} chưa duyệt kết quả buổi làm việc tại {v.commune.full_name}.',
            f'The leader of team {v.team.number} has not reviewed the findings of the visit to {v.commune.full_name}.',
        )
        for v in active_visits(plan)
        if v.state != VisitState.reviewed
    ]


@rule('plan.unit_conclusions')
def plan_unit_conclusions(plan, _kw):  # noqa: ANN001
    """Every unit the visits are concluded under has its conclusion: each district in a three-tier round
    ("Chưa có kết luận cho Huyện …"), each commune in a two-tier round ("Chưa có kết luận cho Xã …")."""
    from inspect_flow.findings.queries import concluded_unit_ids

    concluded = concluded_unit_ids(plan)
    units = {v.conclusion_unit_id: v.conclusion_unit for v in active_visits(plan)}
    return [
        Problem(
            'plan.unit_conclusions',
            f'Chưa có kết luận cho {u.full_name}.',
            f'There is no conclusion for {u.full_name} yet.',
        )
        for uid, u in sorted(units.items(), key=lambda kv: kv[1].code)
        if uid not in concluded
    ]


@rule('reason_given')
def reason_given(_obj, kw):  # noqa: ANN001
    if (kw.get('reason') or '').strip():
        return []
    return problem('reason_given', 'Phải nêu lý do.', 'A reason is required.', field='reason')


@rule('comment_given')
def comment_given(_obj, kw):  # noqa: ANN001
    if (kw.get('comment') or '').strip():
        return []
    return problem('comment_given', 'Phải ghi ý kiến để đoàn biết cần sửa gì.',
                   'A comment saying what to correct is required.', field='comment')


# --- visit ----------------------------------------------------------------------------------------------


def _plan_in(*states: PlanState):
    @rule('visit.plan_stage')
    def check(visit, _kw):  # noqa: ANN001
        if visit.plan.state in states:
            return []
        from inspect_flow.workflow.states import state_label

        allowed_vi = ' hoặc '.join(f'"{state_label(s)}"' for s in states)
        allowed_en = ' or '.join(f'"{state_label(s, "en")}"' for s in states)
        return problem(
            'visit.plan_stage',
            f'Kế hoạch đang ở giai đoạn "{state_label(visit.plan.state)}"; '
            f'việc này chỉ làm được ở giai đoạn {allowed_vi}.',
            f'The plan is at the "{state_label(visit.plan.state, "en")}" stage; this is possible only at {allowed_en}.',
        )

    return check


visit_plan_visiting = _plan_in(PlanState.visiting)
visit_plan_collecting = _plan_in(PlanState.visiting, PlanState.findings)
visit_plan_open = _plan_in(PlanState.scheduling, PlanState.visiting)


@rule('visit.reviewer_leads_team')
def visit_reviewer_leads_team(visit, kw):  # noqa: ANN001
    from inspect_flow.plans.models import TeamRole

    reviewer = kw.get('reviewer')
    member = visit.team.member_for(reviewer) if reviewer is not None else None
    if member is not None and member.role in (TeamRole.leader, TeamRole.deputy):
        return []
    return problem(
        'visit.reviewer_leads_team',
        f'Chỉ Trưởng đoàn hoặc Phó Trưởng đoàn của Đoàn {visit.team.number} mới được duyệt kết quả.',
        f'Only the leader or deputy leader of team {visit.team.number} may review its findings.',
    )


@rule('visit.suggestions_decided')
def visit_suggestions_decided(visit, _kw):  # noqa: ANN001
    """The team decides on every finding the checklist rules suggested before the leader approves."""
    import sqlalchemy as sa
    from sqlalchemy.orm import object_session

    from inspect_flow.findings.models import Finding, FindingStatus

    session = object_session(visit)
    if session is None or visit.id is None:
        return []
    pending = session.scalar(sa.select(sa.func.count()).select_from(Finding).where(
        Finding.visit_id == visit.id, Finding.status == FindingStatus.suggested))
    if not pending:
        return []
    return problem(
        'visit.suggestions_decided',
        f'Còn {pending} kết quả do phiếu kiểm tra gợi ý chưa được chấp nhận hoặc loại bỏ.',
        f'{pending} finding(s) suggested by the checklist are neither accepted nor rejected yet.',
    )


#: Extra rules checked before a visit is submitted (the checklist engine adds its validation here).
VISIT_SUBMIT_RULES: list = []


@rule('visit.submission_valid')
def visit_submission_valid(visit, kw):  # noqa: ANN001
    from inspect_flow.visits.capture import answer_problems

    problems: list[Problem] = list(answer_problems(visit, kw))
    for check in VISIT_SUBMIT_RULES:
        problems += check(visit, kw)
    return problems


# --- recommendation -------------------------------------------------------------------------------------


@rule('recommendation.past_deadline')
def recommendation_past_deadline(rec, kw):  # noqa: ANN001
    from inspect_flow.core.clock import today

    day = kw.get('today') or today()
    if rec.is_past_deadline(day):
        return []
    return problem(
        'recommendation.past_deadline',
        'Kiến nghị chưa quá hạn.',
        'The recommendation is not past its deadline.',
    )


@rule('recommendation.within_deadline')
def recommendation_within_deadline(rec, kw):  # noqa: ANN001
    from inspect_flow.core.clock import today

    day = kw.get('today') or today()
    if not rec.is_past_deadline(day):
        return []
    return problem('recommendation.within_deadline', 'Kiến nghị đã quá hạn.',
                   'The recommendation is past its deadline.')


@rule('recommendation.has_completion_report')
def recommendation_has_completion_report(rec, _kw):  # noqa: ANN001
    if any(r.is_completed for r in rec.reports):
        return []
    return problem(
        'recommendation.has_completion_report',
        'Đơn vị chưa báo cáo đã thực hiện xong kiến nghị (kèm minh chứng).',
        'The addressee has not reported the recommendation as carried out (with evidence).',
    )
