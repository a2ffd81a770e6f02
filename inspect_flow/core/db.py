"""Database plumbing: the declarative base, engines and sessions.

Operations never commit: they ``flush()``. The edge (a CLI command, a web request, a worker job)
owns the transaction and commits once, or rolls back on any exception (Indico's ``RH.process``).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapper, Session, sessionmaker

from inspect_flow.core.text import nfc

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


#: The keys of each model's text columns (String/Text, enums left out) and of its JSON columns.
_TEXT_KEYS: dict[type, tuple[tuple[str, ...], tuple[str, ...]]] = {}


#: Per model, the user-facing text columns the limits apply to: ``({key: max characters or None}, (json keys))``
#: (see :mod:`inspect_flow.core.limits`). Machine tables (stored responses, queued bodies, deliveries) are left out.
_CHECKED: dict[type, tuple[dict[str, int | None], tuple[str, ...]]] = {}
_MACHINE_TABLES = frozenset({'idempotency_keys', 'submission_intake', 'webhook_outbox', 'webhook_attempts',
                             'webhook_subscriptions', 'api_tokens', 'login_attempts', 'evidence_files'})


@event.listens_for(Base, 'mapper_configured', propagate=True)
def _note_text_columns(mapper: Mapper, cls: type) -> None:
    from inspect_flow.core.limits import column_limit

    strings, jsons = [], []
    limits: dict[str, int | None] = {}
    for prop in mapper.column_attrs:
        if len(prop.columns) != 1 or not isinstance(prop.columns[0], sa.Column):
            continue
        col_type = prop.columns[0].type
        if isinstance(col_type, sa.JSON):
            jsons.append(prop.key)
        elif isinstance(col_type, sa.String) and not isinstance(col_type, sa.Enum):
            strings.append(prop.key)
            limits[prop.key] = column_limit(prop.columns[0])
    _TEXT_KEYS[cls] = (tuple(strings), tuple(jsons))
    table = getattr(mapper.local_table, 'name', None)
    if table not in _MACHINE_TABLES:
        _CHECKED[cls] = (limits, tuple(jsons))


def check_limits(obj: object, *, changed_only: bool = True) -> None:
    """Refuse, naming the column, a text value of *obj* that its column cannot hold (too long, NUL or another C0
    control character, a lone surrogate; strings inside JSON values too): see :mod:`inspect_flow.core.limits`.
    Only the values changed since the object was loaded are looked at (a new object: all of them).

    :raise InvalidInput: ``text.too_long``, ``text.bad_character``
    """
    from inspect_flow.core.limits import check_json, check_text

    checked = _CHECKED.get(type(obj))
    if checked is None:
        return
    limits, jsons = checked
    state = sa.inspect(obj)
    keys = state.committed_state if changed_only and state.persistent else None
    values = obj.__dict__
    for key, limit in limits.items():
        value = values.get(key)
        if value.__class__ is str and (keys is None or key in keys):
            check_text(value, key, limit=limit)
    for key in jsons:
        value = values.get(key)
        if value is not None and (keys is None or key in keys):
            check_json(value, key)


def normalize_text(obj: object) -> None:
    """Put every text value of the model instance *obj* in NFC, strings nested in its JSON values included.

    Values are replaced in the instance's own state (no attribute event, no history entry): what the flush
    writes, and what the object shows afterwards, is the NFC text. A value already NFC costs one C-level
    check (a JSON value: one ``json.dumps`` and one check), and is left as the same object.
    """
    strings, jsons = _TEXT_KEYS.get(type(obj), ((), ()))
    values = obj.__dict__
    for key in strings:
        value = values.get(key)
        if value.__class__ is str and not value.isascii() and not unicodedata.is_normalized('NFC', value):
            values[key] = unicodedata.normalize('NFC', value)
    for key in jsons:
        value = values.get(key)
        if value is not None:
            normalized = nfc(value)
            if normalized is not value:
                values[key] = normalized


@event.listens_for(Session, 'before_flush')
def _text_in_nfc(session: Session, _context, _instances) -> None:  # noqa: ANN001
    """Every text stored through the ORM is NFC, whatever door it came in by (web form, API, CLI, files).

    Before each flush, the new and the changed objects of any session get :func:`normalize_text`. One place,
    for every model: each String/Text column (enums aside) and each JSON column, as the models declare them.
    Rows written by Core statements do not pass here; the few that carry outside text normalize it where
    they are built (the batched audit rows, the idempotency keys, the asynchronous intake bodies).

    The same pass refuses text its column cannot hold (:func:`check_limits`), whatever the door.
    """
    for obj in session.new:
        normalize_text(obj)
        check_limits(obj)
    for obj in session.dirty:
        normalize_text(obj)
        check_limits(obj)


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
        options = conn.get_execution_options()
        if options.get('isolation_level') == 'AUTOCOMMIT':  # no transaction: each statement is its own
            return
        mode = options.get('sqlite_begin', 'IMMEDIATE')
        conn.exec_driver_sql(f'BEGIN {mode}' if mode else 'BEGIN')


def make_engine(url: str | None = None, **kwargs) -> Engine:
    """Create an engine for *url* (see :func:`database_url`) with the settings this project relies on."""
    url = database_url(url)
    if url.startswith('sqlite'):
        engine = sa.create_engine(url, **kwargs)
        _configure_sqlite(engine)
    else:
        engine = sa.create_engine(url, **kwargs)
        if not kwargs.get('pool_pre_ping'):
            _ping_after_idle(engine)
    return engine


#: A pooled PostgreSQL connection idle for longer than this is tested before use.
PING_AFTER_IDLE_S = 5.0


def _ping_after_idle(engine: Engine) -> None:
    """Test a pooled connection before use if it sat idle (a restarted server, a dropped socket).

    ``pool_pre_ping`` tests it on *every* checkout: a round trip per request, a sixth of a busy API
    request's cost. Connections in steady use are not tested; a connection that broke while in use
    fails that one request (answered 503 with Retry-After), and SQLAlchemy then drops the whole pool.
    Raising ``DisconnectionError`` from a checkout makes the pool discard it and take another.
    """

    @event.listens_for(engine, 'checkin')
    def _on_checkin(_dbapi_conn, record):  # noqa: ANN001
        record.info['idle_since'] = time.monotonic()

    @event.listens_for(engine, 'checkout')
    def _on_checkout(dbapi_conn, record, _proxy):  # noqa: ANN001
        idle_since = record.info.get('idle_since')
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_S:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise sa.exc.DisconnectionError(str(exc)) from exc


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


class SqliteWriterLock:
    """One writer at a time on a SQLite file, across the threads and the processes that share it.

    SQLite lets one transaction write at a time; the others wait in its busy handler, which sleeps
    1, 2, 5, 10 … up to 100 ms between tries, so an unlucky writer waits far longer than its turn. Writers
    that take this lock first wait in the kernel instead (``flock`` on ``<file>-writer.lock``) and start
    as soon as the previous one commits. Threads of one process queue on a ``threading.Lock`` in front of
    it (``flock`` does not exclude threads sharing a descriptor). The kernel drops a dead process's lock,
    so ``kill -9`` never leaves it held. Writers that do not take it (the CLI) still meet the busy handler.
    """

    def __init__(self, path: Path):
        self.path = Path(f'{path}-writer.lock')
        self._threads = threading.Lock()
        self._fd: int | None = None
        self._pid: int | None = None

    def acquire(self) -> None:
        self._threads.acquire()
        try:
            if self._pid != os.getpid():  # a new process (fork): its own descriptor
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
                self._pid = os.getpid()
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise

    def release(self) -> None:
        try:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def __enter__(self) -> SqliteWriterLock:
        self.acquire()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()


_WRITER_LOCKS: dict[str, SqliteWriterLock] = {}
_WRITER_LOCKS_GUARD = threading.Lock()


def writer_lock(bind) -> SqliteWriterLock | None:  # noqa: ANN001
    """The :class:`SqliteWriterLock` of a SQLite file engine (or session), ``None`` for PostgreSQL or memory.

    Every engine on the same file shares one lock; the engine remembers its lock (this is on hot paths).
    """
    engine = bind.get_bind() if isinstance(bind, Session) else bind
    try:
        return engine.__dict__['_inspect_flow_writer_lock']
    except KeyError:
        pass
    lock = None
    if engine.dialect.name == 'sqlite' and engine.url.database and engine.url.database != ':memory:':
        path = str(Path(engine.url.database).resolve())
        with _WRITER_LOCKS_GUARD:
            lock = _WRITER_LOCKS.get(path)
            if lock is None:
                lock = _WRITER_LOCKS[path] = SqliteWriterLock(Path(path))
    engine.__dict__['_inspect_flow_writer_lock'] = lock
    return lock


def request_session(factory: sessionmaker[Session], *, writes: bool) -> tuple[Session, SqliteWriterLock | None]:
    """The session of one web or API request, and the writer lock it holds (release it after closing the session).

    A request that only reads starts a deferred SQLite transaction: it takes no write lock, so pages and lists
    are served side by side with each other and with the writers, each from its snapshot. A request that
    writes queues for the database's one writer first (:class:`SqliteWriterLock`), then starts ``BEGIN
    IMMEDIATE``. On PostgreSQL neither applies.
    """
    sess = factory()
    lock = None
    if not writes:
        sess.connection(execution_options={'sqlite_begin': 'DEFERRED'})
    else:
        lock = writer_lock(sess)
        if lock is not None:
            lock.acquire()
    return sess, lock
