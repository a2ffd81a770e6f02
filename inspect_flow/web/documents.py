"""Documents of a round: the document set with drafts to preview, issuing, the register, downloads.

* ``GET /plans/<id>/documents``: every document the round has now (``sources.document_set``), each with
  its draft (HTML or PDF, rendered from the data as it is now), the issued version if any, and for the
  secretariat a form to issue it (date of issue, signer for the committee's documents); below, the
  register of issued documents;
* ``GET /plans/<id>/documents/draft``: one draft, ``?kind=…&visit=|unit=|district=|team=&format=html|pdf``;
* ``POST /plans/<id>/documents/issue``: issue one document (staff only; number, PDF/A, SHA-256, audit);
* ``GET /documents/<doc_id>.pdf``: the frozen PDF of an issued document, checked against its SHA-256;
* ``POST /plans/<id>/documents/batch``: issue and render the whole set on the workers (staff only; in the request
  when no broker is configured); ``GET /plans/<id>/documents/batch.json``: its progress, polled by the page
  (``documents.batch`` holds the logic; whoever may see the documents page may see the counts).

Every row, draft, register entry and download is checked with the one rule,
:func:`inspect_flow.accounts.access.can_read_document` (through ``documents.operations.may_read*``): a row the user
may not read is not listed, and asking for it answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, flash, redirect, request, url_for
from flask_login import login_required

from inspect_flow.accounts import access
from inspect_flow.core.errors import DomainError, InvalidInput
from inspect_flow.documents import operations as doc_ops
from inspect_flow.documents import sources
from inspect_flow.documents.models import DocumentState, IssuedDocument
from inspect_flow.documents.render import KINDS
from inspect_flow.plans.models import Plan
from inspect_flow.web.helpers import Form, actor, db, get_or_404, lang, parse_date, render, require, t, user
from inspect_flow.web.plans import load_plan

bp = Blueprint('documents', __name__)

#: The fields an issue form shows; an error about anything else (the kind, the target) is shown above the form.
FIELDS = ('date', 'signer', 'signer_title', 'authority', 'signer_for')
AUTHORITIES = ('KT.', 'TM.', 'Q.', 'TL.', 'TUQ.', 'none')


@dataclass
class Row:
    """One document of the set: what it is about, its issued versions, the form to issue it."""

    target: sources.Target
    issued: list[IssuedDocument]
    current: IssuedDocument | None

    @property
    def key(self) -> str:
        return self.target.slug

    @property
    def label(self) -> str:
        vi, en = sources.KIND_LABELS[self.target.kind]
        what = en if lang() == 'en' else vi
        return self.target.label.replace(vi, what, 1)

    @property
    def params(self) -> dict:
        """The query/form parameters naming the target."""
        return doc_ops.target_params(self.target)

    @property
    def issuable(self) -> bool:
        return KINDS[self.target.kind].type_code is not None

    @property
    def committee(self) -> bool:
        return self.target.kind in sources.COMMITTEE_KINDS


def _rows(plan: Plan) -> list[Row]:
    rows = []
    for target in sources.document_set(plan):
        if not doc_ops.may_read_draft(db(), user(), target):
            continue
        issued = doc_ops.issued_for(db(), target)
        rows.append(Row(target, issued, doc_ops.current_issued(db(), target)))
    return rows


def _page(plan: Plan, form: Form, status: int = 200, open_key: str | None = None):  # noqa: ANN202
    register = doc_ops.readable(db(), user(), [d for d in doc_ops.list_documents(db(), plan)
                                               if d.state == DocumentState.issued])
    from inspect_flow.audit.labels import Describer

    can_issue = access.can_issue_documents(user(), plan)
    return render('web/plans/documents.html', plan=plan, rows=_rows(plan), register=register, form=form,
                  open_key=open_key, labels=sources.KIND_LABELS, authorities=AUTHORITIES,
                  actor_name=Describer(db(), plan, lang()).actor, can_issue=can_issue,
                  batch=_batch_progress(plan, details=can_issue)), status


@bp.get('/plans/<int:plan_id>/documents')
@login_required
def documents_page(plan_id: int):  # noqa: ANN201
    plan = load_plan(plan_id)
    require(access.can_view_documents(user(), plan), 404)
    return _page(plan, Form(fields=FIELDS))


def _target_args(data) -> dict:  # noqa: ANN001
    """``visit``/``unit`` (or ``district``)/``team`` as the operations take them (absent ones left out)."""
    out = {}
    for key in ('visit', 'unit', 'district', 'team'):
        value = (data.get(key) or '').strip()
        if value:
            out[key] = value
    return out


@bp.get('/plans/<int:plan_id>/documents/draft')
@login_required
def draft(plan_id: int):  # noqa: ANN201
    """A draft rendered from the current data: HTML (quick, the default) or PDF, shown inline."""
    from inspect_flow.documents.drafts import DEFAULT_TIMEOUT, draft_pdf
    from inspect_flow.documents.render import render_html

    plan = load_plan(plan_id)
    require(access.can_view_documents(user(), plan), 404)
    kind = request.args.get('kind', '')
    try:
        target = sources.resolve_target(db(), plan, kind, **_target_args(request.args))
    except DomainError as exc:
        abort(404 if exc.status == 404 else 400, exc.localized(lang()))
    require(doc_ops.may_read_draft(db(), user(), target), 404)
    try:
        view = sources.build_view_model(db(), target)
    except DomainError as exc:
        abort(404 if exc.status == 404 else 400, exc.localized(lang()))
    if request.args.get('format') == 'pdf':
        # Bounded (documents/drafts.py): served from the cache when the data is unchanged, else rendered within
        # RENDER_TIMEOUT seconds; a render that takes longer answers 503 with a message (RenderTimeout).
        name = f'{target.slug}-draft.pdf' if KINDS[kind].type_code else f'{target.slug}.pdf'
        pdf = draft_pdf(kind, view, cache_dir=current_app.config.get('RENDER_CACHE_DIR'),
                        timeout=float(current_app.config.get('RENDER_TIMEOUT', DEFAULT_TIMEOUT)))
        return Response(pdf, mimetype='application/pdf', headers={
            'Content-Disposition': f'inline; filename="{name}"'})
    resp = Response(render_html(kind, view), mimetype='text/html')
    # The document is data, not part of the application: no script, no form, nothing fetched elsewhere.
    resp.headers['Content-Security-Policy'] = ("default-src 'none'; style-src 'unsafe-inline'; font-src 'self' data:; "
                                               "img-src 'self' data:; sandbox")
    return resp


@bp.post('/plans/<int:plan_id>/documents/issue')
@login_required
def issue(plan_id: int):  # noqa: ANN201
    from inspect_flow.documents.sources import SignerIn

    plan = load_plan(plan_id)
    require(access.can_issue_documents(user(), plan))
    form = Form(request.form, fields=FIELDS)
    kind = form.get('kind')
    open_key = None
    try:
        target = sources.resolve_target(db(), plan, kind, **_target_args(request.form))
        open_key = target.slug if KINDS[target.kind].type_code else None  # an annex has no form
        authority = form.get('authority') or 'KT.'
        if authority not in AUTHORITIES:
            raise InvalidInput('document.bad_authority', 'Thẩm quyền ký không hợp lệ.', 'Unknown signing authority.',
                               field='authority')
        prefix = None if authority == 'none' else authority
        signer = SignerIn(name=form.get('signer').strip() or None, title=form.get('signer_title').strip()
                          or 'Phó Trưởng ban', prefix=prefix,
                          on_behalf_of=(form.get('signer_for').strip() or sources.default_signer_for(prefix))
                          if prefix else None)
        supersedes = form.get('supersedes') or None
        issue_date = None
        try:
            issue_date = parse_date(form.get('date'), 'date')
        except DomainError as exc:
            form.add_error(exc)
        if target.kind in sources.COMMITTEE_KINDS and signer.name is None:
            form.add_error(InvalidInput('document.signer_required', 'Phải ghi họ tên người ký.',
                                        "The signer's name is required.", field='signer'))
        if form:  # every field's problem at once, before a number is taken
            return _page(load_plan(plan_id), form, 422, open_key=open_key)
        doc = doc_ops.issue_document(db(), plan, kind, actor=actor(), **_target_args(request.form),
                                     issue_date=issue_date, signer=signer, supersedes=supersedes)
    except DomainError as exc:
        db().rollback()
        form.add_error(exc)
        return _page(load_plan(plan_id), form, 422, open_key=open_key)
    flash(t(f'Đã ban hành văn bản số {doc.reference} ngày {doc.issue_date:%d/%m/%Y}.',
            f'Document {doc.reference} issued on {doc.issue_date.isoformat()}.'), 'ok')
    return redirect(url_for('documents.documents_page', plan_id=plan_id) + f'#doc-{open_key}')


def load_document(doc_id: int) -> tuple[IssuedDocument, Plan]:
    """An issued document the user may see, or 404."""
    doc = get_or_404(IssuedDocument, doc_id)
    require(doc.state == DocumentState.issued and doc_ops.may_read(db(), user(), doc), 404)
    return doc, db().get(Plan, doc.plan_id)


def filename_of(doc: IssuedDocument) -> str:
    """``TB-03-2019-conclusion-838.pdf``: the register's type code, number and year, then what it is about."""
    code = doc.type_code.replace('Đ', 'D')
    return f'{code}-{doc.number:02d}-{doc.year}-{doc_ops.target_of(db(), doc).slug}.pdf'


@bp.get('/documents/<int:doc_id>.pdf')
@login_required
def download(doc_id: int):  # noqa: ANN201
    doc, _plan = load_document(doc_id)
    if not doc_ops.verify_document(doc):
        abort(409, t('Tệp PDF lưu trữ không còn khớp mã SHA-256 ghi khi ban hành; hãy báo quản trị hệ thống.',
                     'The stored PDF no longer matches the SHA-256 recorded at issue; tell the administrator.'))
    return Response(doc.pdf, mimetype='application/pdf', headers={
        'Content-Disposition': f'attachment; filename="{filename_of(doc)}"',
        'X-Content-SHA256': doc.sha256, 'Cache-Control': 'private, no-store'})


def documents_for_official(me) -> list[IssuedDocument]:  # noqa: ANN001
    """The issued documents a local official may download (for the inbox): the current version of each."""
    if me is None or me.unit_id is None:
        return []
    docs = db().scalars(sa.select(IssuedDocument).where(
        IssuedDocument.state == DocumentState.issued, IssuedDocument.kind.in_(('conclusion', 'minutes')))
        .order_by(IssuedDocument.issue_date.desc(), IssuedDocument.id.desc()))
    out = doc_ops.readable(db(), me, list(docs))
    superseded = {d.supersedes_id for d in out if d.supersedes_id}
    return [d for d in out if d.id not in superseded]


# --------------------------------------------------------------------------- the whole set at once (batch)


def _batch_progress(plan: Plan, *, details: bool) -> dict | None:
    """The latest batch's progress as the page and its JSON show it (failed items' reasons for the staff only)."""
    from inspect_flow.documents import batch as batches

    latest = batches.latest_batch(db(), plan)
    if latest is None:
        return None
    out = batches.progress(db(), latest).as_dict()
    if not details:
        out['failures'] = []
    out['percent'] = round(100 * (out['done'] + out['failed']) / out['total']) if out['total'] else 100
    return out


@bp.get('/plans/<int:plan_id>/documents/batch.json')
@login_required
def batch_progress(plan_id: int):  # noqa: ANN201
    """The progress of the round's latest batch: counts per state (and, for the staff, what failed and why)."""
    plan = load_plan(plan_id)
    require(access.can_view_documents(user(), plan), 404)
    resp = current_app.json.response({'batch': _batch_progress(plan, details=access.can_issue_documents(user(), plan))})
    resp.headers['Cache-Control'] = 'no-store'
    return resp


def _end_request_transaction() -> None:
    """Commit this request's work now and give the database back (the SQLite writer's turn), so that the tasks,
    which open transactions of their own, can write (in process, they run in this very thread)."""
    from flask import g

    sess = g.pop('db_session', None)
    if sess is None:
        return
    try:
        sess.commit()
    finally:
        sess.close()
        lock = g.pop('db_writer', None)
        if lock is not None:
            lock.release()


@bp.post('/plans/<int:plan_id>/documents/batch')
@login_required
def batch_start(plan_id: int):  # noqa: ANN201
    """Start (or resume) the batch over the round's whole set, and send its documents to the workers."""
    from inspect_flow.documents import batch as batches
    from inspect_flow.documents.sources import SignerIn
    from inspect_flow.tasks.app import dispatch

    plan = load_plan(plan_id)
    require(access.can_issue_documents(user(), plan))
    form = Form(request.form, fields=FIELDS)
    authority = form.get('authority') or 'KT.'
    try:
        if authority not in AUTHORITIES:
            raise InvalidInput('document.bad_authority', 'Thẩm quyền ký không hợp lệ.', 'Unknown signing authority.',
                               field='authority')
        prefix = None if authority == 'none' else authority
        signer = SignerIn(name=form.get('signer').strip() or None,
                          title=form.get('signer_title').strip() or 'Phó Trưởng ban', prefix=prefix,
                          on_behalf_of=(form.get('signer_for').strip() or sources.default_signer_for(prefix))
                          if prefix else None)
        issue_date = parse_date(form.get('date'), 'date', required=False)
        resuming = batches.open_batch(db(), plan) is not None
        if signer.name is None and not resuming:
            raise InvalidInput('document.signer_required', 'Phải ghi họ tên người ký các văn bản của Ban Chỉ đạo.',
                               "The name of the committee's signer is required.", field='signer')
        if not resuming:
            signer.signature()
            signer.check_authority()
        batch, _created = batches.start_batch(db(), plan, actor=actor(), issue_date=issue_date, signer=signer)
        todo = batches.unfinished_items(db(), batch)
    except DomainError as exc:
        db().rollback()
        form.add_error(exc)
        return _page(load_plan(plan_id), form, 422, open_key='batch')
    _end_request_transaction()
    for item_id in todo:
        dispatch('inspect_flow.documents.render_item', item_id)
    flash(t(f'Đã gửi {len(todo)} văn bản đi in; tiến độ hiện ở dưới.',
            f'{len(todo)} documents sent to be rendered; the progress shows below.'), 'ok')
    return redirect(url_for('documents.documents_page', plan_id=plan_id) + '#batch')
