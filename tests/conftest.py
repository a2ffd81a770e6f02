"""Fixtures shared by the whole suite.

Every database test runs twice: on a real SQLite file and on a real PostgreSQL server. The schema is
created once per database through the Alembic migrations (with the 2019 Bến Tre units and Tỉnh Vĩnh Long
of 2025 loaded, as `inspect-flow init` does), and
each test runs inside a SAVEPOINT that is rolled back afterwards. CLI tests get a fresh database of
their own, copied from that template (a file copy on SQLite, CREATE DATABASE … TEMPLATE on PostgreSQL).
A fixture that needs a built demo round (the web, API, documents and exports fixtures) asks for a copy of a seeded
template (``Databases.fresh(kind, seed=(key, build))``): the round is built once per session and per xdist worker,
not once per test.

PostgreSQL is required: when it cannot be reached the PostgreSQL tests fail. A developer without one
may set INSPECT_FLOW_SKIP_POSTGRES=1 to skip them; that is refused when CI is set.
"""

from __future__ import annotations

import os
import queue
import shutil
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspect_flow.core import migrate
from inspect_flow.core.db import make_engine

PG_URL = os.environ.get('INSPECT_FLOW_TEST_PG_URL', 'postgresql+psycopg://postgres@127.0.0.1:5432/test')
DB_KINDS = ['sqlite', 'postgresql']


def _pg_admin_engine():
    return make_engine(PG_URL, isolation_level='AUTOCOMMIT', poolclass=sa.pool.NullPool)


def _pg_url(name: str) -> str:
    return PG_URL.rsplit('/', 1)[0] + '/' + name


def _load_reference(engine) -> None:  # noqa: ANN001
    from inspect_flow.units.loading import load_units
    from inspect_flow.units.operations import load_ben_tre_2019

    with Session(engine) as session:
        load_ben_tre_2019(session)
        load_units(session, ['86'])  # Tỉnh Vĩnh Long since 01/07/2025, with Bến Tre, Trà Vinh and Vĩnh Long before
        session.commit()


class Databases:
    """The template databases of this test session, created on first use."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.templates: dict[str, str] = {}
        #: (kind, key) → (URL of a template holding what a builder wrote, what the builder returned)
        self.seeds: dict[tuple[str, str], tuple[str, Any]] = {}
        self.engines: dict[str, sa.Engine] = {}
        self.pg_error: str | None = None
        self.created_pg: list[str] = []
        #: Databases a test is done with, dropped by a background thread while the next tests run: a DROP
        #: DATABASE waits for a checkpoint (seconds on a loaded machine), which the suite need not wait for.
        self._to_drop: queue.Queue[str | None] = queue.Queue()
        self._dropper: threading.Thread | None = None

    def template(self, kind: str) -> str:
        if kind in self.templates:
            return self.templates[kind]
        if kind == 'sqlite':
            path = self.tmp / 'template.sqlite3'
            url = f'sqlite:///{path}'
        else:
            self._require_pg()
            name = f'if_tmpl_{uuid.uuid4().hex[:10]}'
            self._create_pg(name)
            url = _pg_url(name)
        engine = make_engine(url, poolclass=sa.pool.NullPool)
        migrate.upgrade(engine)
        _load_reference(engine)
        engine.dispose()
        self.templates[kind] = url
        return url

    def engine(self, kind: str) -> sa.Engine:
        """A shared engine on a copy of the template, for SAVEPOINT-isolated tests."""
        if kind not in self.engines:
            self.engines[kind] = make_engine(self.fresh(kind))
        return self.engines[kind]

    def seeded(self, kind: str, key: str, build: Callable[[str], Any]) -> tuple[str, Any]:
        """Return the URL of a template that holds what ``build(url)`` wrote on a fresh database, and what it
        returned. *build* runs once per session (per xdist worker) for each *key* and kind; it must commit its
        work and dispose of its engines (PostgreSQL copies a template only when nothing is connected to it).
        Never connect to the returned URL: take copies of it with ``fresh(kind, seed=(key, build))``."""
        if (kind, key) not in self.seeds:
            url = self.fresh(kind)
            self.seeds[(kind, key)] = (url, build(url))
        return self.seeds[(kind, key)]

    def fresh(self, kind: str, seed: tuple[str, Callable[[str], Any]] | None = None) -> str:
        """Return the URL of a new database that is a copy of the template (of the seeded one, when given)."""
        template = self.template(kind) if seed is None else self.seeded(kind, *seed)[0]
        if kind == 'sqlite':
            path = self.tmp / f'db_{uuid.uuid4().hex[:10]}.sqlite3'
            shutil.copyfile(template.removeprefix('sqlite:///'), path)
            return f'sqlite:///{path}'
        name = f'if_test_{uuid.uuid4().hex[:10]}'
        self._create_pg(name, template=template.rsplit('/', 1)[1])
        return _pg_url(name)

    def _require_pg(self) -> None:
        if self.pg_error is None:
            try:
                with _pg_admin_engine().connect() as conn:
                    conn.execute(sa.text('select 1'))
                self.pg_error = ''
            except sa.exc.OperationalError as exc:
                self.pg_error = str(exc.orig).splitlines()[0]
        if self.pg_error:
            if os.environ.get('INSPECT_FLOW_SKIP_POSTGRES') and not os.environ.get('CI'):
                pytest.skip(f'PostgreSQL unreachable ({self.pg_error}); skipped on request')
            pytest.fail(f'PostgreSQL is required at {PG_URL} and cannot be reached: {self.pg_error}', pytrace=False)

    def _create_pg(self, name: str, template: str | None = None) -> None:
        with _pg_admin_engine().connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE {name}' + (f' TEMPLATE {template}' if template else '')))
        self.created_pg.append(name)

    def release(self, url: str) -> None:
        """A test is done with the database at ``url``: drop it in the background (a SQLite file is removed)."""
        if url.startswith('sqlite:///'):
            Path(url.removeprefix('sqlite:///')).unlink(missing_ok=True)
            return
        name = url.rsplit('/', 1)[1]
        if name not in self.created_pg:
            return
        self.created_pg.remove(name)
        if self._dropper is None:
            self._dropper = threading.Thread(target=self._drop_released, name='drop-test-databases', daemon=True)
            self._dropper.start()
        self._to_drop.put(name)

    def _drop_released(self) -> None:
        engine = _pg_admin_engine()
        while (name := self._to_drop.get()) is not None:
            with engine.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS {name} WITH (FORCE)'))
        engine.dispose()

    def close(self) -> None:
        for engine in self.engines.values():
            engine.dispose()
        if self._dropper is not None:
            self._to_drop.put(None)
            self._dropper.join()
        if self.created_pg:
            with _pg_admin_engine().connect() as conn:
                for name in reversed(self.created_pg):
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS {name} WITH (FORCE)'))


@pytest.fixture(scope='session')
def databases(tmp_path_factory):  # noqa: ANN001, ANN201
    dbs = Databases(tmp_path_factory.mktemp('databases'))
    yield dbs
    dbs.close()


@pytest.fixture(params=DB_KINDS)
def db_kind(request) -> str:  # noqa: ANN001
    """The database a test runs on: each database test runs once on SQLite and once on PostgreSQL."""
    return request.param


@pytest.fixture
def session(databases, db_kind):  # noqa: ANN001, ANN201
    """A session whose work is rolled back after the test (operations only flush; nothing commits)."""
    engine = databases.engine(db_kind)
    conn = engine.connect()
    outer = conn.begin()
    s = Session(bind=conn, join_transaction_mode='create_savepoint', expire_on_commit=False)
    yield s
    s.close()
    outer.rollback()
    conn.close()


@pytest.fixture
def db_url(databases, db_kind):  # noqa: ANN001, ANN201
    """The URL of a fresh database of its own (for CLI and concurrency tests), dropped after the test."""
    url = databases.fresh(db_kind)
    yield url
    databases.release(url)
