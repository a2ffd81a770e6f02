"""The versioned JSON API at ``/api/v1`` for field devices and integrations.

Thin: every view parses its input with a pydantic model, checks the per-object rules of
:mod:`inspect_flow.accounts.access`, calls the domain operations and serializes the result. Each request
has its own session and commits *before* the response is built, so nothing is acknowledged that is not
stored. Errors are RFC 9457 ``application/problem+json``.
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint('api_v1', __name__, url_prefix='/api/v1')


def init_app(app: Flask) -> None:
    """Register the API on *app*: the blueprint, exempt from CSRF (bearer tokens, no cookies)."""
    from inspect_flow.api import core, dashboard, follow_up, planning, views  # noqa: F401  (registers the routes)
    from inspect_flow.web.app import csrf

    csrf.exempt(bp)
    app.register_blueprint(bp)
