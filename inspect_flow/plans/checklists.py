"""The checklist versions a plan uses (bộ câu hỏi, phiếu kiểm tra áp dụng cho đợt kiểm tra).

A plan *pins* a checklist by storing its whole canonical content and SHA-256 in ``plan_checklists``.
From then on the round's forms are rebuilt from the database, never from the file: editing or
deleting ``checklists/*.yaml`` later changes neither an ongoing round's forms nor its past answers.
Pins may change only before the visits start.

A checklist version may say the period it applies to (``applies: {from: …, until: …}``). A plan uses
a version only if it applies on the plan's **fieldwork start** (``Plan.fieldwork_start``): the form is
fixed for the whole round, so a round that straddles a boundary keeps the form of its first day.

- without a version, the newest version that applies on that day is pinned (``pin_default_checklists``,
  ``pin_by_id('ID')``); a checklist none of whose versions applies is left out (never the newest
  version regardless of its period);
- a version named explicitly (``ID@VERSION``, the API's ``version``) that does not apply is refused,
  naming its period and the fieldwork start;
- moving the fieldwork start to a day a pinned version does not apply on is refused too (``update_plan``).
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from inspect_flow.audit.operations import record_create, record_delete
from inspect_flow.core.errors import Conflict, InvalidInput, NotFound
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


def check_applies(plan: Plan, checklist: Checklist, *, start: date | None = None, field: str = 'version') -> None:
    """Refuse *checklist* for *plan* when the version does not apply on the fieldwork start (*start*, by default
    the plan's).

    :raise InvalidInput: ``plan.checklist_not_applicable``, naming the version's period and the fieldwork start
    """
    day = start or plan.fieldwork_start
    if checklist.applies_on(day):
        return
    raise InvalidInput(
        'plan.checklist_not_applicable',
        f'Bộ câu hỏi {checklist.id} phiên bản {checklist.version} chỉ áp dụng {checklist.period("vi")}; '
        f'kế hoạch bắt đầu kiểm tra ngày {day:%d/%m/%Y}.',
        f'Checklist {checklist.id} version {checklist.version} applies only {checklist.period("en")}; '
        f'the plan\'s fieldwork starts on {day:%d/%m/%Y}.',
        field=field,
    )


def pin_checklist(session: Session, plan: Plan, checklist: Checklist, *, actor: str) -> PlanChecklist:
    """Pin *checklist* (one version) for *plan*, replacing an earlier pin of the same checklist id.

    :raise Conflict: the visits have started; the forms can no longer change
    :raise InvalidInput: the version does not apply on the plan's fieldwork start, or a finding rule's category is
        not in the vocabulary of finding categories
    """
    _require_pin_stage(plan)
    check_applies(plan, checklist)
    from inspect_flow.findings.categories import check_checklist_categories

    check_checklist_categories(session, checklist)
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
    """Pin a shipped checklist named ``ID`` (its newest version that applies on the plan's fieldwork start)
    or ``ID@VERSION``.

    :raise ChecklistNotFound: no such checklist or version in the checklist folder, or none applies
    :raise InvalidInput: the version named does not apply on the plan's fieldwork start
    """
    from inspect_flow.checklist import find_checklist

    checklist_id, _, version = spec.partition('@')
    checklist = find_checklist(checklist_id.strip(), version.strip() or None, on=plan.fieldwork_start)
    return pin_checklist(session, plan, checklist, actor=actor)


def default_checklists(plan: Plan) -> list[Checklist]:
    """Per shipped checklist id, the newest version that applies on *plan*'s fieldwork start (ids none of
    whose versions applies are left out)."""
    from inspect_flow.checklist import list_checklists

    newest: dict[str, Checklist] = {}
    for checklist in list_checklists():  # sorted by id, then version
        if checklist.applies_on(plan.fieldwork_start):
            newest[checklist.id] = checklist
    return list(newest.values())


def pin_default_checklists(session: Session, plan: Plan, *, actor: str) -> list[PlanChecklist]:
    """Pin, for every shipped checklist (the supervision form and the household form), the newest version that
    applies on the plan's fieldwork start: ``poverty-supervision@2019.1`` for a 2019 round,
    ``@2026.1`` for a round from 01/07/2025."""
    return [pin_checklist(session, plan, c, actor=actor) for c in default_checklists(plan)]


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


def pin_choices(plan: Plan, lang: str = 'vi') -> list[dict]:
    """Per shipped checklist id, every shipped version and whether it applies on the plan's fieldwork start, and the
    version the plan pins now: what a page offers to pin (any version, not only the newest).

    ``[{'id', 'title', 'pinned': version | None, 'versions': [{'version', 'applies', 'period'}]}]``
    """
    from inspect_flow.checklist import list_checklists

    out: dict[str, dict] = {}
    pinned = {p.checklist_id: p.version for p in plan.checklists}
    for c in list_checklists():  # by id, then version
        entry = out.setdefault(c.id, {'id': c.id, 'title': c.title.get(lang), 'pinned': pinned.get(c.id),
                                      'versions': []})
        if c.applies_on(plan.fieldwork_start):  # the title of the newest version that applies to the round
            entry['title'] = c.title.get(lang)
        entry['versions'].append({'version': c.version, 'applies': c.applies_on(plan.fieldwork_start),
                                  'period': c.period(lang)})
    for entry in out.values():
        entry['versions'].reverse()  # the newest first
    return list(out.values())


def set_pins(session: Session, plan: Plan, choices: dict[str, str | None], *, actor: str) -> list[PlanChecklist]:
    """Pin, per checklist id of *choices*, the version named (``None`` or ``''``: pin none, unpinning it); ids not in
    *choices* stay as they are. All or nothing: the caller's transaction is rolled back on a refusal.

    :raise ChecklistNotFound: an unknown id or version
    :raise InvalidInput: a version that does not apply on the plan's fieldwork start
    :raise Conflict: the visits have started
    """
    _require_pin_stage(plan)
    for checklist_id, version in sorted(choices.items()):
        if version:
            pin_by_id(session, plan, f'{checklist_id}@{version}', actor=actor)
        elif any(p.checklist_id == checklist_id for p in plan.checklists):
            unpin_checklist(session, plan, checklist_id, actor=actor)
    return list(plan.checklists)
