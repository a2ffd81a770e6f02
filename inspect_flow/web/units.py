"""An administrative unit's page: the unit of its day, what it was formed from, what it went into, what it is now."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, request
from flask_login import login_required

from inspect_flow.core import clock
from inspect_flow.core.errors import InvalidInput
from inspect_flow.units.models import AdminUnit
from inspect_flow.units.operations import get_unit
from inspect_flow.units.queries import children_on, unit_card
from inspect_flow.web.helpers import db, parse_date, render

bp = Blueprint('units', __name__)


@bp.get('/units/<code>')
@login_required
def unit_page(code: str):  # noqa: ANN201
    """``/units/28936?on=2019-07-12``: the code as it stood that day (default: today), and its other periods."""
    if len(code) > 10 or not code.isdigit():
        abort(404)
    periods = list(db().scalars(sa.select(AdminUnit).where(AdminUnit.code == code).order_by(AdminUnit.valid_from)))
    if not periods:
        abort(404)
    error, bad_day = None, False
    try:
        day = parse_date(request.args.get('on'), 'on', required=False) or clock.today()
    except InvalidInput as exc:
        day, error, bad_day = clock.today(), exc, True
    try:
        unit = get_unit(db(), code, day)
    except InvalidInput as exc:
        unit, error = None, error or exc
    card = unit_card(db(), unit, clock.today()) if unit is not None else None
    children = children_on(db(), unit, day) if unit is not None else []
    status = 422 if bad_day else 404 if unit is None else 200
    return render('web/units/show.html', unit=unit, card=card, day=day, code=code, error=error, periods=periods,
                  children=children, today=clock.today(), one_day=timedelta(days=1)), status
