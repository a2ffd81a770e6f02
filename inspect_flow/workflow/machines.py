"""One module-level ``transitions`` machine per workflow; no Machine per row.

The machines have no models registered (``model=None``). An event is fired on any object that has a
``state`` attribute with :func:`fire`; the mapped ``state`` column is the only source of truth. Every
successful transition writes an audit row through the ``after_state_change`` callback, in the same
session, so the state change and its audit row are committed together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from transitions import Machine, MachineError

from inspect_flow.core.errors import InvalidInput, TransitionRefused
from inspect_flow.workflow import guards as g
from inspect_flow.workflow.rules import Problem, Rule
from inspect_flow.workflow.states import PlanState, RecommendationState, VisitState, state_label

P, V, R = PlanState, VisitState, RecommendationState


def _record(event) -> None:  # noqa: ANN001
    """Write the audit row of a transition (after the state has changed, before the edge commits)."""
    from inspect_flow.audit.operations import record_transition

    record_transition(
        event.model,
        trigger=event.event.name,
        from_state=event.transition.source,
        to_state=event.transition.dest,
        actor=event.kwargs.get('actor') or 'system',
        comment=event.kwargs.get('comment') or event.kwargs.get('reason'),
        data=event.kwargs.get('audit_data'),
    )


def _machine(name: str, states, transitions: list[dict]) -> Machine:  # noqa: ANN001
    return Machine(
        model=None,
        states=states,
        initial=None,
        transitions=transitions,
        auto_transitions=False,
        send_event=True,
        after_state_change=_record,
        name=name,
    )


PLAN_TRANSITIONS = [
    {'trigger': 'schedule', 'source': P.planning, 'dest': P.scheduling,
     'conditions': [g.plan_has_team, g.plan_teams_have_leaders, g.plan_targets_chosen]},
    {'trigger': 'start_visiting', 'source': P.scheduling, 'dest': P.visiting,
     'conditions': [g.plan_targets_scheduled, g.plan_no_conflicts]},
    {'trigger': 'start_findings', 'source': P.visiting, 'dest': P.findings, 'conditions': [g.plan_visits_submitted]},
    {'trigger': 'start_conclusions', 'source': P.findings, 'dest': P.conclusions,
     'conditions': [g.plan_findings_reviewed]},
    {'trigger': 'close', 'source': P.conclusions, 'dest': P.closed, 'conditions': [g.plan_unit_conclusions]},
    {'trigger': 'cancel', 'source': [P.planning, P.scheduling, P.visiting, P.findings, P.conclusions],
     'dest': P.cancelled, 'conditions': [g.reason_given]},
]

VISIT_TRANSITIONS = [
    {'trigger': 'start', 'source': V.scheduled, 'dest': V.in_progress, 'conditions': [g.visit_plan_visiting]},
    {'trigger': 'submit', 'source': [V.in_progress, V.returned], 'dest': V.submitted,
     'conditions': [g.visit_plan_collecting, g.visit_submission_valid]},
    {'trigger': 'return_for_correction', 'source': V.submitted, 'dest': V.returned,
     'conditions': [g.visit_plan_collecting, g.comment_given, g.visit_reviewer_leads_team]},
    {'trigger': 'review', 'source': V.submitted, 'dest': V.reviewed,
     'conditions': [g.visit_plan_collecting, g.visit_reviewer_leads_team, g.visit_suggestions_decided]},
    {'trigger': 'cancel', 'source': [V.scheduled, V.in_progress, V.returned], 'dest': V.cancelled,
     'conditions': [g.visit_plan_open, g.reason_given]},
]

RECOMMENDATION_TRANSITIONS = [
    {'trigger': 'start', 'source': R.open, 'dest': R.in_progress},
    {'trigger': 'mark_overdue', 'source': [R.open, R.in_progress], 'dest': R.overdue,
     'conditions': [g.recommendation_past_deadline]},
    {'trigger': 'report_done', 'source': [R.open, R.in_progress, R.overdue], 'dest': R.done,
     'conditions': [g.recommendation_has_completion_report]},
    {'trigger': 'verify', 'source': R.done, 'dest': R.verified, 'conditions': [g.recommendation_has_completion_report]},
    # Evidence not accepted: back to work, and straight to overdue when the deadline has passed.
    {'trigger': 'reject', 'source': R.done, 'dest': R.overdue, 'conditions': [g.recommendation_past_deadline]},
    {'trigger': 'reject', 'source': R.done, 'dest': R.in_progress, 'conditions': [g.recommendation_within_deadline]},
    # A correction before its notice is issued (or while a replacement is prepared): with a reason, kept with its
    # history, out of documents and counts (inspect_flow.findings.operations.withdraw_recommendation).
    {'trigger': 'withdraw', 'source': [R.open, R.in_progress, R.overdue], 'dest': R.withdrawn,
     'conditions': [g.reason_given]},
]

PLAN_MACHINE = _machine('plan', PlanState, PLAN_TRANSITIONS)
VISIT_MACHINE = _machine('visit', VisitState, VISIT_TRANSITIONS)
RECOMMENDATION_MACHINE = _machine('recommendation', RecommendationState, RECOMMENDATION_TRANSITIONS)

#: Labels of the triggers, for pages and the CLI.
TRIGGER_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    'plan': {
        'schedule': ('Chuyển sang xếp lịch', 'Move to scheduling'),
        'start_visiting': ('Bắt đầu làm việc tại cơ sở', 'Start the visits'),
        'start_findings': ('Tổng hợp kết quả kiểm tra', 'Move to findings'),
        'start_conclusions': ('Chuyển sang kết luận', 'Move to conclusions'),
        'close': ('Kết thúc đợt kiểm tra', 'Close the round'),
        'cancel': ('Hủy kế hoạch', 'Cancel the plan'),
    },
    'visit': {
        'start': ('Bắt đầu buổi làm việc', 'Start the visit'),
        'submit': ('Nộp kết quả', 'Submit'),
        'return_for_correction': ('Trả lại để sửa', 'Return for correction'),
        'review': ('Duyệt kết quả', 'Approve'),
        'cancel': ('Hủy buổi làm việc', 'Cancel the visit'),
    },
    'recommendation': {
        'start': ('Bắt đầu thực hiện', 'Start'),
        'mark_overdue': ('Đánh dấu quá hạn', 'Mark overdue'),
        'report_done': ('Báo cáo đã thực hiện', 'Report done'),
        'verify': ('Xác nhận đã thực hiện', 'Verify'),
        'reject': ('Không chấp nhận kết quả', 'Reject the evidence'),
        'withdraw': ('Rút kiến nghị', 'Withdraw'),
    },
}

_MACHINES = {'plan': PLAN_MACHINE, 'visit': VISIT_MACHINE, 'recommendation': RECOMMENDATION_MACHINE}
_TABLES = {'plan': PLAN_TRANSITIONS, 'visit': VISIT_TRANSITIONS, 'recommendation': RECOMMENDATION_TRANSITIONS}


def workflow_of(obj: Any) -> str:
    """Return the name of the workflow *obj* follows: plan, visit or recommendation."""
    name = getattr(obj, '__workflow__', None) or type(obj).__name__.lower()
    if name not in _MACHINES:
        raise TypeError(f'{type(obj).__name__} has no workflow')
    return name


def triggers(workflow: str) -> list[str]:
    """Return every trigger of *workflow*, in table order."""
    return list(dict.fromkeys(t['trigger'] for t in _TABLES[workflow]))


def _sources(entry: dict) -> list:
    src = entry['source']
    return src if isinstance(src, list) else [src]


def transitions_from(workflow: str, state, trigger: str) -> list[dict]:  # noqa: ANN001
    """Return the table entries of *trigger* that start from *state* (several when guards pick the target)."""
    return [t for t in _TABLES[workflow] if t['trigger'] == trigger and state in _sources(t)]


@dataclass(frozen=True)
class StepOption:
    """A step the user could take next, and why it is blocked if it is."""

    trigger: str
    label: str
    label_en: str
    blockers: list[Problem]

    @property
    def allowed(self) -> bool:
        """True when no rule blocks the step."""
        return not self.blockers


def blockers(obj: Any, trigger: str, **kwargs) -> list[Problem]:  # noqa: ANN401
    """Return why *trigger* cannot fire on *obj* now (empty when it can).

    Evaluates the guard rules only; use it to show a blocked step before the user tries it.
    """
    workflow = workflow_of(obj)
    entries = transitions_from(workflow, obj.state, trigger)
    if not entries:
        return [_wrong_state(workflow, obj, trigger)]
    best: list[Problem] | None = None
    for entry in entries:
        found: list[Problem] = []
        for cond in entry.get('conditions', []):
            found += cond.problems(obj, kwargs) if isinstance(cond, Rule) else []
        if not found:
            return []
        if best is None or len(found) < len(best):
            best = found
    return best or []


def next_steps(obj: Any, **kwargs) -> list[StepOption]:  # noqa: ANN401
    """Return the steps that leave *obj*'s current state, each with its blockers (argument rules skipped)."""
    workflow = workflow_of(obj)
    out = []
    for trigger in triggers(workflow):
        if not transitions_from(workflow, obj.state, trigger):
            continue
        found = [p for p in blockers(obj, trigger, **kwargs) if p.rule not in ('reason_given', 'comment_given')]
        vi, en = TRIGGER_LABELS[workflow][trigger]
        out.append(StepOption(trigger, vi, en, found))
    return out


def _wrong_state(workflow: str, obj: Any, trigger: str) -> Problem:  # noqa: ANN401
    vi, en = TRIGGER_LABELS[workflow][trigger]
    return Problem(
        'wrong_state',
        f'Không thể "{vi}" khi đang ở trạng thái "{state_label(obj.state)}".',
        f'Cannot "{en}" while the state is "{state_label(obj.state, "en")}".',
    )


def fire(obj: Any, trigger: str, *, actor: str, **kwargs) -> None:  # noqa: ANN401
    """Fire *trigger* on *obj* and write its audit row; raise :class:`TransitionRefused` if it is refused.

    :param obj: a plan, visit or recommendation (any object with a ``state`` attribute)
    :param trigger: the name of the event
    :param actor: who does it (user name), recorded in the audit trail
    :raise InvalidInput: the trigger does not exist in this workflow
    :raise TransitionRefused: wrong state or an unmet rule; ``details`` names every unmet rule
    """
    workflow = workflow_of(obj)
    machine = _MACHINES[workflow]
    if trigger not in machine.events:
        known = ', '.join(triggers(workflow))
        raise InvalidInput(
            'workflow.unknown_trigger',
            f'Không có bước "{trigger}" trong quy trình này. Các bước có: {known}.',
            f'There is no step "{trigger}" in this workflow. The steps are: {known}.',
            field='trigger',
        )
    try:
        done = machine.events[trigger].trigger(obj, actor=actor, **kwargs)
    except MachineError:
        p = _wrong_state(workflow, obj, trigger)
        raise TransitionRefused('workflow.wrong_state', p.vi, p.en, details=[p.as_dict()]) from None
    if not done:
        found = blockers(obj, trigger, **kwargs)
        vi = ' '.join(p.vi for p in found) or 'Bước này bị từ chối.'
        en = ' '.join(p.en for p in found) or 'The step was refused.'
        fields = {p.field for p in found}
        field = fields.pop() if len(fields) == 1 else None  # the one input to fix, when there is one
        raise TransitionRefused('workflow.guard_failed', vi, en, field=field, details=[p.as_dict() for p in found])
