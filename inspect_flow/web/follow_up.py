"""Follow-up across rounds on the web: "create from" an earlier plan, a plan's recurrence, the earlier
recommendations a round picks up (plan page) and their check during a visit (visit page).

Thin shells over :mod:`inspect_flow.plans.recurrence` and :mod:`inspect_flow.findings.follow_up`.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import login_required

from inspect_flow.accounts import access
from inspect_flow.findings import follow_up as fu
from inspect_flow.plans import recurrence as rec_ops
from inspect_flow.plans.models import RECURRENCE_LABELS, Plan, Recurrence
from inspect_flow.web.helpers import Form, actor, attempt, db, lang, parse_date, render, require, t, user
from inspect_flow.web.plans import load_plan
from inspect_flow.web.visits import load_visit

bp = Blueprint('follow_up', __name__)

CREATE_FIELDS = ('fieldwork_start', 'fieldwork_end', 'subject', 'recurrence')
CHECK_FIELDS = ('outcome', 'note', 'evidence')


@bp.app_template_global('follow_up_of')
def follow_up_of(plan: Plan) -> list[fu.FollowUpItem]:
    """The earlier recommendations *plan* picks up (for the plan page)."""
    return fu.follow_up(db(), plan)


@bp.app_template_global('follow_up_of_visit')
def follow_up_of_visit(visit) -> list[fu.FollowUpItem]:  # noqa: ANN001
    """The earlier recommendations attached to *visit* (for the visit page)."""
    return fu.follow_up_for_visit(db(), visit)


@bp.app_template_global('recurrence_options')
def recurrence_options() -> list[tuple[str, str]]:
    en = lang() == 'en'
    return [('none', t('Không lặp lại', 'Does not recur'))] + [
        (r.value, RECURRENCE_LABELS[r][1 if en else 0]) for r in Recurrence]


@bp.app_template_global('outcome_options')
def outcome_options() -> list[tuple[str, str]]:
    return [(o.value, fu.outcome_label(o, lang())) for o in fu.CheckOutcome]


@bp.app_template_global('recurrence_due')
def recurrence_due(plan: Plan):  # noqa: ANN201
    return rec_ops.next_draft_on(plan)


@bp.app_template_global('outcome_label')
def outcome_label(outcome) -> str:  # noqa: ANN001
    return fu.outcome_label(outcome, lang())


@bp.route('/plans/<int:plan_id>/create-from', methods=['GET', 'POST'])
@login_required
def create_from(plan_id: int):  # noqa: ANN201
    source = load_plan(plan_id)
    require(access.can_create_plan(user()))
    if request.method == 'POST':
        form = Form(request.form, fields=CREATE_FIELDS)
        with attempt(form):
            result = rec_ops.create_from(
                db(), source, fieldwork_start=parse_date(form.get('fieldwork_start'), 'fieldwork_start'),
                fieldwork_end=parse_date(form.get('fieldwork_end'), 'fieldwork_end'), subject=form.get('subject'),
                recurrence=rec_ops.parse_recurrence(form.get('recurrence')), actor=actor())
            msg_vi = f'Đã tạo kế hoạch mới từ {source.reference}.'
            msg_en = f'A new plan was created from {source.reference}.'
            if result.skipped:
                msg_vi += f' Không có phiên bản áp dụng được của bộ câu hỏi: {", ".join(result.skipped)}.'
                msg_en += f' No applicable version of checklist(s): {", ".join(result.skipped)}.'
            flash(t(msg_vi, msg_en), 'ok')
            return redirect(url_for('plans.plan_page', plan_id=result.plan.id))
        return render('web/plans/create_from.html', source=load_plan(plan_id), form=form), 422
    # The next round's dates by default: the recurrence's, or a year later.
    start, end = rec_ops.next_window(source) if source.recurrence else (
        rec_ops.add_months(source.fieldwork_start, 12), rec_ops.add_months(source.fieldwork_end, 12))
    form = Form({'fieldwork_start': start.isoformat(), 'fieldwork_end': end.isoformat(),
                 'subject': '', 'recurrence': source.recurrence.value if source.recurrence else 'none'},
                fields=CREATE_FIELDS)
    return render('web/plans/create_from.html', source=source, form=form)


@bp.post('/plans/<int:plan_id>/recurrence')
@login_required
def set_recurrence(plan_id: int):  # noqa: ANN201
    plan = load_plan(plan_id)
    require(access.can_edit_plan(user(), plan))
    form = Form(request.form, fields=('recurrence',))
    with attempt(form):
        rec_ops.set_recurrence(db(), plan, rec_ops.parse_recurrence(form.get('recurrence')), actor=actor())
        flash(t('Đã lưu chu kỳ lặp lại.', 'Recurrence saved.'), 'ok')
    for message in [*form.general, *form.errors.values()]:
        flash(message, 'error')
    return redirect(url_for('plans.plan_page', plan_id=plan_id) + '#follow-up')


@bp.route('/visits/<int:visit_id>/follow-up/<int:rec_id>', methods=['GET', 'POST'])
@login_required
def check(visit_id: int, rec_id: int):  # noqa: ANN201
    visit = load_visit(visit_id)
    item = next((i for i in fu.follow_up_for_visit(db(), visit) if i.recommendation.id == rec_id), None)
    if item is None:
        require(False, 404)
    if request.method == 'GET':
        return render('web/visits/follow_up_check.html', visit=visit, plan=visit.plan, item=item,
                      form=Form(fields=CHECK_FIELDS))
    require(access.can_add_finding(user(), visit))
    form = Form(request.form, fields=CHECK_FIELDS)
    with attempt(form):
        checker = user().person
        fu.check_recommendation(db(), visit, item.recommendation, outcome=form.get('outcome'), note=form.get('note'),
                                evidence=[s for s in form.get('evidence').splitlines()], checker=checker,
                                actor=actor())
        flash(t('Đã ghi kết quả kiểm tra kiến nghị.', 'The check was recorded.'), 'ok')
        return redirect(url_for('visits.visit_page', visit_id=visit_id) + '#follow-up')
    visit = load_visit(visit_id)
    item = next(i for i in fu.follow_up_for_visit(db(), visit) if i.recommendation.id == rec_id)
    return render('web/visits/follow_up_check.html', visit=visit, plan=visit.plan, item=item, form=form), 422
