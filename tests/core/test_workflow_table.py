"""Every (state × trigger) pair of every workflow, from a table, on real rows in both databases."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from inspect_flow.audit.models import AuditEntry
from inspect_flow.core.errors import TransitionRefused
from inspect_flow.plans import operations as plan_ops
from inspect_flow.visits import operations as visit_ops
from inspect_flow.workflow.machines import fire, triggers
from inspect_flow.workflow.states import PlanState, RecommendationState, VisitState
from tests import builders

# --- plan: with the work of each stage done, every allowed step succeeds; every other pair is refused ---

PLAN_TABLE = {
    'planning': {'schedule': 'scheduling', 'cancel': 'cancelled'},
    'scheduling': {'start_visiting': 'visiting', 'cancel': 'cancelled'},
    'visiting': {'start_findings': 'findings', 'cancel': 'cancelled'},
    'findings': {'start_conclusions': 'conclusions', 'cancel': 'cancelled'},
    'conclusions': {'close': 'closed', 'cancel': 'cancelled'},
    'closed': {},
    'cancelled': {},
}
PLAN_CASES = [(s, t, PLAN_TABLE[s].get(t)) for s in PLAN_TABLE for t in triggers('plan')]


def _audit_rows(session, entity: str, entity_id: int) -> list[AuditEntry]:  # noqa: ANN001
    return list(session.scalars(sa.select(AuditEntry).where(
        AuditEntry.entity_type == entity, AuditEntry.entity_id == entity_id, AuditEntry.action == 'transition')
        .order_by(AuditEntry.id)))


def test_it_covers_every_state_and_trigger():
    assert {s.value for s in PlanState} == set(PLAN_TABLE)
    assert len(PLAN_CASES) == len(PlanState) * len(triggers('plan'))


@pytest.mark.parametrize(('state', 'trigger', 'dest'), PLAN_CASES, ids=[f'{s}-{t}' for s, t, _ in PLAN_CASES])
def test_plan_transition_table(session, state, trigger, dest):  # noqa: ANN001
    plan = builders.plan_at(session, state)
    before = len(_audit_rows(session, 'plan', plan.id))
    if dest is None:
        with pytest.raises(TransitionRefused) as exc:
            fire(plan, trigger, actor='t', reason='lý do')
        assert exc.value.code == 'workflow.wrong_state'
        assert plan.state == PlanState(state)
        assert len(_audit_rows(session, 'plan', plan.id)) == before
    else:
        fire(plan, trigger, actor='t', reason='lý do')
        session.flush()
        assert plan.state == PlanState(dest)
        rows = _audit_rows(session, 'plan', plan.id)
        assert len(rows) == before + 1
        assert (rows[-1].trigger, rows[-1].from_state, rows[-1].to_state, rows[-1].actor) == (trigger, state, dest, 't')


# --- visit: in a plan that is visiting; the reviewer is the team leader ---

VISIT_TABLE = {
    'scheduled': {'start': 'in_progress', 'cancel': 'cancelled'},
    'in_progress': {'submit': 'submitted', 'cancel': 'cancelled'},
    'submitted': {'return_for_correction': 'returned', 'review': 'reviewed'},
    'returned': {'submit': 'submitted', 'cancel': 'cancelled'},
    'reviewed': {},
    'cancelled': {},
}
VISIT_CASES = [(s, t, VISIT_TABLE[s].get(t)) for s in VISIT_TABLE for t in triggers('visit')]

_VISIT_PATH = {
    'scheduled': [], 'in_progress': ['start'], 'submitted': ['start', 'submit'],
    'returned': ['start', 'submit', 'return_for_correction'], 'reviewed': ['start', 'submit', 'review'],
    'cancelled': ['cancel'],
}


def test_it_covers_every_visit_state():
    assert {s.value for s in VisitState} == set(VISIT_TABLE) == set(_VISIT_PATH)


@pytest.mark.parametrize(('state', 'trigger', 'dest'), VISIT_CASES, ids=[f'{s}-{t}' for s, t, _ in VISIT_CASES])
def test_visit_transition_table(session, state, trigger, dest):  # noqa: ANN001
    plan = builders.plan_at(session, 'visiting', complete=False)
    visit = plan.visits[0]
    kw = {'reviewer': visit.team.leader, 'comment': 'Bổ sung danh sách hộ.', 'reason': 'Mưa bão'}
    for step in _VISIT_PATH[state]:
        fire(visit, step, actor='t', **kw)
    assert visit.state == VisitState(state)
    before = len(_audit_rows(session, 'visit', visit.id))
    if dest is None:
        with pytest.raises(TransitionRefused):
            fire(visit, trigger, actor='t', **kw)
        assert visit.state == VisitState(state)
        assert len(_audit_rows(session, 'visit', visit.id)) == before
    else:
        fire(visit, trigger, actor='t', **kw)
        session.flush()
        assert visit.state == VisitState(dest)
        assert len(_audit_rows(session, 'visit', visit.id)) == before + 1


# --- recommendation: a completion report exists and the deadline has passed on "today" ---

REC_TABLE = {
    'open': {'start': 'in_progress', 'mark_overdue': 'overdue', 'report_done': 'done'},
    'in_progress': {'mark_overdue': 'overdue', 'report_done': 'done'},
    'overdue': {'report_done': 'done'},
    'done': {'verify': 'verified', 'reject': 'overdue'},
    'verified': {},
    'withdrawn': {},  # 'withdraw' needs a reason: without one it is refused from every state
}
REC_CASES = [(s, t, REC_TABLE[s].get(t)) for s in REC_TABLE for t in triggers('recommendation')]
_REC_PATH = {'open': [], 'in_progress': ['start'], 'overdue': ['mark_overdue'], 'done': ['report_done'],
             'verified': ['report_done', 'verify'], 'withdrawn': ['withdraw']}
LATE = date(2020, 1, 15)


def test_it_covers_every_recommendation_state():
    assert {s.value for s in RecommendationState} == set(REC_TABLE) == set(_REC_PATH)


@pytest.mark.parametrize(('state', 'trigger', 'dest'), REC_CASES, ids=[f'{s}-{t}' for s, t, _ in REC_CASES])
def test_recommendation_transition_table(session, state, trigger, dest):  # noqa: ANN001
    plan = builders.plan_at(session, 'conclusions')
    rec = plan_recs(session, plan)[0]
    builders.completion_report(session, rec)
    for step in _REC_PATH[state]:
        fire(rec, step, actor='t', today=LATE, reason='Trùng với kiến nghị khác')
    assert rec.state == RecommendationState(state)
    if dest is None:
        with pytest.raises(TransitionRefused):
            fire(rec, trigger, actor='t', today=LATE)
        assert rec.state == RecommendationState(state)
    else:
        fire(rec, trigger, actor='t', today=LATE)
        assert rec.state == RecommendationState(dest)


def plan_recs(session, plan):  # noqa: ANN001, ANN201
    from inspect_flow.findings.models import Recommendation

    return list(session.scalars(sa.select(Recommendation).where(Recommendation.plan_id == plan.id)
                                .order_by(Recommendation.id)))


def test_it_rejects_to_in_progress_before_the_deadline(session):  # noqa: ANN001
    plan = builders.plan_at(session, 'conclusions')
    rec = plan_recs(session, plan)[0]
    builders.completion_report(session, rec)
    fire(rec, 'report_done', actor='t')
    fire(rec, 'reject', actor='t', today=date(2019, 11, 1), comment='Thiếu minh chứng')
    assert rec.state == RecommendationState.in_progress


def test_it_uses_one_machine_per_workflow_and_registers_no_model(session):  # noqa: ANN001
    from inspect_flow.workflow import machines

    plan = builders.plan_at(session, 'scheduling')
    plan_ops.advance_plan(session, plan, 'start_visiting', actor='t')
    visit_ops.start_visit(session, plan.visits[0], actor='t')
    for machine in (machines.PLAN_MACHINE, machines.VISIT_MACHINE, machines.RECOMMENDATION_MACHINE):
        assert machine.models == []
    assert not hasattr(plan, 'trigger') and not hasattr(plan, 'machine')
