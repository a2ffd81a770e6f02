"""Idempotent requests (IETF draft "The Idempotency-Key HTTP Header Field").

A client sends a key with a request that changes data. The first request with that key claims it by
inserting a row; the row and the work of the request commit in the same transaction, with the
response to send. A retry with the same key and the same body gets the stored response again; a
retry with a different body is refused (409). Two copies arriving at once: the unique constraint on
(user, key) decides; the loser waits for the winner's commit and replays its response.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from inspect_flow.core.errors import Conflict, InvalidInput
from inspect_flow.integrations.models import IdempotencyKey

MAX_KEY_LENGTH = 255


def request_fingerprint(method: str, path: str, body: object) -> str:
    """SHA-256 of the method, the path and the canonical JSON of *body* (key order does not matter)."""
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(',', ':'))
    return hashlib.sha256(f'{method.upper()} {path}\n{canonical}'.encode()).hexdigest()


def check_key(key: str) -> str:
    key = (key or '').strip()
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


def _replay_of(row: IdempotencyKey, fingerprint: str) -> Replay:
    if row.request_hash != fingerprint:
        raise _mismatch()
    if row.response_status is None:  # cannot happen once committed: the response is stored with the work
        raise Conflict('idempotency.in_progress', 'Yêu cầu với khóa này đang được xử lý; hãy gửi lại sau.',
                       'A request with this key is still being processed; retry later.', field='Idempotency-Key')
    return Replay(row.response_status, row.response_body or '')


def claim(session: Session, user_id: int, key: str, scope: str, fingerprint: str) -> IdempotencyKey | Replay:
    """Claim *key* for this request, or return the response stored for it.

    :return: the new row (do the work, then :func:`store_response`), or a :class:`Replay`
    :raise Conflict: the key was used with a different request
    """
    q = sa.select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
    existing = session.scalar(q)
    if existing is not None:
        return _replay_of(existing, fingerprint)
    row = IdempotencyKey(user_id=user_id, key=key, scope=scope[:300], request_hash=fingerprint)
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        # A concurrent request with the same key committed first (PostgreSQL made us wait for it).
        existing = session.scalar(q.execution_options(populate_existing=True))
        if existing is None:
            raise
        return _replay_of(existing, fingerprint)
    return row


def store_response(session: Session, row: IdempotencyKey, status: int, body: str) -> None:
    """Record the response sent for *row*'s request (in the same transaction as the work)."""
    row.response_status = status
    row.response_body = body
    session.flush()
