"""API fixtures: an app on a fresh database (SQLite file and PostgreSQL) with the 2019 demo round, tokens for
each persona, and a client that checks every response against the OpenAPI document."""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading

import pytest
import sqlalchemy as sa
from jsonschema import Draft202012Validator
from werkzeug.serving import make_server

from inspect_flow import create_app
from inspect_flow.accounts.operations import ensure_demo_accounts, find_user, use_fast_hashing
from inspect_flow.core.db import make_engine, make_session_factory, unit_of_work
from inspect_flow.integrations.tokens import create_token

use_fast_hashing()

PERSONAS = {
    'admin': 'admin',
    'secretariat': 'thao.vpt',
    'leader5': 'cong.td5',
    'member25': 'ngan.ltk',
    'member36': 'nghia.tv',
    'district838': 'huyen.mcb',
    'commune28936': 'xa.nhuanphutan',
}


def find_operation(doc: dict, method: str, path: str) -> dict:
    path = path.split('?', 1)[0].removeprefix('/api/v1')
    for template, ops in doc['paths'].items():
        pattern = '^' + re.sub(r'\\\{\w+\\\}', '[^/]+', re.escape(template)) + '$'
        if re.match(pattern, path) and method.lower() in ops:
            return ops[method.lower()]
    raise AssertionError(f'{method} {path} is not in the OpenAPI document')


def check_against_spec(doc: dict, method: str, path: str, resp) -> None:  # noqa: ANN001
    """The response's status is documented and its body matches the documented schema."""
    op = find_operation(doc, method, path)
    spec = op['responses'].get(str(resp.status_code)) or op['responses'].get('default')
    assert spec is not None, f'{method} {path}: status {resp.status_code} is not documented'
    if 'content' not in spec:
        return
    media = resp.headers.get('Content-Type', '').split(';')[0]
    assert media in spec['content'], f'{method} {path}: {media} not documented for {resp.status_code}'
    schema = spec['content'][media]['schema']
    if media.endswith('json'):
        body = json.loads(resp.get_data(as_text=True) if hasattr(resp, 'get_data') else resp.text)
        Draft202012Validator({**schema, 'components': doc['components']}).validate(body)


class ApiClient:
    """Flask test client + bearer tokens; every call is checked against the OpenAPI document."""

    def __init__(self, app, tokens: dict[str, str]):  # noqa: ANN001
        self.app = app
        self.c = app.test_client()
        self.tokens = tokens
        self.doc = self.c.get('/api/v1/openapi.json').get_json()

    def call(self, method: str, path: str, who: str | None = 'admin', *, headers: dict | None = None,
             check: bool = True, **kw):  # noqa: ANN003, ANN201
        headers = dict(headers or {})
        if who is not None:
            headers.setdefault('Authorization', f'Bearer {self.tokens[who]}')
        resp = self.c.open(path, method=method, headers=headers, **kw)
        if check:
            check_against_spec(self.doc, method, path, resp)
        return resp

    def get(self, path: str, who: str | None = 'admin', **kw):  # noqa: ANN003, ANN201
        return self.call('GET', path, who, **kw)

    def post(self, path: str, who: str | None = 'admin', **kw):  # noqa: ANN003, ANN201
        return self.call('POST', path, who, **kw)

    def scalar(self, sql: str, **params):  # noqa: ANN003, ANN201
        with self.app.extensions['inspect_flow.engine'].connect() as conn:
            return conn.execute(sa.text(sql), params).scalar()


def _seed(db_url: str, through: str) -> dict[str, str]:
    """Run the 2019 demo round to *through* in *db_url*, make the demo accounts; return a token per persona."""
    from inspect_flow.demo.round2019 import run_demo

    engine = make_engine(db_url, poolclass=sa.pool.NullPool)
    try:
        tokens = {}
        with unit_of_work(make_session_factory(engine)) as s:
            run_demo(s, through)
            ensure_demo_accounts(s)
            for persona, username in PERSONAS.items():
                tokens[persona] = create_token(s, find_user(s, username), name='test')[1]
    finally:
        engine.dispose()
    return tokens


def _app(db_url: str):  # noqa: ANN202
    return create_app({'DATABASE_URL': db_url, 'TESTING': True, 'SECRET_KEY': 'test'})


def build(db_url: str, through: str = 'visiting') -> tuple:
    """An app on *db_url* after the 2019 demo round was run there to *through*, and a token per persona."""
    tokens = _seed(db_url, through)
    return _app(db_url), tokens


def demo_seed(through: str) -> tuple[str, object]:
    """The seed (``Databases.fresh(kind, seed=…)``) of what :func:`build` writes; its value is the tokens. The round's
    operations read the clock (INSPECT_FLOW_TODAY, which a test may pin first): one template per pinned day."""
    return f"api-demo2019-{through}-{os.environ.get('INSPECT_FLOW_TODAY', '')}", lambda url: _seed(url, through)


@contextlib.contextmanager
def demo_api(databases, db_kind: str, through: str = 'visiting'):  # noqa: ANN001, ANN201
    """An :class:`ApiClient` on what :func:`build` makes, in a database of its own: a copy of a template built once
    per session (per xdist worker), dropped afterwards."""
    seed = demo_seed(through)
    url = databases.fresh(db_kind, seed=seed)
    app = _app(url)
    try:
        yield ApiClient(app, dict(databases.seeded(db_kind, *seed)[1]))
    finally:
        app.extensions['inspect_flow.engine'].dispose()
        databases.release(url)


def seeded_api(request, databases, db_kind: str, through: str):  # noqa: ANN001, ANN201
    """Yield :func:`demo_api`, or an :class:`ApiClient` built in ``db_url`` itself when the test uses it too."""
    if 'db_url' in request.fixturenames:
        app, tokens = build(request.getfixturevalue('db_url'), through)
        try:
            yield ApiClient(app, tokens)
        finally:
            app.extensions['inspect_flow.engine'].dispose()
    else:
        with demo_api(databases, db_kind, through) as client:
            yield client


@pytest.fixture
def api(request, databases, db_kind):  # noqa: ANN001, ANN201
    yield from seeded_api(request, databases, db_kind, 'visiting')


@pytest.fixture
def api_closed(request, databases, db_kind):  # noqa: ANN001, ANN201
    yield from seeded_api(request, databases, db_kind, 'closed')


class LiveServer:
    def __init__(self, app):  # noqa: ANN001
        self.server = make_server('127.0.0.1', 0, app, threaded=True)
        self.url = f'http://127.0.0.1:{self.server.server_port}'
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture
def live(api):  # noqa: ANN001, ANN201
    server = LiveServer(api.app)
    yield server
    server.stop()


def submission_for(api: ApiClient, visit_id: int) -> dict:
    """A valid record for the visit: the demo's participants, content, checklist answers and households."""
    from inspect_flow.demo.round2019 import _submission
    from inspect_flow.visits.models import Visit

    with unit_of_work(make_session_factory(api.app.extensions['inspect_flow.engine'])) as s:
        visit = s.get(Visit, visit_id)
        return json.loads(json.dumps(_submission(visit.team.number - 1, visit), default=str))


def member_visit(api: ApiClient, who: str = 'member25', team: int | None = None) -> int:
    """A scheduled visit of a team *who* is on (of team number *team* when given)."""
    items = api.get('/api/v1/visits?state=scheduled', who).get_json()['items']
    items = [v for v in items if team is None or v['team_number'] == team]
    assert items, f'{who} has no scheduled visit'
    return items[0]['id']
