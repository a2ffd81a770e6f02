"""Browser fixtures: the app served by a real HTTP server on a real SQLite file, and Debian's Chromium.

* ``live_server`` (session): a fresh SQLite copy of the suite's template database (migrations + the 2019
  Bến Tre units), the 2019 demo round and its accounts, served by werkzeug in a thread with
  ``INSPECT_FLOW_INSECURE_COOKIES=1`` (plain http on 127.0.0.1);
* ``browser`` (session): /usr/bin/chromium launched through Playwright's ``executable_path`` (Playwright's
  own browser download is never used); a missing Chromium is installed by ``make system-packages``;
* ``context`` / ``new_context`` (function): fresh cookie jars, one per persona.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

CHROMIUM = '/usr/bin/chromium'
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
                 '--disable-sync']
ROOT = Path(__file__).resolve().parents[2]


def _ensure_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    if shutil.which('make'):
        subprocess.run(['make', '-C', str(ROOT), 'system-packages'], check=False)
    if not Path(CHROMIUM).exists():
        pytest.fail(f'{CHROMIUM} is missing and `make system-packages` could not install it', pytrace=False)


class LiveServer:
    def __init__(self, app, server, thread):  # noqa: ANN001
        self.app = app
        self.server = server
        self.thread = thread
        self.url = f'http://127.0.0.1:{server.server_port}'

    @property
    def engine(self):  # noqa: ANN201
        return self.app.extensions['inspect_flow.engine']


def _serve(databases, tmp_path_factory, through: str, kind: str = 'sqlite'):  # noqa: ANN001, ANN202
    """Serve a fresh database (*kind*: a SQLite copy, or PostgreSQL) with the 2019 demo round advanced to
    *through*; yield the server, then stop it."""
    from werkzeug.serving import make_server

    from inspect_flow import create_app
    from inspect_flow.accounts.operations import ensure_demo_accounts, use_fast_hashing
    from inspect_flow.core.db import make_session_factory, unit_of_work
    from inspect_flow.demo.round2019 import run_demo

    use_fast_hashing()
    saved = {k: os.environ.get(k) for k in ('INSPECT_FLOW_INSECURE_COOKIES', 'INSPECT_FLOW_INSTANCE')}
    os.environ['INSPECT_FLOW_INSECURE_COOKIES'] = '1'
    os.environ['INSPECT_FLOW_INSTANCE'] = str(tmp_path_factory.mktemp('instance'))
    try:
        app = create_app({'DATABASE_URL': databases.fresh(kind), 'SECRET_KEY': 'browser-tests'})
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    assert app.config['SESSION_COOKIE_SECURE'] is False
    with unit_of_work(make_session_factory(app.extensions['inspect_flow.engine'])) as s:
        run_demo(s, through)
        ensure_demo_accounts(s)
    server = make_server('127.0.0.1', 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name='live-server', daemon=True)
    thread.start()
    yield LiveServer(app, server, thread)
    server.shutdown()
    thread.join(timeout=10)
    app.extensions['inspect_flow.engine'].dispose()


@pytest.fixture(scope='session')
def live_server(databases, tmp_path_factory):  # noqa: ANN001, ANN201
    yield from _serve(databases, tmp_path_factory, 'closed')


@pytest.fixture(scope='module')
def visiting_server(databases, tmp_path_factory):  # noqa: ANN001, ANN201
    """Like ``live_server``, with the round in its visiting stage (visit records still open to their teams)."""
    yield from _serve(databases, tmp_path_factory, 'visiting')


@pytest.fixture(scope='session')
def browser():  # noqa: ANN201
    from playwright.sync_api import sync_playwright

    _ensure_chromium()
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def new_context(browser, live_server):  # noqa: ANN001, ANN201
    """Open browser contexts (one per persona) that are closed after the test."""
    opened = []

    def make(**kw):  # noqa: ANN003, ANN202
        ctx = browser.new_context(base_url=live_server.url, locale='vi-VN', **kw)
        ctx.set_default_timeout(10_000)
        opened.append(ctx)
        return ctx

    yield make
    for ctx in opened:
        ctx.close()


@pytest.fixture
def context(new_context):  # noqa: ANN001, ANN201
    return new_context()


@pytest.fixture
def page(context):  # noqa: ANN001, ANN201
    p = context.new_page()
    errors: list[str] = []
    p.on('pageerror', lambda exc: errors.append(str(exc)))
    p.js_errors = errors
    return p


def login(page, username: str, password: str = 'bentre-2019') -> None:  # noqa: ANN001
    page.goto('/login')
    page.fill('#f-username', username)
    page.fill('#f-password', password)
    page.click('form.card button[type=submit]')
    page.wait_for_load_state()
    assert '/login' not in page.url, page.locator('main').inner_text()


def pytest_collection_modifyitems(config, items) -> None:  # noqa: ANN001
    """The browser tests share one live server and its database, and some of them build on what an earlier one
    left there (people already on a team): under pytest-xdist (``--dist loadgroup``) they all run on one worker,
    in the order they are collected, as in a run on one core."""
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.xdist_group('live_server'))
