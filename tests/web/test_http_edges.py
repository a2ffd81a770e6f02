"""HTTP edges: where a login and the language switch may send the browser, the Server header of both servers,
and 405 with ``Allow`` (a problem document on the API)."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.web.conftest import Client

ROOT = Path(__file__).resolve().parents[2]


NEXT_TARGETS = [
    ('/plans', '/plans'),
    ('/plans?state=planning', '/plans?state=planning'),
    ('/units/838?on=2019-07-05', '/units/838?on=2019-07-05'),
    ('', '/'),
    ('https://evil.example/', '/'),
    ('//evil.example/', '/'),
    ('/\\evil.example/', '/'),
    ('\\\\evil.example/', '/'),
    ('/plans\r\nSet-Cookie: x=1', '/'),
    ('/ plans', '/'),
    ('javascript:alert(1)', '/'),
    ('plans', '/'),
    ('/' + 'a' * 600, '/'),
    ('/' + 'a' * 400_000, '/'),
]


def test_the_language_switch_redirects_only_to_a_short_local_path(app_factory):  # noqa: ANN001
    app = app_factory('planning')
    client = Client(app)
    client.refresh_token()
    for target, location in NEXT_TARGETS:
        r = client.post('/language', {'lang': 'en', 'next': target})
        assert r.status_code == 302, target[:40]
        assert r.headers['Location'] == location, target[:40]


def test_a_megabyte_next_is_never_copied(app_factory):  # noqa: ANN001
    app = app_factory('planning')
    client = Client(app)
    client.refresh_token()
    r = client.post('/language', {'lang': 'en', 'next': '/' + 'a' * 1_000_000})
    assert r.status_code in (302, 413)
    assert len(r.headers.get('Location', '')) <= 512
    page = client.get('/login?next=/' + 'b' * 5000).get_data(as_text=True)
    assert '<input type="hidden" name="next" value="">' in page  # the login form does not carry it either


def test_a_login_redirects_only_to_a_local_path(app_factory):  # noqa: ANN001
    from tests.web.conftest import csrf_of

    app = app_factory('planning')
    for target, location in (('/plans', '/plans'), ('//evil.example/x', '/'), ('/\\evil.example', '/')):
        c = app.test_client()
        token = csrf_of(c.get('/login').get_data(as_text=True))
        r = c.post('/login', data={'username': 'thao.vpt', 'password': 'bentre-2019', 'next': target,
                                   'csrf_token': token})
        assert r.status_code == 302 and r.headers['Location'] == location, target


# --- 405 ------------------------------------------------------------------------------------------------

API_CASES = [
    ('TRACE', '/api/v1/plans', {'GET', 'POST'}),
    ('TRACE', '/api/v1/me', {'GET'}),
    ('PUT', '/api/v1/me', {'GET'}),
    ('TRACE', '/api/v1/no-such-thing', {'GET', 'POST', 'PUT', 'PATCH', 'DELETE'}),
    ('GET', '/api/v1/evidence', {'POST'}),
]
PAGE_CASES = [
    ('TRACE', '/plans', {'GET'}),
    ('TRACE', '/login', {'GET', 'POST'}),
    ('TRACE', '/', {'GET'}),
    ('PUT', '/login', {'GET', 'POST'}),
    ('DELETE', '/logout', {'POST'}),
]


def test_an_unsupported_method_is_405_with_allow(app_factory):  # noqa: ANN001
    app = app_factory('planning')
    for method, path, allowed in API_CASES:  # a problem document
        r = app.test_client().open(path, method=method, headers={'Accept-Language': 'en'})
        assert r.status_code == 405, (method, path)
        assert r.mimetype == 'application/problem+json'
        methods = {m.strip() for m in r.headers['Allow'].split(',')}
        assert allowed <= methods and method not in methods, (method, path, methods)
        body = json.loads(r.get_data(as_text=True))
        assert body['status'] == 405 and body['code'] == 'http.405' and body['title'] == 'Method not allowed'
        assert body['instance'] == path
    client = Client(app)
    client.login('thao.vpt')
    for method, path, allowed in PAGE_CASES:  # a page
        r = client.c.open(path, method=method)
        assert r.status_code == 405, (method, path)
        methods = {m.strip() for m in r.headers['Allow'].split(',')}
        assert allowed <= methods and method not in methods, (method, path, methods)
        assert r.mimetype == 'text/html'
        assert 'Phương thức không được phép' in r.get_data(as_text=True)


# --- the Server header of real servers -------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _headers(port: int, deadline: float) -> list[tuple[str, str]]:
    while True:
        conn = http.client.HTTPConnection('127.0.0.1', port, timeout=2)
        try:
            conn.request('GET', '/healthz')
            r = conn.getresponse()
            r.read()
            assert r.status == 200
            return r.getheaders()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
        finally:
            conn.close()


SERVERS = {
    'inspect-flow serve': lambda port: [sys.executable, '-c', 'from inspect_flow.cli import main; main()',
                                        'serve', '--port', str(port)],
    'gunicorn': lambda port: [sys.executable, '-m', 'gunicorn', '-c', 'python:inspect_flow.web.gunicorn_conf',
                              '-w', '1', '-b', f'127.0.0.1:{port}', '--no-control-socket', 'inspect_flow:create_app()'],
}


@pytest.mark.slow
@pytest.mark.parametrize('server', list(SERVERS))
def test_the_server_header_names_no_framework(databases, server):  # noqa: ANN001
    port = _free_port()
    env = dict(os.environ, INSPECT_FLOW_DATABASE_URL=databases.fresh('sqlite'), INSPECT_FLOW_SECRET_KEY='test')
    proc = subprocess.Popen(SERVERS[server](port), cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        headers = _headers(port, time.monotonic() + 30)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    servers = [v for k, v in headers if k.lower() == 'server']
    assert servers == ['inspect_flow'], headers
    text = ' '.join(f'{k}: {v}' for k, v in headers).lower()
    for name in ('werkzeug', 'gunicorn', 'python', 'flask'):
        assert name not in text, headers
