"""Random event sequences never reach an invalid state and never lose an audit row (hypothesis)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from inspect_flow.audit.models import AuditEntry
from inspect_flow.core.errors import DomainError
from inspect_flow.findings.models import Conclusion, Recommendation
from inspect_flow.plans.scheduling import active_visits
from inspect_flow.workflow.machines import (
    PLAN_TRANSITIONS,
    RECOMMENDATION_TRANSITIONS,
    VISIT_TRANSITIONS,
    fire,
    triggers,
)
from inspect_flow.workflow.states import PlanState, RecommendationState, VisitState
from tests import builders

ORDER = ['planning', 'scheduling', 'visiting', 'findings', 'conclusions', 'closed']


def _allowed(table) -> set[tuple[str, str, str]]:  # noqa: ANN001
    out = set()
    for t in table:
        sources = t['source'] if isinstance(t['source'], list) else [t['source']]
        out |= {(str(s), t['trigger'], str(t['dest'])) for s in sources}
    return out


ALLOWED = {'plan': _allowed(PLAN_TRANSITIONS), 'visit': _allowed(VISIT_TRANSITIONS),
           'recommendation': _allowed(RECOMMENDATION_TRANSITIONS)}

NEXT = {'planning': 'schedule', 'scheduling': 'start_visiting', 'visiting': 'start_findings',
        'findings': 'start_conclusions', 'conclusions': 'close'}
#: How many transitions the stage work takes a visit through (start + submit, submit, review).
WORK_STEPS = {('scheduled', 'submitted'): 2, ('in_progress', 'submitted'): 1, ('returned', 'submitted'): 1,
              ('submitted', 'reviewed'): 1}

actions = st.one_of(
    st.just(('work',)),
    st.just(('advance',)),
    st.tuples(st.just('plan'), st.sampled_from(triggers('plan')), st.sampled_from(['', 'Lý do'])),
    st.tuples(st.just('visit'), st.integers(0, 1), st.sampled_from(triggers('visit')), st.booleans(),
              st.sampled_from(['', 'Cần bổ sung'])),
    st.tuples(st.just('rec'), st.sampled_from(triggers('recommendation')),
              st.sampled_from([date(2019, 8, 1), date(2020, 3, 1)]), st.booleans()),
)


def _work(session, plan) -> None:  # noqa: ANN001
    """Do the work of the plan's current stage, as far as the data allows."""
    state = plan.state.value
    if state == 'scheduling' and not plan.visits:
        builders.schedule_all(session, plan)
    elif state == 'visiting':
        for v in plan.visits:
            if v.state in (VisitState.scheduled, VisitState.in_progress, VisitState.returned):
                from inspect_flow.visits.operations import submit_visit

                submit_visit(session, v, actor='h', data=builders.SUBMISSION)
    elif state == 'findings':
        from inspect_flow.visits.operations import review_visit

        for v in plan.visits:
            if v.state == VisitState.submitted:
                review_visit(session, v, reviewer=v.team.leader, actor='h')
    elif state == 'conclusions':
        done = set(session.scalars(sa.select(Conclusion.unit_id).where(Conclusion.plan_id == plan.id)))
        if not any(v.district_id in done for v in active_visits(plan)):
            builders.conclude_all(session, plan)


def _check_invariants(session, plan, performed: int) -> None:  # noqa: ANN001
    assert isinstance(plan.state, PlanState)
    visits = list(plan.visits)
    assert all(isinstance(v.state, VisitState) for v in visits)
    stage = plan.state.value
    if stage != 'cancelled':
        level = ORDER.index(stage)
        if level >= ORDER.index('findings'):
            assert all(v.state in (VisitState.submitted, VisitState.reviewed, VisitState.returned)
                       for v in active_visits(plan))
        if level >= ORDER.index('conclusions'):
            assert all(v.state == VisitState.reviewed for v in active_visits(plan))
        if stage == 'closed':
            done = set(session.scalars(sa.select(Conclusion.unit_id).where(Conclusion.plan_id == plan.id)))
            assert {v.district_id for v in active_visits(plan)} <= done
        if level < ORDER.index('visiting'):
            assert all(v.state in (VisitState.scheduled, VisitState.cancelled) for v in visits)
    # the audit trail: one row per transition performed, each an allowed step, chained from the start
    session.flush()
    rows = list(session.scalars(sa.select(AuditEntry).where(AuditEntry.plan_id == plan.id,
                                                           AuditEntry.action == 'transition').order_by(AuditEntry.id)))
    assert len(rows) == performed
    for r in rows:
        assert (r.from_state, r.trigger, r.to_state) in ALLOWED[r.entity_type]
    plan_rows = [r for r in rows if r.entity_type == 'plan']
    chain = ['planning'] + [r.to_state for r in plan_rows]
    assert all(r.from_state == chain[i] for i, r in enumerate(plan_rows))
    assert chain[-1] == plan.state.value
    for v in visits:
        v_rows = [r for r in rows if r.entity_type == 'visit' and r.entity_id == v.id]
        assert (['scheduled'] + [r.to_state for r in v_rows])[-1] == v.state.value


#: The happy path (the work of each stage, then the next step), so that random noise meets every stage.
HAPPY = [('work',), ('advance',)] * 6
scripts = st.tuples(st.lists(st.lists(actions, max_size=3), min_size=len(HAPPY), max_size=len(HAPPY)),
                    st.integers(0, len(HAPPY))).map(
    lambda t: [a for i, noise in enumerate(t[0]) for a in noise + (HAPPY[i:i + 1] if i < t[1] else [])])


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=scripts)
def test_random_sequences_keep_the_round_valid_and_audited(session, steps):  # noqa: ANN001
    nested = session.begin_nested()
    try:
        plan = builders.new_plan(session)
        performed = 0  # counted from the calls that succeeded, independently of the audit table
        for step in steps:
            try:
                if step[0] == 'work':
                    states = {v.id: v.state.value for v in plan.visits}
                    _work(session, plan)
                    performed += sum(WORK_STEPS.get((states.get(v.id, 'scheduled'), v.state.value), 0)
                                     for v in plan.visits)
                elif step[0] == 'advance' and plan.state.value in NEXT:
                    fire(plan, NEXT[plan.state.value], actor='h')
                    performed += 1
                elif step[0] == 'plan':
                    fire(plan, step[1], actor='h', reason=step[2])
                    performed += 1
                elif step[0] == 'visit' and len(plan.visits) > step[1]:
                    visit = plan.visits[step[1]]
                    reviewer = visit.team.leader if step[3] else visit.team.members[-1].person
                    fire(visit, step[2], actor='h', reviewer=reviewer, comment=step[4], reason=step[4])
                    performed += 1
                elif step[0] == 'rec':
                    rec = session.scalars(sa.select(Recommendation).where(Recommendation.plan_id == plan.id)).first()
                    if rec is not None:
                        if step[3]:
                            builders.completion_report(session, rec)
                        fire(rec, step[1], actor='h', today=step[2])
                        performed += 1
                        assert isinstance(rec.state, RecommendationState)
            except DomainError:
                pass
            _check_invariants(session, plan, performed)
        event(f'reached {plan.state.value}')
    finally:
        nested.rollback()
        session.expire_all()
