"""Each guard rule refuses with words a user understands; state change and audit row go together."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from inspect_flow.audit.models import AuditEntry
from inspect_flow.core.errors import InvalidInput, TransitionRefused
from inspect_flow.plans import operations as plan_ops
from inspect_flow.visits import operations as visit_ops
from inspect_flow.workflow.machines import blockers, next_steps
from inspect_flow.workflow.states import PlanState, VisitState
from tests import builders

A = 'tester'


def _refusal(plan, trigger, **kw) -> TransitionRefused:  # noqa: ANN001
    with pytest.raises(TransitionRefused) as exc:
        plan_ops.advance_plan(_session_of(plan), plan, trigger, actor=A, **kw)
    return exc.value


def _session_of(obj):  # noqa: ANN001, ANN202
    from sqlalchemy.orm import object_session

    return object_session(obj)


def test_to_scheduling_needs_a_team(session):  # noqa: ANN001
    plan = builders.new_plan(session, teams=0)
    err = _refusal(plan, 'schedule')
    assert err.message == 'Kế hoạch chưa có đoàn kiểm tra nào.'
    assert err.message_en == 'The plan has no inspection team yet.'
    assert plan.state == PlanState.planning


def test_to_scheduling_needs_a_leader_in_every_team(session):  # noqa: ANN001
    plan = builders.new_plan(session, leaders=False)
    err = _refusal(plan, 'schedule')
    assert err.message == 'Đoàn 1 chưa có Trưởng đoàn. Đoàn 2 chưa có Trưởng đoàn.'
    assert [d['rule'] for d in err.details] == ['plan.teams_have_leaders'] * 2


def test_to_scheduling_needs_targets(session):  # noqa: ANN001
    plan = builders.new_plan(session, targets=[])
    assert _refusal(plan, 'schedule').message == 'Chưa chọn địa bàn kiểm tra (huyện, xã).'


def test_to_visiting_needs_every_target_scheduled(session):  # noqa: ANN001
    plan = builders.plan_at(session, 'scheduling', complete=False)
    err = _refusal(plan, 'start_visiting')
    assert err.message == 'Chưa xếp lịch làm việc tại Huyện Mỏ Cày Nam. Chưa xếp lịch làm việc tại Huyện Mỏ Cày Bắc.'


def test_to_findings_needs_every_visit_submitted_or_cancelled(session):  # noqa: ANN001
    plan = builders.plan_at(session, 'visiting', complete=False)
    first, second = plan.visits
    visit_ops.submit_visit(session, first, actor=A, data=builders.SUBMISSION)
    err = _refusal(plan, 'start_findings')
    assert err.message == 'Buổi làm việc tại Xã Nhuận Phú Tân (Đoàn 2) chưa nộp kết quả.'
    visit_ops.cancel_visit(session, second, reason='Địa phương có bão', actor=A)
    plan_ops.advance_plan(session, plan, 'start_findings', actor=A)
    assert plan.state == PlanState.findings


def test_cancelling_a_visit_needs_a_reason(session):  # noqa: ANN001
    plan = builders.plan_at(session, 'visiting', complete=False)
    with pytest.raises(InvalidInput) as exc:
        visit_ops.cancel_visit(session, plan.visits[0], reason='  ', actor=A)
    assert exc.value.field == 'reason' and exc.value.message.startswith('Lý do hủy: chưa ghi.')
    assert plan.visits[0].state == VisitState.scheduled


def test_to_conclusions_needs_every_team_leader_review(session):  # noqa: ANN001
    plan = builders.plan_at(session, 'findings', complete=False)
    visit_ops.review_visit(session, plan.visits[0], reviewer=plan.visits[0].team.leader, actor=A)
    err = _refusal(plan, 'start_conclusions')
    assert err.message == 'Trưởng Đoàn 2 chưa duyệt kết quả buổi làm việc tại Xã Nhuận Phú Tân.'


def test_only_the_leader_or_deputy_may_review(session):  # noqa: ANN001
    plan = builders.plan_at(session, 'findings', complete=False)
    visit = plan.visits[0]
    member = next(m.person for m in visit.team.members if m.role.value == 'member')
    with pytest.raises(TransitionRefused) as exc:
        visit_ops.review_visit(session, visit, reviewer=member, actor=A)
    assert exc.value.message == 'Chỉ Trưởng đoàn hoặc Phó Trưởng đoàn của Đoàn 1 mới được duyệt kết quả.'
    assert visit.state == VisitState.submitted


def test_returning_needs_a_comment_and_the_team_can_resubmit(session):  # noqa: ANN001
    plan = builders.plan_at(session, 'findings', complete=False)
    visit = plan.visits[0]
    with pytest.raises(TransitionRefused) as exc:
        visit_ops.return_visit(session, visit, reviewer=visit.team.leader, comment='', actor=A)
    assert exc.value.message == 'Phải ghi ý kiến để đoàn biết cần sửa gì.'
    visit_ops.return_visit(session, visit, reviewer=visit.team.leader, comment='Thiếu ý kiến của xã.', actor=A)
    assert visit.state == VisitState.returned and visit.return_comment == 'Thiếu ý kiến của xã.'
    visit_ops.submit_visit(session, visit, actor=A, data=builders.SUBMISSION)
    assert visit.state == VisitState.submitted


def test_to_closed_needs_a_conclusion_for_every_visited_district(session):  # noqa: ANN001
    plan = builders.plan_at(session, 'conclusions', complete=False)
    err = _refusal(plan, 'close')
    assert err.message == 'Chưa có kết luận cho Huyện Mỏ Cày Nam. Chưa có kết luận cho Huyện Mỏ Cày Bắc.'


def test_a_wrong_state_names_the_step_and_the_state(session):  # noqa: ANN001
    plan = builders.new_plan(session)
    err = _refusal(plan, 'close')
    assert err.message == 'Không thể "Kết thúc đợt kiểm tra" khi đang ở trạng thái "Lập kế hoạch".'
    assert err.code == 'workflow.wrong_state'


def test_cancelling_a_plan_needs_a_reason_and_keeps_it(session):  # noqa: ANN001
    plan = builders.new_plan(session)
    assert _refusal(plan, 'cancel').message == 'Phải nêu lý do.'
    plan_ops.advance_plan(session, plan, 'cancel', actor=A, reason='Điều chỉnh kế hoạch của tỉnh')
    assert plan.state == PlanState.cancelled and plan.cancel_reason == 'Điều chỉnh kế hoạch của tỉnh'


def test_next_steps_list_what_blocks_each_step(session):  # noqa: ANN001
    plan = builders.plan_at(session, 'scheduling', complete=False)
    steps = {s.trigger: s for s in next_steps(plan)}
    assert set(steps) == {'start_visiting', 'cancel'}
    assert not steps['start_visiting'].allowed
    assert steps['start_visiting'].label == 'Bắt đầu làm việc tại cơ sở'
    assert steps['cancel'].allowed  # the reason is asked for when the step is taken
    builders.schedule_all(session, plan)
    assert blockers(plan, 'start_visiting') == []


def test_the_state_change_and_its_audit_row_commit_together_or_not_at_all(databases, db_kind, monkeypatch):  # noqa: ANN001
    """An audit write that fails rolls the state change back with it."""
    from sqlalchemy.orm import Session

    from inspect_flow.audit import operations as audit_ops
    from inspect_flow.core.db import make_engine, make_session_factory, unit_of_work
    from inspect_flow.plans.models import Plan

    engine = make_engine(databases.fresh(db_kind))
    factory = make_session_factory(engine)
    with unit_of_work(factory) as s:
        plan_id = builders.plan_at(s, 'scheduling').id

    def broken(*_a, **_kw):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError('disk full')

    monkeypatch.setattr(audit_ops, 'record_transition', broken)
    with pytest.raises(RuntimeError), unit_of_work(factory) as s:
        plan_ops.advance_plan(s, s.get(Plan, plan_id), 'start_visiting', actor=A)
    monkeypatch.undo()
    with Session(engine) as s:
        assert s.get(Plan, plan_id).state == PlanState.scheduling
        rows = s.scalars(sa.select(AuditEntry).where(AuditEntry.plan_id == plan_id, AuditEntry.to_state == 'visiting'))
        assert list(rows) == []
    with unit_of_work(factory) as s:
        plan_ops.advance_plan(s, s.get(Plan, plan_id), 'start_visiting', actor=A)
    with Session(engine) as s:
        assert s.get(Plan, plan_id).state == PlanState.visiting
        assert s.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
            AuditEntry.plan_id == plan_id, AuditEntry.to_state == 'visiting')) == 1
    engine.dispose()


def test_overdue_sweep_marks_only_what_is_past_its_deadline(session):  # noqa: ANN001
    from inspect_flow.findings import operations as findings_ops
    from inspect_flow.findings.models import Conclusion

    plan = builders.plan_at(session, 'conclusions')

    conclusion = session.scalars(sa.select(Conclusion).where(Conclusion.plan_id == plan.id)).first()
    later = findings_ops.add_recommendation(session, plan, text='Rà soát hộ nghèo.', addressee_label='UBND xã',
                                            deadline=date(2020, 6, 30), conclusion=conclusion, actor=A)
    marked = findings_ops.mark_overdue(session, today=date(2020, 1, 15), actor=A)
    assert later not in marked and len(marked) == 2
    assert all(r.state.value == 'overdue' for r in marked)
