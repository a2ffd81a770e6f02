"""The audit history of a plan and of a visit, as people read it (:mod:`inspect_flow.audit.labels`)."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

from inspect_flow.accounts import access
from inspect_flow.audit.labels import ENTITY_LABELS, FIELD_LABELS, describe
from inspect_flow.web import queries
from inspect_flow.web.helpers import db, lang, render, require, user
from inspect_flow.web.plans import load_plan

bp = Blueprint('audit', __name__)

__all__ = ['ENTITY_LABELS', 'FIELD_LABELS', 'bp']


@bp.get('/plans/<int:plan_id>/history')
@login_required
def plan_history(plan_id: int):  # noqa: ANN201
    plan = load_plan(plan_id)
    require(access.can_view_plan_audit(user(), plan))
    entries = queries.history(plan.id)
    if not access.is_staff(user()):  # a visit's entries (and its findings'): only for those who see the visit
        hidden = {v.id for v in plan.visits if not access.can_view_visit(user(), v)}
        findings = {f.id: f.visit_id for f in queries.findings_of(plan)}
        entries = [e for e in entries if not (e.entity_type == 'visit' and e.entity_id in hidden
                                              or e.entity_type == 'finding' and findings.get(e.entity_id) in hidden)]
    return _page(plan, None, entries)


@bp.get('/visits/<int:visit_id>/history')
@login_required
def visit_history(visit_id: int):  # noqa: ANN201
    from inspect_flow.web.visits import load_visit

    visit = load_visit(visit_id)
    return _page(visit.plan, visit, queries.history(visit.plan_id, entity=('visit', visit.id)))


def _page(plan, visit, entries):  # noqa: ANN001, ANN202
    rows = describe(db(), entries, plan=plan, lang=lang())
    return render('web/audit.html', plan=plan, visit=visit, rows=list(zip(entries, rows, strict=True)))
