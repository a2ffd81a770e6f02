"""Per-user API tokens: created with a random secret shown once, stored as its SHA-256, revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspect_flow.accounts.models import User
from inspect_flow.core.db import utcnow
from inspect_flow.core.errors import InvalidInput, NotFound
from inspect_flow.integrations.models import ApiToken

PREFIX = 'ifk_'
#: How stale ``last_used_dt`` may get before a request records a new use (avoids a write per request).
LAST_USED_RESOLUTION = timedelta(minutes=5)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode('utf-8')).hexdigest()


def create_token(session: Session, user: User, *, name: str = '') -> tuple[ApiToken, str]:
    """Create a token for *user*; return the row and the secret (which is not stored and never shown again)."""
    if not user.is_active:
        raise InvalidInput('token.user_inactive', f'Tài khoản {user.username} đã bị khóa.',
                           f'The account {user.username} is disabled.', field='user')
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=(name or '').strip()[:120], prefix=secret[:12],
                     token_hash=hash_secret(secret))
    session.add(token)
    session.flush()
    return token, secret


def list_tokens(session: Session, user: User | None = None) -> list[ApiToken]:
    q = sa.select(ApiToken).order_by(ApiToken.id)
    if user is not None:
        q = q.where(ApiToken.user_id == user.id)
    return list(session.scalars(q))


def get_token(session: Session, token_id: int | str) -> ApiToken:
    token = session.get(ApiToken, int(token_id)) if str(token_id).isdigit() else None
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


def authenticate_token(session: Session, secret: str, *, record_use: bool = False) -> User | None:
    """The active user holding the active token *secret*, or ``None``."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    token = session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_secret(secret)))
    if token is None or token.revoked_dt is not None or not token.user.is_active:
        return None
    if record_use:
        now = utcnow()
        if token.last_used_dt is None or now - token.last_used_dt > LAST_USED_RESOLUTION:
            token.last_used_dt = now
    return token.user
