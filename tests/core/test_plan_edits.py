"""Editing a plan: the same rules as creating it, nothing half-written, every change audited."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from inspect_flow.audit.models import AuditEntry
from inspect_flow.core.errors import Conflict, InvalidInput
from inspect_flow.plans.operations import update_plan
from tests.builders import ACTOR, plan_at


@pytest.mark.parametrize(('values', 'code', 'field'), [
    ({'subject': '   '}, 'subject.required', 'subject'),
    ({'subject': None}, 'subject.required', 'subject'),
    ({'households_per_commune': -1}, 'plan.bad_households', 'households_per_commune'),
    ({'fieldwork_start': None}, 'fieldwork_start.required', 'fieldwork_start'),
    ({'fieldwork_end': date(2019, 7, 1)}, 'plan.bad_window', 'fieldwork_end'),
    ({'subject': 'Hợp lệ', 'number': 9}, 'plan.unknown_field', None),
])
def test_bad_edits_are_refused_and_change_nothing(session, values, code, field) -> None:  # noqa: ANN001
    plan = plan_at(session, 'planning')
    before = (plan.subject, plan.households_per_commune, plan.fieldwork_start, plan.fieldwork_end)
    audit_rows = session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    with pytest.raises(InvalidInput) as err:
        update_plan(session, plan, values, actor=ACTOR)
    assert err.value.code == code and err.value.field == field
    assert (plan.subject, plan.households_per_commune, plan.fieldwork_start, plan.fieldwork_end) == before
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == audit_rows


def test_an_edit_is_trimmed_and_audited(session) -> None:  # noqa: ANN001
    plan = plan_at(session, 'scheduling')
    old = plan.subject
    changes = update_plan(session, plan, {'subject': '  Kiểm tra   công tác giảm nghèo 2019 '}, actor=ACTOR)
    assert plan.subject == 'Kiểm tra công tác giảm nghèo 2019'
    assert changes == {'subject': [old, plan.subject]}
    row = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == 'update')
                          .order_by(AuditEntry.id.desc())).first()
    assert row.changes == {'subject': [old, plan.subject]} and row.actor == ACTOR


def test_no_edits_once_the_visits_start(session) -> None:  # noqa: ANN001
    plan = plan_at(session, 'visiting')
    with pytest.raises(Conflict):
        update_plan(session, plan, {'subject': 'Đổi nội dung'}, actor=ACTOR)
