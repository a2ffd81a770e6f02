"""Database plumbing: the declarative base, engines and sessions.

Operations never commit: they ``flush()``. The edge (a CLI command, a web request, a worker job)
owns the transaction and commits once, or rolls back on any exception (Indico's ``RH.process``).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING_CONVENTION = {
    'ix': 'ix_%(column_0_label)s',
    'uq': 'uq_%(table_name)s_%(column_0_N_name)s',
    'ck': 'ck_%(table_name)s_%(constraint_name)s',
    'fk': 'fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s',
    'pk': 'pk_%(table_name)s',
}


class Base(DeclarativeBase):
    """Declarative base of every inspect_flow model."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Return the current UTC time as a naive datetime (all ``*_dt`` columns hold naive UTC)."""
    return datetime.now(UTC).replace(tzinfo=None)


def default_sqlite_path() -> Path:
    """Return the embedded SQLite file in the instance folder (``./instance`` or ``INSPECT_FLOW_INSTANCE``)."""
    folder = Path(os.environ.get('INSPECT_FLOW_INSTANCE', 'instance'))
    return folder / 'inspect_flow.sqlite3'


def database_url(url: str | None = None) -> str:
    """Resolve the database URL: explicit value, then ``INSPECT_FLOW_DATABASE_URL``, then the SQLite default.

    A plain ``postgresql://`` URL is routed to psycopg 3.
    """
    url = url or os.environ.get('INSPECT_FLOW_DATABASE_URL')
    if not url:
        path = default_sqlite_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        return f'sqlite:///{path}'
    if url.startswith('postgresql://') or url.startswith('postgres://'):
        url = 'postgresql+psycopg://' + url.split('://', 1)[1]
    return url


def _configure_sqlite(engine: Engine) -> None:
    """Set WAL, foreign keys and a busy timeout on every connection; take the write lock at BEGIN.

    pysqlite's own transaction handling is switched off so that SAVEPOINTs work and so that every
    transaction starts with ``BEGIN IMMEDIATE``: a read-then-write transaction that started deferred
    could otherwise fail with "database is locked" when it upgrades its lock, which busy_timeout
    does not retry.
    """

    @event.listens_for(engine, 'connect')
    def _on_connect(dbapi_conn, _record):  # noqa: ANN001
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute('PRAGMA journal_mode=WAL')
        cur.execute('PRAGMA foreign_keys=ON')
        cur.execute('PRAGMA busy_timeout=10000')
        cur.execute('PRAGMA synchronous=NORMAL')
        cur.close()

    @event.listens_for(engine, 'begin')
    def _on_begin(conn):  # noqa: ANN001
        mode = conn.get_execution_options().get('sqlite_begin', 'IMMEDIATE')
        conn.exec_driver_sql(f'BEGIN {mode}' if mode else 'BEGIN')


def make_engine(url: str | None = None, **kwargs) -> Engine:
    """Create an engine for *url* (see :func:`database_url`) with the settings this project relies on."""
    url = database_url(url)
    if url.startswith('sqlite'):
        engine = sa.create_engine(url, **kwargs)
        _configure_sqlite(engine)
    else:
        kwargs.setdefault('pool_pre_ping', True)
        engine = sa.create_engine(url, **kwargs)
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return the session factory used by every front end."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


@contextlib.contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """Yield a session and commit it once at the end, or roll back on any exception."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def is_postgresql(session_or_engine) -> bool:  # noqa: ANN001
    """Tell whether the session or engine talks to PostgreSQL."""
    bind = session_or_engine.get_bind() if isinstance(session_or_engine, Session) else session_or_engine
    return bind.dialect.name == 'postgresql'
