"""Findings (suggested ones to accept, edit or reject), conclusions per unit (district, or commune in two tiers)
and their recommendations; corrections (edit, withdraw with a reason) until the documents that carry them are
issued, and the replacement of an issued document that opens them again (the rules:
:mod:`inspect_flow.findings.operations`)."""

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
    FindingSource,
    FindingStatus,
    Recommendation,
    Severity,
)
from inspect_flow.units.models import AdminUnit, IssuingBody
from inspect_flow.web import pick, queries
from inspect_flow.web.helpers import Form, actor, attempt, db, get_or_404, lookup, parse_date, render, require, t, user
from inspect_flow.web.plans import load_plan

bp = Blueprint('findings', __name__)

REC_FIELDS = ('text', 'addressee', 'addressee_unit', 'addressee_body', 'deadline', 'finding')


def _lock_info(plan, targets: list) -> dict:  # noqa: ANN001
    """What the page says about the issued documents carrying something: those that lock it, and the
    replacements being prepared."""
    from inspect_flow.documents import operations as doc_ops

    locks, replacing = [], []
    for target in targets:
        current = doc_ops.current_issued(db(), target)
        if current is None:
            continue
        pending = doc_ops.pending_replacement(db(), current)
        (replacing if pending is not None else locks).append((current, pending))
    return {'locks': [d for d, _ in locks], 'replacing': replacing}


def _findings_page(plan, form: Form, status: int = 200, editing: int | None = None,  # noqa: ANN001, ANN202
                   correcting: str | None = None):
    findings = queries.findings_of(plan)
    visible = [f for f in findings if f.visit is None or access.can_view_visit(user(), f.visit)]
    corrections = {f.id: _lock_info(plan, f_ops.finding_carriers(plan, f)) for f in visible
                   if f.status == FindingStatus.accepted and access.can_decide_finding(user(), f)}
    return render('web/findings/page.html', plan=plan, findings=visible, form=form, editing=editing,
                  kinds=FINDING_KIND_LABELS, corrections=corrections, correcting=correcting,
                  sources=_source_labels()), status


def _source_labels() -> list[tuple[str, str]]:
    labels = {'report': t('Nghe báo cáo', 'Reports heard'), 'records': t('Kiểm tra hồ sơ', 'Records checked'),
              'household': t('Tham vấn hộ', 'Household consultation'),
              'observation': t('Quan sát thực tế', 'Observation'), 'checklist': t('Phiếu kiểm tra', 'Checklist')}
    return [(s.value, labels[s.value]) for s in FindingSource]


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


@bp.post('/findings/<int:finding_id>/edit')
@login_required
def edit_finding(finding_id: int):  # noqa: ANN201
    """Correct an accepted finding (kind, category, text, severity, source) until the documents carrying it are
    issued."""
    finding, plan = _finding(finding_id)
    require(access.can_decide_finding(user(), finding))
    form = Form(request.form, fields=('kind', 'category', 'text', 'severity', 'source'))
    with attempt(form):
        values = {'category': form.get('category'), 'text': form.get('text'),
                  'kind': _enum(FindingKind, form.get('kind'), 'kind'),
                  'source': _enum(FindingSource, form.get('source'), 'source'),
                  'severity': _severity(form.get('severity')) if form.get('severity') else None}
        f_ops.update_finding(db(), finding, values, actor=actor(), expected_version=as_id(form.get('version')))
        flash(t('Đã sửa kết quả.', 'Finding corrected.'), 'ok')
        return redirect(url_for('findings.findings_page', plan_id=plan.id) + f'#finding-{finding_id}')
    return _findings_page(load_plan(plan.id), form, 422, correcting=f'edit-{finding_id}')


@bp.post('/findings/<int:finding_id>/withdraw')
@login_required
def withdraw_finding(finding_id: int):  # noqa: ANN201
    finding, plan = _finding(finding_id)
    require(access.can_decide_finding(user(), finding))
    form = Form(request.form, fields=('reason',))
    with attempt(form):
        f_ops.withdraw_finding(db(), finding, reason=form.get('reason'), actor=actor(),
                               expected_version=as_id(form.get('version')))
        flash(t('Đã rút kết quả; lịch sử vẫn giữ.', 'Finding withdrawn; its history is kept.'), 'ok')
        return redirect(url_for('findings.findings_page', plan_id=plan.id) + f'#finding-{finding_id}')
    return _findings_page(load_plan(plan.id), form, 422, correcting=f'withdraw-{finding_id}')


def _enum(cls, value: str, field: str):  # noqa: ANN001, ANN202
    try:
        return cls(value)
    except ValueError:
        raise InvalidInput(f'{field}.bad', 'Giá trị không hợp lệ.', 'Unknown value.', field=field) from None


def _safe(path: str) -> str:
    return path if path.startswith('/') and not path.startswith('//') else '/'


def _severity(value: str) -> Severity:
    try:
        return Severity(value)
    except ValueError:
        raise InvalidInput('severity.bad', 'Mức độ không hợp lệ.', 'Unknown severity.', field='severity') from None


# --- conclusions and recommendations ------------------------------------------------------------------

def _finding_label(f: Finding) -> str:
    """``Xã An Thạnh — Một số hộ …``: a finding named with its commune."""
    text = f.text if len(f.text) <= 90 else f.text[:89] + '…'
    return f'{f.visit.commune.full_name} — {text}' if f.visit is not None else text


def _conclusions_page(plan, form: Form, status: int = 200, target: str | None = None):  # noqa: ANN001, ANN202
    me = user()
    conclusions = [c for c in queries.conclusions_of(plan) if access.can_view_conclusion(me, c, plan)]
    unit_findings = {c.id: [(f.id, _finding_label(f)) for f in f_ops.unit_findings(db(), plan, c)
                            if access.can_view_visit(me, f.visit)] for c in conclusions}
    locks = {c.id: _lock_info(plan, f_ops.conclusion_carriers(plan, c.unit)) for c in conclusions}
    failed_in = _conclusion_of_target(target)
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
                  visited=visited, findings=findings, addressees=addressees, two_tier=two_tier,
                  unit_findings=unit_findings, locks=locks, failed_in=failed_in,
                  can_replace=access.can_issue_documents(me, plan)), status


def _conclusion_of_target(target: str | None) -> int | None:
    """The conclusion whose form *target* names (``summary-ID``, ``rec-ID``, ``withdraw-ID``, ``ID``): its
    refusal is shown beside it even when the form itself is no longer offered (locked)."""
    if not target:
        return None
    kind, _, ident = target.rpartition('-')
    if not ident.isdigit():
        return None
    if kind in ('rec', 'withdraw'):
        rec = db().get(Recommendation, int(ident))
        return rec.conclusion_id if rec is not None else None
    return int(ident) if kind in ('', 'summary') else None


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
        finding = lookup(Finding, form.get('finding'))  # checked: a finding of the conclusion's unit
        rec = f_ops.add_recommendation(db(), plan, text=form.get('text'), addressee_label=form.get('addressee'),
                                       actor=actor(), deadline=parse_date(form.get('deadline'), 'deadline',
                                                                          required=False),
                                       conclusion=conclusion, finding=finding, addressee_unit=unit,
                                       addressee_body=body)
        flash(t('Đã thêm kiến nghị.', 'Recommendation added.'), 'ok')
        return redirect(url_for('findings.conclusions_page', plan_id=plan.id) + f'#rec-{rec.id}')
    return _conclusions_page(load_plan(plan.id), form, 422, target=str(conclusion_id))


@bp.post('/conclusions/<int:conclusion_id>/edit')
@login_required
def edit_conclusion(conclusion_id: int):  # noqa: ANN201
    conclusion = get_or_404(Conclusion, conclusion_id)
    plan = load_plan(conclusion.plan_id)
    require(access.can_edit_conclusion(user(), conclusion, plan))
    form = Form(request.form, fields=('summary',))
    with attempt(form):
        f_ops.update_conclusion(db(), conclusion, {'summary': form.get('summary')}, actor=actor(),
                                expected_version=as_id(form.get('version')))
        flash(t('Đã sửa kết luận.', 'Conclusion corrected.'), 'ok')
        return redirect(url_for('findings.conclusions_page', plan_id=plan.id) + f'#conclusion-{conclusion_id}')
    return _conclusions_page(load_plan(plan.id), form, 422, target=f'summary-{conclusion_id}')


def _rec(rec_id: int):  # noqa: ANN202
    rec = get_or_404(Recommendation, rec_id)
    plan = load_plan(rec.plan_id)
    require(rec.conclusion is not None and access.can_edit_conclusion(user(), rec.conclusion, plan))
    return rec, plan


@bp.post('/recommendations/<int:rec_id>/edit')
@login_required
def edit_recommendation(rec_id: int):  # noqa: ANN201
    rec, plan = _rec(rec_id)
    form = Form(request.form, fields=('text', 'addressee', 'deadline', 'finding'))
    with attempt(form):
        finding_ref = form.get('finding')
        finding = lookup(Finding, finding_ref) if finding_ref else None
        if finding_ref and finding is None:
            raise InvalidInput('recommendation.bad_finding', 'Không tìm thấy kết quả đã chọn.',
                               'The chosen finding does not exist.', field='finding')
        f_ops.update_recommendation(db(), rec, {
            'text': form.get('text'), 'addressee_label': form.get('addressee'),
            'deadline': parse_date(form.get('deadline'), 'deadline', required=False), 'finding': finding,
        }, actor=actor(), expected_version=as_id(form.get('version')))
        flash(t('Đã sửa kiến nghị.', 'Recommendation corrected.'), 'ok')
        return redirect(url_for('findings.conclusions_page', plan_id=plan.id) + f'#rec-{rec_id}')
    return _conclusions_page(load_plan(plan.id), form, 422, target=f'rec-{rec_id}')


@bp.post('/recommendations/<int:rec_id>/withdraw')
@login_required
def withdraw_recommendation(rec_id: int):  # noqa: ANN201
    rec, plan = _rec(rec_id)
    form = Form(request.form, fields=('reason',))
    with attempt(form):
        f_ops.withdraw_recommendation(db(), rec, reason=form.get('reason'), actor=actor(),
                                      expected_version=as_id(form.get('version')))
        flash(t('Đã rút kiến nghị; lịch sử vẫn giữ.', 'Recommendation withdrawn; its history is kept.'), 'ok')
        return redirect(url_for('findings.conclusions_page', plan_id=plan.id) + f'#rec-{rec_id}')
    return _conclusions_page(load_plan(plan.id), form, 422, target=f'withdraw-{rec_id}')


@bp.post('/documents/<int:doc_id>/replace')
@login_required
def replace_document(doc_id: int):  # noqa: ANN201
    """Start preparing a replacement of an issued document: what it carries can be corrected again."""
    from inspect_flow.documents import operations as doc_ops
    from inspect_flow.documents.models import IssuedDocument

    doc = get_or_404(IssuedDocument, doc_id)
    plan = load_plan(doc.plan_id)
    require(access.can_issue_documents(user(), plan))
    form = Form(request.form, fields=('reason',))
    back = _safe(request.form.get('back') or url_for('findings.conclusions_page', plan_id=plan.id))
    with attempt(form):
        doc_ops.open_replacement(db(), doc, reason=form.get('reason'), actor=actor())
        flash(t(f'Đang soạn văn bản thay thế số {doc.reference}: sửa nội dung, rồi ban hành văn bản thay thế ở trang '
                'Văn bản.', f'Preparing a replacement of {doc.reference}: correct, then issue the replacement on the '
                'Documents page.'), 'ok')
        return redirect(back)
    if back.startswith(url_for('findings.findings_page', plan_id=plan.id)):
        return _findings_page(load_plan(plan.id), form, 422, correcting=f'replace-{doc_id}')
    return _conclusions_page(load_plan(plan.id), form, 422, target=f'replace-{doc_id}')
