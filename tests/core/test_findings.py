"""Findings and recommendations: every edit audited from → to; stale edits refused; stage rules."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from inspect_flow.audit.models import AuditEntry
from inspect_flow.core.errors import Conflict, InvalidInput
from inspect_flow.findings import operations as ops
from inspect_flow.findings.models import FindingKind, FindingStatus, Recommendation, Severity
from tests import builders


def _edits(session, entity: str, entity_id: int) -> list[AuditEntry]:  # noqa: ANN001
    return list(session.scalars(sa.select(AuditEntry).where(
        AuditEntry.entity_type == entity, AuditEntry.entity_id == entity_id, AuditEntry.action == 'update')))


def test_editing_a_finding_records_who_and_from_to(session):  # noqa: ANN001
    plan = builders.plan_at(session, 'findings', complete=False)
    f = builders.finding(session, plan, plan.visits[0])
    changes = ops.update_finding(session, f, {'text': 'Báo cáo quý II còn chậm 15 ngày.', 'severity': Severity.low,
                                              'status': FindingStatus.accepted}, actor='truong-doan')
    assert set(changes) == {'text', 'severity'}  # status was already accepted: not a change
    row = _edits(session, 'finding', f.id)[-1]
    assert row.actor == 'truong-doan'
    assert row.changes == {'text': ['Báo cáo còn chậm.', 'Báo cáo quý II còn chậm 15 ngày.'],
                           'severity': [None, 'low']}
    assert row.plan_id == plan.id and row.created_dt is not None


def test_an_edit_that_changes_nothing_writes_no_row(session):  # noqa: ANN001
    plan = builders.plan_at(session, 'findings', complete=False)
    f = builders.finding(session, plan)
    ops.update_finding(session, f, {'text': 'Báo cáo còn chậm.'}, actor='x')
    assert _edits(session, 'finding', f.id) == []


def test_a_stale_edit_is_refused(session):  # noqa: ANN001
    plan = builders.plan_at(session, 'findings', complete=False)
    f = builders.finding(session, plan)
    seen = f.version_id
    ops.update_finding(session, f, {'text': 'Sửa lần một.'}, actor='a', expected_version=seen)
    session.flush()
    with pytest.raises(Conflict) as exc:
        ops.update_finding(session, f, {'text': 'Sửa lần hai.'}, actor='b', expected_version=seen)
    assert exc.value.code == 'stale_version'
    assert f.text == 'Sửa lần một.'


def test_an_empty_text_is_refused(session):  # noqa: ANN001
    plan = builders.plan_at(session, 'findings', complete=False)
    with pytest.raises(InvalidInput):
        ops.add_finding(session, plan, kind=FindingKind.limitation, category='Báo cáo', text='   ', actor='a')


def test_findings_are_refused_before_visits_start(session):  # noqa: ANN001
    plan = builders.plan_at(session, 'scheduling')
    with pytest.raises(Conflict) as exc:
        builders.finding(session, plan)
    assert exc.value.message.startswith('Không thể ghi nhận kết quả kiểm tra khi kế hoạch đang ở giai đoạn "Xếp lịch"')


def test_a_reviewed_visit_takes_no_new_finding(session):  # noqa: ANN001
    plan = builders.plan_at(session, 'conclusions', complete=False)
    with pytest.raises(Conflict) as exc:
        builders.finding(session, plan, plan.visits[0])
    assert 'Trưởng đoàn đã duyệt' in exc.value.message


def test_editing_a_recommendation_is_audited_and_locked_once_done(session):  # noqa: ANN001
    plan = builders.plan_at(session, 'conclusions')
    rec = session.scalars(sa.select(Recommendation).where(Recommendation.plan_id == plan.id)).first()
    ops.update_recommendation(session, rec, {'deadline': date(2020, 3, 31)}, actor='thu-ky')
    assert _edits(session, 'recommendation', rec.id)[-1].changes == {'deadline': ['2019-12-31', '2020-03-31']}
    ops.report_progress(session, rec, text='Đã rà soát.', reported_by='UBND huyện', completed=True, actor='huyen')
    assert rec.state.value == 'done'
    with pytest.raises(Conflict):
        ops.update_recommendation(session, rec, {'text': 'Khác'}, actor='thu-ky')


def test_a_conclusion_needs_a_visited_district_and_only_one(session):  # noqa: ANN001
    from inspect_flow.units.operations import get_unit

    plan = builders.plan_at(session, 'conclusions')
    with pytest.raises(Conflict):
        ops.add_conclusion(session, plan, plan.visits[0].district, summary='Lần hai', actor='a')
    with pytest.raises(InvalidInput) as exc:
        ops.add_conclusion(session, plan, get_unit(session, '837', date(2019, 7, 5)), summary='x', actor='a')
    assert exc.value.message == 'Huyện Thạnh Phú không có buổi làm việc nào trong đợt này.'
