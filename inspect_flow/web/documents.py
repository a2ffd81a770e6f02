"""Documents of a round: preview, issue, download.

XXX The document operations (``inspect_flow.documents.operations``) are being written alongside; until
they exist this page lists the issued documents the register holds and says that issuing is not available.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint
from flask_login import login_required

from inspect_flow.web.helpers import db, render
from inspect_flow.web.plans import load_plan

bp = Blueprint('documents', __name__)


def operations_available() -> bool:
    try:
        import inspect_flow.documents.operations  # noqa: F401
    except ImportError:
        return False
    return True


@bp.get('/plans/<int:plan_id>/documents')
@login_required
def documents_page(plan_id: int):  # noqa: ANN201
    from inspect_flow.documents.models import IssuedDocument

    plan = load_plan(plan_id)
    cols = IssuedDocument.__table__.c
    q = sa.select(IssuedDocument)
    if 'plan_id' in cols:
        q = q.where(cols.plan_id == plan.id)
    docs = list(db().scalars(q))
    return render('web/plans/documents.html', plan=plan, docs=docs, available=operations_available())
