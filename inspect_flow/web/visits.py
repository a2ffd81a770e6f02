"""A visit: the form rendered from the pinned checklist (autosaved drafts, photos, the household roster),
submitting it, and the team leader's review (return for correction, approve)."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, flash, jsonify, redirect, request, url_for
from flask_login import login_required

from inspect_flow.accounts import access
from inspect_flow.core import limits
from inspect_flow.core.errors import DomainError, InvalidInput
from inspect_flow.findings.models import FINDING_KIND_LABELS, Finding, FindingSource
from inspect_flow.visits import operations as visit_ops
from inspect_flow.visits.models import Visit
from inspect_flow.web import queries
from inspect_flow.web.helpers import Form, actor, attempt, db, get_or_404, lang, lines, render, require, t, user
from inspect_flow.workflow.machines import next_steps
from inspect_flow.workflow.states import PlanState, VisitState

bp = Blueprint('visits', __name__)

_NUMBER = re.compile(r'^-?\d+$')
_DECIMAL = re.compile(r'^-?(\d+(\.\d*)?|\.\d+)$')
_ROW = re.compile(r'[0-9]{1,4}')


def load_visit(visit_id: int) -> Visit:
    visit = get_or_404(Visit, visit_id)
    require(access.can_view_visit(user(), visit), 404)
    return visit


def checklist_of(visit: Visit):  # noqa: ANN201
    try:
        from inspect_flow.plans.checklists import visit_checklist
    except ImportError:
        return None
    return visit_checklist(visit)


def is_editable(visit: Visit) -> bool:
    return visit.state in (VisitState.in_progress, VisitState.returned) or (
        visit.state == VisitState.scheduled and visit.plan.state == PlanState.visiting)


def _coerce(item_type: str, raw: str | None):  # noqa: ANN202
    """A typed answer from a form field; what cannot be read is kept as typed (drafts lose nothing)."""
    if raw is None:
        return None
    text = raw.strip()
    if text == '':
        return None
    if item_type == 'integer' and _NUMBER.match(text):
        return int(text)
    if item_type in ('decimal', 'percentage') and _DECIMAL.match(text):
        return float(text)
    return raw


def answers_from_form(checklist, data) -> dict:  # noqa: ANN001
    """Read the ``a.<item>`` / ``a.<repeat>.<row>.<item>`` fields of the visit form into answers."""
    out: dict = {}
    for item in checklist.iter_items():
        if checklist.parent(item.id) is not None or item.type.value in ('note', 'calculate', 'evidence'):
            continue
        if item.type.value == 'repeat':
            prefix = f'a.{item.id}.'
            indexes = sorted({int(k[len(prefix):].split('.', 1)[0]) for k in data
                              if k.startswith(prefix) and _ROW.fullmatch(k[len(prefix):].split('.', 1)[0])})
            rows = []
            for i in indexes:
                row = {}
                for child in item.items or ():
                    key = f'{prefix}{i}.{child.id}'
                    if child.type.value in ('note', 'calculate', 'evidence'):
                        continue
                    if child.type.value == 'select_multiple':
                        row[child.id] = data.getlist(key)
                    else:
                        row[child.id] = _coerce(child.type.value, data.get(key))
                if any(v not in (None, [], '') for v in row.values()):
                    rows.append(row)
            out[item.id] = rows
        elif item.type.value == 'select_multiple':
            out[item.id] = data.getlist(f'a.{item.id}')
        else:
            out[item.id] = _coerce(item.type.value, data.get(f'a.{item.id}'))
    return out


def error_links(checklist, form: Form) -> list[dict]:  # noqa: ANN001
    """The form's item errors in the checklist's order, each with the anchor of its item and a label a person
    knows it by ("Hộ 2 — Mã hộ"): the submit-error summary links to each."""
    if checklist is None or not form.errors:
        return []
    order = {item_id: n for n, item_id in enumerate(checklist.item_ids)}
    out = []
    for key, message in form.errors.items():
        parts = key.split('.')
        item_id = parts[-1]
        if not checklist.has_item(item_id):
            continue
        item = checklist.item(item_id)
        label = item.label.get(lang()) if item.label else item_id
        if message.startswith(label + ':'):
            message = message[len(label) + 1:].strip()  # the link names the item already
        if len(parts) == 3 and parts[1].isdigit():
            label = f"{t('Hộ', 'Household')} {int(parts[1]) + 1} — {label}"
        out.append({'anchor': 'i-a-' + key.replace('.', '-'), 'label': label, 'message': message,
                    'order': (order.get(parts[0], 0), int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else -1,
                              order.get(item_id, 0))})
    return sorted(out, key=lambda e: e['order'])


def collect_draft(visit: Visit, checklist) -> dict | None:  # noqa: ANN001
    """The visit's latest ODK Collect submission when the server kept it as a draft: when it came, from whom, and
    its problems (each with the anchor and label of its item, when it names one)."""
    from inspect_flow.accounts.models import User
    from inspect_flow.openrosa.submissions import pending_problems

    row = pending_problems(db(), visit)
    if row is None:
        return None
    problems = []
    for p in row.problems or []:
        field = p.get('field') or ''
        parts = field.split('.')
        item_id = parts[-1] if parts else ''
        label = None
        if checklist is not None and item_id and checklist.has_item(item_id):
            item = checklist.item(item_id)
            label = item.label.get(lang()) if item.label else item_id
            if len(parts) == 3 and parts[1].isdigit():
                label = f"{t('Hộ', 'Household')} {int(parts[1]) + 1} — {label}"
        message = (p.get('message_en') if lang() == 'en' else p.get('message')) or ''
        if label and message.startswith(label.split(' — ')[-1] + ':'):
            message = message.split(':', 1)[1].strip()
        problems.append({'anchor': 'i-a-' + field.replace('.', '-') if label else None, 'label': label,
                         'message': message})
    sender = db().get(User, row.user_id)
    from datetime import UTC

    from inspect_flow.core.clock import LOCAL_TZ

    received = row.created_dt.replace(tzinfo=UTC).astimezone(LOCAL_TZ).replace(tzinfo=None)  # stored in UTC
    return {'received': received, 'by': sender.full_name if sender is not None else '',
            'instance_id': row.instance_id, 'problems': problems}


def _page(visit: Visit, form: Form, status: int = 200, answers: dict | None = None):  # noqa: ANN202
    from inspect_flow.core.clock import today
    from inspect_flow.visits.quota import household_quota
    from inspect_flow.web.visit_document import visit_document

    checklist = checklist_of(visit)
    me = user()
    steps = next_steps(visit, reviewer=me.person if me and me.person else None)
    findings = [f for f in queries.findings_of(visit.plan) if f.visit_id == visit.id]
    editable = is_editable(visit) and access.can_edit_visit(me, visit)
    # Whoever cannot change the answers reads them as a document, the suggested findings beside their items.
    document, loose = (visit_document(checklist, visit.answers, findings, today=today())
                       if checklist is not None and not editable and visit.answers else (None, findings))
    return render('web/visits/show.html', visit=visit, plan=visit.plan, checklist=checklist, form=form,
                  answers=answers if answers is not None else (visit.answers or {}),
                  editable=editable, document=document, loose_findings=loose,
                  can_review=access.can_review_visit(me, visit) and visit.state == VisitState.submitted,
                  steps=steps, findings=findings, quota=household_quota(visit),
                  error_links=error_links(checklist, form), collect_draft=collect_draft(visit, checklist),
                  conflicts=queries.conflicts_by_visit(visit.plan).get(visit.id, [])), status


@bp.get('/visits/<int:visit_id>')
@login_required
def visit_page(visit_id: int):  # noqa: ANN201
    return _page(load_visit(visit_id), Form(fields=('comment', 'reason', 'file')))


def _require_edit(visit: Visit) -> None:
    require(access.can_edit_visit(user(), visit))


@bp.post('/visits/<int:visit_id>/autosave')
@login_required
def autosave(visit_id: int):  # noqa: ANN201
    """Save a draft sent by the page's script as JSON ``{"answers": {...}}``; answer what still blocks a submit."""
    visit = load_visit(visit_id)
    _require_edit(visit)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or not isinstance(payload.get('answers'), dict):
        return jsonify({'error': 'bad_request', 'message': t('Dữ liệu gửi lên không hợp lệ.', 'Malformed data.')}), 400
    limits.check_json(payload['answers'], 'answers')
    errors = visit_ops.save_answers(db(), visit, payload['answers'], actor=actor(), by=user()) or []
    en = lang() == 'en'
    # Everything is kept as typed; what a submit would still refuse is answered per item.
    return jsonify({'saved': True, 'state': visit.state.value, 'version': visit.version_id,
                    'problems': len(errors),
                    'errors': [{'field': e.get('field'), 'code': e.get('code'),
                                'message': e.get('message_en') if en else e.get('message')} for e in errors]})


@bp.post('/visits/<int:visit_id>/save')
@login_required
def save(visit_id: int):  # noqa: ANN201
    """The form posted without script (or the "save" button): save a draft, with any photo chosen."""
    visit = load_visit(visit_id)
    _require_edit(visit)
    checklist = checklist_of(visit)
    # An item's problem (a refused photo) is shown beside that item.
    form = Form(request.form, fields=('comment', 'reason', 'file') + (tuple(checklist.item_ids) if checklist else ()))
    answers = answers_from_form(checklist, request.form) if checklist else {}
    with attempt(form):
        answers.update(_uploads(visit, checklist))
        if form.get('add_row') and checklist is not None:
            answers.setdefault(_repeat(checklist, form.get('add_row')), []).append({})
        visit_ops.save_answers(db(), visit, answers, actor=actor(), by=user())
        flash(t('Đã lưu bản nháp.', 'Draft saved.'), 'ok')
        return redirect(url_for('visits.visit_page', visit_id=visit_id))
    return _page(load_visit(visit_id), form, 422, answers=answers)


def _repeat(checklist, item_id: str) -> str:  # noqa: ANN001
    """*item_id* when it names a repeat of the checklist (the "add a row" button's value).

    :raise InvalidInput: it names no repeat (``add_row``)
    """
    if not isinstance(item_id, str) or not checklist.has_item(item_id) or \
            checklist.item(item_id).type.value != 'repeat':
        raise InvalidInput('visit.add_row_not_repeat', 'Mục này không phải danh sách để thêm dòng.',
                           'This item is not a list that takes rows.', field='add_row')
    return item_id


def upload_limit(photo: bool) -> int:
    """The most bytes one upload may have: the app's setting, never above the evidence store's own limit."""
    from inspect_flow.evidence.operations import MAX_BYTES

    return min(int(current_app.config['MAX_PHOTO_BYTES' if photo else 'MAX_FILE_BYTES']), MAX_BYTES)


def _uploads(visit: Visit, checklist) -> dict:  # noqa: ANN001
    """Store the files chosen in evidence fields ``f.<item>``; return ``{item: 'sha256:…'}``."""
    from inspect_flow.evidence.operations import store_evidence

    out = {}
    for key, storage in request.files.items():
        if not key.startswith('f.') or not storage or not storage.filename:
            continue
        item_id = key[2:]
        if checklist is None or not checklist.has_item(item_id) or checklist.item(item_id).type.value != 'evidence':
            raise InvalidInput('evidence.bad_item', 'Mục này không nhận tệp.', 'This item takes no file.',
                               field=item_id)
        photo = checklist.media(checklist.item(item_id)).value == 'photo'
        limit = upload_limit(photo)
        try:
            row = store_evidence(db(), storage.read(), filename=storage.filename, actor=actor(), uploaded_by=user().id,
                                 images_only=photo, max_bytes=limit)
        except DomainError as exc:
            exc.field = item_id
            raise
        out[item_id] = row.ref
    return out


@bp.post('/visits/<int:visit_id>/evidence')
@login_required
def upload(visit_id: int):  # noqa: ANN201
    """A photo or file sent by the page's script; answers JSON with the stored reference."""
    visit = load_visit(visit_id)
    _require_edit(visit)
    checklist = checklist_of(visit)
    try:
        refs = _uploads(visit, checklist)
        if not refs:
            raise InvalidInput('evidence.empty', 'Chưa chọn tệp.', 'No file chosen.', field='file')
        visit_ops.save_answers(db(), visit, refs, actor=actor(), by=user())
    except DomainError as exc:
        from inspect_flow.web.helpers import rollback

        rollback()
        return jsonify({'error': exc.code, 'message': exc.message, 'field': exc.field}), exc.status
    return jsonify({'saved': True, 'refs': refs,
                    'urls': {k: url_for('visits.evidence', visit_id=visit_id, digest=v.split(':', 1)[1])
                             for k, v in refs.items()}})


@bp.get('/visits/<int:visit_id>/evidence/<digest>')
@login_required
def evidence(visit_id: int, digest: str):  # noqa: ANN201
    """A file of this visit: only files its answers refer to are served."""
    from inspect_flow.evidence.operations import content_disposition, get_evidence, refs_in

    visit = load_visit(visit_id)
    require(digest in refs_in(visit.answers or {}), 404)
    row = get_evidence(db(), digest)
    return Response(row.data, mimetype=row.media_type, headers={
        'Content-Disposition': content_disposition(row),
        'Cache-Control': 'private, max-age=3600'})


@bp.post('/visits/<int:visit_id>/submit')
@login_required
def submit(visit_id: int):  # noqa: ANN201
    visit = load_visit(visit_id)
    _require_edit(visit)
    checklist = checklist_of(visit)
    form = Form(request.form, fields=tuple(checklist.item_ids) if checklist else ())
    # Only a post of the form itself carries answers; a bare "submit" (the CSRF token alone) must not
    # blank the saved draft.
    has_answers = any(k.startswith('a.') for k in request.form) or any(k.startswith('f.') for k in request.files)
    answers = answers_from_form(checklist, request.form) if checklist and has_answers else None
    try:
        if answers is not None:
            answers.update(_uploads(visit, checklist))
            visit_ops.save_answers(db(), visit, answers, actor=actor(), by=user())
    except DomainError as exc:
        db().rollback()
        form.add_error(exc)
        return _page(load_visit(visit_id), form, 422, answers=answers)
    # The draft is kept even when the submit is refused: only the submit itself is undone.
    try:
        with db().begin_nested():
            visit_ops.submit_visit(db(), visit, actor=actor())
    except DomainError as exc:
        form.add_error(exc)
        return _page(load_visit(visit_id), form, 422, answers=answers)
    flash(t('Đã nộp kết quả cho Trưởng đoàn duyệt.', 'Submitted for the team leader’s review.'), 'ok')
    from inspect_flow.visits.quota import quota_warnings

    for warning in quota_warnings(visit):
        flash(t(f'Lưu ý: {warning.vi}', f'Note: {warning.en}'), 'warn')
    return redirect(url_for('visits.visit_page', visit_id=visit_id))


@bp.post('/visits/<int:visit_id>/return')
@login_required
def return_for_correction(visit_id: int):  # noqa: ANN201
    visit = load_visit(visit_id)
    require(access.can_review_visit(user(), visit))
    form = Form(request.form, fields=('comment',))
    with attempt(form):
        visit_ops.return_visit(db(), visit, reviewer=user().person, comment=form.get('comment'), actor=actor())
        flash(t('Đã trả lại để đoàn sửa.', 'Returned to the team for correction.'), 'ok')
        return redirect(url_for('visits.visit_page', visit_id=visit_id))
    return _page(load_visit(visit_id), form, 422)


@bp.post('/visits/<int:visit_id>/approve')
@login_required
def approve(visit_id: int):  # noqa: ANN201
    visit = load_visit(visit_id)
    require(access.can_review_visit(user(), visit))
    form = Form(request.form, fields=('comment',))
    with attempt(form):
        visit_ops.review_visit(db(), visit, reviewer=user().person, actor=actor())
        flash(t('Đã duyệt kết quả buổi làm việc.', 'The visit is approved.'), 'ok')
        return redirect(url_for('visits.visit_page', visit_id=visit_id))
    return _page(load_visit(visit_id), form, 409)


@bp.post('/visits/<int:visit_id>/suggestions/accept-all')
@login_required
def accept_all_suggestions(visit_id: int):  # noqa: ANN201
    """The team leader accepts every finding the checklist suggested, as suggested."""
    from inspect_flow.visits.capture import decide_all_suggestions

    visit = load_visit(visit_id)
    require(access.can_review_visit(user(), visit))
    form = Form(request.form, fields=())
    with attempt(form):
        done = decide_all_suggestions(db(), visit, 'accept', actor=actor())
        flash(t(f'Đã chấp nhận {len(done)} kết quả gợi ý.', f'Accepted {len(done)} suggested finding(s).'), 'ok')
        return redirect(url_for('visits.visit_page', visit_id=visit_id) + '#review')
    return _page(load_visit(visit_id), form, 409)


@bp.post('/visits/<int:visit_id>/cancel')
@login_required
def cancel(visit_id: int):  # noqa: ANN201
    visit = load_visit(visit_id)
    require(access.can_cancel_visit(user(), visit))
    form = Form(request.form, fields=('reason',))
    with attempt(form):
        visit_ops.cancel_visit(db(), visit, reason=form.get('reason'), actor=actor())
        return redirect(url_for('visits.visit_page', visit_id=visit_id))
    return _page(load_visit(visit_id), form, 422)


@bp.get('/visits/<int:visit_id>/status')
@login_required
def status(visit_id: int):  # noqa: ANN201
    from inspect_flow.visits.capture import form_status

    visit = load_visit(visit_id)
    result = form_status(visit)
    return jsonify(result.as_dict() if result else {})


# --- the record of the session: participants, reports heard, records checked, discussion, opinion, end time --

_PARTICIPANT = re.compile(r'^participants\.([0-9]{1,3})\.(side|full_name|title|agency)$')
PARTICIPANT_FIELDS = ('side', 'full_name', 'title', 'agency')
FINDING_FIELDS = ('kind', 'category', 'text', 'severity', 'source')
#: The sources a team gives a finding it records itself (``checklist`` is the rules' own).
SOURCE_LABELS = {
    FindingSource.report: ('Nghe báo cáo', 'Reports heard'),
    FindingSource.records: ('Kiểm tra hồ sơ', 'Records checked'),
    FindingSource.household: ('Tham vấn hộ', 'Household consultation'),
    FindingSource.observation: ('Quan sát thực tế', 'Observation'),
}


def record_from_form(form: Form) -> tuple[dict, list[int]]:
    """The record the page's fields hold (``participants.<row>.<field>``, ``content.<field>``, ``records_other``),
    and the page row of each participant kept (a row left blank, or the one whose "remove" was pressed, is dropped).
    """
    removed = form.get('remove_participant')
    rows = sorted({int(m.group(1)) for k in form.values if (m := _PARTICIPANT.match(k))})
    participants, kept = [], []
    for i in rows:
        row = {name: str(form.get(f'participants.{i}.{name}') or '') for name in PARTICIPANT_FIELDS}
        if str(i) == removed or not any(row[name].strip() for name in ('full_name', 'title', 'agency')):
            continue
        participants.append(row)
        kept.append(i)
    chosen = [r for r in visit_ops.COMMON_RECORDS if r in form.getlist('content.records_checked')]
    others = [r for r in lines(form.get('records_other')) if r not in chosen]
    content = {
        'purpose': form.get('content.purpose'),
        'district_report': form.get('content.district_report'),
        'commune_report': form.get('content.commune_report'),
        'records_checked': chosen + list(dict.fromkeys(others)),
        'discussion': lines(form.get('content.discussion')),
        'local_opinion': form.get('content.local_opinion'),
        'ended_at': (form.get('content.ended_at') or '').strip() or None,
    }
    return {'participants': participants, 'content': content}, kept


def _on_page(exc: DomainError, kept: list[int]) -> DomainError:
    """Name a participant's field as the page names it (its row on the page, blank rows counted)."""
    def rename(field: str | None) -> str | None:
        parts = (field or '').split('.')
        if len(parts) >= 2 and parts[0] == 'participants' and parts[1].isdigit() and int(parts[1]) < len(kept):
            parts[1] = str(kept[int(parts[1])])
            return '.'.join(parts)
        return field

    exc.field = rename(exc.field)
    for detail in exc.details or []:
        for item in detail.get('items', []) if isinstance(detail, dict) else []:
            item['field'] = rename(item.get('field'))
    return exc


def _record_values(visit: Visit) -> dict:
    """The page's fields as the stored record fills them."""
    content = visit.content or {}
    records = [str(r) for r in content.get('records_checked') or []]
    values = {f'content.{k}': content.get(k) or '' for k in ('purpose', 'district_report', 'commune_report',
                                                               'local_opinion', 'ended_at')}
    values['content.records_checked'] = [r for r in records if r in visit_ops.COMMON_RECORDS]
    values['records_other'] = '\n'.join(r for r in records if r not in visit_ops.COMMON_RECORDS)
    values['content.discussion'] = '\n'.join(str(d) for d in content.get('discussion') or [])
    for i, p in enumerate(visit.participants):
        for name in PARTICIPANT_FIELDS:
            values[f'participants.{i}.{name}'] = getattr(p, name).value if name == 'side' else getattr(p, name)
    return values


def _record_page(visit: Visit, form: Form | None = None, finding_form: Form | None = None, status: int = 200):  # noqa: ANN202
    me = user()
    if form is None:
        form = Form(_record_values(visit))
    rows = sorted({int(m.group(1)) for k in form.values if (m := _PARTICIPANT.match(k))})
    if request.args.get('add') == '1' or not rows:
        rows.append(max(rows, default=-1) + 1)
    findings = list(db().scalars(sa.select(Finding).where(Finding.visit_id == visit.id).order_by(Finding.id)))
    return render('web/visits/record.html', visit=visit, plan=visit.plan, form=form, rows=rows,
                  finding_form=finding_form or Form(fields=FINDING_FIELDS),
                  editable=is_editable(visit) and access.can_edit_visit(me, visit), open_state=is_editable(visit),
                  common_records=visit_ops.COMMON_RECORDS, findings=findings, kinds=FINDING_KIND_LABELS,
                  sources=SOURCE_LABELS,
                  categories=sorted({f.category for f in queries.findings_of(visit.plan)})), status


@bp.get('/visits/<int:visit_id>/record')
@login_required
def record_page(visit_id: int):  # noqa: ANN201
    return _record_page(load_visit(visit_id))


def _save_record(visit: Visit, form: Form) -> None:
    data, kept = record_from_form(form)
    try:
        visit_ops.save_record(db(), visit, data, actor=actor())
    except DomainError as exc:
        raise _on_page(exc, kept) from None


@bp.post('/visits/<int:visit_id>/record')
@login_required
def save_record(visit_id: int):  # noqa: ANN201
    """The record posted as it is (without script, or the "save" button, "add a person", "remove")."""
    visit = load_visit(visit_id)
    _require_edit(visit)
    form = Form(request.form)
    try:
        _save_record(visit, form)
    except DomainError as exc:
        db().rollback()
        form.add_error(exc)
        return _record_page(load_visit(visit_id), form, status=exc.status)
    if form.get('add_participant'):
        return redirect(url_for('visits.record_page', visit_id=visit_id, add=1) + '#participants')
    flash(t('Đã lưu biên bản.', 'Record saved.'), 'ok')
    return redirect(url_for('visits.record_page', visit_id=visit_id))


@bp.post('/visits/<int:visit_id>/record/autosave')
@login_required
def autosave_record(visit_id: int):  # noqa: ANN201
    """The record sent by the page's script (its fields as a form); nothing is saved unless all of it is right,
    and what is wrong is answered per field."""
    visit = load_visit(visit_id)
    _require_edit(visit)
    form = Form(request.form)
    try:
        _save_record(visit, form)
    except DomainError as exc:
        from inspect_flow.web.helpers import rollback

        rollback()
        en = lang() == 'en'
        items = [i for d in exc.details or [] if isinstance(d, dict) for i in d.get('items', [])] or [
            {'field': exc.field, 'message': exc.message_vi, 'message_en': exc.message_en}]
        return jsonify({'saved': False, 'error': exc.code, 'message': exc.localized(lang()),
                        'errors': [{'field': i.get('field'), 'message': i.get('message_en') if en else i.get('message')}
                                   for i in items]}), exc.status
    return jsonify({'saved': True, 'state': visit.state.value, 'version': visit.version_id, 'errors': []})


@bp.post('/visits/<int:visit_id>/record/findings')
@login_required
def add_record_finding(visit_id: int):  # noqa: ANN201
    """A finding heard or seen at the session, with its source."""
    visit = load_visit(visit_id)
    _require_edit(visit)
    form = Form(request.form, fields=FINDING_FIELDS)
    try:
        visit_ops.add_visit_finding(db(), visit, kind=form.get('kind'), category=form.get('category'),
                                    text=form.get('text'), severity=form.get('severity') or None,
                                    source=form.get('source') or 'observation', actor=actor(), by=user())
    except DomainError as exc:
        db().rollback()
        form.add_error(exc)
        return _record_page(load_visit(visit_id), finding_form=form, status=exc.status)
    flash(t('Đã ghi kết quả kiểm tra.', 'Finding recorded.'), 'ok')
    return redirect(url_for('visits.record_page', visit_id=visit_id) + '#findings')
