"""The schedule of a plan: the table of visits with their conflicts, moving visits, the random draw."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import login_required

from inspect_flow.accounts import access
from inspect_flow.core.errors import InvalidInput
from inspect_flow.plans import operations as plan_ops
from inspect_flow.plans.models import Team
from inspect_flow.units.models import UnitLevel
from inspect_flow.visits.models import Visit
from inspect_flow.web import queries
from inspect_flow.web.helpers import (
    Form,
    actor,
    attempt,
    db,
    get_or_404,
    parse_date,
    parse_datetime,
    parse_int,
    render,
    require,
    t,
    user,
)
from inspect_flow.web.plans import load_plan

bp = Blueprint('schedule', __name__)

FIELDS = ('team', 'commune', 'day', 'starts', 'ends', 'place', 'per_district', 'seed')
ALIASES = {'ends_at': 'ends', 'starts_at': 'starts'}


def _communes(plan) -> list[tuple[str, list]]:  # noqa: ANN001
    from inspect_flow.units.operations import units_on

    communes = units_on(db(), plan.fieldwork_start, UnitLevel.commune)
    targets = {u.id for u in plan.target_units}
    groups: dict[str, list] = {}
    for c in communes:
        if targets and c.parent_id not in targets and c.id not in targets:
            continue
        groups.setdefault(c.parent.full_name if c.parent else '', []).append(c)  # the district, or the province
    return sorted(groups.items())


def _page(plan, form: Form, status: int = 200, moving: int | None = None):  # noqa: ANN001, ANN202
    from inspect_flow.plans.queries import drawn_communes

    drawn = drawn_communes(db(), plan)
    # the commune the add form offers: the one typed, one picked from the draw's list, else the first drawn commune
    # not scheduled yet (no picking again by hand what the draw chose)
    chosen = form.typed('commune') or request.args.get('commune', '')[:12] or next(
        (d['code'] for d in drawn if not d['scheduled']), '')
    return render('web/plans/schedule.html', plan=plan, form=form, moving=moving, communes=_communes(plan),
                  drawn=drawn, chosen_commune=chosen,
                  conflicts=queries.conflicts(plan), by_visit=queries.conflicts_by_visit(plan),
                  last_draw=plan.draws[-1] if plan.draws else None,
                  two_tier=plan.two_tier,
                  group_words=_group_words(plan)), status


def _group_words(plan) -> tuple[str, str]:  # noqa: ANN001
    """How the draw's groups are called: "huyện" (per district, or 2019 district targets), "cụm", "huyện cũ"…"""
    from inspect_flow.plans.coverage import GROUP_WORDS
    from inspect_flow.plans.models import CoverageRule

    if plan.coverage_rule == CoverageRule.none and any(u.level == UnitLevel.district for u in plan.target_units):
        return GROUP_WORDS[CoverageRule.per_district]
    return GROUP_WORDS[plan.coverage_rule]


@bp.get('/plans/<int:plan_id>/schedule')
@login_required
def schedule_page(plan_id: int):  # noqa: ANN201
    return _page(load_plan(plan_id), Form(fields=FIELDS))


def _team(plan, value: str) -> Team:  # noqa: ANN001
    team = next((tm for tm in plan.teams if str(tm.id) == str(value)), None)
    if team is None:
        raise InvalidInput('team.required', 'Phải chọn đoàn.', 'Choose a team.', field='team')
    return team


@bp.post('/plans/<int:plan_id>/schedule')
@login_required
def add_visit(plan_id: int):  # noqa: ANN201
    plan = load_plan(plan_id)
    require(access.can_schedule(user(), plan))
    form = Form(request.form, fields=FIELDS, aliases=ALIASES)
    with attempt(form):
        if not form.get('commune'):
            raise InvalidInput('commune.required', 'Phải chọn xã.', 'Choose a commune.', field='commune')
        starts = parse_datetime(form.get('day'), form.get('starts'), 'day')
        ends = parse_datetime(form.get('day'), form.get('ends'), 'ends')
        visit, found = plan_ops.schedule_visit(db(), plan, _team(plan, form.get('team')), form.get('commune'),
                                               starts, ends, actor=actor(), place=form.get('place'))
        if found:
            flash(t('Đã xếp lịch, nhưng có xung đột cần xử lý.', 'Scheduled, but there are conflicts to resolve.'),
                  'warn')
        else:
            flash(t('Đã xếp lịch.', 'Scheduled.'), 'ok')
        return redirect(url_for('schedule.schedule_page', plan_id=plan_id) + f'#visit-{visit.id}')
    return _page(load_plan(plan_id), form, 422)


def _visit(plan, visit_id: int) -> Visit:  # noqa: ANN001
    visit = get_or_404(Visit, visit_id)
    require(visit.plan_id == plan.id, 404)
    return visit


@bp.post('/plans/<int:plan_id>/visits/<int:visit_id>/move')
@login_required
def move_visit(plan_id: int, visit_id: int):  # noqa: ANN201
    plan = load_plan(plan_id)
    require(access.can_schedule(user(), plan))
    visit = _visit(plan, visit_id)
    form = Form(request.form, fields=FIELDS, aliases=ALIASES)
    with attempt(form):
        starts = parse_datetime(form.get('day'), form.get('starts'), 'day')
        ends = parse_datetime(form.get('day'), form.get('ends'), 'ends')
        team = _team(plan, form.get('team')) if form.get('team') else None
        left = plan_ops.move_visit(db(), visit, actor=actor(), starts_at=starts, ends_at=ends, team=team)
        flash(t('Đã đổi lịch.' if not left else 'Đã đổi lịch; vẫn còn xung đột.',
                'Rescheduled.' if not left else 'Rescheduled; conflicts remain.'), 'ok' if not left else 'warn')
        return redirect(url_for('schedule.schedule_page', plan_id=plan_id) + f'#visit-{visit.id}')
    return _page(load_plan(plan_id), form, 422, moving=visit_id)


@bp.post('/plans/<int:plan_id>/visits/<int:visit_id>/remove')
@login_required
def remove_visit(plan_id: int, visit_id: int):  # noqa: ANN201
    plan = load_plan(plan_id)
    require(access.can_schedule(user(), plan))
    plan_ops.remove_visit(db(), _visit(plan, visit_id), actor=actor())
    flash(t('Đã xóa buổi làm việc.', 'Visit removed.'), 'ok')
    return redirect(url_for('schedule.schedule_page', plan_id=plan_id))


@bp.post('/plans/<int:plan_id>/draw')
@login_required
def draw(plan_id: int):  # noqa: ANN201
    plan = load_plan(plan_id)
    require(access.can_schedule(user(), plan))
    form = Form(request.form, fields=FIELDS, aliases=ALIASES)
    with attempt(form):
        record = plan_ops.draw_communes(db(), plan, per_district=parse_int(form.get('per_district'), 'per_district'),
                                        seed=form.get('seed') or None, actor=actor())
        flash(t(f'Đã chọn ngẫu nhiên xã (mã gieo {record.seed}).', f'Communes drawn (seed {record.seed}).'), 'ok')
        return redirect(url_for('schedule.schedule_page', plan_id=plan_id) + '#draw')
    return _page(load_plan(plan_id), form, 422)


__all__ = ['bp', 'parse_date']
