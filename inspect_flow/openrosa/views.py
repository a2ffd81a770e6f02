"""The OpenRosa 1.0 server as ODK Collect and KoboCollect reach it: ``/v1/key/<token>/…`` (a thin shell).

* ``GET formList``: the user's forms (one per visit they record); ``GET forms/<id>.xml``: a form;
  ``GET forms/<id>/manifest``: its media (listed only when it has some);
* ``HEAD submission``: 204 with the size a submission may have; ``POST submission``: multipart,
  ``xml_submission_file`` and the attachments; 201 with an ``OpenRosaResponse``.

Every answer carries ``X-OpenRosa-Version: 1.0``; errors are ``OpenRosaResponse`` documents too, with their
status: 400 (the XML, naming the problem), 403 (a bad or revoked token, a visit that is not the user's), 404
(no such form), 409 (instanceID reused for other bytes, a closed record), 413 (too large).
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, g, request, url_for
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import RequestEntityTooLarge

from inspect_flow.accounts import access
from inspect_flow.core.errors import LANGUAGE, DomainError
from inspect_flow.openrosa import documents
from inspect_flow.openrosa.forms import assigned_visits, is_open, visit_form, visit_id_of
from inspect_flow.openrosa.submissions import NotAllowed, receive
from inspect_flow.openrosa.tokens import authenticate
from inspect_flow.visits.models import Visit

bp = Blueprint('openrosa', __name__)
#: Every route's prefix: the app token in the path (a blueprint's url_prefix would squash the doubled slash below).
P = '/v1/key/<token>'


def _lang() -> str:
    best = request.accept_languages.best_match(['vi', 'en'])
    return best or 'vi'


def _t(vi: str, en: str) -> str:
    return en if g.get('openrosa_lang') == 'en' else vi


def xml_response(body: bytes, status: int = 200) -> Response:
    response = Response(body if request.method != 'HEAD' else b'', status=status, content_type=documents.CONTENT_TYPE)
    response.headers[documents.VERSION_HEADER[0]] = documents.VERSION_HEADER[1]
    return response


def error(status: int, vi: str, en: str) -> Response:
    return xml_response(documents.response(_t(vi, en), nature='error'), status)


@bp.url_value_preprocessor
def _pull_token(_endpoint, values) -> None:  # noqa: ANN001
    g.openrosa_token = (values or {}).pop('token', '')


@bp.url_defaults
def _add_token(_endpoint, values) -> None:  # noqa: ANN001
    if 'token' not in values and g.get('openrosa_token'):
        values['token'] = g.openrosa_token


@bp.before_request
def _authenticate():  # noqa: ANN202
    from inspect_flow.web.helpers import db

    g.openrosa_lang = _lang()
    g.openrosa_lang_token = LANGUAGE.set(g.openrosa_lang)
    use = authenticate(db(), g.openrosa_token)
    if use is None:
        return error(403, 'Mã ứng dụng không hợp lệ hoặc đã bị thu hồi.', 'The app token is not valid or was revoked.')
    g.openrosa_use = use
    return None


@bp.teardown_request
def _reset_language(_exc) -> None:  # noqa: ANN001
    token = g.pop('openrosa_lang_token', None)
    if token is not None:
        LANGUAGE.reset(token)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_exc):  # noqa: ANN001, ANN202
    from inspect_flow.web.helpers import rollback

    rollback()
    limit = current_app.config['MAX_CONTENT_LENGTH']
    return error(413, f'Bài gửi quá lớn: tối đa {limit} byte.', f'The submission is too large: at most {limit} bytes.')


@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError):  # noqa: ANN202
    from inspect_flow.web.helpers import rollback

    rollback()
    # bad content is 400 in OpenRosa (as ODK Central answers it), not the API's 422
    return error(400 if exc.status == 422 else exc.status, exc.message_vi, exc.message_en)


def _user():  # noqa: ANN202
    return g.openrosa_use.user


def _form_visit(form_id: str) -> Visit:
    """The visit a form id names, if the user records it and it is still open.

    :raise DomainError: 404 no such form; 403 a visit that is not the user's, or closed
    """
    from inspect_flow.core.errors import NotFound
    from inspect_flow.web.helpers import db

    visit_id = visit_id_of(form_id)
    visit = db().get(Visit, visit_id) if visit_id is not None else None
    if visit is None:
        raise NotFound('openrosa.no_form', f'Không có biểu mẫu "{form_id}".', f'There is no form "{form_id}".')
    if not access.can_edit_visit(_user(), visit) or not is_open(visit):
        raise NotAllowed('openrosa.not_yours', 'Biểu mẫu này không dành cho bạn.', 'This form is not yours.')
    return visit


@bp.get(f'{P}/formList')
def form_list() -> Response:
    from inspect_flow.web.helpers import db

    entries = []
    for visit in assigned_visits(db(), _user()):
        try:
            form = visit_form(visit)
        except DomainError:  # a checklist pyxform cannot convert: its download names why; the others are listed
            continue
        if form is None:
            continue
        manifest = url_for('.manifest', form_id=form.form_id, _external=True) if form.media else None
        entries.append((form, url_for('.form_xml', form_id=form.form_id, _external=True), manifest))
    return xml_response(documents.form_list(entries))


@bp.get(f'{P}/forms/<form_id>.xml')
def form_xml(form_id: str) -> Response:
    form = visit_form(_form_visit(form_id))
    if form is None:
        return error(404, f'Không có biểu mẫu "{form_id}".', f'There is no form "{form_id}".')
    return xml_response(form.xml)


@bp.get(f'{P}/forms/<form_id>/manifest')
def manifest(form_id: str) -> Response:
    form = visit_form(_form_visit(form_id))
    if form is None:
        return error(404, f'Không có biểu mẫu "{form_id}".', f'There is no form "{form_id}".')
    media = [(name, data, url_for('.media', form_id=form_id, name=name, _external=True)) for name, data in form.media]
    return xml_response(documents.manifest(media))


@bp.get(f'{P}/forms/<form_id>/media/<name>')
def media(form_id: str, name: str) -> Response:
    form = visit_form(_form_visit(form_id))
    for file_name, data in form.media if form is not None else ():
        if file_name == name:
            response = Response(data, content_type='application/octet-stream')
            response.headers[documents.VERSION_HEADER[0]] = documents.VERSION_HEADER[1]
            return response
    return error(404, f'Biểu mẫu không có tệp {name}.', f'The form has no file {name}.')


@bp.route(f'{P}/submission', methods=['HEAD', 'POST'])
def submission() -> Response:
    from inspect_flow.integrations.tokens import record_use
    from inspect_flow.web.helpers import db

    if request.method == 'HEAD':
        response = xml_response(b'', 204)
        response.headers['X-OpenRosa-Accept-Content-Length'] = str(current_app.config['MAX_CONTENT_LENGTH'])
        return response
    part = request.files.get('xml_submission_file')
    if part is None:
        return error(400, 'Thiếu phần xml_submission_file trong bài gửi (multipart/form-data).',
                     'The xml_submission_file part is missing (multipart/form-data).')
    xml = part.read()
    attachments = {}
    for key, storage in request.files.items(multi=True):
        if key == 'xml_submission_file':
            continue
        name = storage.filename or key
        attachments[name] = storage.read()
    session = db()
    use = g.openrosa_use
    kwargs = dict(user=use.user, token_id=use.token_id, xml=xml, attachments=attachments,
                  max_file_bytes=current_app.config.get('MAX_PHOTO_BYTES', 8 * 1024 * 1024))
    try:
        receipt = receive(session, **kwargs)
    except IntegrityError:
        # the same instance, sent at the same moment by another request that stored it first: answer as a resend
        session.rollback()
        receipt = receive(session, **kwargs)
    record_use(session, use)
    return xml_response(documents.response(_t(receipt.message_vi, receipt.message_en)), 201)


# The URL printed for Collect ends with a slash, and a client that appends "/formList" to it asks for
# "…/<token>//formList": answered as is (a redirect would lose a POST's body on some clients).
bp.add_url_rule(f'{P}//formList', 'form_list_slash', form_list, methods=['GET'], merge_slashes=False)
bp.add_url_rule(f'{P}//submission', 'submission_slash', submission, methods=['HEAD', 'POST'], merge_slashes=False)
