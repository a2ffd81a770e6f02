"""The built wheel works on its own: installed into a fresh virtualenv and run from outside the checkout.

The wheel is built from this checkout (``pip wheel --no-deps``, hatchling), installed into a new virtualenv
without the system's site-packages and without this checkout on ``sys.path``, and then used as a user would in
an empty folder: ``init``, ``demo``, ``checklists list`` and ``validate``, ``documents render``, and a page and
the health check served by gunicorn with the shipped configuration.

The virtualenv is made with uv when it is installed (the ``test`` extra has it: about 2 s with its cache, 6 s
without), else with ``venv`` and pip (30–40 s).
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _uv() -> str | None:
    try:
        from uv import find_uv_bin
    except ImportError:
        return shutil.which('uv')
    return find_uv_bin()


def _run(args: list, cwd: Path, env: dict | None = None, timeout: int = 300) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f'{args}: exit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}'
    return done.stdout


@pytest.fixture(scope='module')
def installed(tmp_path_factory):  # noqa: ANN001, ANN201
    """(the virtualenv's bin folder, an empty working folder, the environment without the checkout)."""
    tmp = tmp_path_factory.mktemp('wheel')
    _run([sys.executable, '-m', 'pip', 'wheel', '--no-deps', '-q', '-w', tmp / 'dist', ROOT], cwd=tmp)
    (wheel,) = (tmp / 'dist').glob('inspect_flow-*.whl')
    venv = tmp / 'venv'
    uv = _uv()
    if uv:
        _run([uv, 'venv', '-q', '--python', sys.executable, venv], cwd=tmp)
        _run([uv, 'pip', 'install', '-q', '--python', venv / 'bin' / 'python', wheel], cwd=tmp)
    else:
        _run([sys.executable, '-m', 'venv', venv], cwd=tmp)
        _run([venv / 'bin' / 'python', '-m', 'pip', 'install', '-q', wheel], cwd=tmp)
    work = tmp / 'work'
    work.mkdir()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(('INSPECT_FLOW_', 'PYTHON', 'VIRTUAL_ENV'))}
    env['PATH'] = f'{venv / "bin"}:{env.get("PATH", "/usr/bin:/bin")}'
    return wheel, venv / 'bin', work, env


def test_the_wheel_carries_templates_checklists_static_assets_migrations_and_data(installed):  # noqa: ANN001
    wheel = installed[0]
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in ('inspect_flow/_templates/web/login.html', 'inspect_flow/_templates/documents/plan.html',
                 'inspect_flow/_templates/documents/_document.css', 'inspect_flow/_checklists/poverty-supervision.yaml',
                 'inspect_flow/web/static/css/app.css', 'inspect_flow/web/static/js/visit-form.js',
                 'inspect_flow/migrations/env.py', 'inspect_flow/migrations/script.py.mako',
                 'inspect_flow/units/data/ben_tre_2019_units.csv'):
        assert path in names, path
    for folder in ('templates', 'checklists'):  # every file of the source tree's folders, under the package
        for file in (ROOT / folder).rglob('*'):
            if file.is_file():
                assert f'inspect_flow/_{folder}/{file.relative_to(ROOT / folder)}' in names, file
    versions = [p for p in (ROOT / 'inspect_flow/migrations/versions').glob('*.py')]
    assert {f'inspect_flow/migrations/versions/{p.name}' for p in versions} <= names
    assert not [n for n in names if n.startswith(('tests/', 'benchmarks/')) or '__pycache__' in n]


@pytest.mark.slow
def test_the_installed_wheel_works_from_an_empty_folder(installed):  # noqa: ANN001
    from pypdf import PdfReader

    _, bin_dir, work, env = installed
    where = _run([bin_dir / 'python', '-c', 'import inspect_flow; print(inspect_flow.__file__)'], work, env)
    assert where.startswith(str(bin_dir.parent)) and str(ROOT) not in where
    cli = bin_dir / 'inspect-flow'
    out = _run([cli, 'init'], work, env)
    assert '164 đơn vị cấp xã' in out
    assert (work / 'instance' / 'inspect_flow.sqlite3').exists()
    out = _run([cli, 'demo', '--round', '2019', '--through', 'closed'], work, env)
    assert '1245/KH-BCĐCCTMTQG: closed' in out
    listed = _run([cli, 'checklists', 'list'], work, env)
    assert 'poverty-supervision' in listed and 'household-consultation' in listed
    assert _run([cli, 'checklists', 'validate'], work, env).count('OK ') == 4
    _run([cli, 'documents', 'render', '1245', '--kind', 'plan', '--out', work / 'docs'], work, env)
    text = PdfReader(work / 'docs' / 'plan-draft.pdf').pages[0].extract_text()
    assert 'KẾ HOẠCH' in text and '1245' in text

    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([bin_dir / 'gunicorn', '-c', 'python:inspect_flow.web.gunicorn_conf', '-w', '1',
                             '-b', f'127.0.0.1:{port}', '--no-control-socket'], cwd=work, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        pages = {}
        deadline = time.monotonic() + 60
        for path in ('/healthz', '/login', '/static/css/app.css'):
            while True:
                conn = http.client.HTTPConnection('127.0.0.1', port, timeout=20)
                try:
                    conn.request('GET', path)
                    r = conn.getresponse()
                    pages[path] = (r.status, r.read().decode())
                    break
                except OSError:
                    assert proc.poll() is None and time.monotonic() < deadline, 'gunicorn did not start'
                    time.sleep(0.2)
                finally:
                    conn.close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    assert pages['/healthz'][0] == 200 and '"templates":{"detail":"found","ok":true}' in pages['/healthz'][1]
    assert pages['/login'][0] == 200 and 'Đăng nhập' in pages['/login'][1]
    assert pages['/static/css/app.css'][0] == 200
    assert (work / 'instance' / 'secret_key').exists()
