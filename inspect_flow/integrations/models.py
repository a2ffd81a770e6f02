"""API tokens, stored idempotent responses, webhook subscriptions, the outbox and its delivery log."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from inspect_flow.accounts.models import User
from inspect_flow.core.db import Base, utcnow


class ApiToken(Base):
    """A per-user bearer token. Only the SHA-256 of the secret is kept; the secret is shown once."""

    __tablename__ = 'api_tokens'

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey('users.id', ondelete='CASCADE'), index=True)
    name: Mapped[str] = mapped_column(sa.String(120), default='')
    #: The first characters of the secret, to tell tokens apart in listings (not enough to use it).
    prefix: Mapped[str] = mapped_column(sa.String(16))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_dt: Mapped[datetime | None] = mapped_column()
    revoked_dt: Mapped[datetime | None] = mapped_column()
    #: ``api``: a bearer token of the JSON API; ``collect``: an app token carried in the URL path of the
    #: OpenRosa server (ODK Collect, KoboCollect: ``/v1/key/<token>/``). Neither works in the other's place.
    kind: Mapped[str] = mapped_column(sa.String(10), default='api', server_default='api')

    user: Mapped[User] = relationship(lazy='joined')

    @property
    def is_active(self) -> bool:
        return self.revoked_dt is None

    def __repr__(self) -> str:
        return f'<ApiToken {self.id} {self.prefix}… user={self.user_id}>'


class IdempotencyKey(Base):
    """One idempotent request: the key a client chose, a fingerprint of its body, and the response sent.

    Written in the same transaction as the work the request did, so either both are stored or neither.
    """

    __tablename__ = 'idempotency_keys'
    __table_args__ = (sa.UniqueConstraint('user_id', 'key'),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey('users.id', ondelete='CASCADE'))
    key: Mapped[str] = mapped_column(sa.String(255))
    #: Method and path the key was used on, e.g. ``POST /api/v1/visits/3/submissions``.
    scope: Mapped[str] = mapped_column(sa.String(300))
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    response_status: Mapped[int | None] = mapped_column()
    response_body: Mapped[str | None] = mapped_column(sa.Text)
    created_dt: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    def __repr__(self) -> str:
        return f'<IdempotencyKey {self.key!r} user={self.user_id} {self.response_status}>'


class WebhookSubscription(Base):
    """An integrator's endpoint and the events it wants; payloads are signed with ``secret``."""

    __tablename__ = 'webhook_subscriptions'

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(sa.String(500))
    #: Event names, e.g. ``["visit.submitted", "document.issued"]``.
    events: Mapped[list] = mapped_column(sa.JSON, default=list)
    secret: Mapped[str] = mapped_column(sa.String(128))
    #: After a rotation, deliveries are signed with the previous secret too until ``previous_secret_until``.
    previous_secret: Mapped[str | None] = mapped_column(sa.String(128))
    previous_secret_until: Mapped[datetime | None] = mapped_column()
    description: Mapped[str] = mapped_column(sa.String(200), default='')
    is_active: Mapped[bool] = mapped_column(default=True)
    created_by: Mapped[str] = mapped_column(sa.String(120), default='')
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f'<WebhookSubscription {self.id} {self.url}>'


class WebhookOutbox(Base):
    """One event to deliver to one subscription, written in the transaction that caused the event."""

    __tablename__ = 'webhook_outbox'
    __table_args__ = (sa.Index('ix_webhook_outbox_state_next', 'state', 'next_attempt_dt'),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(sa.ForeignKey('webhook_subscriptions.id', ondelete='CASCADE'),
                                                 index=True)
    #: A unique id per delivery; receivers use it to drop duplicates (delivery is at least once).
    delivery_id: Mapped[str] = mapped_column(sa.String(36), unique=True)
    event: Mapped[str] = mapped_column(sa.String(60))
    payload: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    #: pending → delivered, or failed after the last retry.
    state: Mapped[str] = mapped_column(sa.String(12), default='pending')
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_dt: Mapped[datetime] = mapped_column(default=utcnow)
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_dt: Mapped[datetime | None] = mapped_column()

    subscription: Mapped[WebhookSubscription] = relationship()
    log: Mapped[list[WebhookAttempt]] = relationship(back_populates='outbox', order_by='WebhookAttempt.id',
                                                     cascade='all, delete-orphan')

    def __repr__(self) -> str:
        return f'<WebhookOutbox {self.id} {self.event} {self.state}>'


class WebhookAttempt(Base):
    """The delivery log: one row per attempt, with the receiver's status or the error."""

    __tablename__ = 'webhook_attempts'

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_id: Mapped[int] = mapped_column(sa.ForeignKey('webhook_outbox.id', ondelete='CASCADE'), index=True)
    attempt: Mapped[int] = mapped_column()
    status_code: Mapped[int | None] = mapped_column()
    error: Mapped[str | None] = mapped_column(sa.String(500))
    duration_ms: Mapped[int] = mapped_column(default=0)
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)

    outbox: Mapped[WebhookOutbox] = relationship(back_populates='log')


@event.listens_for(Session, 'after_flush')
def _webhook_events(session: Session, _context) -> None:  # noqa: ANN001
    """Put the events this flush caused into the webhook outbox (see :mod:`inspect_flow.integrations.webhooks`).

    After the flush, so that new rows have their ids (an issued document is often new); the attribute
    history is still that of the flush. The outbox rows join the next flush, in the same transaction
    (committing flushes until the session is clean).
    """
    from inspect_flow.integrations.webhooks import enqueue_pending

    enqueue_pending(session)
