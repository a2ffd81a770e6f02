"""Plans: the list, a plan's page (state, next steps and why they are blocked), the editor, targets, checklists."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import login_required

from inspect_flow.accounts import access
from inspect_flow.core.errors import DomainError, InvalidInput
from inspect_flow.plans import operations as plan_ops
from inspect_flow.plans.coverage import parse_clusters
from inspect_flow.plans.models import CoverageRule, Plan
from inspect_flow.units.models import IssuingBody
from inspect_flow.web import queries
from inspect_flow.web.helpers import (
    Form,
    actor,
    attempt,
    db,
    get_or_404,
    lang,
    lines,
    lookup,
    parse_date,
    parse_int,
    render,
    require,
    t,
    user,
)
from inspect_flow.workflow.machines import next_steps

bp = Blueprint('plans', __name__)

PLAN_FIELDS = ('issuer', 'number', 'symbol', 'issue_date', 'subject', 'fieldwork_start', 'fieldwork_end',
               'coverage_rule', 'clusters', 'households_per_commune', 'legal_bases', 'objectives', 'targets')


def load_plan(plan_id: int) -> Plan:
    """The plan, or 404 when it does not exist or the user may not see it."""
    plan = get_or_404(Plan, plan_id)
    require(access.can_view_plan(user(), plan), 404)
    return plan


@bp.get('/plans')
@login_required
def plans_list():  # noqa: ANN201
    from inspect_flow.plans.queries import list_plans

    me = user()
    plans = [p for p in list_plans(db()) if access.can_view_plan(me, p)]
    return render('web/plans/list.html', plans=plans)


def _plan_values(form: Form) -> dict:
    return {
        'subject': form.get('subject'),
        'issue_date': parse_date(form.get('issue_date'), 'issue_date', required=False),
        'fieldwork_start': parse_date(form.get('fieldwork_start'), 'fieldwork_start'),
        'fieldwork_end': parse_date(form.get('fieldwork_end'), 'fieldwork_end'),
        'coverage_rule': _coverage(form.get('coverage_rule')),
        'clusters': parse_clusters(form.get('clusters')),
        'households_per_commune': parse_int(form.get('households_per_commune'), 'households_per_commune',
                                            required=False, default=0),
        'legal_bases': lines(form.get('legal_bases')),
        'objectives': lines(form.get('objectives')),
    }


def _coverage(value: str) -> CoverageRule:
    try:
        return CoverageRule(value or 'none')
    except ValueError:
        raise InvalidInput('plan.bad_coverage', 'Quy tắc phạm vi không hợp lệ.', 'Unknown coverage rule.',
                           field='coverage_rule') from None


def _editor_context(plan: Plan | None) -> dict:
    from inspect_flow.core.clock import today

    return {
        'day': plan.fieldwork_start if plan else today(),
        'two_tier': plan.two_tier if plan else False,
        'coverage_rules': [('none', t('Không ràng buộc', 'No rule')),
                           ('one_commune_per_district', t('Mỗi huyện một xã', 'One commune per district')),
                           ('per_former_district', t('Mỗi huyện cũ (trước 01/07/2025) một xã',
                                                     'One commune per former district (before 01/07/2025)')),
                           ('per_cluster', t('Mỗi cụm một xã', 'One commune per cluster'))],
    }


def _resolve_pickers(form: Form, plan: Plan | None = None) -> None:
    """The issuing body and target units typed without the pickers' script (see web/pick.py)."""
    from inspect_flow.core.clock import today
    from inspect_flow.web import pick

    if plan is None:
        pick.resolve(form, 'issuer', 'bodies', by='id')
    try:
        day = parse_date(form.get('fieldwork_start'), 'fieldwork_start', required=False)
    except InvalidInput:
        day = None
    pick.resolve(form, 'targets', 'units', on=day or (plan.fieldwork_start if plan else today()), multiple=True)


@bp.route('/plans/new', methods=['GET', 'POST'])
@login_required
def new_plan():  # noqa: ANN201
    require(access.can_create_plan(user()))
    form = Form(request.form if request.method == 'POST' else None, fields=PLAN_FIELDS)
    if request.method == 'POST':
        with attempt(form):
            _resolve_pickers(form)
            issuer = lookup(IssuingBody, form.get('issuer'))
            if issuer is None:
                raise InvalidInput('issuer.required', 'Phải chọn cơ quan ban hành.', 'Choose the issuing body.',
                                   field='issuer')
            values = _plan_values(form)
            plan = plan_ops.create_plan(
                db(), issuer=issuer, actor=actor(), number=parse_int(form.get('number'), 'number', required=False),
                symbol=form.get('symbol') or None, **values)
            if form.getlist('targets'):
                plan_ops.set_targets(db(), plan, form.getlist('targets'), actor=actor())
            flash(t(f'Đã tạo kế hoạch {plan.reference}.', f'Plan {plan.reference} created.'), 'ok')
            return redirect(url_for('plans.plan_page', plan_id=plan.id))
        return render('web/plans/edit.html', form=form, plan=None, **_editor_context(None)), 422
    return render('web/plans/edit.html', form=form, plan=None, **_editor_context(None))


@bp.route('/plans/<int:plan_id>/edit', methods=['GET', 'POST'])
@login_required
def edit_plan(plan_id: int):  # noqa: ANN201
    plan = load_plan(plan_id)
    require(access.can_edit_plan(user(), plan))
    if request.method == 'POST':
        form = Form(request.form, fields=PLAN_FIELDS)
        with attempt(form):
            _resolve_pickers(form, plan)
            plan_ops.update_plan(db(), plan, _plan_values(form), actor=actor())
            plan_ops.set_targets(db(), plan, form.getlist('targets'), actor=actor())
            flash(t('Đã lưu kế hoạch.', 'Plan saved.'), 'ok')
            return redirect(url_for('plans.plan_page', plan_id=plan.id))
        return render('web/plans/edit.html', form=form, plan=load_plan(plan_id),
                      **_editor_context(load_plan(plan_id))), 422
    form = Form({
        'issuer': str(plan.issuer_id), 'number': plan.number or '', 'symbol': plan.symbol,
        'issue_date': plan.issue_date.isoformat() if plan.issue_date else '', 'subject': plan.subject,
        'fieldwork_start': plan.fieldwork_start.isoformat(), 'fieldwork_end': plan.fieldwork_end.isoformat(),
        'coverage_rule': plan.coverage_rule.value, 'households_per_commune': plan.households_per_commune,
        'clusters': '\n'.join(f'{c["name"]}: {", ".join(c["communes"])}' for c in plan.clusters or []),
        'legal_bases': '\n'.join(plan.legal_bases), 'objectives': '\n'.join(plan.objectives),
    }, fields=PLAN_FIELDS)
    form.values['targets'] = [u.code for u in plan.target_units]
    return render('web/plans/edit.html', form=form, plan=plan, **_editor_context(plan))


@bp.get('/plans/<int:plan_id>')
@login_required
def plan_page(plan_id: int):  # noqa: ANN201
    return _show(load_plan(plan_id), Form(fields=('reason',)))


@bp.post('/plans/<int:plan_id>/advance')
@login_required
def advance(plan_id: int):  # noqa: ANN201
    plan = load_plan(plan_id)
    require(access.can_edit_plan(user(), plan))
    form = Form(request.form, fields=('reason',))
    trigger = request.form.get('trigger', '')
    with attempt(form):
        plan_ops.advance_plan(db(), plan, trigger, actor=actor(), reason=form.get('reason') or None)
        flash(t('Đã chuyển giai đoạn.', 'The plan moved on.'), 'ok')
        return redirect(url_for('plans.plan_page', plan_id=plan_id))
    return _show(load_plan(plan_id), form, 409)


@bp.post('/plans/<int:plan_id>/checklists')
@login_required
def pin_checklists(plan_id: int):  # noqa: ANN201
    """Pin the checklists: the version chosen per checklist (``pin-<id>``: a version, or empty for none), or, without
    any choice, the newest version of each that applies on the fieldwork start."""
    from inspect_flow.plans.checklists import pin_choices, pin_default_checklists, set_pins

    plan = load_plan(plan_id)
    require(access.can_edit_plan(user(), plan))
    shipped = {c['id'] for c in pin_choices(plan)}
    choices = {k.removeprefix('pin-'): (v or '').strip() for k, v in request.form.items() if k.startswith('pin-')}
    form = Form(request.form, fields=tuple(f'pin-{c}' for c in shipped))
    with attempt(form):
        if choices:
            unknown = sorted(set(choices) - shipped)
            if unknown:
                raise InvalidInput('plan.unknown_checklist', f'Không có bộ câu hỏi "{unknown[0][:80]}".',
                                   f'There is no checklist "{unknown[0][:80]}".', field=f'pin-{unknown[0][:80]}')
            for key in sorted(choices):  # each refusal beside its own choice
                form.get(f'pin-{key}')  # no control characters, no overlong text
                try:
                    set_pins(db(), plan, {key: choices[key]}, actor=actor())
                except DomainError as exc:
                    exc.field = f'pin-{key}'
                    raise
            pins = list(plan.checklists)
        else:
            pins = pin_default_checklists(db(), plan, actor=actor())
        flash(t(f'Đã áp dụng {len(pins)} bộ câu hỏi.', f'{len(pins)} checklist(s) pinned.'), 'ok')
        return redirect(url_for('plans.plan_page', plan_id=plan_id))
    return _show(load_plan(plan_id), Form(fields=('reason',)), 422, pin_form=form)


def _show(plan: Plan, form: Form, status: int = 200, pin_form: Form | None = None):  # noqa: ANN202
    """The plan's page; staff get the checklist versions to choose from while pins can change."""
    from inspect_flow.plans.checklists import PIN_STAGES, pin_choices

    choices = pin_choices(plan, lang()) if access.can_edit_plan(user(), plan) and plan.state in PIN_STAGES else []
    return render('web/plans/show.html', plan=plan, steps=next_steps(plan), form=form,
                  conflicts=queries.conflicts(plan), my_visits=queries.my_visits(user(), plan),
                  pin_choices=choices, pin_form=pin_form), status
