"""Idempotent requests (IETF draft "The Idempotency-Key HTTP Header Field").

A client sends a key with a request that changes data. The first request with that key claims it by
inserting a row; the row and the work of the request commit in the same transaction, with the
response to send. A retry with the same key and the same body gets the stored response again; a
retry with a different body is refused (409). Two copies arriving at once: the unique constraint on
(user, key) decides (``INSERT … ON CONFLICT DO NOTHING``); the loser waits for the winner's commit and
replays its response. Keys older than the retention period are removed by :func:`prune`
(``inspect-flow api prune-keys``).

Text is compared in NFC, as it is stored: a key, and the body that is hashed, are normalized first. So a
resend whose body spells the same text in NFD (another keyboard, another device's sync) is the same request
and replays the first response: it would store exactly the same rows. Two bodies that differ once normalized
are different requests (409).
"""

from __future__ import annotations

import functools
import hashlib
import json
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspect_flow.core.db import utcnow
from inspect_flow.core.errors import Conflict, InvalidInput
from inspect_flow.core.text import nfc, nfc_text
from inspect_flow.integrations.models import IdempotencyKey

MAX_KEY_LENGTH = 255


def request_fingerprint(method: str, path: str, body: object) -> str:
    """SHA-256 of the method, the path and the canonical JSON of *body* (key order and NFC/NFD do not matter).

    The usual body is NFC already, which one C-level check of the canonical text tells; otherwise the body's
    strings (keys too, which may sort differently) are normalized and the text made again.
    """
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(',', ':'))
    if not (canonical.isascii() or unicodedata.is_normalized('NFC', canonical)):
        canonical = json.dumps(nfc(body), sort_keys=True, ensure_ascii=False, separators=(',', ':'))
    return hashlib.sha256(f'{method.upper()} {path}\n{canonical}'.encode()).hexdigest()


def check_key(key: str) -> str:
    key = nfc_text((key or '').strip())
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise InvalidInput('idempotency.bad_key',
                           f'Khóa Idempotency-Key phải có từ 1 đến {MAX_KEY_LENGTH} ký tự in được.',
                           f'The Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable characters.',
                           field='Idempotency-Key')
    return key


@dataclass
class Replay:
    """A stored response to send again."""

    status: int
    body: str


def _mismatch() -> Conflict:
    return Conflict('idempotency.key_reused',
                    'Khóa Idempotency-Key này đã được dùng cho một yêu cầu khác; hãy dùng khóa mới.',
                    'This Idempotency-Key was already used for a different request; use a new key.',
                    field='Idempotency-Key')


def _answer(row, fingerprint: str) -> Replay | Conflict:  # noqa: ANN001
    """What a request with *fingerprint* gets for the key *row* already holds: its response, or a refusal."""
    if row.request_hash != fingerprint:
        return _mismatch()
    if row.response_status is None:  # cannot happen once committed: the response is stored with the work
        return in_progress()
    return Replay(row.response_status, row.response_body or '')


@functools.cache
def _insert_unless_taken(dialect: str, *returning: str) -> sa.Insert:
    """``INSERT … ON CONFLICT (user_id, key) DO NOTHING RETURNING …``, built once per dialect and returned
    columns (values are bound at execution, so every call hits SQLAlchemy's compiled cache). A plain Core
    insert: no ORM bulk-insert machinery on the hot path."""
    if dialect == 'postgresql':
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = IdempotencyKey.__table__
    return (insert(table).on_conflict_do_nothing(index_elements=['user_id', 'key'])
            .returning(*(table.c[name] for name in returning)))


_COLUMNS = ('user_id', 'key', 'scope', 'request_hash', 'created_dt', 'response_status', 'response_body')


def _insert_if_absent(session: Session, values: dict) -> int | None:
    """Insert the key row unless the key exists: the new id, or ``None`` if the key exists.

    One statement and no SAVEPOINT. On PostgreSQL a concurrent uncommitted insert of the same key makes
    this wait for it to end; on SQLite the writer holds the database lock, so there is no such race.
    """
    conn = session.connection()
    params = {c: values.get(c) for c in _COLUMNS}
    return conn.execute(_insert_unless_taken(conn.dialect.name, 'id'), params).scalar()


@dataclass
class Claimed:
    """A key this request inserted (its row id); the response is stored with :func:`store_response`."""

    id: int


def claim(session: Session, user_id: int, key: str, scope: str, fingerprint: str, *,
          response: tuple[int, str] | None = None) -> Claimed | Replay:
    """Claim *key* for this request, or return the response stored for it.

    :param response: the response, when it is known before the work (asynchronous intake): it is stored
        in the same insert, and the new row's id is returned instead of the row
    :return: the claim (do the work, then :func:`store_response`), or a :class:`Replay`
    :raise Conflict: the key was used with a different request
    """
    values = {'user_id': user_id, 'key': key, 'scope': scope[:300], 'request_hash': fingerprint,
              'created_dt': utcnow()}
    if response is not None:
        values['response_status'], values['response_body'] = response
    with session.no_autoflush:
        new_id = _insert_if_absent(session, values)
    if new_id is None:
        existing = session.scalar(sa.select(IdempotencyKey).where(
            IdempotencyKey.user_id == user_id, IdempotencyKey.key == key).execution_options(populate_existing=True))
        if existing is None:  # pragma: no cover - the conflicting row vanished (pruned) between the statements
            raise in_progress()
        answer = _answer(existing, fingerprint)
        if isinstance(answer, Conflict):
            raise answer
        return answer
    return Claimed(new_id)


def claim_many(conn: sa.Connection, rows: list[dict]) -> set[tuple[int, str]]:
    """Claim many keys in one statement, each with its response; return the (user, key) pairs inserted.

    The others existed already (or came twice in *rows*: the first one wins); :func:`stored_responses`
    tells what to answer for them once the transaction is over.
    """
    if not rows:
        return set()
    params = [{c: r.get(c) for c in _COLUMNS} for r in rows]
    stmt = _insert_unless_taken(conn.dialect.name, 'user_id', 'key')
    return {(row[0], row[1]) for row in conn.execute(stmt, params)}


def stored_responses(conn: sa.Connection, requests: list[tuple[int, str, str]]) -> list[Replay | Conflict | None]:
    """For (user, key, fingerprint) requests: the stored response, the refusal, or ``None`` if the key is not
    stored, one per request in the same order (two requests under one key with different bodies get different
    answers)."""
    table = IdempotencyKey.__table__
    pairs = list({(u, k) for u, k, _f in requests})
    rows = {(r.user_id, r.key): r for r in conn.execute(
        sa.select(table.c.user_id, table.c.key, table.c.request_hash, table.c.response_status, table.c.response_body)
        .where(sa.tuple_(table.c.user_id, table.c.key).in_(pairs)))}
    return [None if (row := rows.get((user_id, key))) is None else _answer(row, fingerprint)
            for user_id, key, fingerprint in requests]


def in_progress() -> Conflict:
    return Conflict('idempotency.in_progress', 'Yêu cầu với khóa này đang được xử lý; hãy gửi lại sau.',
                    'A request with this key is still being processed; retry later.', field='Idempotency-Key')


def store_response(session: Session, claimed: Claimed, status: int, body: str) -> None:
    """Record the response sent for the claimed key's request (in the same transaction as the work)."""
    session.execute(sa.update(IdempotencyKey).where(IdempotencyKey.id == claimed.id)
                    .values(response_status=status, response_body=body))


def prune(session: Session, older_than: timedelta) -> int:
    """Delete the keys older than *older_than* (a retry after that is treated as a new request); return how many."""
    cutoff = utcnow() - older_than
    result = session.execute(sa.delete(IdempotencyKey).where(IdempotencyKey.created_dt < cutoff))
    return result.rowcount or 0
