"""gunicorn settings for inspect_flow: ``gunicorn -c python:inspect_flow.web.gunicorn_conf APP``.

gunicorn always sends ``Server: gunicorn`` (the application cannot remove it); this replaces the name with
the neutral :data:`~inspect_flow.web.serving.SERVER_HEADER`. Other settings (workers, threads, bind) are
given on the command line as usual.
"""

import gunicorn.http.wsgi

from inspect_flow.web.serving import SERVER_HEADER

gunicorn.http.wsgi.SERVER = SERVER_HEADER
