"""A person's own work across plans (``/me``): the sections of :mod:`inspect_flow.work.queries`, with links."""

from __future__ import annotations

from flask import Blueprint, url_for
from flask_login import login_required

from inspect_flow.core.clock import today
from inspect_flow.web.helpers import db, lang, render, user
from inspect_flow.work.queries import WorkItem, my_work

bp = Blueprint('work', __name__)


def item_url(item: WorkItem) -> str:
    """Where an item of the list leads."""
    if item.kind == 'visit':
        return url_for('visits.visit_page', visit_id=item.id)
    if item.kind == 'recommendation':
        return url_for('inbox.recommendation', rec_id=item.id)
    if item.kind == 'conclusion':
        return url_for('findings.conclusions_page', plan_id=item.plan_id)
    if item.kind in ('document', 'documents'):
        return url_for('documents.documents_page', plan_id=item.plan_id) + (f'#{item.anchor}' if item.anchor else '')
    return url_for('plans.plan_page', plan_id=item.plan_id)


@bp.get('/me')
@login_required
def my_work_page():  # noqa: ANN201
    sections = my_work(db(), user(), today(), lang())
    return render('web/work.html', sections=sections, item_url=item_url, precache_offline=True)
