"""The audit history of a plan and of a visit."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

from inspect_flow.accounts import access
from inspect_flow.web import queries
from inspect_flow.web.helpers import render, require, user
from inspect_flow.web.plans import load_plan

bp = Blueprint('audit', __name__)


@bp.get('/plans/<int:plan_id>/history')
@login_required
def plan_history(plan_id: int):  # noqa: ANN201
    plan = load_plan(plan_id)
    require(access.can_view_plan_audit(user(), plan))
    return render('web/audit.html', plan=plan, visit=None, entries=queries.history(plan.id))


@bp.get('/visits/<int:visit_id>/history')
@login_required
def visit_history(visit_id: int):  # noqa: ANN201
    from inspect_flow.web.visits import load_visit

    visit = load_visit(visit_id)
    return render('web/audit.html', plan=visit.plan, visit=visit,
                  entries=queries.history(visit.plan_id, entity=('visit', visit.id)))
