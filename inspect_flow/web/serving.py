"""Production serving: the secret key, the health check, the ``Server`` header and the request log.

- **The secret key** signs the session cookies and the CSRF tokens, so every process serving the site must
  hold the same one. ``INSPECT_FLOW_SECRET_KEY`` gives it; without it, :func:`instance_secret` generates one
  once into the instance folder (``secret_key``, mode 0600) and every later process, every gunicorn worker
  among them, reads that file. One random key per process would break logins behind two workers.
- **The health check** (:func:`health`) says whether serving can work: the templates are found, the database
  answers, its schema is at the package's migration head, and the background workers, when configured.
- **A neutral ``Server`` header.** A WSGI application cannot remove it: Werkzeug's development server and
  gunicorn write their own (``Werkzeug/3.1 Python/3.11``, ``gunicorn``) whatever the application sets, so the
  setting lives with each server: ``inspect-flow serve`` runs Werkzeug with :class:`RequestHandler`; gunicorn
  reads :mod:`inspect_flow.web.gunicorn_conf`.
- **Structured logs**: :class:`JsonFormatter` writes one JSON object per line (the gunicorn configuration
  uses it for its access log, one line per request, and for every other log record).
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from werkzeug.serving import WSGIRequestHandler

#: The ``Server`` header of every response: names neither the framework nor the versions.
SERVER_HEADER = 'inspect_flow'
#: The file in the instance folder that keeps the generated secret key.
SECRET_FILE = 'secret_key'


class RequestHandler(WSGIRequestHandler):
    """Werkzeug's request handler, without the framework and Python versions in ``Server``."""

    def version_string(self) -> str:
        return SERVER_HEADER


def instance_folder() -> Path:
    """The instance folder: ``INSPECT_FLOW_INSTANCE``, or ``./instance``."""
    return Path(os.environ.get('INSPECT_FLOW_INSTANCE', 'instance')).resolve()


def instance_secret(folder: Path) -> str:
    """Return the secret key kept in *folder*, generating it the first time.

    Several processes may start at once (gunicorn workers): each writes a candidate to a file of its own and
    hard-links it to ``secret_key``, which succeeds for exactly one of them; all then read the same file.
    """
    path = folder / SECRET_FILE
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        candidate = folder / f'.{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}'
        fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, 'w') as f:
                f.write(secrets.token_hex(32) + '\n')
            try:
                os.link(candidate, path)
            except FileExistsError:
                pass  # another process was first: its key is the key
        finally:
            candidate.unlink(missing_ok=True)
    key = path.read_text(encoding='ascii').strip()
    if len(key) < 32:
        raise RuntimeError(f'{path}: the secret key is missing or too short; delete the file to generate a new '
                           'one, or set INSPECT_FLOW_SECRET_KEY')
    return key


# --- the health check --------------------------------------------------------------------------------------

#: The templates serving cannot do without: the login page, the page layout and the documents' layout.
NEEDED_TEMPLATES = ('web/login.html', 'web/base.html', 'documents/base.html')


@lru_cache(maxsize=1)
def _head_revision() -> str:
    from inspect_flow.core import migrate

    return migrate.head_revision()


def health(app) -> tuple[dict[str, Any], int]:  # noqa: ANN001
    """Check what serving needs; return the JSON answer and its status (200, or 503 when a check fails).

    Each check is ``{"ok": bool, "detail": str}``. Error details name the kind of failure only (the log has
    the rest): the answer is public.
    """
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import text

    checks: dict[str, dict[str, Any]] = {}
    missing = []
    for name in NEEDED_TEMPLATES:
        try:
            app.jinja_loader.get_source(app.jinja_env, name)
        except Exception:  # noqa: BLE001  (TemplateNotFound, or an unreadable folder)
            missing.append(name)
    checks['templates'] = {'ok': not missing,
                           'detail': 'found' if not missing else 'missing: ' + ', '.join(missing)}
    engine = app.extensions['inspect_flow.engine']
    current = None
    try:
        with engine.connect() as conn:
            conn.execute(text('select 1'))
            current = MigrationContext.configure(conn).get_current_revision()
        checks['database'] = {'ok': True, 'detail': engine.dialect.name}
    except Exception as exc:  # noqa: BLE001
        app.logger.error('health check: the database cannot be reached: %s', exc)
        checks['database'] = {'ok': False, 'detail': f'unreachable ({type(exc).__name__})'}
    head = _head_revision()
    if not checks['database']['ok']:
        checks['migrations'] = {'ok': False, 'detail': 'unknown (no database)'}
    elif current == head:
        checks['migrations'] = {'ok': True, 'detail': f'at head {head}'}
    else:
        checks['migrations'] = {'ok': False, 'detail': f'database at {current or "(empty)"}, package at {head}; '
                                                       'run "inspect-flow init"'}
    workers: Callable[[], tuple[bool, str]] | None = app.extensions.get('inspect_flow.workers_health')
    if workers is None:
        checks['workers'] = {'ok': True, 'detail': 'not configured'}
    else:
        try:
            ok, detail = workers()
        except Exception as exc:  # noqa: BLE001
            ok, detail = False, f'check failed ({type(exc).__name__})'
        checks['workers'] = {'ok': ok, 'detail': detail}
    ok = all(c['ok'] for c in checks.values())
    return {'status': 'ok' if ok else 'fail', 'checks': checks}, 200 if ok else 503


# --- structured logs ---------------------------------------------------------------------------------------

class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, and the record's ``fields``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            'time': datetime.fromtimestamp(record.created, UTC).isoformat(timespec='milliseconds'),
            'level': record.levelname.lower(),
            'logger': record.name,
        }
        fields = getattr(record, 'fields', None)
        if fields:
            entry.update(fields)
        else:
            entry['message'] = record.getMessage()
        if record.exc_info:
            entry['exception'] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
