"""The visit form offline: the service worker script (served from the site's root so that it controls every
page), the list of what it keeps for the logged-in member (the forms of the visits assigned to them, and the
static assets), and a fresh CSRF token for the offline queue's retries.

The worker (static/js/sw.js) keeps pages in one cache per user and drops it on logout and when another user
logs in; the queue (static/js/offline.js) keeps drafts and submissions made offline in IndexedDB and sends them
when the connection returns: drafts to the pages' own autosave URLs, submissions to the idempotent JSON API
(``POST /api/v1/visits/<id>/submissions`` with an ``Idempotency-Key``), authenticated by the page's session and
its CSRF token (:func:`inspect_flow.api.core._browser_user`).
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, jsonify, url_for
from flask_login import login_required
from flask_wtf.csrf import generate_csrf

from inspect_flow.web.helpers import db, user

bp = Blueprint('offline', __name__)

#: The static files a visit form needs, kept with the pages.
ASSETS = ('css/app.css', 'js/picker.js', 'js/expr.js', 'js/autosave.js', 'js/visit-form.js', 'js/record-form.js',
          'js/offline-queue.js', 'js/offline.js')


@bp.get('/sw.js')
def service_worker():  # noqa: ANN201
    """The service worker, at the root so that its scope is the whole site; never cached by HTTP, so that a
    new version is picked up at the next visit."""
    path = Path(current_app.static_folder) / 'js' / 'sw.js'
    response = Response(path.read_bytes(), mimetype='text/javascript')
    response.headers['Service-Worker-Allowed'] = '/'
    response.headers['Cache-Control'] = 'no-cache, no-store, must-revalidate'
    return response


def assigned_visits(person_id: int | None) -> list[int]:
    """The visits whose record the person's team may still fill: open and not submitted, newest first."""
    from inspect_flow.plans.models import Plan, TeamMember
    from inspect_flow.visits.models import Visit
    from inspect_flow.workflow.states import PlanState, VisitState

    if person_id is None:
        return []
    open_now = sa.or_(Visit.state.in_([VisitState.in_progress, VisitState.returned]),
                      sa.and_(Visit.state == VisitState.scheduled, Plan.state == PlanState.visiting))
    query = (sa.select(Visit.id).join(Plan, Plan.id == Visit.plan_id)
             .join(TeamMember, TeamMember.team_id == Visit.team_id)
             .where(TeamMember.person_id == person_id, open_now)
             .order_by(Visit.starts_at.desc(), Visit.id.desc()).limit(50))
    return list(db().scalars(query))


@bp.get('/offline/manifest')
@login_required
def manifest():  # noqa: ANN201
    """What the service worker keeps for this user: the form and the record page of each visit assigned to
    them that is still open, the pages that list them, and the static assets."""
    from inspect_flow.accounts import access

    me = user()
    visits = assigned_visits(me.person_id) if access.has_team_account(me) else []
    pages = [url_for('work.my_work_page')]
    for visit_id in visits:
        pages += [url_for('visits.visit_page', visit_id=visit_id), url_for('visits.record_page', visit_id=visit_id)]
    assets = [url_for('static', filename=name) for name in ASSETS]
    response = jsonify({'user': me.id, 'visits': visits, 'pages': pages, 'assets': assets})
    response.headers['Cache-Control'] = 'no-store'
    return response


@bp.get('/offline/csrf')
@login_required
def csrf_token():  # noqa: ANN201
    """A fresh CSRF token for this session: the offline queue's retry after a token expired while offline."""
    response = jsonify({'token': generate_csrf(), 'user': user().id})
    response.headers['Cache-Control'] = 'no-store'
    return response
