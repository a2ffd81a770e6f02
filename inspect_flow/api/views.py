"""The resources of ``/api/v1``. Each view: parse, check access, call the domain, commit, answer."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Response, current_app, g, request

from inspect_flow.accounts import access
from inspect_flow.api import schemas as s
from inspect_flow.api.core import (
    PROBLEM,
    commit,
    db,
    if_match,
    json_response,
    lang,
    parse_body,
    parse_id,
    parse_query,
    read_connection,
    route,
    t,
    token_use,
    user,
)
from inspect_flow.core.errors import DomainError, InvalidInput, forbidden, not_found, stale_version
from inspect_flow.units.models import AdminUnit, UnitLevel
from inspect_flow.visits import schemas as visits_schemas
from inspect_flow.workflow.states import state_label

ID_HEADER = {'name': 'Idempotency-Key', 'in': 'header', 'required': False,
             'description': 'A unique key per submission (e.g. a UUID). Resending the same body with the same key '
                            'returns the original response; another body under the same key gets 409.',
             'schema': {'type': 'string', 'minLength': 1, 'maxLength': 255, 'pattern': '^[\\x21-\\x7e]+$'}}
IF_MATCH = {'name': 'If-Match', 'in': 'header', 'required': False,
            'description': 'The version the edit is based on, e.g. "3"; a stale one gets 409.',
            'schema': {'type': 'string', 'pattern': '^(W/)?"?[0-9]{1,9}"?$'}}


def actor() -> str:
    return f'api:{user().username}'


def _page(query: sa.Select, column, q: s.ListQuery, visible: Callable[[Any], bool], serialize: Callable) -> dict:  # noqa: ANN001
    """Keyset pagination by id over the rows the user may see."""
    items: list = []
    cursor = q.cursor or 0
    more = False
    while True:
        batch = list(db().scalars(query.where(column > cursor).order_by(column).limit(q.limit * 2 + 10)))
        for row in batch:
            cursor = row.id
            if not visible(row):
                continue
            if len(items) == q.limit:
                more = True
                break
            items.append(row)
        if more or len(batch) < q.limit * 2 + 10:
            break
    return {'items': [serialize(r) for r in items], 'next_cursor': str(items[-1].id) if more and items else None}


# --- serializers --------------------------------------------------------------------------------------

def unit_out(u) -> dict:  # noqa: ANN001
    return {'id': u.id, 'code': u.code, 'name': u.name, 'full_name': u.full_name, 'level': u.level.value,
            'kind': u.kind, 'parent_id': u.parent_id, 'valid_from': u.valid_from, 'valid_to': u.valid_to}


def plan_out(p) -> dict:  # noqa: ANN001
    return {'id': p.id, 'reference': p.reference, 'number': p.number, 'symbol': p.symbol, 'year': p.year,
            'issue_date': p.issue_date, 'subject': p.subject, 'state': p.state.value,
            'state_label': state_label(p.state, 'en' if t('vi', 'en') == 'en' else 'vi'),
            'fieldwork_start': p.fieldwork_start, 'fieldwork_end': p.fieldwork_end,
            'coverage_rule': p.coverage_rule.value, 'coverage': p.coverage_rule.key,
            'clusters': [{'name': c['name'], 'communes': list(c['communes'])} for c in p.clusters or []],
            'households_per_commune': p.households_per_commune,
            'legal_bases': list(p.legal_bases or []), 'objectives': list(p.objectives or []),
            'target_unit_ids': [u.id for u in p.target_units], 'team_ids': [tm.id for tm in p.teams],
            'version': p.version_id}


def team_out(team) -> dict:  # noqa: ANN001
    return {'id': team.id, 'plan_id': team.plan_id, 'number': team.number, 'members': [
        {'person_id': m.person_id, 'full_name': m.person.full_name, 'title': m.person.title,
         'agency': m.person.agency, 'role': m.role.value} for m in team.members]}


def visit_out(v) -> dict:  # noqa: ANN001
    return visits_schemas.visit_out(v, lang())


def visit_detail_out(v) -> dict:  # noqa: ANN001
    from inspect_flow.visits.capture import form_status
    from inspect_flow.visits.quota import household_quota

    status = form_status(v)
    quota = household_quota(v)
    return {**visit_out(v), 'answers': v.answers or {}, 'content': v.content or {},
            'participants': [{'side': p.side.value, 'full_name': p.full_name, 'title': p.title, 'agency': p.agency}
                             for p in v.participants],
            'households': [{'code': h.household_code, 'category': h.category.value, 'head_name': h.head_name,
                            'answers': h.answers or {}} for h in v.households],
            'households_quota': quota.as_dict() if quota else None,
            'checklist_id': status.checklist_id if status else None,
            'form_errors': _jsonable(status.errors) if status else [],
            'score_percent': status.score_percent if status else None}


def _jsonable(value: Any) -> Any:  # noqa: ANN401
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def finding_out(f) -> dict:  # noqa: ANN001
    return {'id': f.id, 'plan_id': f.plan_id, 'visit_id': f.visit_id, 'kind': f.kind.value, 'category': f.category,
            'text': f.text, 'severity': f.severity.value if f.severity else None, 'source': f.source.value,
            'status': f.status.value, 'evidence': list(f.evidence or []), 'checklist_item_id': f.checklist_item_id,
            'rule_id': f.rule_id, 'withdrawn_reason': f.withdrawn_reason, 'created_dt': f.created_dt,
            'updated_dt': f.updated_dt, 'version': f.version_id}


def report_out(r) -> dict:  # noqa: ANN001
    return {'id': r.id, 'recommendation_id': r.recommendation_id, 'reported_by': r.reported_by,
            'report_date': r.report_date, 'text': r.text, 'evidence': list(r.evidence or []),
            'is_completed': r.is_completed, 'created_dt': r.created_dt}


def rec_out(r) -> dict:  # noqa: ANN001
    return {'id': r.id, 'plan_id': r.plan_id, 'conclusion_id': r.conclusion_id, 'finding_id': r.finding_id,
            'number': r.number, 'addressee_label': r.addressee_label, 'addressee_unit_id': r.addressee_unit_id,
            'text': r.text, 'deadline': r.deadline, 'state': r.state.value,
            'state_label': state_label(r.state, 'en' if t('vi', 'en') == 'en' else 'vi'),
            'reports': [report_out(x) for x in r.reports], 'withdrawn_reason': r.withdrawn_reason,
            'version': r.version_id}


def conclusion_out(c) -> dict:  # noqa: ANN001
    return {'id': c.id, 'plan_id': c.plan_id, 'unit_id': c.unit_id, 'unit': c.unit.full_name, 'summary': c.summary,
            'created_dt': c.created_dt, 'updated_dt': c.updated_dt, 'version': c.version_id}


def _is_district(unit_id: int) -> bool:
    unit = db().get(AdminUnit, unit_id)
    return unit is not None and unit.level == UnitLevel.district


def document_out(d) -> dict:  # noqa: ANN001
    return {'id': d.id, 'plan_id': d.plan_id, 'kind': d.kind, 'type_code': d.type_code, 'year': d.year,
            'number': d.number, 'symbol': d.symbol, 'reference': d.reference, 'subject': d.subject,
            'state': d.state.value, 'issue_date': d.issue_date, 'visit_id': d.visit_id, 'unit_id': d.unit_id,
            'district_id': d.unit_id if d.unit_id is not None and _is_district(d.unit_id) else None,
            'team_id': d.team_id, 'supersedes_id': d.supersedes_id, 'sha256': d.sha256, 'issued_dt': d.issued_dt,
            'pdf_url': f'/api/v1/documents/{d.id}/pdf' if d.sha256 else None}


def evidence_out(e) -> dict:  # noqa: ANN001
    from inspect_flow.evidence.operations import upload_name

    return {'ref': e.ref, 'sha256': e.sha256, 'stored_sha256': e.stored_sha256, 'media_type': e.media_type,
            'size': e.size, 'width': e.width, 'height': e.height, 'original_name': upload_name(db(), user(), e),
            'created_dt': e.created_dt}


def out(model: type, payload: dict, status: int = 200, headers: dict | None = None) -> Response:
    return json_response(model.model_validate(payload), status, headers)


def page_out(item_model: type, page: dict) -> Response:
    return out(s.Page[item_model], page)


# --- loaders with access ------------------------------------------------------------------------------

def load_plan(plan_id: str):  # noqa: ANN201
    from inspect_flow.plans.models import Plan

    plan = db().get(Plan, parse_id(plan_id, 'plan'))
    if plan is None or not access.can_view_plan(user(), plan):
        raise not_found('plan')
    return plan


def load_visit(visit_id: str):  # noqa: ANN201
    from inspect_flow.visits.models import Visit

    visit = db().get(Visit, parse_id(visit_id, 'visit'))
    if visit is None or not access.can_view_visit(user(), visit):
        raise not_found('visit')
    return visit


def _finding_visible(f) -> bool:  # noqa: ANN001
    from inspect_flow.plans.models import Plan

    return access.can_view_finding(user(), f, db().get(Plan, f.plan_id) if f.visit is None else None)


def load_finding(finding_id: str):  # noqa: ANN201
    from inspect_flow.findings.models import Finding

    finding = db().get(Finding, parse_id(finding_id, 'finding'))
    if finding is None or not _finding_visible(finding):
        raise not_found('finding')
    return finding


def _rec_visible(r) -> bool:  # noqa: ANN001
    from inspect_flow.plans.models import Plan

    return access.can_view_recommendation(user(), r, db().get(Plan, r.plan_id))


def load_rec(rec_id: str):  # noqa: ANN201
    from inspect_flow.findings.models import Recommendation

    rec = db().get(Recommendation, parse_id(rec_id, 'recommendation'))
    if rec is None or not _rec_visible(rec):
        raise not_found('recommendation')
    return rec


def _doc_visible(d) -> bool:  # noqa: ANN001
    """The web's rule (:func:`inspect_flow.accounts.access.can_read_document`): officials read the issued notices
    and minutes sent to their unit; a stored draft is read as a draft."""
    from inspect_flow.documents.operations import may_read

    return may_read(db(), user(), d)


def load_document(doc_id: str):  # noqa: ANN201
    from inspect_flow.documents.models import IssuedDocument

    doc = db().get(IssuedDocument, parse_id(doc_id, 'document'))
    if doc is None or not _doc_visible(doc):
        raise not_found('document')
    return doc


def require(allowed: bool) -> None:
    if not allowed:
        raise forbidden()


# --- the contract itself ------------------------------------------------------------------------------

@route('GET', '/openapi.json', summary='This OpenAPI 3.1 document', tag='meta', responses={200: {}}, auth=False)
def openapi_document() -> Response:
    from inspect_flow.api.spec import build_document

    return json_response(build_document())


@route('GET', '/docs', summary='Interactive documentation (HTML, no external assets)', tag='meta',
       responses={200: 'text/html'}, auth=False)
def docs_page() -> Response:
    from inspect_flow.api.docs import DOCS_HTML

    return Response(DOCS_HTML, mimetype='text/html')


@route('GET', '/docs.js', summary='Script of the documentation page', tag='meta',
       responses={200: 'text/javascript'}, auth=False)
def docs_script() -> Response:
    from inspect_flow.api.docs import DOCS_JS

    return Response(DOCS_JS, mimetype='text/javascript')


@route('GET', '/me', summary='The user the token belongs to', tag='meta', responses={200: s.Me})
def me() -> Response:
    u = user()
    return out(s.Me, {'id': u.id, 'username': u.username, 'full_name': u.full_name, 'role': u.role.value,
                      'person_id': u.person_id, 'unit_id': u.unit_id})


# --- administrative units -----------------------------------------------------------------------------

@route('GET', '/me/work', summary="The user's own work across plans: visits today and coming, what waits for them",
       tag='meta', responses={200: s.WorkOut})
def my_work() -> Response:
    from inspect_flow.core.clock import today
    from inspect_flow.work.queries import my_work as sections_of

    day = today()
    sections = sections_of(db(), user(), day, t('vi', 'en'))
    return out(s.WorkOut, {'day': day, 'sections': [
        {'key': sec.key, 'title': sec.title, 'empty': sec.empty, 'items': [
            {'kind': i.kind, 'id': i.id, 'plan_id': i.plan_id, 'plan_reference': i.plan_reference, 'title': i.title,
             'detail': i.detail, 'day': i.day, 'state': i.state, 'state_label': i.state_label, 'overdue': i.overdue,
             'params': i.params} for i in sec.items]} for sec in sections]})


@route('GET', '/units', summary='Administrative units (province, districts, communes)', tag='units',
       query=s.UnitQuery, responses={200: s.Page[s.UnitOut]})
def list_units() -> Response:
    q = parse_query(s.UnitQuery)
    query = sa.select(AdminUnit)
    if q.level:
        query = query.where(AdminUnit.level == q.level)
    if q.parent_id:
        query = query.where(AdminUnit.parent_id == q.parent_id)
    if q.code:
        query = query.where(AdminUnit.code == q.code)
    if q.on:
        query = query.where(AdminUnit.valid_from <= q.on,
                            sa.or_(AdminUnit.valid_to.is_(None), AdminUnit.valid_to > q.on))
    return page_out(s.UnitOut, _page(query, AdminUnit.id, q, lambda _u: True, unit_out))


@route('GET', '/units/{unit_id}', summary='One administrative unit, with what it was formed from and went into',
       tag='units', responses={200: s.UnitDetailOut})
def get_unit(unit_id: str) -> Response:
    from inspect_flow.core.clock import today
    from inspect_flow.units.queries import unit_card

    session = db()
    unit = session.get(AdminUnit, parse_id(unit_id, 'unit'))
    if unit is None:
        raise not_found('unit')
    card = unit_card(session, unit, today())
    links = {k: card[k] for k in ('predecessors', 'successors', 'now_part_of')}
    return out(s.UnitDetailOut, {**unit_out(unit), **links})


# --- plans, teams, checklists -------------------------------------------------------------------------

@route('GET', '/plans', summary='Plans (rounds) the user may see', tag='plans', query=s.PlanQuery,
       responses={200: s.Page[s.PlanOut]})
def list_plans() -> Response:
    from inspect_flow.plans.models import Plan

    q = parse_query(s.PlanQuery)
    query = sa.select(Plan)
    if q.state:
        query = query.where(Plan.state == q.state)
    if q.year:
        query = query.where(Plan.year == q.year)
    return page_out(s.PlanOut, _page(query, Plan.id, q, lambda p: access.can_view_plan(user(), p), plan_out))


@route('GET', '/plans/{plan_id}', summary='One plan', tag='plans', responses={200: s.PlanOut})
def get_plan(plan_id: str) -> Response:
    return out(s.PlanOut, plan_out(load_plan(plan_id)))


@route('GET', '/plans/{plan_id}/teams', summary='The teams of a plan and their members', tag='plans',
       responses={200: s.Page[s.TeamOut]})
def list_teams(plan_id: str) -> Response:
    plan = load_plan(plan_id)
    return page_out(s.TeamOut, {'items': [team_out(tm) for tm in plan.teams], 'next_cursor': None})


def _checklist_out(plan, pin, with_content: bool) -> dict:  # noqa: ANN001
    from inspect_flow.plans.checklists import as_checklist

    checklist = as_checklist(pin)
    return {'plan_id': plan.id, 'checklist_id': pin.checklist_id, 'version': pin.version, 'title': pin.title,
            'kind': checklist.kind.value, 'sha256': pin.sha256, 'pinned_dt': pin.pinned_dt,
            'content': _jsonable(pin.content) if with_content else None}


@route('GET', '/plans/{plan_id}/checklists', summary='The checklist versions the plan pinned', tag='checklists',
       responses={200: s.Page[s.ChecklistOut]})
def list_checklists(plan_id: str) -> Response:
    plan = load_plan(plan_id)
    pins = sorted(plan.checklists, key=lambda p: p.checklist_id)
    return page_out(s.ChecklistOut, {'items': [_checklist_out(plan, p, False) for p in pins], 'next_cursor': None})


@route('GET', '/plans/{plan_id}/checklists/{checklist_id}', summary='One pinned checklist, whole',
       tag='checklists', responses={200: s.ChecklistOut})
def get_checklist(plan_id: str, checklist_id: str) -> Response:
    plan = load_plan(plan_id)
    pin = next((p for p in plan.checklists if p.checklist_id == checklist_id), None)
    if pin is None:
        raise not_found('checklist')
    return out(s.ChecklistOut, _checklist_out(plan, pin, True))


# --- visits and submissions ---------------------------------------------------------------------------

@route('GET', '/visits', summary='Visits the user may see', tag='visits', query=s.VisitQuery,
       responses={200: s.Page[s.VisitOut]})
def list_visits() -> Response:
    from inspect_flow.visits.models import Visit

    q = parse_query(s.VisitQuery)
    query = sa.select(Visit)
    if q.plan_id:
        query = query.where(Visit.plan_id == q.plan_id)
    if q.team_id:
        query = query.where(Visit.team_id == q.team_id)
    if q.state:
        query = query.where(Visit.state == q.state)
    return page_out(s.VisitOut, _page(query, Visit.id, q, lambda v: access.can_view_visit(user(), v), visit_out))


@route('GET', '/visits/{visit_id}', summary='One visit with its record and form status', tag='visits',
       responses={200: s.VisitDetailOut}, browser=True)
def get_visit(visit_id: str) -> Response:
    visit = load_visit(visit_id)
    return out(s.VisitDetailOut, visit_detail_out(visit), headers={'ETag': f'"{visit.version_id}"'})


@route('PUT', '/visits/{visit_id}/answers', summary='Save draft answers (merged; partial answers are kept)',
       tag='visits', body=s.AnswersBody, headers=[IF_MATCH], responses={200: s.AnswersOut}, browser=True)
def save_answers(visit_id: str) -> Response:
    from inspect_flow.visits.operations import save_answers as save

    visit = load_visit(visit_id)
    body, _raw = parse_body(s.AnswersBody)
    require(access.can_edit_visit(user(), visit))
    expected = if_match(body.version)
    if expected is not None and expected != visit.version_id:
        raise stale_version()
    errors = save(db(), visit, body.answers, actor=actor(), by=user())
    payload = {'visit': visit_out(visit), 'form_errors': _jsonable(errors)}
    commit()
    return out(s.AnswersOut, payload, headers={'ETag': f'"{visit.version_id}"'})


PREFER = {'name': 'Prefer', 'in': 'header', 'required': False,
          'description': '`respond-async`: store the submission and answer 202 at once with a status URL; it is '
                         'applied shortly after by the intake worker, exactly once. Without it the submission is '
                         'applied before the answer (201).',
          'schema': {'type': 'string', 'maxLength': 200}}


def _prefers_async() -> bool:
    header = request.headers.get('Prefer', '')
    return any(part.split('=', 1)[0].strip().lower() == 'respond-async'
               for chunk in header.split(',') for part in chunk.split(';'))


@route('POST', '/visits/{visit_id}/submissions', summary='Submit a visit record (idempotent)', tag='submissions',
       body=s.SubmissionBody, headers=[ID_HEADER, IF_MATCH, PREFER], reads=_prefers_async,
       responses={201: s.SubmissionOut, 202: s.IntakeOut}, browser=True,
       description='Stores participants, content, checklist answers, the household roster and findings, then '
                   'submits the visit for review, in one transaction with the Idempotency-Key record. With '
                   '`Prefer: respond-async` the body is stored durably under its key and answered 202 with '
                   '`Location:` the status URL (GET it to see the result or the per-item errors).')
def submit(visit_id: str) -> Response:
    from inspect_flow.integrations import idempotency

    if _prefers_async() and g.get('api_token_use') is not None:  # a browser's session call is answered at once
        return _submit_async(visit_id)
    from inspect_flow.intake import operations as intake

    visit = load_visit(visit_id)
    body, raw = parse_body(s.SubmissionBody)
    require(access.can_edit_visit(user(), visit))
    key = _submission_key(body)
    fingerprint = idempotency.request_fingerprint('POST', request.path, raw) if key is not None else None
    expected = if_match(body.version)
    claimed = None
    if key is not None:
        claimed = idempotency.claim(db(), user().id, key, f'POST {request.path}', fingerprint)
        if isinstance(claimed, idempotency.Replay):
            db().rollback()
            mimetype = 'application/json' if claimed.status < 400 else PROBLEM
            headers = {'Idempotent-Replayed': 'true'}
            if claimed.status == 202:
                headers['Location'] = json.loads(claimed.body)['status_url']
            return Response(claimed.body, status=claimed.status, mimetype=mimetype, headers=headers)
    text = intake.apply_submission(db(), user(), visit, raw, key, expected, lang=lang())
    if claimed is not None:
        idempotency.store_response(db(), claimed, 201, text)
    commit()
    return Response(text, status=201, mimetype='application/json', headers={'ETag': f'"{visit.version_id}"'})


def _submission_key(body: s.SubmissionBody) -> str | None:
    from inspect_flow.integrations import idempotency

    key = request.headers.get('Idempotency-Key') or body.submission_id
    return idempotency.check_key(key) if key is not None else None


def _submit_async(visit_id: str) -> Response:
    """Store the submission for the intake worker and answer 202 (the hot path of field devices).

    This request reads nothing but the token (from the process's cache). It parses and checks the body, then
    hands the rows to the process's intake writer, which checks the visit, the user's right to submit it and
    its version for the whole batch in one query, writes the rows of the requests it admits together with the
    other requests arriving meanwhile, and answers each once they are committed
    (:mod:`inspect_flow.intake.writer`). A malformed request is checked here instead, so that its
    404 still comes before its 422.
    """
    from inspect_flow.intake import operations as intake
    from inspect_flow.integrations import idempotency

    vid, who = parse_id(visit_id, 'visit'), user()
    invalid_body = invalid_other = body = None
    try:
        body, raw = parse_body(s.SubmissionBody)
        key = _submission_key(body)
        expected = if_match(body.version)
    except DomainError as exc:  # answered in the synchronous path's order (see intake.refusal)
        if body is None:
            invalid_body = exc
        else:
            invalid_other = exc
        facts = intake.visit_facts(read_connection(), who, vid)
        raise intake.refusal(who, facts, invalid_body=invalid_body, invalid_other=invalid_other) from None
    fingerprint = idempotency.request_fingerprint('POST', request.path, raw) if key is not None else None
    use = token_use()
    written = intake.accept(
        current_app.extensions['inspect_flow.intake_writer'], who.id, vid,
        raw_text=request.get_data(as_text=True), key=key, fingerprint=fingerprint, path=request.path,
        if_match=expected, lang=t('vi', 'en'), token_id=use.token_id, touch_token=use.record,
        admission=intake.Admission(vid, who, expected))
    status, text, replayed = written.status, written.body, written.replayed
    if status == 202 and not replayed:  # stored: a background worker applies it (none without a broker)
        from inspect_flow.tasks.intake import send_process

        send_process()
    headers = {'Preference-Applied': 'respond-async'}
    if replayed:
        headers['Idempotent-Replayed'] = 'true'
    if status == 202:
        headers['Location'] = written.location or json.loads(text)['status_url']
    return Response(text, status=status, mimetype='application/json' if status < 400 else PROBLEM, headers=headers)


@route('GET', '/submissions/{submission_id}', summary='Status of an asynchronous submission', tag='submissions',
       responses={200: s.IntakeOut},
       description='queued until the intake worker applies it; then done (with the submission) or failed (with '
                   'the problem document and its per-item errors). Only its sender (or an administrator) sees it.')
def get_submission(submission_id: str) -> Response:
    from inspect_flow.intake import operations as intake

    row = None
    if len(submission_id) == 36 and all(ch in '0123456789abcdef-' for ch in submission_id):
        row = intake.find(db(), submission_id)
    if row is None or (row.user_id != user().id and not access.is_admin(user())):
        raise not_found('submission')
    return out(s.IntakeOut, intake.status_out(row))


@route('POST', '/evidence', summary='Upload an evidence file (stored once per content hash)', tag='submissions',
       body_media='application/octet-stream', responses={201: s.EvidenceOut, 200: s.EvidenceOut},
       description='The raw bytes of a JPEG, PNG or WebP photo, or a PDF. The type is read from the bytes; '
                   'photos are re-encoded without EXIF/GPS. Sending the same bytes again returns the same '
                   'ref with status 200. Optional ?filename=.',
       headers=[{'name': 'X-Filename', 'in': 'header', 'required': False,
                 'schema': {'type': 'string', 'maxLength': 255}}])
def upload_evidence() -> Response:
    from inspect_flow.evidence.models import EvidenceFile
    from inspect_flow.evidence.operations import MAX_BYTES, store_evidence

    length = request.content_length
    if length is not None and length > MAX_BYTES:
        raise InvalidInput('evidence.too_large', f'Tệp quá lớn: tối đa {MAX_BYTES // (1024 * 1024)} MB.',
                           f'The file is too large: at most {MAX_BYTES // (1024 * 1024)} MB.', field='file')
    data = request.get_data(cache=False)
    name = (request.headers.get('X-Filename') or '')[:255]
    name = ''.join(ch for ch in name if ch.isprintable())
    before = db().scalar(sa.select(sa.func.count()).select_from(EvidenceFile))
    row = store_evidence(db(), data, filename=name, actor=actor(), uploaded_by=user().id)
    after = db().scalar(sa.select(sa.func.count()).select_from(EvidenceFile))
    payload = evidence_out(row)
    commit()
    return out(s.EvidenceOut, payload, 201 if after > before else 200)


@route('GET', '/evidence/{ref}', summary='Metadata of an evidence file', tag='submissions',
       responses={200: s.EvidenceOut},
       description='Only for a user who uploaded the file, or who may see a visit, finding or follow-up report '
                   'that holds it; any other reference answers 404, as an unknown one does.')
def get_evidence(ref: str) -> Response:
    from inspect_flow.evidence.operations import visible_evidence

    return out(s.EvidenceOut, evidence_out(visible_evidence(db(), user(), ref)))


# --- findings -----------------------------------------------------------------------------------------

@route('GET', '/findings', summary='Findings the user may see', tag='findings', query=s.FindingQuery,
       responses={200: s.Page[s.FindingOut]})
def list_findings() -> Response:
    from inspect_flow.findings.models import Finding

    q = parse_query(s.FindingQuery)
    query = sa.select(Finding)
    for column, value in ((Finding.plan_id, q.plan_id), (Finding.visit_id, q.visit_id), (Finding.kind, q.kind),
                          (Finding.status, q.status)):
        if value:
            query = query.where(column == value)
    return page_out(s.FindingOut, _page(query, Finding.id, q, _finding_visible, finding_out))


@route('GET', '/findings/{finding_id}', summary='One finding', tag='findings', responses={200: s.FindingOut})
def get_finding(finding_id: str) -> Response:
    finding = load_finding(finding_id)
    return out(s.FindingOut, finding_out(finding), headers={'ETag': f'"{finding.version_id}"'})


@route('PATCH', '/findings/{finding_id}', summary='Edit a finding (optimistic: If-Match or version)',
       tag='findings', body=s.FindingPatch, headers=[IF_MATCH], responses={200: s.FindingOut})
def patch_finding(finding_id: str) -> Response:
    from inspect_flow.findings.models import FindingKind, FindingStatus, Severity
    from inspect_flow.findings.operations import update_finding

    finding = load_finding(finding_id)
    body, _raw = parse_body(s.FindingPatch)
    require(access.can_decide_finding(user(), finding))
    values = body.model_dump(exclude_unset=True, exclude={'version'})
    for key, enum in (('kind', FindingKind), ('severity', Severity), ('status', FindingStatus)):
        if values.get(key) is not None:
            values[key] = enum(values[key])
    for key in ('kind', 'category', 'text', 'status', 'evidence'):
        if key in values and values[key] is None:
            values.pop(key)
    update_finding(db(), finding, values, actor=actor(), expected_version=if_match(body.version), by=user())
    payload = finding_out(finding)
    commit()
    return out(s.FindingOut, payload, headers={'ETag': f'"{finding.version_id}"'})


@route('POST', '/findings/{finding_id}/withdraw',
       summary='Withdraw an accepted finding, with the reason (until the documents carrying it are issued)',
       tag='findings', body=s.WithdrawBody, headers=[IF_MATCH], responses={200: s.FindingOut})
def withdraw_finding(finding_id: str) -> Response:
    from inspect_flow.findings.operations import withdraw_finding as withdraw

    finding = load_finding(finding_id)
    body, _raw = parse_body(s.WithdrawBody)
    require(access.can_decide_finding(user(), finding))
    withdraw(db(), finding, reason=body.reason, actor=actor(), expected_version=if_match(body.version))
    payload = finding_out(finding)
    commit()
    return out(s.FindingOut, payload, headers={'ETag': f'"{finding.version_id}"'})


# --- conclusions --------------------------------------------------------------------------------------

def load_conclusion(conclusion_id: str):  # noqa: ANN201
    from inspect_flow.findings.models import Conclusion
    from inspect_flow.plans.models import Plan

    conclusion = db().get(Conclusion, parse_id(conclusion_id, 'conclusion'))
    if conclusion is None or not access.can_view_conclusion(user(), conclusion, db().get(Plan, conclusion.plan_id)):
        raise not_found('conclusion')
    return conclusion


@route('GET', '/conclusions/{conclusion_id}', summary='One conclusion (a unit\'s overall assessment)',
       tag='conclusions', responses={200: s.ConclusionOut})
def get_conclusion(conclusion_id: str) -> Response:
    conclusion = load_conclusion(conclusion_id)
    return out(s.ConclusionOut, conclusion_out(conclusion), headers={'ETag': f'"{conclusion.version_id}"'})


@route('PATCH', '/conclusions/{conclusion_id}',
       summary='Edit a conclusion\'s overall assessment (optimistic: If-Match or version; until its notice is issued)',
       tag='conclusions', body=s.ConclusionPatch, headers=[IF_MATCH], responses={200: s.ConclusionOut})
def patch_conclusion(conclusion_id: str) -> Response:
    from inspect_flow.findings.operations import update_conclusion
    from inspect_flow.plans.models import Plan

    conclusion = load_conclusion(conclusion_id)
    body, _raw = parse_body(s.ConclusionPatch)
    require(access.can_edit_conclusion(user(), conclusion, db().get(Plan, conclusion.plan_id)))
    update_conclusion(db(), conclusion, {'summary': body.summary}, actor=actor(),
                      expected_version=if_match(body.version))
    payload = conclusion_out(conclusion)
    commit()
    return out(s.ConclusionOut, payload, headers={'ETag': f'"{conclusion.version_id}"'})


# --- recommendations and follow-up reports ------------------------------------------------------------

@route('GET', '/recommendations', summary='Recommendations the user may see', tag='recommendations',
       query=s.RecommendationQuery, responses={200: s.Page[s.RecommendationOut]})
def list_recommendations() -> Response:
    from inspect_flow.findings.models import Recommendation

    q = parse_query(s.RecommendationQuery)
    query = sa.select(Recommendation)
    for column, value in ((Recommendation.plan_id, q.plan_id), (Recommendation.state, q.state),
                          (Recommendation.addressee_unit_id, q.addressee_unit_id)):
        if value:
            query = query.where(column == value)
    return page_out(s.RecommendationOut, _page(query, Recommendation.id, q, _rec_visible, rec_out))


@route('GET', '/recommendations/{recommendation_id}', summary='One recommendation with its follow-up reports',
       tag='recommendations', responses={200: s.RecommendationOut})
def get_recommendation(recommendation_id: str) -> Response:
    rec = load_rec(recommendation_id)
    return out(s.RecommendationOut, rec_out(rec), headers={'ETag': f'"{rec.version_id}"'})


@route('POST', '/recommendations/{recommendation_id}/reports',
       summary='Report progress on a recommendation (its addressee)', tag='recommendations', body=s.ReportBody,
       headers=[IF_MATCH], responses={201: s.RecommendationOut})
def post_report(recommendation_id: str) -> Response:
    from inspect_flow.findings.operations import report_progress

    rec = load_rec(recommendation_id)
    body, _raw = parse_body(s.ReportBody)
    require(access.can_report_progress(user(), rec))
    expected = if_match(body.version)
    if expected is not None and expected != rec.version_id:
        raise stale_version()
    report_progress(db(), rec, text=body.text, reported_by=user().full_name, actor=actor(),
                    completed=body.completed, evidence=body.evidence, report_date=body.report_date, by=user())
    payload = rec_out(rec)
    commit()
    return out(s.RecommendationOut, payload, 201, headers={'ETag': f'"{rec.version_id}"'})


def _require_rec_editor(rec) -> None:  # noqa: ANN001
    from inspect_flow.plans.models import Plan

    require(rec.conclusion is not None
            and access.can_edit_conclusion(user(), rec.conclusion, db().get(Plan, rec.plan_id)))


@route('PATCH', '/recommendations/{recommendation_id}',
       summary='Edit a recommendation (optimistic: If-Match or version; until its notice is issued)',
       tag='recommendations', body=s.RecommendationPatch, headers=[IF_MATCH], responses={200: s.RecommendationOut})
def patch_recommendation(recommendation_id: str) -> Response:
    from inspect_flow.findings.operations import get_finding, update_recommendation

    rec = load_rec(recommendation_id)
    body, _raw = parse_body(s.RecommendationPatch)
    _require_rec_editor(rec)
    values = body.model_dump(exclude_unset=True, exclude={'version', 'finding_id'})
    for key in ('text', 'addressee_label'):
        if key in values and values[key] is None:
            values.pop(key)
    if 'finding_id' in body.model_fields_set:
        values['finding'] = get_finding(db(), body.finding_id) if body.finding_id is not None else None
    update_recommendation(db(), rec, values, actor=actor(), expected_version=if_match(body.version))
    payload = rec_out(rec)
    commit()
    return out(s.RecommendationOut, payload, headers={'ETag': f'"{rec.version_id}"'})


@route('POST', '/recommendations/{recommendation_id}/withdraw',
       summary='Withdraw a recommendation, with the reason (until its notice is issued)', tag='recommendations',
       body=s.WithdrawBody, headers=[IF_MATCH], responses={200: s.RecommendationOut})
def withdraw_recommendation(recommendation_id: str) -> Response:
    from inspect_flow.findings.operations import withdraw_recommendation as withdraw

    rec = load_rec(recommendation_id)
    body, _raw = parse_body(s.WithdrawBody)
    _require_rec_editor(rec)
    withdraw(db(), rec, reason=body.reason, actor=actor(), expected_version=if_match(body.version))
    payload = rec_out(rec)
    commit()
    return out(s.RecommendationOut, payload, headers={'ETag': f'"{rec.version_id}"'})


# --- documents ----------------------------------------------------------------------------------------

@route('GET', '/documents', summary='Documents of the rounds the user may see', tag='documents',
       query=s.DocumentQuery, responses={200: s.Page[s.DocumentOut]})
def list_documents() -> Response:
    from inspect_flow.documents.models import IssuedDocument

    q = parse_query(s.DocumentQuery)
    query = sa.select(IssuedDocument)
    if q.plan_id:
        query = query.where(IssuedDocument.plan_id == q.plan_id)
    if q.state:
        query = query.where(IssuedDocument.state == q.state)
    return page_out(s.DocumentOut, _page(query, IssuedDocument.id, q, _doc_visible, document_out))


@route('GET', '/documents/{document_id}', summary='Metadata of a document', tag='documents',
       responses={200: s.DocumentOut})
def get_document(document_id: str) -> Response:
    return out(s.DocumentOut, document_out(load_document(document_id)))


@route('GET', '/documents/{document_id}/pdf', summary='The frozen PDF of an issued document', tag='documents',
       responses={200: 'application/pdf'})
def get_document_pdf(document_id: str) -> Response:
    from inspect_flow.documents.models import DocumentState

    doc = load_document(document_id)
    if doc.state != DocumentState.issued or doc.pdf is None:  # only an issued document has a frozen PDF
        raise not_found('document_pdf')
    return Response(doc.pdf, mimetype='application/pdf', headers={
        'Content-Disposition': f'attachment; filename="document-{doc.id}.pdf"', 'ETag': f'"{doc.sha256}"'})


@route('POST', '/documents/{document_id}/replace',
       summary='Start preparing a replacement of an issued document: what it carries can be corrected again until '
               'the replacement is issued', tag='documents', body=s.ReplaceBody, responses={201: s.ReplacementOut})
def replace_document(document_id: str) -> Response:
    from inspect_flow.documents.operations import open_replacement
    from inspect_flow.plans.models import Plan

    doc = load_document(document_id)
    body, _raw = parse_body(s.ReplaceBody)
    require(access.can_issue_documents(user(), db().get(Plan, doc.plan_id)))
    rep = open_replacement(db(), doc, reason=body.reason, actor=actor())
    payload = {'id': rep.id, 'document_id': rep.document_id, 'reason': rep.reason, 'opened_by': rep.opened_by,
               'opened_dt': rep.opened_dt, 'replaced_by_id': rep.replaced_by_id, 'closed_dt': rep.closed_dt}
    commit()
    return out(s.ReplacementOut, payload, 201)


# --- tokens and webhooks ------------------------------------------------------------------------------

def token_out(tk) -> dict:  # noqa: ANN001
    return {'id': tk.id, 'name': tk.name, 'prefix': tk.prefix, 'created_dt': tk.created_dt,
            'last_used_dt': tk.last_used_dt, 'revoked_dt': tk.revoked_dt}


@route('GET', '/tokens', summary='The user\'s own API tokens', tag='tokens', responses={200: s.Page[s.TokenOut]})
def list_tokens() -> Response:
    from inspect_flow.integrations.tokens import list_tokens as tokens

    return page_out(s.TokenOut, {'items': [token_out(tk) for tk in tokens(db(), user())], 'next_cursor': None})


@route('DELETE', '/tokens/{token_id}', summary='Revoke one of the user\'s tokens', tag='tokens',
       responses={200: s.TokenOut})
def revoke_token(token_id: str) -> Response:
    from inspect_flow.integrations.tokens import get_token
    from inspect_flow.integrations.tokens import revoke_token as revoke

    token = get_token(db(), parse_id(token_id, 'token'))
    if token.user_id != user().id and not access.is_admin(user()):
        raise not_found('token')
    revoke(db(), token)
    payload = token_out(token)
    commit()
    return out(s.TokenOut, payload)


def webhook_out(sub, *, secret: bool = False) -> dict:  # noqa: ANN001
    from inspect_flow.integrations.webhooks import signing_secrets

    return {'id': sub.id, 'url': sub.url, 'events': list(sub.events), 'description': sub.description,
            'is_active': sub.is_active, 'created_dt': sub.created_dt, 'secret': sub.secret if secret else None,
            'previous_secret_until': sub.previous_secret_until if len(signing_secrets(sub)) > 1 else None}


def _require_admin() -> None:
    if not access.is_admin(user()):
        raise forbidden()


@route('GET', '/webhooks', summary='Webhook subscriptions (administrators)', tag='webhooks',
       responses={200: s.Page[s.WebhookOut]})
def list_webhooks() -> Response:
    from inspect_flow.integrations.webhooks import list_subscriptions

    _require_admin()
    return page_out(s.WebhookOut, {'items': [webhook_out(x) for x in list_subscriptions(db())], 'next_cursor': None})


@route('POST', '/webhooks', summary='Subscribe a URL to events (administrators)', tag='webhooks',
       body=s.WebhookBody, responses={201: s.WebhookOut})
def create_webhook() -> Response:
    from inspect_flow.integrations.webhooks import create_subscription

    _require_admin()
    body, _raw = parse_body(s.WebhookBody)
    sub = create_subscription(db(), url=body.url, events=list(body.events), secret=body.secret,
                              description=body.description, actor=actor())
    payload = webhook_out(sub, secret=True)
    commit()
    return out(s.WebhookOut, payload, 201)


@route('DELETE', '/webhooks/{webhook_id}', summary='Deactivate a subscription (administrators)', tag='webhooks',
       responses={200: s.WebhookOut})
def delete_webhook(webhook_id: str) -> Response:
    from inspect_flow.integrations.webhooks import deactivate_subscription, get_subscription

    _require_admin()
    sub = get_subscription(db(), parse_id(webhook_id, 'webhook'))
    deactivate_subscription(db(), sub)
    payload = webhook_out(sub)
    commit()
    return out(s.WebhookOut, payload)


@route('POST', '/webhooks/{webhook_id}/secret', summary='Rotate the signing secret (administrators)',
       tag='webhooks', body=s.RotateBody, responses={200: s.WebhookOut},
       description='Returns the new secret once. For `overlap_hours` (default 24) deliveries carry two '
                   'signatures, `sha256=<new>, sha256=<old>`, so the receiver can switch at any moment.')
def rotate_webhook_secret(webhook_id: str) -> Response:
    from datetime import timedelta

    from inspect_flow.integrations.webhooks import get_subscription, rotate_secret

    _require_admin()
    sub = get_subscription(db(), parse_id(webhook_id, 'webhook'))
    body, _raw = parse_body(s.RotateBody)
    rotate_secret(db(), sub, overlap=timedelta(hours=body.overlap_hours), secret=body.secret)
    payload = webhook_out(sub, secret=True)
    commit()
    return out(s.WebhookOut, payload)


@route('GET', '/webhooks/{webhook_id}/deliveries', summary='The delivery log of a subscription (administrators)',
       tag='webhooks', responses={200: s.Page[s.DeliveryOut]})
def list_deliveries(webhook_id: str) -> Response:
    from inspect_flow.integrations.webhooks import get_subscription
    from inspect_flow.integrations.webhooks import list_deliveries as deliveries

    _require_admin()
    sub = get_subscription(db(), parse_id(webhook_id, 'webhook'))
    items = [{'id': d.id, 'delivery_id': d.delivery_id, 'event': d.event, 'state': d.state, 'attempts': d.attempts,
              'next_attempt_dt': d.next_attempt_dt, 'delivered_dt': d.delivered_dt, 'payload': d.payload,
              'log': [{'attempt': a.attempt, 'status_code': a.status_code, 'error': a.error,
                       'duration_ms': a.duration_ms, 'created_dt': a.created_dt} for a in d.log]}
             for d in deliveries(db(), subscription_id=sub.id)]
    return page_out(s.DeliveryOut, {'items': items, 'next_cursor': None})


# --- exports ------------------------------------------------------------------------------------------

@route('GET', '/plans/{plan_id}/export.xlsx', summary="The round's workbook (XLSX)", tag='plans',
       responses={200: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'},
       description='Plan, teams, visits, answers by checklist item, households, findings, conclusions, '
                   'recommendations and follow-up reports, holding only what the caller may see. Headers in the '
                   "request's language.")
def export_plan_xlsx(plan_id: str) -> Response:
    import io

    from inspect_flow.exports import operations as ops

    plan = load_plan(plan_id)
    require(access.can_export_plan(user(), plan))
    buf = io.BytesIO()
    ops.export_round_xlsx(db(), plan, buf, lang=lang(), sight=access.export_sight(user(), plan))
    return Response(buf.getvalue(), mimetype=ops.XLSX_MIME, headers={
        'Content-Disposition': f'attachment; filename="{ops.file_stem(plan)}.xlsx"'})


@route('GET', '/plans/{plan_id}/export-csv.zip', summary="The round's tables as CSV files in a ZIP archive",
       tag='plans', responses={200: 'application/zip'},
       description='One CSV per table, UTF-8 with a BOM, holding only what the caller may see.')
def export_plan_csv(plan_id: str) -> Response:
    from inspect_flow.exports import operations as ops

    plan = load_plan(plan_id)
    require(access.can_export_plan(user(), plan))
    data = ops.export_round_csv_zip(db(), plan, lang=lang(), sight=access.export_sight(user(), plan))
    return Response(data, mimetype='application/zip', headers={
        'Content-Disposition': f'attachment; filename="{ops.file_stem(plan)}-csv.zip"'})
