"""Production serving: the secret key every worker shares, the health check, the JSON request log and the proxy.

The login test runs a real gunicorn with two workers and no ``INSPECT_FLOW_SECRET_KEY``: each login takes
three fresh connections (the login page, the POST, a page behind the login), so a worker that signed a cookie
or a CSRF token with a key of its own would refuse it on the other worker.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import re
import signal
import socket
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

from inspect_flow.accounts.operations import DEMO_PASSWORD
from inspect_flow.web.serving import SECRET_FILE, instance_secret
from tests.web.conftest import csrf_of, make_app

ROOT = Path(__file__).resolve().parents[2]
ACCOUNTS = ['thao.vpt', 'admin', 'cong.td5', 'ngan.ltk', 'huyen.mcb']


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _request(port: int, method: str, path: str, *, body: str | None = None, headers: dict | None = None):
    """One request on a connection of its own (closed afterwards): status, headers, text."""
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=20)
    try:
        hdrs = {'Connection': 'close', **(headers or {})}
        if body is not None:
            hdrs['Content-Type'] = 'application/x-www-form-urlencoded'
        conn.request(method, path, body=body, headers=hdrs)
        r = conn.getresponse()
        return r.status, r.headers, r.read().decode()
    finally:
        conn.close()


def _cookie(headers) -> str:  # noqa: ANN001
    jar = SimpleCookie()
    for value in headers.get_all('Set-Cookie') or ():
        jar.load(value)
    return '; '.join(f'{k}={m.value}' for k, m in jar.items())


@pytest.fixture
def gunicorn_two_workers(db_url, tmp_path):  # noqa: ANN001, ANN201
    """A real gunicorn (the shipped configuration, two workers) with no secret key set, on a demo database."""
    app = make_app(db_url, 'planning')
    app.extensions['inspect_flow.engine'].dispose()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith('INSPECT_FLOW_')}
    env.update(INSPECT_FLOW_DATABASE_URL=db_url, INSPECT_FLOW_INSTANCE=str(tmp_path / 'instance'),
               INSPECT_FLOW_TRUSTED_PROXIES='1', PYTHONPATH=str(ROOT))
    log = (tmp_path / 'gunicorn.log').open('w+')
    proc = subprocess.Popen([sys.executable, '-m', 'gunicorn', '-c', 'python:inspect_flow.web.gunicorn_conf',
                             '-w', '2', '-b', f'127.0.0.1:{port}', '--no-control-socket'],
                            cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 40
    while True:
        try:
            if _request(port, 'GET', '/healthz')[0] == 200:
                break
        except OSError:
            pass
        assert proc.poll() is None and time.monotonic() < deadline, Path(log.name).read_text()[-2000:]
        time.sleep(0.2)
    try:
        yield port, tmp_path / 'instance', lambda: Path(log.name).read_text()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
        log.close()


def _login(port: int, username: str) -> tuple[bool, str]:
    """Log in over three fresh connections; return whether a page behind the login then opens."""
    status, headers, page = _request(port, 'GET', '/login')
    assert status == 200
    cookie = _cookie(headers)
    body = f'username={username}&password={DEMO_PASSWORD}&next=&csrf_token={csrf_of(page)}'
    status, headers, _ = _request(port, 'POST', '/login', body=body, headers={'Cookie': cookie})
    if status != 302 or '/login' in headers.get('Location', ''):
        return False, f'POST /login answered {status}'
    status, headers, _ = _request(port, 'GET', '/plans', headers={'Cookie': _cookie(headers)})
    return status == 200, f'GET /plans answered {status} {headers.get("Location", "")}'


def _log_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.mark.slow
def test_logins_through_two_gunicorn_workers_without_a_secret_key_all_succeed_and_are_logged_as_json(
        gunicorn_two_workers):  # noqa: ANN001
    port, instance, read_log = gunicorn_two_workers
    results = [_login(port, username) for username in ACCOUNTS]
    assert [ok for ok, _ in results] == [True] * 5, results
    key_file = instance / SECRET_FILE
    assert key_file.stat().st_mode & 0o777 == 0o600
    # Every line of stdout is JSON; one line per request, from both workers.
    lines = _log_lines(read_log())
    requests = [e for e in lines if e.get('event') == 'request']
    assert len(requests) >= 15 and {e['path'] for e in requests} >= {'/login', '/plans'}
    workers = {e['worker'] for e in requests}
    for username in ACCOUNTS * 4:  # connections are dealt to workers by the kernel: go on until both answered
        if len(workers) > 1:
            break
        assert _login(port, username)[0]
        workers = {e['worker'] for e in _log_lines(read_log()) if e.get('event') == 'request'}
    assert len(workers) == 2, workers
    assert key_file.read_text().strip() not in read_log()

    # The request log: JSON, no secrets, and the client behind the one trusted proxy.
    status, headers, page = _request(port, 'GET', '/login?next=/plans%3Ftoken%3Dquery-secret-1')
    cookie = _cookie(headers)
    body = f'username=thao.vpt&password={DEMO_PASSWORD}&csrf_token={csrf_of(page)}'
    status, headers, _ = _request(port, 'POST', '/login', body=body, headers={
        'Cookie': cookie, 'Referer': f'https://127.0.0.1:{port}/login',
        'X-Forwarded-For': '203.0.113.7', 'X-Forwarded-Proto': 'https',
        'Authorization': 'Bearer ifk_header-secret-2'})
    assert status == 302
    time.sleep(0.3)  # the access line is written after the response
    text = read_log()
    for secret in ('query-secret-1', 'header-secret-2', DEMO_PASSWORD, cookie.split('=', 1)[1][:40],
                   _cookie(headers).split('=', 1)[1][:40]):
        assert secret not in text
    entry = [e for e in _log_lines(text) if e.get('event') == 'request' and e['method'] == 'POST'][-1]
    assert entry['path'] == '/login' and entry['status'] == 302 and entry['remote'] == '203.0.113.7'
    assert entry['scheme'] == 'https' and entry['level'] == 'info' and entry['duration_ms'] >= 0
    assert re.fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00', entry['time'])


def _secret_in_child(folder: str, queue) -> None:  # noqa: ANN001
    queue.put(instance_secret(Path(folder)))


def test_processes_starting_together_share_one_generated_key(tmp_path):  # noqa: ANN001
    ctx = multiprocessing.get_context('fork')
    queue = ctx.Queue()
    procs = [ctx.Process(target=_secret_in_child, args=(str(tmp_path / 'inst'), queue)) for _ in range(6)]
    for p in procs:
        p.start()
    keys = {queue.get(timeout=30) for _ in procs}
    for p in procs:
        p.join()
    assert len(keys) == 1 and len(keys.pop()) == 64
    assert sorted(p.name for p in (tmp_path / 'inst').iterdir()) == [SECRET_FILE]  # no candidate left behind
    assert instance_secret(tmp_path / 'inst') == (tmp_path / 'inst' / SECRET_FILE).read_text().strip()


def test_an_empty_key_file_is_refused_naming_it(tmp_path):  # noqa: ANN001
    (tmp_path / SECRET_FILE).write_text('')
    with pytest.raises(RuntimeError, match=re.escape(str(tmp_path / SECRET_FILE))):
        instance_secret(tmp_path)


def test_the_environment_key_wins_and_no_file_is_written(db_url, tmp_path, monkeypatch):  # noqa: ANN001
    from inspect_flow import create_app

    monkeypatch.setenv('INSPECT_FLOW_INSTANCE', str(tmp_path))
    monkeypatch.setenv('INSPECT_FLOW_SECRET_KEY', 'from-the-environment')
    app = create_app({'DATABASE_URL': db_url})
    assert app.secret_key == 'from-the-environment' and not (tmp_path / SECRET_FILE).exists()
    monkeypatch.delenv('INSPECT_FLOW_SECRET_KEY')
    first, second = create_app({'DATABASE_URL': db_url}), create_app({'DATABASE_URL': db_url})
    assert first.secret_key == second.secret_key == (tmp_path / SECRET_FILE).read_text().strip()
    for a in (app, first, second):
        a.extensions['inspect_flow.engine'].dispose()


# --- the health check ------------------------------------------------------------------------------------

def test_healthz_names_what_serving_lacks(db_url, tmp_path):  # noqa: ANN001
    import sqlalchemy as sa

    from inspect_flow import create_app

    app = create_app({'DATABASE_URL': db_url, 'SECRET_KEY': 'x'})
    client = app.test_client()
    body = client.get('/healthz').get_json()
    assert body['status'] == 'ok'
    assert {k: v['ok'] for k, v in body['checks'].items()} == {
        'templates': True, 'database': True, 'migrations': True, 'workers': True}
    assert body['checks']['workers']['detail'] == 'not configured'

    engine = app.extensions['inspect_flow.engine']
    with engine.begin() as conn:  # the schema one migration behind the package
        conn.execute(sa.text("update alembic_version set version_num = 'a0a0a0a0a0a0'"))
    r = client.get('/healthz')
    assert r.status_code == 503 and r.get_json()['checks']['migrations']['ok'] is False
    assert 'a0a0a0a0a0a0' in r.get_json()['checks']['migrations']['detail']

    bare = create_app({'DATABASE_URL': db_url, 'SECRET_KEY': 'x'})
    bare.jinja_loader.searchpath = [str(tmp_path)]  # a folder without the templates
    body = bare.test_client().get('/healthz').get_json()
    assert body['status'] == 'fail' and body['checks']['templates']['detail'].startswith('missing: web/login.html')

    bare.extensions['inspect_flow.workers_health'] = lambda: (False, 'no worker answered')
    assert bare.test_client().get('/healthz').get_json()['checks']['workers'] == {
        'ok': False, 'detail': 'no worker answered'}
    for a in (app, bare):
        a.extensions['inspect_flow.engine'].dispose()


def test_healthz_says_the_database_is_unreachable(tmp_path):  # noqa: ANN001
    from inspect_flow import create_app

    app = create_app({'DATABASE_URL': 'postgresql+psycopg://nobody@127.0.0.1:1/none', 'SECRET_KEY': 'x'})
    r = app.test_client().get('/healthz')
    assert r.status_code == 503
    checks = r.get_json()['checks']
    assert checks['database'] == {'ok': False, 'detail': 'unreachable (OperationalError)'}
    assert checks['migrations']['ok'] is False and checks['templates']['ok'] is True
