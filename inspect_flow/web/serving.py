"""What the servers in front of the app say about themselves: a neutral ``Server`` header.

A WSGI application cannot remove the ``Server`` header: Werkzeug's development server and gunicorn write
their own (``Werkzeug/3.1 Python/3.11``, ``gunicorn``) whatever the application sets, so the setting lives
with each server:

- ``inspect-flow serve`` runs Werkzeug with :class:`RequestHandler`;
- gunicorn reads :mod:`inspect_flow.web.gunicorn_conf`: ``gunicorn -c python:inspect_flow.web.gunicorn_conf …``.
"""

from __future__ import annotations

from werkzeug.serving import WSGIRequestHandler

#: The ``Server`` header of every response: names neither the framework nor the versions.
SERVER_HEADER = 'inspect_flow'


class RequestHandler(WSGIRequestHandler):
    """Werkzeug's request handler, without the framework and Python versions in ``Server``."""

    def version_string(self) -> str:
        return SERVER_HEADER
