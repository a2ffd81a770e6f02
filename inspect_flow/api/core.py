"""Request plumbing of the API: session, language, bearer auth, body parsing, problem documents."""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Response, current_app, g, has_request_context, request
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from inspect_flow.accounts.models import User
from inspect_flow.api import bp
from inspect_flow.api.spec import OPERATIONS, Operation, flask_rule
from inspect_flow.core import limits, problems
from inspect_flow.core.db import request_session
from inspect_flow.core.errors import (
    DB_CONFLICT,
    LANGUAGE,
    DomainError,
    Forbidden,
    InvalidInput,
    Unauthorized,
    not_found,
    stale_version,
)
from inspect_flow.integrations.tokens import TokenUse

log = logging.getLogger(__name__)
PROBLEM = 'application/problem+json'


def lang() -> str:
    if not has_request_context():  # the intake worker: the language recorded with the submission
        return 'en' if LANGUAGE.get() == 'en' else 'vi'
    header = request.headers.get('Accept-Language', '')
    for part in header.split(','):
        code = part.split(';', 1)[0].strip().lower()
        if code.startswith('en'):
            return 'en'
        if code.startswith('vi'):
            return 'vi'
    return 'vi'


def t(vi: str, en: str) -> str:
    return en if lang() == 'en' else vi


# --- session and auth -------------------------------------------------------------------------------------

def db() -> Session:
    """This request's session: a GET only reads (no SQLite write lock), any other method queues with the
    other writers first (see :func:`~inspect_flow.core.db.request_session`). (A view that only reads and hands
    its writes to a writer uses :func:`read_connection` instead.)
    """
    if 'api_session' not in g:
        g.api_session, g.api_writer = request_session(current_app.extensions['inspect_flow.sessions'],
                                                      writes=request.method not in ('GET', 'HEAD'))
    return g.api_session


def read_connection() -> sa.Connection:
    """A plain connection for a view that only reads and hands its writes to a writer (``route(reads=…)``):
    cheaper than a session, and without a transaction (each statement sees what is committed when it runs;
    on PostgreSQL no BEGIN and ROLLBACK round trips)."""
    if 'api_conn' not in g:
        g.api_conn = current_app.extensions['inspect_flow.engine'].connect().execution_options(
            isolation_level='AUTOCOMMIT')
    return g.api_conn


def commit() -> None:
    """Commit this request's work, recording the token's use with it (at most every few minutes)."""
    from inspect_flow.integrations.tokens import record_use

    sess = db()
    use = g.get('api_token_use')
    if use is not None and use.record:
        record_use(sess, use)
    sess.commit()


def user() -> User:
    return g.api_user


def token_use() -> TokenUse:
    """The token this request authenticated with."""
    return g.api_token_use


def _same_origin() -> bool:
    """The request comes from a page of this site (``Origin`` and ``Sec-Fetch-Site``, when sent, say so)."""
    origin = request.headers.get('Origin')
    if origin is not None and origin.rstrip('/') != request.host_url.rstrip('/'):
        return False
    return request.headers.get('Sec-Fetch-Site', 'same-origin') in ('same-origin', 'none')


def _browser_user() -> User | None:
    """The user of a same-origin browser call made with the page's login session (no bearer token): the
    offline queue of the visit form. A call that changes data must carry the page's CSRF token in
    ``X-CSRFToken`` and come from this site's own pages.

    :raise Forbidden: ``csrf.invalid`` (the page may fetch a fresh token and retry)
    """
    from flask_wtf.csrf import validate_csrf
    from wtforms import ValidationError as CSRFInvalid

    from inspect_flow.web import sessions

    uid = sessions.browser_user_id()
    if uid is None:
        return None
    found = db().get(User, uid)
    if found is None or not found.is_active or not sessions.stamped_for(found):
        return None
    if request.method not in ('GET', 'HEAD'):
        try:
            if not _same_origin():
                raise CSRFInvalid('cross-origin')
            validate_csrf(request.headers.get('X-CSRFToken'))
        except CSRFInvalid:
            raise Forbidden('csrf.invalid', 'Mã chống giả mạo (CSRF) của trang đã hết hạn hoặc không hợp lệ.',
                            'The page\'s CSRF token has expired or is invalid.') from None
    return found


def _authenticate(*, cached: bool = False, browser: bool = False) -> User:
    """The token's user; with *cached*, a snapshot from the process's token cache (see ``TokenCache``).

    With *browser* (a route the visit form's offline queue calls), a request without ``Authorization`` may be
    authenticated by the page's login session instead (:func:`_browser_user`).
    """
    from inspect_flow.integrations.tokens import authenticate_token

    header = request.headers.get('Authorization', '')
    if browser and not header:
        found_user = _browser_user()
        if found_user is not None:
            g.api_token_use = None
            return found_user
    scheme, _, secret = header.partition(' ')
    found = None
    if scheme.lower() == 'bearer' and secret.strip():
        if cached:  # a miss reads in a short session of its own: the request holds one connection at a time
            found = current_app.extensions['inspect_flow.token_cache'].authenticate(
                current_app.extensions['inspect_flow.sessions'], secret.strip())
        else:
            found = authenticate_token(db(), secret.strip())
    if found is None:
        raise Unauthorized('auth.required', 'Cần mã truy cập hợp lệ (Authorization: Bearer …).',
                           'A valid API token is required (Authorization: Bearer …).')
    g.api_token_use = found
    return found.user


@bp.before_request
def _before() -> None:
    g.api_lang_token = LANGUAGE.set(lang())


@bp.teardown_request
def _teardown(_exc: BaseException | None) -> None:
    conn = g.pop('api_conn', None)
    if conn is not None:
        conn.close()
    sess = g.pop('api_session', None)
    if sess is not None:
        try:
            sess.close()  # rolls back what was not committed
        finally:
            lock = g.pop('api_writer', None)
            if lock is not None:
                lock.release()
    token = g.pop('api_lang_token', None)
    if token is not None:
        LANGUAGE.reset(token)


# --- problems -----------------------------------------------------------------------------------------

def problem_body(status: int, code: str, detail: str, errors: list[dict] | None = None,
                 instance: str | None = None) -> dict:
    return problems.problem_body(status, code, detail, errors, instance=instance or request.path, lang=lang())


def domain_problem(exc: DomainError, instance: str | None = None) -> dict:
    """The problem document of a refusal, in the request's language."""
    return problems.domain_problem(exc, instance=instance or request.path, lang=lang())


def problem(status: int, code: str, detail: str, errors: list[dict] | None = None,
            headers: dict | None = None) -> Response:
    body = problem_body(status, code, detail, errors)
    resp = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM)
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def _rollback() -> None:
    sess = g.get('api_session')
    if sess is not None:
        sess.rollback()


def _field_errors(exc: DomainError) -> list[dict]:
    return problems.field_errors(exc, lang())


@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError) -> Response:
    _rollback()
    headers = {401: {'WWW-Authenticate': 'Bearer'}, 503: {'Retry-After': '1'}}.get(exc.status)
    return problem(exc.status, exc.code, exc.localized(lang()), _field_errors(exc), headers)


@bp.errorhandler(StaleDataError)
def _stale(_exc: Exception) -> Response:
    _rollback()
    return problem(409, 'stale_version', stale_version().localized(lang()))


@bp.errorhandler(HTTPException)
def http_problem(exc: HTTPException) -> Response:
    """An HTTP error as a problem document (also for the app's handler: a 405 fails routing before the
    blueprint is known, so the blueprint's handlers are not asked)."""
    _rollback()
    status = exc.code or 400
    vi, en = problems.TITLES.get(status, problems.TITLES[400])
    headers = {}
    if status == 405 and getattr(exc, 'valid_methods', None):
        headers['Allow'] = ', '.join(sorted(exc.valid_methods))
    return problem(status, f'http.{status}', en if lang() == 'en' else vi, headers=headers)


@bp.errorhandler(SQLAlchemyError)
def _db_error(exc: SQLAlchemyError) -> Response:
    _rollback()
    if isinstance(exc, OperationalError) and 'locked' in str(exc.orig).lower():
        log.warning('database busy: %s', exc.orig)
        return problem(503, 'db.busy', t('Cơ sở dữ liệu đang bận; hãy thử lại.', 'The database is busy; retry.'),
                       headers={'Retry-After': '1'})
    if isinstance(exc, IntegrityError):
        return problem(409, 'db.conflict', t(*DB_CONFLICT))
    log.exception('database error')
    return problem(503, 'db.unavailable', t('Không dùng được cơ sở dữ liệu; hãy thử lại.',
                                            'The database cannot be used right now; retry.'),
                   headers={'Retry-After': '1'})


# --- input ------------------------------------------------------------------------------------------------

def _reject_constant(name: str) -> Any:  # noqa: ANN401
    raise ValueError(f'{name} is not allowed')


def _check_text(value: Any, path: str = '', depth: int = 0) -> None:  # noqa: ANN401
    """Refuse what the databases cannot store: NUL and other C0 control characters, lone surrogates, text longer
    than any field takes (``inspect_flow.core.limits``), absurd nesting."""
    if depth > 40:
        raise InvalidInput('body.too_deep', 'Dữ liệu lồng nhau quá sâu.', 'The body is nested too deeply.',
                           field=path or None)
    if isinstance(value, str):
        if '\x00' in value:
            raise InvalidInput('body.nul', 'Chuỗi không được chứa ký tự NUL.', 'Text may not contain NUL characters.',
                               field=path or None)
        try:
            value.encode('utf-8')
        except UnicodeEncodeError:
            raise InvalidInput('body.bad_text', 'Chuỗi không phải UTF-8 hợp lệ.', 'Text is not valid UTF-8.',
                               field=path or None) from None
        limits.check_text(value, path or None)
    elif isinstance(value, dict):
        for k, v in value.items():
            _check_text(k, path, depth + 1)
            _check_text(v, f'{path}.{k}' if path else str(k), depth + 1)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _check_text(v, f'{path}.{i}' if path else str(i), depth + 1)
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**63 - 1:
        raise InvalidInput('body.number_too_large', 'Số quá lớn.', 'The number is too large.', field=path or None)
    elif isinstance(value, float) and not math.isfinite(value):
        raise InvalidInput('body.bad_number', 'Số không hợp lệ.', 'Invalid number.', field=path or None)


def json_body() -> Any:  # noqa: ANN401
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise InvalidInput('body.required', 'Thiếu nội dung JSON.', 'A JSON body is required.')
    try:
        data = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise InvalidInput('body.malformed', 'Nội dung không phải JSON hợp lệ.', 'The body is not valid JSON.') \
            from None
    _check_text(data)
    return data


def _validation_problem(exc: ValidationError, where: str) -> InvalidInput:
    errors = [{'field': '.'.join(str(p) for p in e['loc']) or where, 'message': e['msg']} for e in exc.errors()]
    listing = '; '.join(f"{e['field']}: {e['message']}" for e in errors[:5])
    return InvalidInput(f'{where}.invalid', f'Dữ liệu không hợp lệ: {listing}.', f'Invalid input: {listing}.',
                        details=errors)


def parse_body(model: type[BaseModel]) -> tuple[BaseModel, dict]:
    data = json_body()
    if not isinstance(data, dict):
        raise InvalidInput('body.not_object', 'Nội dung phải là một đối tượng JSON.', 'The body must be a JSON object.')
    try:
        return model.model_validate(data), data
    except ValidationError as exc:
        raise _validation_problem(exc, 'body') from None


def parse_query(model: type[BaseModel]) -> BaseModel:
    values = {}
    for key in request.args:
        items = request.args.getlist(key)
        value = items[-1]
        _check_text(value, key)
        values[key] = value
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise _validation_problem(exc, 'query') from None


def parse_id(value: str, what: str) -> int:
    """An id in a path: 1 … 2^31-1 (``inspect_flow.core.limits.MAX_ID``); anything else is unknown (404)."""
    number = limits.as_id(value)
    if number is None:
        raise not_found(what)
    return number


def if_match(body_version: int | None) -> int | None:
    """The base version of an edit: ``If-Match: "3"`` (or ``W/"3"``), else the body's ``version``."""
    header = request.headers.get('If-Match')
    if header:
        tag = header.strip().removeprefix('W/').strip('"')
        if not tag.isdigit() or len(tag) > 10:
            raise InvalidInput('if_match.invalid', 'If-Match phải là số phiên bản, ví dụ "3".',
                               'If-Match must be a version number, e.g. "3".', field='If-Match')
        return int(tag)
    return body_version


def json_response(model: BaseModel | dict, status: int = 200, headers: dict | None = None) -> Response:
    payload = model.model_dump(mode='json') if isinstance(model, BaseModel) else model
    resp = Response(json.dumps(payload, ensure_ascii=False), status=status, mimetype='application/json')
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


# --- routes -----------------------------------------------------------------------------------------------

BROWSER_NOTE = ('Also called by the web app\'s own pages (the visit form\'s offline queue) without a token: with '
                'the page\'s login session and, to change data, its CSRF token in `X-CSRFToken` (403 `csrf.invalid` '
                'otherwise).')


def route(method: str, path: str, *, summary: str, tag: str, responses: dict, query=None, body=None,  # noqa: ANN001
          body_media: str = 'application/json', auth: bool = True, headers: list | None = None,
          description: str = '', reads: bool | Callable[[], bool] = False, browser: bool = False) -> Callable:
    """Register a view on the blueprint and describe it in the OpenAPI document.

    :param reads: the view (or, if callable, this request) of a POST only reads (:func:`read_connection`) and
        hands its writes to a writer; it is authenticated through the token cache, and must check the token
        again where its writes are applied
    :param browser: a request without a token may use the page's login session, with the CSRF header
        (the visit form's offline queue; see :func:`_browser_user`)
    """

    if browser:
        description = (description + ' ' if description else '') + BROWSER_NOTE

    def decorator(func: Callable) -> Callable:
        op = Operation(method=method, path=path, name=func.__name__, summary=summary, tag=tag, responses=responses,
                       query=query, body=body, body_media=body_media, auth=auth, headers=headers or [],
                       description=description)
        OPERATIONS.append(op)

        def view(**kwargs: str) -> Response:
            only_reads = method not in ('GET', 'HEAD') and (reads() if callable(reads) else reads)
            if auth:
                g.api_user = _authenticate(cached=only_reads, browser=browser)
            return func(**kwargs)

        view.__name__ = func.__name__
        bp.add_url_rule(flask_rule(path), endpoint=func.__name__, view_func=view, methods=[method])
        return func

    return decorator


@bp.route('/<path:_rest>', methods=['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])
def _unknown(_rest: str) -> Response:
    # a path the API has, with another method: 405 naming the methods it takes
    adapter = current_app.create_url_adapter(request)
    allowed = set()
    for method in ('GET', 'POST', 'PUT', 'PATCH', 'DELETE'):
        try:
            endpoint, _ = adapter.match(method=method)
        except HTTPException:
            continue
        if endpoint != request.endpoint:
            allowed.add(method)
    if allowed:
        allowed |= {'HEAD', 'OPTIONS'} if 'GET' in allowed else {'OPTIONS'}
        return http_problem(MethodNotAllowed(sorted(allowed)))
    return problem(404, 'http.404', t('Không có đường dẫn này trong API.', 'No such path in the API.'))
