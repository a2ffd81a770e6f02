"""The local official's inbox of conclusions and recommendations; progress reports with evidence; verification."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, request, url_for
from flask_login import login_required

from inspect_flow.accounts import access
from inspect_flow.core.errors import DomainError
from inspect_flow.findings import operations as f_ops
from inspect_flow.findings.models import Recommendation
from inspect_flow.plans.models import Plan
from inspect_flow.web import queries
from inspect_flow.web.helpers import Form, actor, attempt, db, get_or_404, parse_date, render, require, t, user

bp = Blueprint('inbox', __name__)


@bp.get('/inbox')
@login_required
def inbox():  # noqa: ANN201
    me = user()
    recs = queries.inbox_for(me)
    if not access.is_staff(me):
        recs = [r for r in recs if access.can_view_recommendation(me, r)]
    waiting = [r for r in recs if r.state.value == 'done']
    from inspect_flow.web.documents import documents_for_official

    docs = documents_for_official(me) if me.role.value == 'local_official' else []
    return render('web/inbox/list.html', recs=recs, waiting=waiting, is_overdue=queries.is_overdue, docs=docs)


def load_rec(rec_id: int) -> Recommendation:
    rec = get_or_404(Recommendation, rec_id)
    plan = db().get(Plan, rec.plan_id)
    require(access.can_view_recommendation(user(), rec, plan), 404)
    return rec


def _page(rec: Recommendation, form: Form, status: int = 200):  # noqa: ANN202
    return render('web/inbox/recommendation.html', rec=rec, plan=db().get(Plan, rec.plan_id), form=form,
                  is_overdue=queries.is_overdue), status


@bp.get('/recommendations/<int:rec_id>')
@login_required
def recommendation(rec_id: int):  # noqa: ANN201
    return _page(load_rec(rec_id), Form(fields=('text', 'report_date', 'file', 'comment', 'completed')))


@bp.post('/recommendations/<int:rec_id>/report')
@login_required
def report(rec_id: int):  # noqa: ANN201
    from inspect_flow.evidence.operations import store_evidence
    from inspect_flow.web.visits import upload_limit

    rec = load_rec(rec_id)
    require(access.can_report_progress(user(), rec))
    form = Form(request.form, fields=('text', 'report_date', 'file', 'completed'))
    with attempt(form):
        evidence = []
        storage = request.files.get('file')
        if storage and storage.filename:
            evidence.append(store_evidence(db(), storage.read(), filename=storage.filename, actor=actor(),
                                           uploaded_by=user().id, max_bytes=upload_limit(False)).ref)
        f_ops.report_progress(db(), rec, text=form.get('text'), reported_by=user().full_name, actor=actor(),
                              completed=bool(form.get('completed')), evidence=evidence, by=user(),
                              report_date=parse_date(form.get('report_date'), 'report_date', required=False))
        flash(t('Đã gửi báo cáo tiến độ.', 'Progress report sent.'), 'ok')
        return redirect(url_for('inbox.recommendation', rec_id=rec_id))
    return _page(load_rec(rec_id), form, 422)


@bp.post('/recommendations/<int:rec_id>/verify')
@login_required
def verify(rec_id: int):  # noqa: ANN201
    rec = load_rec(rec_id)
    require(access.can_verify(user(), rec))
    form = Form(request.form, fields=('comment',))
    with attempt(form):
        if request.form.get('decision') == 'reject':
            f_ops.reject_recommendation(db(), rec, comment=form.get('comment'), actor=actor())
            flash(t('Đã không chấp nhận báo cáo.', 'The report was not accepted.'), 'ok')
        else:
            f_ops.verify_recommendation(db(), rec, verifier=user().person, actor=actor())
            flash(t('Đã xác nhận kiến nghị được thực hiện.', 'The recommendation is verified.'), 'ok')
        return redirect(url_for('inbox.recommendation', rec_id=rec_id))
    return _page(load_rec(rec_id), form, 422)


@bp.get('/recommendations/<int:rec_id>/evidence/<digest>')
@login_required
def evidence(rec_id: int, digest: str):  # noqa: ANN201
    from inspect_flow.evidence.operations import content_disposition, get_evidence, refs_in

    rec = load_rec(rec_id)
    require(digest in refs_in([r.evidence for r in rec.reports]), 404)
    try:
        row = get_evidence(db(), digest)
    except DomainError:
        return Response(status=404)
    return Response(row.data, mimetype=row.media_type, headers={
        'Content-Disposition': content_disposition(row)})
