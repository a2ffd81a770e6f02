"""``_ping_after_idle`` (PostgreSQL): a pooled connection that sat idle is tested before use and replaced if its
server process is gone; one in steady use is handed out without an extra round trip."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from inspect_flow.core import db
from inspect_flow.core.db import make_engine
from tests.conftest import _pg_admin_engine


@pytest.fixture
def pg_url(databases) -> str:  # noqa: ANN001
    """A PostgreSQL database of this session (the shared test copy; these tests only read)."""
    return databases.engine('postgresql').url.render_as_string(hide_password=False)


@pytest.fixture
def admin():  # noqa: ANN201
    engine = _pg_admin_engine()
    yield engine
    engine.dispose()


def backend_pid(conn: sa.Connection) -> int:
    return conn.execute(sa.text('select pg_backend_pid()')).scalar()


def terminate(admin: sa.Engine, pid: int) -> None:
    with admin.connect() as conn:
        # with a timeout, pg_terminate_backend waits until the process has exited
        assert conn.execute(sa.text('select pg_terminate_backend(:p, 10000)'), {'p': pid}).scalar() is True
        assert conn.execute(sa.text('select count(*) from pg_stat_activity where pid = :p'), {'p': pid}).scalar() == 0


def last_statement(admin: sa.Engine, pid: int) -> tuple[str, str]:
    """What the server process *pid* ran last, and its state (pg_stat_activity)."""
    with admin.connect() as conn:
        return tuple(conn.execute(sa.text('select query, state from pg_stat_activity where pid = :p'),
                                  {'p': pid}).one())


def test_an_idle_connection_whose_server_process_died_is_replaced(pg_url, admin, monkeypatch):  # noqa: ANN001
    monkeypatch.setattr(db, 'PING_AFTER_IDLE_S', 0.0)
    engine = make_engine(pg_url)
    try:
        with engine.connect() as conn:
            dead = backend_pid(conn)
        assert engine.pool.checkedin() == 1
        terminate(admin, dead)
        with engine.connect() as conn:  # the checkout pings, finds it dead, and opens another
            assert conn.execute(sa.text('select 1')).scalar() == 1
            assert backend_pid(conn) != dead
        assert engine.pool.checkedin() == 1, 'the dead connection was dropped, not kept beside the new one'
    finally:
        engine.dispose()


def test_without_the_ping_the_dead_connection_fails_its_first_statement(pg_url, admin, monkeypatch):  # noqa: ANN001
    """The contrast that shows the ping above is what saved the request."""
    monkeypatch.setattr(db, 'PING_AFTER_IDLE_S', 3600.0)
    engine = make_engine(pg_url)
    try:
        with engine.connect() as conn:
            dead = backend_pid(conn)
        terminate(admin, dead)
        with engine.connect() as conn, pytest.raises(sa.exc.OperationalError) as info:
            conn.execute(sa.text('select 1'))
        assert info.value.connection_invalidated
        with engine.connect() as conn:  # SQLAlchemy dropped the pool: the next request works again
            assert backend_pid(conn) != dead
    finally:
        engine.dispose()


def test_a_connection_in_steady_use_is_handed_out_without_a_ping(pg_url, admin, monkeypatch):  # noqa: ANN001
    monkeypatch.setattr(db, 'PING_AFTER_IDLE_S', 3600.0)
    engine = make_engine(pg_url)
    try:
        with engine.connect() as conn:
            pid = backend_pid(conn)
        assert last_statement(admin, pid) == ('ROLLBACK', 'idle'), 'returned to the pool with a rollback'
        with engine.connect() as conn:  # checked out: nothing sent to the server
            assert last_statement(admin, pid) == ('ROLLBACK', 'idle'), 'a just-used connection is not pinged'
            assert backend_pid(conn) == pid, 'the same connection was reused'
    finally:
        engine.dispose()


def test_an_idle_connection_is_pinged_on_checkout(pg_url, admin, monkeypatch):  # noqa: ANN001
    monkeypatch.setattr(db, 'PING_AFTER_IDLE_S', 0.0)
    engine = make_engine(pg_url)
    try:
        with engine.connect() as conn:
            pid = backend_pid(conn)
        assert last_statement(admin, pid) == ('ROLLBACK', 'idle')
        with engine.connect() as conn:
            query, _state = last_statement(admin, pid)
            assert query != 'ROLLBACK', 'the checkout of an idle connection pings it (a statement reached the server)'
            assert backend_pid(conn) == pid, 'a live connection is kept'
    finally:
        engine.dispose()
