"""The Flask application: configuration, extensions, blueprints, one database session per request.

The session is committed once at the edge (teardown) or rolled back on any error, Indico's
``RH.process``. Every error handler rolls back explicitly: an exception a handler turns into a page
never reaches the teardown as an error.
"""

from __future__ import annotations

import functools
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, g, redirect, request, session, url_for
from flask_babel import Babel
from flask_login import LoginManager, current_user, login_required
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.middleware.proxy_fix import ProxyFix

from inspect_flow.core.db import make_engine, make_session_factory
from inspect_flow.core.errors import LANGUAGE, DomainError
from inspect_flow.intake import operations as intake
from inspect_flow.intake.writer import IntakeWriter
from inspect_flow.integrations.tokens import TokenCache
from inspect_flow.paths import templates_dir
from inspect_flow.tasks.app import celery_init_app, in_process, workers_health
from inspect_flow.web.serving import health, instance_folder, instance_secret

STATIC_DIR = Path(__file__).resolve().parent / 'static'
LANGUAGES = ('vi', 'en')
#: What an anonymous visitor may reach: the login page, the health check, static assets and the language switch.
#: Everything else redirects to the login page (401 for JSON). The API (``api_v1``) authenticates each request
#: with its token and answers 401 itself; its contract (OpenAPI document and docs page) is public.
PUBLIC_ENDPOINTS = frozenset({'auth.login', 'auth.set_language', 'healthz', 'static', 'offline.service_worker'})
#: Blueprints that authenticate each request with a token (no session, no cookies, no CSRF): the JSON API, and the
#: OpenRosa server for ODK Collect (``/v1/key/<token>/…``), which answers a bad token 403 itself.
TOKEN_BLUEPRINTS = frozenset({'api_v1', 'openrosa'})
METHOD_NOT_ALLOWED = ('Phương thức không được phép.', 'Method not allowed.')

login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


def select_locale() -> str:
    """The interface language: the user's choice kept in the session, Vietnamese by default."""
    lang = session.get('lang')
    return lang if lang in LANGUAGES else 'vi'


def build_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application; see :func:`inspect_flow.create_app`."""
    from inspect_flow.core import config as config_file

    config_file.apply()  # the configuration file fills in the INSPECT_FLOW_* variables that are not set
    app = Flask('inspect_flow', template_folder=str(templates_dir()), static_folder=str(STATIC_DIR),
                instance_relative_config=True)
    instance = instance_folder()
    app.config.from_mapping(
        DATABASE_URL=os.environ.get('INSPECT_FLOW_DATABASE_URL'),
        # Without INSPECT_FLOW_SECRET_KEY: the key generated once into the instance folder (below).
        SECRET_KEY=os.environ.get('INSPECT_FLOW_SECRET_KEY'),
        MAX_CONTENT_LENGTH=16 * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE='Lax',
        # Browsers accept Secure cookies on http://localhost; serving on another host needs HTTPS,
        # or INSPECT_FLOW_INSECURE_COOKIES=1 on a trusted network.
        SESSION_COOKIE_SECURE=not os.environ.get('INSPECT_FLOW_INSECURE_COOKIES'),
        REMEMBER_COOKIE_SECURE=not os.environ.get('INSPECT_FLOW_INSECURE_COOKIES'),
        REMEMBER_COOKIE_HTTPONLY=True,
        # The absolute lifetime of a login, and how long it survives without a request (web/sessions.py).
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        SESSION_IDLE_TIMEOUT=timedelta(minutes=int(os.environ.get('INSPECT_FLOW_SESSION_IDLE_MINUTES') or 30)),
        # How many reverse proxies in front of the app set X-Forwarded-For (0: the peer is the client).
        TRUSTED_PROXIES=int(os.environ.get('INSPECT_FLOW_TRUSTED_PROXIES') or 0),
        # Field teams keep a form open for a whole working session.
        WTF_CSRF_TIME_LIMIT=12 * 3600,
        BABEL_DEFAULT_LOCALE='vi',
        BABEL_DEFAULT_TIMEZONE='Asia/Ho_Chi_Minh',
        UPLOAD_FOLDER=os.environ.get('INSPECT_FLOW_UPLOADS') or str(instance / 'uploads'),
        MAX_PHOTO_BYTES=8 * 1024 * 1024,
        MAX_FILE_BYTES=12 * 1024 * 1024,
    )
    if config:
        app.config.update(config)
    if not app.config['SECRET_KEY']:
        # every process (each gunicorn worker) reads the same key: never one random key per process
        app.config['SECRET_KEY'] = instance_secret(instance)
    if app.config['TRUSTED_PROXIES']:
        # request.remote_addr (the login limit's address) is then the client as the nearest proxy saw it, and
        # the scheme (https) the one the client used
        proxies = int(app.config['TRUSTED_PROXIES'])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    engine = make_engine(app.config['DATABASE_URL'])
    app.extensions['inspect_flow.engine'] = engine
    app.extensions['inspect_flow.sessions'] = make_session_factory(engine)
    # The asynchronous API intake's group commit (its thread starts on first use, in each worker process).
    app.extensions['inspect_flow.intake_writer'] = IntakeWriter(engine, vet=intake.vet)
    app.extensions['inspect_flow.token_cache'] = TokenCache()
    # Background work on Celery (in process when no broker is configured); /healthz asks the workers if any.
    celery_init_app(app)
    if not in_process(app):
        app.extensions['inspect_flow.workers_health'] = functools.partial(workers_health, app)

    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.login_view = 'auth.login'
    login_manager.session_protection = 'strong'

    from inspect_flow.web import filters, helpers, sessions

    filters.init_app(app)
    sessions.init_app(app)
    app.url_map.converters['int'] = helpers.IdConverter  # ids in page URLs: 1 … 2^31-1, else 404

    @login_manager.user_loader
    def _load_user(user_id: str):  # noqa: ANN202
        from inspect_flow.accounts.models import User

        user = helpers.db().get(User, int(user_id)) if str(user_id).isdigit() and len(str(user_id)) < 10 else None
        if user is None or not user.is_active or not sessions.matches(user):
            return None
        return helpers.WebUser(user)

    @login_manager.unauthorized_handler
    def _unauthorized():  # noqa: ANN202
        if request.accept_mimetypes.best == 'application/json' or request.is_json:
            return {'error': 'login required'}, 401
        sessions.tell_why()
        return redirect(url_for('auth.login', next=sessions.return_path()))

    @app.before_request
    def _login_first():  # noqa: ANN202
        """Deny by default: a page added without ``@login_required`` is still closed to anonymous visitors."""
        if isinstance(request.routing_exception, MethodNotAllowed):  # 405 with Allow: it shows no data
            return None
        if request.blueprint in TOKEN_BLUEPRINTS or request.endpoint in PUBLIC_ENDPOINTS:
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return None

    @app.before_request
    def _language() -> None:
        if request.blueprint not in TOKEN_BLUEPRINTS:  # these take their language from Accept-Language
            g.lang_token = LANGUAGE.set(select_locale())

    @app.after_request
    def _headers(response):  # noqa: ANN001, ANN202
        response.headers.setdefault('X-Content-Type-Options', 'nosniff')
        response.headers.setdefault('X-Frame-Options', 'DENY')
        response.headers.setdefault('Referrer-Policy', 'same-origin')
        response.headers.setdefault(
            'Content-Security-Policy',
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
        # API answers are per token; pages per session (the API never looks at the session cookie)
        if request.blueprint in TOKEN_BLUEPRINTS or current_user.is_authenticated:
            response.headers.setdefault('Cache-Control', 'no-store')
        return response

    @app.teardown_request
    def _end_session(exc: BaseException | None) -> None:
        token = g.pop('lang_token', None)
        if token is not None:
            LANGUAGE.reset(token)
        db_sess = g.pop('db_session', None)
        if db_sess is None:
            return
        try:
            if exc is None and not g.get('rolled_back'):
                db_sess.commit()
            else:
                db_sess.rollback()
        finally:
            db_sess.close()
            lock = g.pop('db_writer', None)
            if lock is not None:
                lock.release()

    @app.errorhandler(DomainError)
    def _domain_error(exc: DomainError):  # noqa: ANN202
        helpers.rollback()
        if request.is_json or request.accept_mimetypes.best == 'application/json':
            return {'error': exc.code, 'message': exc.message, 'field': exc.field}, exc.status
        return helpers.render('web/error.html', status=exc.status, message=exc.message), exc.status

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError):  # noqa: ANN202
        helpers.rollback()
        msg = helpers.t('Phiên làm việc của biểu mẫu đã hết hạn hoặc không hợp lệ (CSRF). '
                        'Hãy tải lại trang rồi gửi lại.',
                        'The form session has expired or is invalid (CSRF). Reload the page and send it again.')
        if request.is_json:
            return {'error': 'csrf', 'message': msg}, 400
        return helpers.render('web/error.html', status=400, message=msg), 400

    for code, vi, en in (
        (403, 'Bạn không có quyền làm việc này.', 'You are not allowed to do this.'),
        (404, 'Không tìm thấy trang hoặc dữ liệu này.', 'This page or record was not found.'),
        (413, 'Tệp tải lên quá lớn.', 'The uploaded file is too large.'),
        (400, 'Yêu cầu không hợp lệ.', 'Bad request.'),
    ):
        app.register_error_handler(code, helpers.http_error_handler(code, vi, en))

    @app.errorhandler(MethodNotAllowed)
    def _method_not_allowed(exc: MethodNotAllowed):  # noqa: ANN202
        helpers.rollback()
        allow = ', '.join(sorted(exc.valid_methods or ()))
        if request.path == '/api/v1' or request.path.startswith('/api/v1/'):
            # routing failed, so the API blueprint's own handlers are not asked: answer as they would
            from inspect_flow.api.core import http_problem

            return http_problem(exc)
        if request.is_json or request.accept_mimetypes.best == 'application/json':
            response = app.make_response(({'error': 405, 'message': helpers.t(*METHOD_NOT_ALLOWED)}, 405))
        else:
            response = app.make_response((helpers.render('web/error.html', status=405,
                                                         message=helpers.t(*METHOD_NOT_ALLOWED)), 405))
        response.headers['Allow'] = allow
        return response

    from inspect_flow.web import (
        audit,
        auth,
        bodies,
        dashboard,
        documents,
        findings,
        follow_up,
        inbox,
        offline,
        pick,
        plans,
        reminders,
        schedule,
        teams,
        units,
        visits,
        work,
    )

    for module in (auth, plans, teams, schedule, visits, findings, documents, inbox, dashboard, audit, units, pick,
                   bodies, reminders, work, follow_up, offline):
        app.register_blueprint(module.bp)
    __import__('inspect_flow.api', fromlist=['init_app']).init_app(app)  # JSON API /api/v1 (bearer tokens)
    from inspect_flow.openrosa.views import bp as openrosa_bp

    csrf.exempt(openrosa_bp)
    app.register_blueprint(openrosa_bp)  # OpenRosa 1.0 for ODK Collect / KoboCollect: /v1/key/<token>/…

    @app.get('/healthz')
    def healthz():  # noqa: ANN202
        return health(app)  # templates, database, migrations, workers: 200, or 503 naming what fails

    @app.get('/')
    @login_required
    def index():  # noqa: ANN202
        if current_user.role.value in ('admin', 'secretariat'):
            return redirect(url_for('plans.plans_list'))
        return redirect(url_for('work.my_work_page'))  # members, leaders, local officials: their own work

    return app


def db_session():  # noqa: ANN201
    """Return this request's session (opened on first use)."""
    from inspect_flow.web.helpers import db

    return db()
