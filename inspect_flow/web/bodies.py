"""Issuing bodies: the list, and a new one created by the secretariat or an administrator."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, request, url_for
from flask_login import login_required

from inspect_flow.accounts import access
from inspect_flow.core.clock import today
from inspect_flow.units.models import IssuingBody
from inspect_flow.units.operations import add_issuing_body, get_unit
from inspect_flow.web import pick
from inspect_flow.web.helpers import Form, actor, attempt, db, lines, render, require, t, user

bp = Blueprint('bodies', __name__)

FIELDS = ('name', 'abbreviation', 'slug', 'header_lines', 'parent_header', 'place_name', 'unit')


def _page(form: Form, status: int = 200):  # noqa: ANN202
    bodies = list(db().scalars(sa.select(IssuingBody).order_by(IssuingBody.name)))
    return render('web/bodies.html', form=form, bodies=bodies, day=today()), status


@bp.route('/bodies', methods=['GET', 'POST'])
@login_required
def bodies():  # noqa: ANN201
    require(access.can_manage_bodies(user()))
    if request.method == 'GET':
        return _page(Form(fields=FIELDS))
    form = Form(request.form, fields=FIELDS)
    with attempt(form):
        pick.resolve(form, 'unit', 'units', on=today())
        unit = get_unit(db(), form.get('unit'), today()) if form.get('unit') else None
        body = add_issuing_body(
            db(), name=form.get('name'), abbreviation=form.get('abbreviation'), slug=form.get('slug') or None,
            header_lines=lines(form.get('header_lines')), parent_header=form.get('parent_header') or None,
            place_name=form.get('place_name'), unit=unit, actor=actor(), reuse=False)
        flash(t(f'Đã thêm cơ quan ban hành {body.name} ({body.slug}).',
                f'Issuing body {body.name} ({body.slug}) added.'), 'ok')
        return redirect(url_for('bodies.bodies') + f'#body-{body.id}')
    return _page(form, 422)
