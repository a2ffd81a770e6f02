"""Per-user API tokens: created with a random secret shown once, stored as its SHA-256, revocable."""

from __future__ import annotations

import functools
import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, lazyload

from inspect_flow.accounts.models import User, UserSnapshot
from inspect_flow.core.db import utcnow
from inspect_flow.core.errors import InvalidInput, NotFound
from inspect_flow.core.limits import get_by_id
from inspect_flow.integrations.models import ApiToken

PREFIX = 'ifk_'
#: How stale ``last_used_dt`` may get before a request records a new use (avoids a write per request).
LAST_USED_RESOLUTION = timedelta(minutes=5)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode('utf-8')).hexdigest()


def create_token(session: Session, user: User, *, name: str = '', kind: str = 'api') -> tuple[ApiToken, str]:
    """Create a token for *user*; return the row and the secret (which is not stored and never shown again).

    *kind*: ``api`` (a bearer token of the JSON API) or ``collect`` (an OpenRosa app token, see
    :mod:`inspect_flow.openrosa.tokens`).
    """
    if not user.is_active:
        raise InvalidInput('token.user_inactive', f'Tài khoản {user.username} đã bị khóa.',
                           f'The account {user.username} is disabled.', field='user')
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=(name or '').strip()[:120], prefix=secret[:12],
                     token_hash=hash_secret(secret), kind=kind)
    session.add(token)
    session.flush()
    return token, secret


def list_tokens(session: Session, user: User | None = None) -> list[ApiToken]:
    q = sa.select(ApiToken).order_by(ApiToken.id)
    if user is not None:
        q = q.where(ApiToken.user_id == user.id)
    return list(session.scalars(q))


def get_token(session: Session, token_id: int | str) -> ApiToken:
    token = get_by_id(session, ApiToken, token_id)
    if token is None:
        raise NotFound('token.not_found', f'Không tìm thấy mã truy cập số {token_id}.', f'No API token {token_id}.',
                       field='token')
    return token


def revoke_token(session: Session, token: ApiToken) -> ApiToken:
    """Revoke *token* (from now on it authenticates nobody); revoking twice changes nothing."""
    if token.revoked_dt is None:
        token.revoked_dt = utcnow()
        session.flush()
    return token


@functools.cache
def _authenticate_statement() -> sa.Select:
    """Built once: the statement hits SQLAlchemy's compiled cache on every request."""
    return (sa.select(User, ApiToken.id, ApiToken.last_used_dt).join(ApiToken, ApiToken.user_id == User.id)
            .where(ApiToken.token_hash == sa.bindparam('hash'), ApiToken.revoked_dt.is_(None),
                   ApiToken.kind == sa.bindparam('kind'), User.is_active.is_(True))
            .options(lazyload(User.person), lazyload(User.unit)))


@dataclass(frozen=True)
class TokenUse:
    """Who a valid token authenticates, and whether this use should be recorded (see :func:`record_use`)."""

    user: User
    token_id: int
    record: bool


def _plausible(secret: str) -> bool:
    """Shaped like one of our secrets (checked before hashing, or opening a session for, whatever was sent)."""
    return bool(secret) and secret.startswith(PREFIX) and len(secret) <= 200


def authenticate_token(session: Session, secret: str, *, kind: str = 'api') -> TokenUse | None:
    """The active user holding the active token *secret* of *kind*, or ``None``.

    One query (the token joined to its user); the user's person and unit load only if a rule needs them.
    It only reads, so a request may authenticate before it takes the write lock.
    """
    if not _plausible(secret):
        return None
    row = session.execute(_authenticate_statement(), {'hash': hash_secret(secret), 'kind': kind}).first()
    if row is None:
        return None
    user, token_id, last_used = row
    return TokenUse(user, token_id, last_used is None or utcnow() - last_used > LAST_USED_RESOLUTION)


def record_use(session: Session, use: TokenUse) -> None:
    """Record that the token was used now (called by a request that writes, in its own transaction)."""
    if use.record:
        session.execute(sa.update(ApiToken).where(ApiToken.id == use.token_id).values(last_used_dt=utcnow()))


#: How long a process trusts a token it has checked (the asynchronous intake's acknowledgments only).
CACHE_SECONDS = 2.0


@dataclass(frozen=True)
class _Cached:
    use: TokenUse
    expires: float


class TokenCache:
    """Tokens checked in the last :data:`CACHE_SECONDS`, per process, for the hot path of field devices.

    Only the asynchronous intake uses it: it acknowledges (stores) a submission and applies it later,
    and :func:`inspect_flow.intake.operations.process` checks the token again then, refusing what was
    acknowledged after the token was revoked. So a revoked token may get a few 202s for up to
    :data:`CACHE_SECONDS`, never an applied submission. Everything else authenticates every request.
    The cached user is a :class:`~inspect_flow.accounts.models.UserSnapshot`.
    """

    def __init__(self, seconds: float = CACHE_SECONDS, max_entries: int = 10_000):
        self.seconds, self.max_entries = seconds, max_entries
        self._entries: dict[str, _Cached] = {}
        self._lock = threading.Lock()

    def authenticate(self, sessions: Callable[[], Session], secret: str) -> TokenUse | None:
        """Like :func:`authenticate_token`, from the cache while fresh; a miss reads in a short session of its
        own from *sessions* (closed at once: the caller holds no connection for it)."""
        if not _plausible(secret):
            return None
        digest = hash_secret(secret)
        now = time.monotonic()
        hit = self._entries.get(digest)
        if hit is not None and hit.expires > now:
            return hit.use
        with sessions() as session:
            use = authenticate_token(session, secret)
            snapshot = UserSnapshot.of(use.user) if use is not None else None
        if use is None:
            self._entries.pop(digest, None)
            return None
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            # a hit never records a use: the miss that filled the entry did, if it was due
            self._entries[digest] = _Cached(TokenUse(snapshot, use.token_id, False), now + self.seconds)
        return TokenUse(snapshot, use.token_id, use.record)

    def clear(self) -> None:
        self._entries.clear()


def revoked_before(session: Session, token_id: int | None, moment: datetime) -> bool:
    """The token is gone or was revoked at or before *moment* (a submission acknowledged then is refused)."""
    if token_id is None:
        return False
    row = session.execute(sa.select(ApiToken.revoked_dt).where(ApiToken.id == token_id)).first()
    return revoked_by(row is not None, None if row is None else row[0], moment)


def revoked_by(exists: bool, revoked_dt: datetime | None, moment: datetime) -> bool:
    """The rule of :func:`revoked_before`, on a token row already read (*exists*: it is still there)."""
    return not exists or (revoked_dt is not None and revoked_dt <= moment)
