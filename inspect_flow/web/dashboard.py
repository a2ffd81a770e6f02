"""The round dashboard: progress by team and district, findings by category, recommendations."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

from inspect_flow.accounts import access
from inspect_flow.web import queries
from inspect_flow.web.helpers import render, require, user
from inspect_flow.web.plans import load_plan

bp = Blueprint('dashboard', __name__)


@bp.get('/plans/<int:plan_id>/dashboard')
@login_required
def dashboard_page(plan_id: int):  # noqa: ANN201
    plan = load_plan(plan_id)
    require(access.can_view_dashboard(user(), plan), 404)
    return render('web/plans/dashboard.html', plan=plan, d=queries.dashboard(plan))
