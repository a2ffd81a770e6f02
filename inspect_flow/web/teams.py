"""Teams of a plan, their members and roles; adding the people who take part."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import login_required

from inspect_flow.accounts import access
from inspect_flow.core.errors import InvalidInput
from inspect_flow.plans import operations as plan_ops
from inspect_flow.plans.models import ROLE_LABELS, Team, TeamRole
from inspect_flow.units.models import Person
from inspect_flow.web import pick
from inspect_flow.web.helpers import (
    Form,
    actor,
    attempt,
    db,
    get_or_404,
    lang,
    lookup,
    parse_int,
    render,
    require,
    t,
    user,
)
from inspect_flow.web.plans import load_plan

bp = Blueprint('teams', __name__)

FIELDS = ('number', 'person', 'role', 'full_name', 'title', 'agency', 'unit')


def _page(plan, form: Form, status: int = 200, open_team: int | None = None):  # noqa: ANN001, ANN202
    roles = [(r.value, ROLE_LABELS[r][1 if lang() == 'en' else 0]) for r in TeamRole]
    next_number = max((tm.number for tm in plan.teams), default=0) + 1
    return render('web/plans/teams.html', plan=plan, form=form, roles=roles,
                  next_number=next_number, open_team=open_team), status


@bp.get('/plans/<int:plan_id>/teams')
@login_required
def teams_page(plan_id: int):  # noqa: ANN201
    return _page(load_plan(plan_id), Form(fields=FIELDS))


@bp.post('/plans/<int:plan_id>/teams')
@login_required
def add_team(plan_id: int):  # noqa: ANN201
    plan = load_plan(plan_id)
    require(access.can_manage_teams(user(), plan))
    form = Form(request.form, fields=FIELDS)
    with attempt(form):
        team = plan_ops.add_team(db(), plan, parse_int(form.get('number'), 'number'), actor=actor())
        flash(t(f'Đã thêm Đoàn {team.number}.', f'Team {team.number} added.'), 'ok')
        return redirect(url_for('teams.teams_page', plan_id=plan_id) + f'#team-{team.number}')
    return _page(load_plan(plan_id), form, 422)


def _team(plan, team_id: int) -> Team:  # noqa: ANN001
    team = get_or_404(Team, team_id)
    require(team.plan_id == plan.id, 404)
    return team


@bp.post('/plans/<int:plan_id>/teams/<int:team_id>/members')
@login_required
def add_member(plan_id: int, team_id: int):  # noqa: ANN201
    plan = load_plan(plan_id)
    require(access.can_manage_teams(user(), plan))
    team = _team(plan, team_id)
    form = Form(request.form, fields=FIELDS)
    with attempt(form):
        pick.resolve(form, 'person', 'people', by='id')
        person = lookup(Person, form.get('person'))
        if person is None:
            raise InvalidInput('person.required', 'Phải chọn người.', 'Choose a person.', field='person')
        try:
            role = TeamRole(form.get('role'))
        except ValueError:
            raise InvalidInput('role.bad', 'Vai trò không hợp lệ.', 'Unknown role.', field='role') from None
        plan_ops.add_member(db(), team, person, role, actor=actor())
        flash(t(f'Đã thêm {person.full_name} vào Đoàn {team.number}.',
                f'{person.full_name} added to team {team.number}.'), 'ok')
        return redirect(url_for('teams.teams_page', plan_id=plan_id) + f'#team-{team.number}')
    return _page(load_plan(plan_id), form, 422, open_team=team_id)


@bp.post('/plans/<int:plan_id>/teams/<int:team_id>/members/<int:person_id>/remove')
@login_required
def remove_member(plan_id: int, team_id: int, person_id: int):  # noqa: ANN201
    plan = load_plan(plan_id)
    require(access.can_manage_teams(user(), plan))
    team = _team(plan, team_id)
    person = get_or_404(Person, person_id)
    plan_ops.remove_member(db(), team, person, actor=actor())
    return redirect(url_for('teams.teams_page', plan_id=plan_id) + f'#team-{team.number}')


@bp.post('/plans/<int:plan_id>/people')
@login_required
def add_person(plan_id: int):  # noqa: ANN201
    from inspect_flow.units.operations import add_person as add_person_op
    from inspect_flow.units.operations import get_unit

    plan = load_plan(plan_id)
    require(access.can_manage_teams(user(), plan))
    form = Form(request.form, fields=FIELDS)
    with attempt(form):
        pick.resolve(form, 'unit', 'units', on=plan.fieldwork_start)
        unit = get_unit(db(), form.get('unit'), plan.fieldwork_start) if form.get('unit') else None
        person = add_person_op(db(), full_name=form.get('full_name'), title=form.get('title'),
                               agency=form.get('agency'), unit=unit)
        flash(t(f'Đã thêm {person.full_name}.', f'{person.full_name} added.'), 'ok')
        return redirect(url_for('teams.teams_page', plan_id=plan_id))
    return _page(load_plan(plan_id), form, 422)
