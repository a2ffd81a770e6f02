"""Group commit for the asynchronous intake: many acknowledgments, one short transaction.

A field device's ``Prefer: respond-async`` submission is acknowledged (202) only once its body and its
idempotency key are committed. Committing each request on its own costs a transaction per request
(on SQLite, a turn at the one write lock; on PostgreSQL, a WAL flush and several round trips). Here the
request threads of a process hand their rows to one writer thread and wait; the writer takes everything
waiting, writes it with two multi-row inserts in one transaction, commits, and wakes each request with
its outcome. Nothing waits on purpose: while one batch commits, the next one gathers, so a lone request
is written at once and a busy server writes large batches (PostgreSQL's own group commit, one level up).

The guarantees are those of one request per transaction:

* a request is answered only after the transaction holding its rows has committed (``kill -9`` of the
  process loses only requests that were never answered, which their devices send again);
* a key already stored, or taken by an earlier request of the same batch, gets the stored response,
  or 409 if the body differs (:func:`inspect_flow.integrations.idempotency.stored_responses`);
* if the batch fails (a visit deleted meanwhile, the database gone), it is rolled back and each request
  is written again in its own transaction, so one bad request fails alone, with its own error.

A writer may also be given a *vet* function, which decides in the batch's transaction, with one query for
all of it, which requests must be refused (the API checks there that each visit exists, that the user may
submit it and that its version is the one the edit was based on): a refused request writes nothing and gets
its error. This takes a round trip per request off the request threads.

No Flask here: the web API calls :meth:`IntakeWriter.write`; tests call it directly.
"""

from __future__ import annotations

import contextlib
import functools
import os
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field

import sqlalchemy as sa

from inspect_flow.core.db import make_engine, writer_lock
from inspect_flow.core.errors import Conflict, Unavailable
from inspect_flow.intake.models import SubmissionIntake
from inspect_flow.integrations import idempotency
from inspect_flow.integrations.models import ApiToken

#: Upper bound on the rows of one transaction (a batch this size commits in a few milliseconds).
MAX_BATCH = 200



@dataclass(frozen=True)
class Refusal:
    """Why the writer's *vet* function refuses a request (nothing of it is written)."""

    error: Exception
    #: Look the request's key up first, and refuse only if it is not stored: a resend gets the answer of its
    #: first copy, which a refusal caused by that very copy (its visit's version moved when it was applied)
    #: must not hide. The synchronous path orders its checks the same way.
    after_key: bool = False


#: ``vet(connection, batch)``: for each request of the batch, its :class:`Refusal`, or ``None`` to write it.
Vet = Callable[[sa.Connection, Sequence['PendingIntake']], Sequence[Refusal | None]]


@dataclass
class PendingIntake:
    """One acknowledged-to-be submission: its intake row, and its key row (with the 202 it will replay)."""

    intake: dict
    #: The 202 response (also stored on the key row, for replays).
    response: str
    #: ``None`` without an Idempotency-Key (the intake row then carries ``intake:<uid>`` as its key).
    key: dict | None = None
    #: A token whose ``last_used_dt`` should be recorded with this write.
    touch_token_id: int | None = None
    #: What the writer's *vet* function checks before writing this (its own type; ``None``: nothing to check).
    admission: object | None = None
    future: Future = field(default_factory=Future, repr=False)


@dataclass(frozen=True)
class Written:
    """The outcome of one request: the response to send (stored, or replayed for a key already used)."""

    status: int
    body: str
    replayed: bool
    #: The status URL of a new 202 (a replayed one carries it in its body).
    location: str | None = None


@functools.cache
def _intake_insert() -> sa.Insert:
    table = SubmissionIntake.__table__
    return table.insert().returning(table.c.id)


class IntakeWriter:
    """The writer thread of one process (started on first use, and again in a forked child)."""

    def __init__(self, engine: sa.Engine, *, max_batch: int = MAX_BATCH, vet: Vet | None = None):
        #: Its own engine, without a pool: the writer keeps one connection and never waits for the
        #: request threads' pool (they may hold all of it while they wait for the writer).
        self.engine = make_engine(engine.url.render_as_string(hide_password=False), poolclass=sa.pool.NullPool)
        self.max_batch = max_batch
        self.vet = vet
        self._conn: sa.Connection | None = None
        self._queue: queue.SimpleQueue[PendingIntake] = queue.SimpleQueue()
        self._start_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        #: Batches written and rows in them, for the benchmarks.
        self.batches = 0
        self.rows = 0

    def write(self, item: PendingIntake, timeout: float = 30.0) -> Written:
        """Queue *item*, wait until its transaction has committed, and return what to answer.

        :raise Conflict: the key was used with a different body
        :raise DomainError: refused by the writer's *vet* function (nothing was written)
        :raise Unavailable: not committed within *timeout* seconds (it may still be: a resend with the same key
            gets the stored answer)
        :raise SQLAlchemyError: the database refused or failed (nothing of this request was stored)
        """
        self._ensure_thread()
        self._queue.put(item)
        try:
            return item.future.result(timeout)
        except FutureTimeout:
            raise Unavailable('intake.timeout', 'Máy chủ chưa lưu kịp bản gửi; hãy gửi lại với cùng khóa.',
                              'The submission was not stored in time; send it again with the same key.') from None

    # --- the writer thread ------------------------------------------------------------------------------

    def _ensure_thread(self) -> None:
        if self._pid == os.getpid() and self._thread is not None and self._thread.is_alive():
            return
        with self._start_lock:
            if self._pid != os.getpid() or self._thread is None or not self._thread.is_alive():
                if self._pid is not None and self._pid != os.getpid():  # forked: the parent's queue, thread and
                    self._queue = queue.SimpleQueue()                          # connection are not ours
                    self._conn = None
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._run, name='intake-writer', daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self._write_batch(batch)
            except BaseException as exc:  # noqa: BLE001 - every waiting request must be woken
                for item in batch:
                    if not item.future.done():
                        item.future.set_exception(exc)

    def _write_batch(self, batch: list[PendingIntake]) -> None:
        try:
            outcomes = self._commit(batch)
        except Exception:  # noqa: BLE001 - retried one by one, so that only the bad request fails
            if len(batch) == 1:
                raise
            for item in batch:
                try:
                    self._settle([item], self._commit([item]))
                except Exception as exc:  # noqa: BLE001
                    item.future.set_exception(exc)
            return
        self._settle(batch, outcomes)

    def _connection(self) -> sa.Connection:
        """The writer thread's own connection, kept between batches (opened again after a failure)."""
        if self._conn is None or self._conn.closed or self._conn.invalidated:
            if self._conn is not None:
                self._conn.close()
            self._conn = self.engine.connect()
        return self._conn

    def _commit(self, batch: list[PendingIntake]) -> dict[int, Written | Exception]:
        """Write *batch* in one transaction and commit; return the outcomes of the requests refused by *vet* or
        whose key was taken."""
        conn = self._connection()
        try:
            with contextlib.ExitStack() as stack:
                lock = writer_lock(self.engine)
                if lock is not None:
                    stack.enter_context(lock)
                with conn.begin():
                    outcomes = self._insert(conn, batch, self.vet)
        except Exception:
            self._conn = None
            conn.close()
            raise
        self.batches += 1
        self.rows += len(batch) - len(outcomes)
        return outcomes

    @staticmethod
    def _insert(conn: sa.Connection, batch: list[PendingIntake], vet: Vet | None) -> dict[int, Written | Exception]:
        refusals: Sequence[Refusal | None] = [None] * len(batch)
        if vet is not None and any(item.admission is not None for item in batch):
            refusals = vet(conn, batch)
        outcomes: dict[int, Written | Exception] = {}
        after_key = []  # refused unless the key is stored (a resend): then the stored answer
        for i, refusal in enumerate(refusals):
            if refusal is not None:
                if refusal.after_key and batch[i].key is not None:
                    after_key.append(i)
                else:
                    outcomes[i] = refusal.error
        excluded = outcomes.keys() | set(after_key)
        claimed = idempotency.claim_many(conn, [item.key for i, item in enumerate(batch)
                                                if item.key is not None and i not in excluded])
        taken: set[tuple[int, str]] = set()
        rows, losers = [], []
        for i, item in enumerate(batch):
            if i in excluded:
                continue
            if item.key is not None:
                pair = (item.key['user_id'], item.key['key'])
                if pair not in claimed or pair in taken:  # stored before, or by a request ahead in this batch
                    losers.append(i)
                    continue
                taken.add(pair)
            rows.append(item.intake)
        if rows:  # RETURNING makes it one multi-row INSERT, not a statement per row (psycopg's executemany)
            conn.execute(_intake_insert(), rows)
        touch = {item.touch_token_id for i, item in enumerate(batch) if item.touch_token_id is not None
                 and i not in excluded}
        if touch:
            conn.execute(sa.update(ApiToken.__table__).where(ApiToken.__table__.c.id.in_(touch))
                         .values(last_used_dt=batch[0].intake['created_dt']))
        lookups = losers + after_key
        if not lookups:
            return outcomes
        # In the same transaction: a key taken earlier in this batch is visible to it, and one taken by
        # another transaction was committed (PostgreSQL's ON CONFLICT waited for it; SQLite holds the lock).
        stored = idempotency.stored_responses(
            conn, [(batch[i].key['user_id'], batch[i].key['key'], batch[i].key['request_hash']) for i in lookups])
        for i, found in zip(lookups, stored, strict=True):
            if found is None:  # not stored: a refusal stands; a claim that lost has lost to one gone meanwhile
                outcomes[i] = refusals[i].error if refusals[i] is not None else idempotency.in_progress()
            elif isinstance(found, Conflict):
                outcomes[i] = found
            else:
                outcomes[i] = Written(found.status, found.body, True)
        return outcomes

    @staticmethod
    def _settle(batch: list[PendingIntake], outcomes: dict[int, Written | Exception]) -> None:
        for i, item in enumerate(batch):
            outcome = outcomes.get(i)
            if outcome is None:
                item.future.set_result(Written(202, item.response, False))
            elif isinstance(outcome, Exception):
                item.future.set_exception(outcome)
            else:
                item.future.set_result(outcome)
