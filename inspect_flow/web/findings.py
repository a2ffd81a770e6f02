"""Findings (suggested ones to accept, edit or reject), conclusions per unit (district, or commune in two tiers)
and their recommendations."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import login_required

from inspect_flow.accounts import access
from inspect_flow.core.errors import InvalidInput
from inspect_flow.core.limits import as_id
from inspect_flow.findings import operations as f_ops
from inspect_flow.findings.models import (
    FINDING_KIND_LABELS,
    Conclusion,
    Finding,
    FindingKind,
    Severity,
)
from inspect_flow.units.models import AdminUnit, IssuingBody
from inspect_flow.web import pick, queries
from inspect_flow.web.helpers import Form, actor, attempt, db, get_or_404, lookup, parse_date, render, require, t, user
from inspect_flow.web.plans import load_plan

bp = Blueprint('findings', __name__)

REC_FIELDS = ('text', 'addressee', 'addressee_unit', 'addressee_body', 'deadline', 'finding')


def _findings_page(plan, form: Form, status: int = 200, editing: int | None = None):  # noqa: ANN001, ANN202
    findings = queries.findings_of(plan)
    visible = [f for f in findings if f.visit is None or access.can_view_visit(user(), f.visit)]
    return render('web/findings/page.html', plan=plan, findings=visible, form=form, editing=editing,
                  kinds=FINDING_KIND_LABELS), status


@bp.get('/plans/<int:plan_id>/findings')
@login_required
def findings_page(plan_id: int):  # noqa: ANN201
    return _findings_page(load_plan(plan_id), Form(fields=('category', 'text', 'severity', 'kind')))


def _finding(finding_id: int) -> Finding:
    finding = get_or_404(Finding, finding_id)
    plan = load_plan(finding.plan_id)
    require(finding.visit is None or access.can_view_visit(user(), finding.visit), 404)
    return finding, plan


@bp.post('/findings/<int:finding_id>/decide')
@login_required
def decide(finding_id: int):  # noqa: ANN201
    """Accept (optionally edited) or reject a finding, e.g. one the checklist rules suggested."""
    from inspect_flow.visits.capture import decide_suggestion

    finding, plan = _finding(finding_id)
    require(access.can_decide_finding(user(), finding))
    form = Form(request.form, fields=('category', 'text', 'severity', 'kind', 'decision'))
    back = request.form.get('back') or url_for('findings.findings_page', plan_id=plan.id)
    with attempt(form):
        values = {}
        if form.get('decision') == 'accept':
            for key in ('category', 'text'):
                if key in request.form:
                    values[key] = form.get(key)
            if form.get('severity'):
                values['severity'] = _severity(form.get('severity'))
        version = form.get('version')
        decide_suggestion(db(), finding, form.get('decision'), actor=actor(), values=values,
                          expected_version=as_id(version))
        return redirect(_safe(back) + f'#finding-{finding_id}')
    return _findings_page(load_plan(plan.id), form, 422, editing=finding_id)


def _safe(path: str) -> str:
    return path if path.startswith('/') and not path.startswith('//') else '/'


def _severity(value: str) -> Severity:
    try:
        return Severity(value)
    except ValueError:
        raise InvalidInput('severity.bad', 'Mức độ không hợp lệ.', 'Unknown severity.', field='severity') from None


# --- conclusions and recommendations ------------------------------------------------------------------

def _conclusions_page(plan, form: Form, status: int = 200, target: str | None = None):  # noqa: ANN001, ANN202
    me = user()
    conclusions = [c for c in queries.conclusions_of(plan) if access.can_view_conclusion(me, c, plan)]
    visited = {}  # the units the visits are concluded under (districts, or communes in two tiers)
    for v in plan.visits:
        if v.state.value != 'cancelled':
            visited.setdefault(v.conclusion_unit_id, {'unit': v.conclusion_unit, 'communes': []})['communes'].append(
                v.commune)
    concluded = {c.unit_id for c in conclusions}
    findings = [f for f in queries.findings_of(plan)  # a visit's findings: only for those who see the visit
                if f.status.value == 'accepted' and f.kind == FindingKind.limitation
                and (f.visit is None or access.can_view_visit(me, f.visit))]
    addressees = {c.id: (f_ops.addressee_units(plan, c), f_ops.addressee_bodies(db(), plan, c)) for c in conclusions}
    two_tier = plan.two_tier
    return render('web/findings/conclusions.html', plan=plan, conclusions=conclusions, form=form, target=target,
                  open_units=[d for k, d in visited.items() if k not in concluded and
                              access.can_conclude(me, plan, k)],
                  visited=visited, findings=findings, addressees=addressees, two_tier=two_tier), status


@bp.get('/plans/<int:plan_id>/conclusions')
@login_required
def conclusions_page(plan_id: int):  # noqa: ANN201
    return _conclusions_page(load_plan(plan_id), Form(fields=REC_FIELDS + ('unit', 'summary')))


@bp.post('/plans/<int:plan_id>/conclusions')
@login_required
def add_conclusion(plan_id: int):  # noqa: ANN201
    plan = load_plan(plan_id)
    form = Form(request.form, fields=('unit', 'district', 'summary'))
    ref = form.get('unit') or form.get('district')  # ``district``: the field's name before two tiers
    unit = lookup(AdminUnit, ref)
    require(unit is not None and access.can_conclude(user(), plan, unit.id), 403 if unit else 404)
    with attempt(form):
        c = f_ops.add_conclusion(db(), plan, unit, summary=form.get('summary'), actor=actor())
        flash(t(f'Đã ghi kết luận cho {unit.full_name}.', f'Conclusion for {unit.full_name} recorded.'), 'ok')
        return redirect(url_for('findings.conclusions_page', plan_id=plan_id) + f'#conclusion-{c.id}')
    return _conclusions_page(load_plan(plan_id), form, 422, target='new')


@bp.post('/conclusions/<int:conclusion_id>/recommendations')
@login_required
def add_recommendation(conclusion_id: int):  # noqa: ANN201
    conclusion = get_or_404(Conclusion, conclusion_id)
    plan = load_plan(conclusion.plan_id)
    require(access.can_edit_conclusion(user(), conclusion, plan))
    form = Form(request.form, fields=REC_FIELDS)
    with attempt(form):
        pick.resolve(form, 'addressee_unit', 'units', by='id', on=plan.fieldwork_start)
        unit = lookup(AdminUnit, form.get('addressee_unit'))
        body = lookup(IssuingBody, form.get('addressee_body'))
        if body is not None:
            unit = None  # a provincial body chosen instead of the unit
        if unit is None and body is None:
            raise InvalidInput('recommendation.addressee_required', 'Phải chọn đơn vị hoặc cơ quan nhận kiến nghị.',
                               'Choose the unit or body the recommendation is addressed to.', field='addressee_unit')
        finding = lookup(Finding, form.get('finding'))
        if finding is not None and finding.plan_id != plan.id:
            finding = None
        rec = f_ops.add_recommendation(db(), plan, text=form.get('text'), addressee_label=form.get('addressee'),
                                       actor=actor(), deadline=parse_date(form.get('deadline'), 'deadline',
                                                                          required=False),
                                       conclusion=conclusion, finding=finding, addressee_unit=unit,
                                       addressee_body=body)
        flash(t('Đã thêm kiến nghị.', 'Recommendation added.'), 'ok')
        return redirect(url_for('findings.conclusions_page', plan_id=plan.id) + f'#rec-{rec.id}')
    return _conclusions_page(load_plan(plan.id), form, 422, target=str(conclusion_id))
