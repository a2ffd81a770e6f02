"""What waits for the logged-in person: the count in the top bar and its list (:func:`notify.queries.due_for`);
the person's own account page (e-mail address, language of e-mails, digests on or off)."""

from __future__ import annotations

import logging

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import login_required
from sqlalchemy.exc import SQLAlchemyError

from inspect_flow.accounts import operations as ops
from inspect_flow.core.errors import DomainError
from inspect_flow.notify.queries import count_due_for, due_for
from inspect_flow.web.helpers import Form, attempt, db, render, t, user

bp = Blueprint('reminders', __name__)
logger = logging.getLogger(__name__)


@bp.app_context_processor
def _due_count() -> dict:
    def due_count() -> int | None:
        """How many items wait for the person (``None`` when it cannot be told: the page still renders)."""
        me = user()
        if me is None:
            return None
        try:
            return count_due_for(db(), me)
        except (SQLAlchemyError, DomainError):
            logger.warning('the reminder count could not be computed', exc_info=True)
            return None

    return {'due_count': due_count}


@bp.get('/reminders')
@login_required
def waiting():  # noqa: ANN201
    """The list behind the count: deadlines coming and overdue recommendations, or the visits coming."""
    return render('web/reminders.html', items=due_for(db(), user()))


@bp.route('/account', methods=['GET', 'POST'])
@login_required
def account():  # noqa: ANN201
    """One's own account: e-mail address for reminders, their language, digests on or off."""
    me = user()
    fields = ('email', 'language', 'digests')
    if request.method == 'POST':
        form = Form(request.form, fields=fields)
        with attempt(form):
            ops.update_contact(db(), me, email=form.get('email'), language=form.get('language') or 'vi',
                               digests_enabled=form.get('digests') == '1')  # an unticked box is not sent
            flash(t('Đã lưu.', 'Saved.'), 'ok')
            return redirect(url_for('reminders.account'))
        return render('web/account.html', form=form), 422
    form = Form({'email': me.email or '', 'language': me.language or 'vi',
                 'digests': '1' if me.digests_enabled else ''}, fields=fields)
    return render('web/account.html', form=form)
