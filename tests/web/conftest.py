"""Web fixtures: an app on a fresh database of its own (SQLite file and PostgreSQL), the demo round and its accounts."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile

import pytest
import sqlalchemy as sa

from inspect_flow import create_app
from inspect_flow.accounts.operations import DEMO_PASSWORD, ensure_demo_accounts, use_fast_hashing
from inspect_flow.core.db import make_engine, make_session_factory, unit_of_work

use_fast_hashing()

ROLES = {
    'admin': 'admin',
    'secretariat': 'thao.vpt',
    'leader5': 'cong.td5',
    'member25': 'ngan.ltk',
    'member36': 'nghia.tv',
    'district838': 'huyen.mcb',
    'commune28936': 'xa.nhuanphutan',
}


def app_config(db_url: str, **config) -> dict:  # noqa: ANN003
    return {'DATABASE_URL': db_url, 'TESTING': True, 'SESSION_COOKIE_SECURE': False,
            'REMEMBER_COOKIE_SECURE': False, 'SECRET_KEY': 'test',
            'RENDER_CACHE_DIR': tempfile.mkdtemp(prefix='if-render-'), **config}


def make_app(db_url: str, through: str = 'closed', **config):  # noqa: ANN003, ANN201
    """An app on *db_url* after the 2019 demo round was run there to *through*, with the demo accounts."""
    from inspect_flow.demo.round2019 import run_demo

    app = create_app(app_config(db_url, **config))
    with unit_of_work(make_session_factory(app.extensions['inspect_flow.engine'])) as s:
        run_demo(s, through)
        ensure_demo_accounts(s)
    return app


def demo_seed(through: str) -> tuple[str, object]:
    """The seed (``Databases.fresh(kind, seed=…)``) of a database where the 2019 demo round was run to *through*
    and the demo accounts made: what :func:`make_app` writes, built once per session and copied for each test."""

    def build(url: str) -> None:
        from inspect_flow.demo.round2019 import run_demo

        engine = make_engine(url, poolclass=sa.pool.NullPool)
        try:
            with unit_of_work(make_session_factory(engine)) as s:
                run_demo(s, through)
                ensure_demo_accounts(s)
        finally:
            engine.dispose()

    # The round's operations read the clock (INSPECT_FLOW_TODAY, which a test may pin before building): one
    # template per pinned day, so that a copy holds exactly what building it in the test would have written.
    return f"web-demo2019-{through}-{os.environ.get('INSPECT_FLOW_TODAY', '')}", build


@contextlib.contextmanager
def demo_app(databases, db_kind: str, through: str = 'closed', **config):  # noqa: ANN001, ANN003, ANN201
    """What :func:`make_app` builds, in a database of its own: a copy of a template built once per session (per xdist
    worker), dropped afterwards."""
    url = databases.fresh(db_kind, seed=demo_seed(through))
    app = create_app(app_config(url, **config))
    try:
        yield app
    finally:
        app.extensions['inspect_flow.engine'].dispose()
        databases.release(url)


@pytest.fixture
def app_factory(request, databases, db_kind):  # noqa: ANN001, ANN201
    """``app_factory(through, **config)`` → an app on a database of its own with the demo round run to *through*.

    The database is a copy of a template built once per session; when the test also uses ``db_url`` (to share
    the database with a CLI run, say), the round is built in ``db_url`` itself as before."""
    apps, urls = [], []

    def build(through: str = 'closed', **config):  # noqa: ANN003, ANN202
        if 'db_url' in request.fixturenames:
            app = make_app(request.getfixturevalue('db_url'), through, **config)
        else:
            urls.append(databases.fresh(db_kind, seed=demo_seed(through)))
            app = create_app(app_config(urls[-1], **config))
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.extensions['inspect_flow.engine'].dispose()
    for url in urls:
        databases.release(url)


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert m, 'no CSRF token on the page'
    return m.group(1)


class Client:
    """A test client that logs in as a persona and sends the page's CSRF token with every POST."""

    def __init__(self, app):  # noqa: ANN001
        self.app = app
        self.c = app.test_client()
        self.token = ''

    def login(self, username: str, password: str = DEMO_PASSWORD):  # noqa: ANN201
        page = self.c.get('/login').get_data(as_text=True)
        r = self.c.post('/login', data={'username': username, 'password': password, 'csrf_token': csrf_of(page)})
        self.refresh_token()
        return r

    def refresh_token(self) -> None:
        self.token = csrf_of(self.c.get('/login').get_data(as_text=True))

    def get(self, path: str, **kw):  # noqa: ANN003, ANN201
        return self.c.get(path, **kw)

    def post(self, path: str, data: dict | None = None, *, csrf: bool = True, **kw):  # noqa: ANN003, ANN201
        data = dict(data or {})
        if csrf:
            data.setdefault('csrf_token', self.token)
        return self.c.post(path, data=data, **kw)

    def post_json(self, path: str, payload: dict):  # noqa: ANN201
        return self.c.post(path, json=payload, headers={'X-CSRFToken': self.token})


def snapshot(app) -> dict:  # noqa: ANN001
    """Everything a refused request must leave as it was."""
    engine = app.extensions['inspect_flow.engine']
    tables = ['plans', 'teams', 'team_members', 'visits', 'findings', 'conclusions', 'recommendations',
              'follow_up_reports', 'audit_entries', 'users', 'people', 'commune_draws', 'plan_checklists']
    out = {}
    with engine.connect() as conn:
        for table in tables:
            out[table] = conn.execute(sa.text(f'select count(*) from {table}')).scalar()
        for table in ('plans', 'visits', 'recommendations', 'findings'):
            col = 'status' if table == 'findings' else 'state'
            out[f'{table}.{col}'] = sorted(conn.execute(sa.text(f'select id, {col}, version_id from {table}')).all())
        out['answers'] = sorted((r[0], str(r[1])) for r in conn.execute(sa.text('select id, answers from visits')))
    return out


def ids(app) -> dict:  # noqa: ANN001
    """Ids of the demo objects the access tests aim at."""
    engine = app.extensions['inspect_flow.engine']
    with engine.connect() as conn:
        q = lambda sql: conn.execute(sa.text(sql)).scalar()  # noqa: E731
        return {
            'plan': q('select id from plans'),
            'visit5': q("select v.id from visits v join admin_units a on a.id = v.commune_id where a.code = '28936'"),
            'visit1': q("select v.id from visits v join admin_units a on a.id = v.commune_id where a.code = '28792'"),
            'team5': q('select id from teams where number = 5'),
            'team1': q('select id from teams where number = 1'),
            'rec_mcb': q("select r.id from recommendations r join admin_units a on a.id = r.addressee_unit_id "
                         "where a.code = '838' order by r.id limit 1"),
            'rec_other': q("select r.id from recommendations r join admin_units a on a.id = r.addressee_unit_id "
                           "where a.code = '829' order by r.id limit 1"),
            'conclusion_mcb': q("select c.id from conclusions c join admin_units a on a.id = c.unit_id "
                                "where a.code = '838'"),
            'finding5': q('select f.id from findings f join visits v on v.id = f.visit_id join admin_units a '
                          "on a.id = v.commune_id where a.code = '28936' order by f.id limit 1"),
            'person': q('select id from people order by id limit 1'),
        }
