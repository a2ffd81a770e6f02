"""The checklist versions a plan uses (bộ câu hỏi, phiếu kiểm tra áp dụng cho đợt kiểm tra).

A plan *pins* a checklist by storing its whole canonical content and SHA-256 in ``plan_checklists``.
From then on the round's forms are rebuilt from the database, never from the file: editing or
deleting ``checklists/*.yaml`` later changes neither an ongoing round's forms nor its past answers.
Pins may change only before the visits start.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from inspect_flow.audit.operations import record_create, record_delete
from inspect_flow.core.errors import Conflict, NotFound
from inspect_flow.plans.models import Plan, PlanChecklist
from inspect_flow.workflow.states import PlanState

if TYPE_CHECKING:
    from inspect_flow.checklist import Checklist
    from inspect_flow.visits.models import Visit

#: Pins may change while the plan is being prepared; once teams are in the field the forms are fixed.
PIN_STAGES = (PlanState.planning, PlanState.scheduling)


def _require_pin_stage(plan: Plan) -> None:
    from inspect_flow.plans.operations import require_stage

    require_stage(plan, *PIN_STAGES, action_vi='thay đổi bộ câu hỏi kiểm tra', action_en='change the checklists')


def pin_checklist(session: Session, plan: Plan, checklist: Checklist, *, actor: str) -> PlanChecklist:
    """Pin *checklist* (one version) for *plan*, replacing an earlier pin of the same checklist id.

    :raise Conflict: the visits have started; the forms can no longer change
    """
    _require_pin_stage(plan)
    existing = next((p for p in plan.checklists if p.checklist_id == checklist.id), None)
    if existing is not None:
        if existing.sha256 == checklist.sha256:
            return existing
        record_delete(existing, actor=actor, fields={'version': existing.version, 'sha256': existing.sha256})
        plan.checklists.remove(existing)
        session.flush()
    pin = PlanChecklist(checklist_id=checklist.id, version=checklist.version, title=checklist.title.vi,
                        content=checklist.to_dict(), sha256=checklist.sha256)
    plan.checklists.append(pin)
    session.flush()
    record_create(pin, actor=actor, fields={'checklist_id': pin.checklist_id, 'version': pin.version,
                                            'sha256': pin.sha256})
    return pin


def pin_by_id(session: Session, plan: Plan, spec: str, *, actor: str) -> PlanChecklist:
    """Pin a shipped checklist named ``ID`` (its newest version) or ``ID@VERSION``.

    :raise ChecklistNotFound: no such checklist or version in the checklist folder
    """
    from inspect_flow.checklist import find_checklist

    checklist_id, _, version = spec.partition('@')
    return pin_checklist(session, plan, find_checklist(checklist_id.strip(), version.strip() or None), actor=actor)


def pin_default_checklists(session: Session, plan: Plan, *, actor: str) -> list[PlanChecklist]:
    """Pin the newest version of every shipped checklist (the supervision form and the household form)."""
    from inspect_flow.checklist import list_checklists

    newest: dict[str, Checklist] = {}
    for checklist in list_checklists():  # sorted by id, then version
        newest[checklist.id] = checklist
    return [pin_checklist(session, plan, c, actor=actor) for c in newest.values()]


def unpin_checklist(session: Session, plan: Plan, checklist_id: str, *, actor: str) -> None:
    """Remove a pinned checklist from *plan* (before the visits start)."""
    _require_pin_stage(plan)
    pin = next((p for p in plan.checklists if p.checklist_id == checklist_id), None)
    if pin is None:
        raise NotFound('plan.checklist_not_pinned',
                       f'Kế hoạch không áp dụng bộ câu hỏi "{checklist_id}".',
                       f'The plan does not use checklist "{checklist_id}".', field='checklist_id')
    record_delete(pin, actor=actor, fields={'checklist_id': pin.checklist_id, 'version': pin.version})
    plan.checklists.remove(pin)
    session.flush()


@lru_cache(maxsize=64)
def _rebuild(sha256: str, content_json: str) -> Checklist:
    import json

    from inspect_flow.checklist import Checklist

    checklist = Checklist.from_dict(json.loads(content_json))
    if checklist.sha256 != sha256:
        raise Conflict('plan.checklist_tampered',
                       f'Nội dung bộ câu hỏi đã lưu không khớp mã SHA-256 {sha256[:12]}…; không dùng được.',
                       f'The stored checklist content does not match its SHA-256 {sha256[:12]}…; refusing to use it.')
    return checklist


def as_checklist(pin: PlanChecklist) -> Checklist:
    """Rebuild the pinned checklist from the database content, checking it against its SHA-256.

    The check runs once per loaded row (the result is kept on the instance, which a session discards
    on expiry or at its end); the validated checklist itself is shared through a cache keyed by content.
    """
    import json

    cached = pin.__dict__.get('_checklist')
    if cached is not None and cached[0] == pin.sha256 and cached[1] is pin.content:
        return cached[2]
    checklist = _rebuild(pin.sha256, json.dumps(pin.content, sort_keys=True, ensure_ascii=False))
    pin.__dict__['_checklist'] = (pin.sha256, pin.content, checklist)
    return checklist


def pinned_checklists(plan: Plan) -> list[Checklist]:
    """The checklists *plan* uses, as pinned."""
    return [as_checklist(p) for p in sorted(plan.checklists, key=lambda p: p.checklist_id)]


def pinned_checklist(plan: Plan, checklist_id: str) -> Checklist:
    """The pinned checklist *checklist_id* of *plan*.

    :raise NotFound: the plan does not use it
    """
    pin = next((p for p in plan.checklists if p.checklist_id == checklist_id), None)
    if pin is None:
        raise NotFound('plan.checklist_not_pinned',
                       f'Kế hoạch không áp dụng bộ câu hỏi "{checklist_id}".',
                       f'The plan does not use checklist "{checklist_id}".', field='checklist_id')
    return as_checklist(pin)


def visit_checklist(visit: Visit) -> Checklist | None:
    """The form of a visit: the plan's supervision checklist, or ``None`` when the plan pins none."""
    for checklist in pinned_checklists(visit.plan):
        if checklist.kind.value == 'supervision':
            return checklist
    return None


def household_checklist(plan: Plan) -> Checklist | None:
    """The plan's one-household consultation form, if it pins one."""
    for checklist in pinned_checklists(plan):
        if checklist.kind.value == 'household_consultation':
            return checklist
    return None
