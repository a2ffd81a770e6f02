"""gunicorn settings for inspect_flow: ``gunicorn -c python:inspect_flow.web.gunicorn_conf``.

Everything has a default that suits one server behind nginx; the command line overrides any of it
(``-w 4``, ``-b 0.0.0.0:8000``, an application of its own):

- the application ``inspect_flow:create_app()``;
- ``bind``: ``INSPECT_FLOW_BIND`` or ``127.0.0.1:8000``; ``workers``: ``INSPECT_FLOW_WORKERS`` or 2, each with
  ``INSPECT_FLOW_THREADS`` or 8 threads (``gthread``). Every worker reads the same secret key
  (``INSPECT_FLOW_SECRET_KEY``, or the one generated once into the instance folder);
- logs on stdout as JSON lines: one per request (method, path without its query, status, bytes, duration,
  client address, worker
  process; never a cookie, a header value or a query string) and one per other log record;
- a neutral ``Server`` header: gunicorn always sends ``Server: gunicorn`` (the application cannot remove it),
  so the name is replaced with :data:`~inspect_flow.web.serving.SERVER_HEADER`.

The proxy in front is trusted for ``X-Forwarded-Proto`` by gunicorn itself when it connects from
``forwarded_allow_ips`` (127.0.0.1); the client address needs ``INSPECT_FLOW_TRUSTED_PROXIES=1`` (werkzeug
``ProxyFix``, see ``web/app.py``).
"""

from __future__ import annotations

import logging
import os
import sys

import gunicorn.glogging
import gunicorn.http.wsgi

from inspect_flow.core import config as _config  # (gunicorn reads every public name here as a setting)
from inspect_flow.web.serving import SERVER_HEADER, JsonFormatter

_config.apply()  # the configuration file (INSPECT_FLOW_CONFIG, instance/config.toml) under the environment
gunicorn.http.wsgi.SERVER = SERVER_HEADER

wsgi_app = 'inspect_flow:create_app()'
bind = [os.environ.get('INSPECT_FLOW_BIND', '127.0.0.1:8000')]
workers = int(os.environ.get('INSPECT_FLOW_WORKERS') or 2)
worker_class = 'gthread'
threads = int(os.environ.get('INSPECT_FLOW_THREADS') or 8)
# gunicorn's runtime control socket (``~/.gunicorn/gunicorn.ctl``) is off: one per user would be shared by two
# servers on one machine; ``--control-socket PATH`` turns it on.
control_socket_disable = True
accesslog = '-'
errorlog = '-'
logger_class = 'inspect_flow.web.gunicorn_conf.JsonLogger'


class JsonLogger(gunicorn.glogging.Logger):
    """gunicorn's logger, writing JSON lines on stdout: its own records, the access log and the app's logs."""

    def setup(self, cfg) -> None:  # noqa: ANN001
        super().setup(cfg)
        formatter = JsonFormatter()
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if isinstance(handler, logging.StreamHandler) and handler.stream in (sys.stderr, sys.stdout):
                    handler.setStream(sys.stdout)
                handler.setFormatter(formatter)
        app_log = logging.getLogger('inspect_flow')  # Flask's app.logger: it then adds no handler of its own
        if not app_log.handlers:
            handler = logging.StreamHandler(sys.stdout)
            handler.setFormatter(formatter)
            app_log.addHandler(handler)
            app_log.setLevel(logging.INFO)

    def access(self, resp, req, environ, request_time) -> None:  # noqa: ANN001
        if not (self.cfg.accesslog or self.cfg.logconfig or self.cfg.logconfig_dict or self.cfg.syslog):
            return
        fields = {
            'event': 'request',
            'method': environ.get('REQUEST_METHOD'),
            'path': environ.get('PATH_INFO'),
            'status': int(str(resp.status).split()[0]) if resp.status else None,
            'bytes': getattr(resp, 'sent', None),
            'duration_ms': round(request_time.total_seconds() * 1000, 1),
            'remote': environ.get('REMOTE_ADDR'),  # the client, when ProxyFix trusts the proxy
            'scheme': environ.get('wsgi.url_scheme'),
            'worker': os.getpid(),
        }
        try:
            self.access_log.info('request', extra={'fields': fields})
        except Exception:  # noqa: BLE001  (a log line must never break a response)
            self.error('could not write the access log line')
