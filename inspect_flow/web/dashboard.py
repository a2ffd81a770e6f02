"""The round dashboard: progress by team and district, findings by unit and category, recommendations; and the
round's exports (XLSX workbook, CSV files in a ZIP archive)."""

from __future__ import annotations

import io

from flask import Blueprint, Response
from flask_login import login_required

from inspect_flow.accounts import access
from inspect_flow.web.helpers import db, lang, render, require, user
from inspect_flow.web.plans import load_plan

bp = Blueprint('dashboard', __name__)
#: How many returning limitations the /dashboard page lists (the workbook and the API list them all).
RECURRING_SHOWN = 100


@bp.app_template_global('finding_categories')
def finding_categories() -> list:
    """The vocabulary of finding categories, offered as the suggestions of a category field."""
    from inspect_flow.findings.categories import vocabulary

    return vocabulary(db())


@bp.get('/plans/<int:plan_id>/dashboard')
@login_required
def dashboard_page(plan_id: int):  # noqa: ANN201
    plan = load_plan(plan_id)
    require(access.can_view_dashboard(user(), plan), 404)
    from flask import request

    from inspect_flow.core.clock import today
    from inspect_flow.plans.dashboard import OverdueFilters, round_dashboard

    d = round_dashboard(db(), plan, day=today(), filters=OverdueFilters.parse(request.args))
    return render('web/plans/dashboard.html', plan=plan, d=d)


@bp.get('/dashboard')
@login_required
def cross_dashboard_page():  # noqa: ANN201
    """Across rounds: findings per year, recommendations by state and age, units where a limitation returns."""
    require(access.can_view_cross_dashboard(user()), 403)
    from flask import request

    from inspect_flow.core.clock import today
    from inspect_flow.plans.analytics import CrossFilters, cross_dashboard

    d = cross_dashboard(db(), day=today(), filters=CrossFilters.parse(request.args))
    # the national list runs to thousands of rows: the page shows the units returning most often, the workbook all
    return render('web/dashboard.html', d=d, recurring_shown=RECURRING_SHOWN)


@bp.get('/dashboard.xlsx')
@login_required
def cross_dashboard_xlsx() -> Response:
    """The cross-round views as a workbook, under the same filters as the page."""
    require(access.can_view_cross_dashboard(user()), 403)
    from flask import request

    from inspect_flow.core.clock import today
    from inspect_flow.exports import operations as ops
    from inspect_flow.plans.analytics import CrossFilters

    filters = CrossFilters.parse(request.args)
    buf = io.BytesIO()
    ops.export_dashboard_xlsx(db(), buf, day=today(), filters=filters, lang=lang())
    span = '-'.join(str(y) for y in (filters.year_from, filters.year_to) if y)
    name = 'tong-hop-cac-dot' + (f'-{span}' if span else '')
    return Response(buf.getvalue(), mimetype=ops.XLSX_MIME, headers={
        'Content-Disposition': f'attachment; filename="{name}.xlsx"', 'Cache-Control': 'no-store'})


@bp.get('/plans/<int:plan_id>/export.xlsx')
@login_required
def export_xlsx(plan_id: int) -> Response:
    """The round's workbook, holding what the user may see (:func:`access.export_sight`)."""
    from inspect_flow.exports import operations as ops

    plan = load_plan(plan_id)
    require(access.can_export_plan(user(), plan), 404)
    buf = io.BytesIO()
    ops.export_round_xlsx(db(), plan, buf, lang=lang(), sight=access.export_sight(user(), plan))
    return Response(buf.getvalue(), mimetype=ops.XLSX_MIME, headers={
        'Content-Disposition': f'attachment; filename="{ops.file_stem(plan)}.xlsx"', 'Cache-Control': 'no-store'})


@bp.get('/plans/<int:plan_id>/export-csv.zip')
@login_required
def export_csv(plan_id: int) -> Response:
    """Every table of the round as a CSV file (UTF-8 with a BOM), in one ZIP archive."""
    from inspect_flow.exports import operations as ops

    plan = load_plan(plan_id)
    require(access.can_export_plan(user(), plan), 404)
    data = ops.export_round_csv_zip(db(), plan, lang=lang(), sight=access.export_sight(user(), plan))
    return Response(data, mimetype='application/zip', headers={
        'Content-Disposition': f'attachment; filename="{ops.file_stem(plan)}-csv.zip"', 'Cache-Control': 'no-store'})
