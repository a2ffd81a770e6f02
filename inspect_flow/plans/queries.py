"""Read-side helpers for plans: look-ups by reference and the stable JSON views."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspect_flow.core.errors import InvalidInput, NotFound
from inspect_flow.core.limits import get_by_id
from inspect_flow.plans.models import Plan, Team
from inspect_flow.plans.scheduling import find_conflicts
from inspect_flow.workflow.machines import next_steps
from inspect_flow.workflow.states import state_label

_REF = re.compile(r'^\s*(\d+)\s*(?:/\s*(\S+?))?\s*(?:/\s*(\d{4}))?\s*$')


def get_plan(session: Session, ref: str | int) -> Plan:
    """Return the plan named by *ref*.

    *ref* is the reference ``1245/KH-BCĐCCTMTQG`` (optionally ``/2019`` when numbers repeat across
    years), the bare number ``1245`` when it is unambiguous, or ``#12`` for the plan with id 12 (a plan
    that has no number yet).

    :raise NotFound: no plan matches
    :raise InvalidInput: the reference is malformed or matches several plans
    """
    text = str(ref).strip()
    if text.startswith('#') and text[1:].isdigit():
        plan = get_by_id(session, Plan, text[1:])
        if plan is None:
            raise _not_found(text)
        return plan
    m = _REF.match(text)
    if not m:
        raise InvalidInput(
            'plan.bad_reference',
            f'"{text}" không phải số hiệu kế hoạch (ví dụ: 1245/KH-BCĐCCTMTQG, hoặc #12).',
            f'"{text}" is not a plan reference (for example 1245/KH-BCĐCCTMTQG, or #12).',
            field='plan',
        )
    number, symbol, year = int(m.group(1)), m.group(2), m.group(3)
    q = sa.select(Plan).where(Plan.number == number)
    if symbol:
        q = q.where(Plan.symbol == symbol.upper())
    if year:
        q = q.where(Plan.year == int(year))
    plans = list(session.scalars(q))
    if not plans:
        raise _not_found(text)
    if len(plans) > 1:
        raise InvalidInput(
            'plan.ambiguous',
            f'Có {len(plans)} kế hoạch số {number}; hãy ghi đủ ký hiệu và năm (ví dụ 1245/KH-BCĐCCTMTQG/2019).',
            f'{len(plans)} plans have number {number}; give the symbol and year (e.g. 1245/KH-BCĐCCTMTQG/2019).',
            field='plan',
        )
    return plans[0]


def _not_found(text: str) -> NotFound:
    return NotFound('plan.not_found', f'Không tìm thấy kế hoạch "{text}".', f'No plan "{text}".', field='plan')


def get_team(plan: Plan, number: int | str) -> Team:
    """Return team *number* of *plan*.

    :raise NotFound: the plan has no such team
    """
    try:
        n = int(number)
    except (TypeError, ValueError):
        n = None
    team = next((t for t in plan.teams if t.number == n), None)
    if team is None:
        raise NotFound('team.not_found', f'Kế hoạch {plan.reference} không có Đoàn {number}.',
                       f'Plan {plan.reference} has no team {number}.', field='team')
    return team


def list_plans(session: Session) -> list[Plan]:
    """Return every plan, newest first."""
    return list(session.scalars(sa.select(Plan).order_by(Plan.year.desc(), Plan.number.desc(), Plan.id.desc())))


def plan_summary(plan: Plan) -> dict:
    """Return the short, stable JSON view of a plan (``plans list --json``)."""
    return {
        'id': plan.id,
        'reference': plan.reference,
        'number': plan.number,
        'symbol': plan.symbol,
        'year': plan.year,
        'issuer': plan.issuer.slug,
        'issue_date': plan.issue_date.isoformat() if plan.issue_date else None,
        'subject': plan.subject,
        'state': plan.state.value,
        'state_label': state_label(plan.state),
        'fieldwork': {'start': plan.fieldwork_start.isoformat(), 'end': plan.fieldwork_end.isoformat()},
        'teams': len(plan.teams),
        'visits': len(plan.visits),
        'recurrence': plan.recurrence.value if plan.recurrence else None,
        'source_plan_id': plan.source_plan_id,
        'by_recurrence': bool(plan.by_recurrence),
    }


def _unit_ref(unit, *, level: bool = False) -> dict | None:  # noqa: ANN001
    """``{code, name}`` of a unit (with its level when asked), or None."""
    if unit is None:
        return None
    out = {'code': unit.code, 'name': unit.full_name}
    if level:
        out['level'] = unit.level.value
    return out


def plan_detail(plan: Plan) -> dict:
    """Return the full, stable JSON view of a plan (``plans show --json``)."""
    from sqlalchemy.orm import object_session

    from inspect_flow.findings.follow_up import follow_up
    from inspect_flow.findings.models import Conclusion, Finding, Recommendation

    session = object_session(plan)
    findings = list(session.scalars(sa.select(Finding).where(Finding.plan_id == plan.id).order_by(Finding.id)))
    conclusions = list(session.scalars(sa.select(Conclusion).where(Conclusion.plan_id == plan.id)
                                       .order_by(Conclusion.id)))
    recs = list(session.scalars(sa.select(Recommendation).where(Recommendation.plan_id == plan.id)
                                .order_by(Recommendation.id)))
    out = plan_summary(plan)
    out.update({
        'coverage_rule': plan.coverage_rule.value,
        'coverage': plan.coverage_rule.key,
        'clusters': [{'name': c['name'], 'communes': list(c['communes'])} for c in plan.clusters or []],
        'households_per_commune': plan.households_per_commune,
        'legal_bases': list(plan.legal_bases),
        'objectives': list(plan.objectives),
        'cancel_reason': plan.cancel_reason,
        'targets': [{'code': u.code, 'name': u.full_name, 'level': u.level.value} for u in plan.target_units],
        'checklists': [{'id': c.checklist_id, 'version': c.version, 'sha256': c.sha256} for c in plan.checklists],
        'teams': [
            {
                'number': t.number,
                'members': [
                    {'person_id': m.person_id, 'name': m.person.full_name, 'role': m.role.value,
                     'title': m.person.title, 'agency': m.person.agency}
                    for m in t.members
                ],
            }
            for t in plan.teams
        ],
        'visits': [
            {
                'id': v.id, 'team': v.team.number, 'state': v.state.value,
                'commune': {'code': v.commune.code, 'name': v.commune.full_name},
                'district': _unit_ref(v.district),
                'conclusion_unit': _unit_ref(v.conclusion_unit, level=True),
                'starts_at': v.starts_at.isoformat(timespec='minutes'),
                'ends_at': v.ends_at.isoformat(timespec='minutes'),
                'place': v.place, 'households': len(v.households),
            }
            for v in plan.visits
        ],
        'conflicts': [c.as_dict() for c in find_conflicts(plan)],
        'draws': [{'id': d.id, 'seed': d.seed, 'per_district': d.per_district, 'result': d.result} for d in plan.draws],
        'findings': [
            {'id': f.id, 'visit_id': f.visit_id, 'kind': f.kind.value, 'category': f.category, 'text': f.text,
             'severity': f.severity.value if f.severity else None, 'source': f.source.value, 'status': f.status.value,
             'rule_id': f.rule_id, 'checklist_item_id': f.checklist_item_id, 'version': f.version_id}
            for f in findings
        ],
        'conclusions': [
            {'id': c.id, 'district': _unit_ref(c.unit.district), 'unit': _unit_ref(c.unit, level=True),
             'summary': c.summary}
            for c in conclusions
        ],
        'recommendations': [
            {'id': r.id, 'conclusion_id': r.conclusion_id, 'number': r.number, 'addressee': r.addressee_label,
             'text': r.text, 'deadline': r.deadline.isoformat() if r.deadline else None, 'state': r.state.value,
             'reports': len(r.reports)}
            for r in recs
        ],
        'follow_up': [item.as_dict() for item in follow_up(session, plan)],
        'next_steps': [
            {'trigger': s.trigger, 'label': s.label, 'allowed': s.allowed,
             'blockers': [p.as_dict() for p in s.blockers]}
            for s in next_steps(plan)
        ],
    })
    return out


def drawn_communes(session: Session, plan: Plan) -> list[dict]:
    """The communes of the plan's last random draw, for the schedule: the ones not scheduled yet first.

    Each: ``{'code', 'name', 'group', 'scheduled'}`` (``group``: the draw group's name; ``scheduled``: a visit that is
    not cancelled already goes there). Empty when the plan has no draw.
    """
    from inspect_flow.plans.coverage import group_labels
    from inspect_flow.units.operations import units_on
    from inspect_flow.workflow.states import VisitState

    if not plan.draws:
        return []
    result = plan.draws[-1].result or {}
    names = {u.code: u.full_name for u in units_on(session, plan.fieldwork_start)}
    groups = group_labels(session, plan, result)
    visited = {v.commune.code for v in plan.visits if v.state != VisitState.cancelled}
    out = [{'code': code, 'name': names.get(code, code), 'group': groups.get(key, key), 'scheduled': code in visited}
           for key, codes in result.items() for code in codes]
    return sorted(out, key=lambda d: d['scheduled'])  # stable: the draw's order within each
