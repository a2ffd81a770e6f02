"""The Flask application: configuration, one database session per request, committed at the edge."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, g, render_template

from inspect_flow.core.db import make_engine, make_session_factory
from inspect_flow.paths import templates_dir


def build_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application; see :func:`inspect_flow.create_app`."""
    app = Flask('inspect_flow', template_folder=str(templates_dir()), instance_relative_config=True)
    app.config.from_mapping(
        DATABASE_URL=os.environ.get('INSPECT_FLOW_DATABASE_URL'),
        SECRET_KEY=os.environ.get('INSPECT_FLOW_SECRET_KEY') or os.urandom(32).hex(),
        MAX_CONTENT_LENGTH=16 * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE='Lax',
    )
    if config:
        app.config.update(config)
    engine = make_engine(app.config['DATABASE_URL'])
    app.extensions['inspect_flow.engine'] = engine
    app.extensions['inspect_flow.sessions'] = make_session_factory(engine)

    @app.teardown_request
    def _end_session(exc: BaseException | None) -> None:
        # Commit once at the edge, or roll back on any error (Indico's RH.process).
        session = g.pop('db_session', None)
        if session is None:
            return
        try:
            if exc is None:
                session.commit()
            else:
                session.rollback()
        finally:
            session.close()

    @app.get('/healthz')
    def healthz():  # noqa: ANN202
        from sqlalchemy import text

        db_session().execute(text('select 1'))
        return {'status': 'ok'}

    @app.get('/')
    def index():  # noqa: ANN202
        from inspect_flow.plans.queries import list_plans, plan_summary

        return render_template('web/index.html', plans=[plan_summary(p) for p in list_plans(db_session())])

    return app


def db_session():  # noqa: ANN201
    """Return this request's session (opened on first use)."""
    from flask import current_app

    if 'db_session' not in g:
        g.db_session = current_app.extensions['inspect_flow.sessions']()
    return g.db_session
