"""Webhooks: subscriptions, an outbox written in the transaction of the event, signed delivery with retries.

Events are noticed by an ``after_flush`` listener on every session, so the operations of the round
(submitting a visit, issuing a document, marking a recommendation overdue) need no change: when a
flush moves a visit to ``submitted``, a document to ``issued`` or a recommendation to ``overdue``,
one outbox row per matching active subscription is added to the same transaction (after the flush, so
that a new document's payload has its id). A crash therefore loses
neither the event nor invents one for a rolled-back change.

Delivery (:func:`deliver_due`) posts the JSON payload with
``X-InspectFlow-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the secret>`` and
``X-InspectFlow-Timestamp`` (after :func:`rotate_secret`, for a while, a second signature made with the
previous secret); a 2xx answer marks it delivered, anything else is retried with
exponential backoff until :data:`MAX_ATTEMPTS`. Every attempt is logged. Delivery is at least once:
receivers drop duplicates by ``X-InspectFlow-Delivery``, the row's delivery id, the same on every attempt.

:func:`deliver_one` tries one row and commits by itself: the background workers' delivery
(:mod:`inspect_flow.tasks.webhooks` sends a task per row after the commit that wrote it, and retries the
:func:`due_ids` on a schedule). ``inspect-flow webhooks deliver [--loop]`` runs :func:`deliver_due`.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import ipaddress
import json
import os
import secrets
import socket
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from inspect_flow.core.db import utcnow, writer_lock
from inspect_flow.core.errors import InvalidInput, NotFound
from inspect_flow.core.limits import get_by_id
from inspect_flow.integrations.models import WebhookAttempt, WebhookOutbox, WebhookSubscription

EVENTS = ('visit.submitted', 'document.issued', 'recommendation.overdue')
MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=6)
TIMEOUT = 10.0
#: Hosts allowed although they are loopback or private (comma-separated), e.g. a receiver on the same server.
ALLOWED_HOSTS_ENV = 'INSPECT_FLOW_WEBHOOK_ALLOWED_HOSTS'


# --- subscriptions -----------------------------------------------------------------------------------

def _allowed_hosts() -> set[str]:
    return {h.strip().lower() for h in os.environ.get(ALLOWED_HOSTS_ENV, '').split(',') if h.strip()}


def _bad_url(vi: str, en: str) -> InvalidInput:
    return InvalidInput('webhook.bad_url', vi, en, field='url')


def check_target(url: str, *, resolve: bool = True) -> str:
    """Refuse URLs that are not http(s), or that point at this server's network (loopback, private,
    link-local such as 169.254.169.254) unless the host is explicitly allowed."""
    url = (url or '').strip()
    try:
        parts = urlsplit(url)
        host = (parts.hostname or '').lower()
        port = parts.port
    except ValueError:
        raise _bad_url('Địa chỉ webhook không hợp lệ.', 'The webhook URL is not valid.') from None
    if parts.scheme not in ('http', 'https') or not host or len(url) > 500 or parts.username or parts.password:
        raise _bad_url('Địa chỉ webhook phải là http(s)://máy-chủ/đường-dẫn.',
                       'The webhook URL must be http(s)://host/path.')
    if host in _allowed_hosts():
        return url
    addresses: list[str] = []
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        if resolve:
            try:
                addresses = [ai[4][0] for ai in socket.getaddrinfo(host, port or 443, proto=socket.IPPROTO_TCP)]
            except OSError:
                raise _bad_url(f'Không tìm thấy máy chủ "{host}".', f'Host "{host}" cannot be resolved.') from None
    for address in addresses:
        ip = ipaddress.ip_address(address.split('%', 1)[0])
        if not ip.is_global:
            raise _bad_url(f'Không gửi webhook tới địa chỉ nội bộ {ip}.',
                           f'Webhooks are not sent to internal addresses ({ip}).')
    return url


def _check_events(events: list[str]) -> list[str]:
    if not isinstance(events, list) or not events or any(e not in EVENTS for e in events):
        raise InvalidInput('webhook.bad_events', f'Sự kiện phải thuộc: {", ".join(EVENTS)}.',
                           f'Events must be among: {", ".join(EVENTS)}.', field='events')
    return sorted(set(events))


def _check_secret(secret: str | None) -> str:
    secret = secret or secrets.token_hex(32)
    if not 16 <= len(secret) <= 128:
        raise InvalidInput('webhook.bad_secret', 'Khóa bí mật phải dài từ 16 đến 128 ký tự.',
                           'The secret must be 16 to 128 characters long.', field='secret')
    return secret


def create_subscription(session: Session, *, url: str, events: list[str], actor: str, secret: str | None = None,
                        description: str = '') -> WebhookSubscription:
    """Subscribe *url* to *events*; a random secret is made when none is given."""
    secret = _check_secret(secret)
    sub = WebhookSubscription(url=check_target(url), events=_check_events(events), secret=secret,
                              description=(description or '')[:200], created_by=actor)
    session.add(sub)
    session.flush()
    return sub


def get_subscription(session: Session, sub_id: int | str) -> WebhookSubscription:
    sub = get_by_id(session, WebhookSubscription, sub_id)
    if sub is None:
        raise NotFound('webhook.not_found', f'Không tìm thấy đăng ký webhook số {sub_id}.',
                       f'No webhook subscription {sub_id}.', field='webhook')
    return sub


def list_subscriptions(session: Session) -> list[WebhookSubscription]:
    return list(session.scalars(sa.select(WebhookSubscription).order_by(WebhookSubscription.id)))


#: How long deliveries stay signed with the old secret too after a rotation (the receiver's changeover).
ROTATION_OVERLAP = timedelta(hours=24)
MAX_OVERLAP = timedelta(days=30)


def rotate_secret(session: Session, sub: WebhookSubscription, *, overlap: timedelta = ROTATION_OVERLAP,
                  secret: str | None = None) -> str:
    """Give *sub* a new secret (random unless given) and return it.

    For *overlap* deliveries carry two signatures, with the new and the old secret
    (``X-InspectFlow-Signature: sha256=<new>, sha256=<old>``), so the receiver can switch to the new secret
    at any moment of that window without refusing a delivery. A zero overlap drops the old secret at once.
    """
    if not timedelta(0) <= overlap <= MAX_OVERLAP:
        raise InvalidInput('webhook.bad_overlap', 'Thời gian chuyển tiếp phải từ 0 đến 30 ngày.',
                           'The overlap must be between 0 and 30 days.', field='overlap')
    new = _check_secret(secret)
    if new == sub.secret:
        raise InvalidInput('webhook.same_secret', 'Khóa mới phải khác khóa đang dùng.',
                           'The new secret must differ from the current one.', field='secret')
    sub.previous_secret, sub.previous_secret_until = (sub.secret, utcnow() + overlap) if overlap else (None, None)
    sub.secret = new
    session.flush()
    return new


def signing_secrets(sub: WebhookSubscription, now=None) -> list[str]:  # noqa: ANN001
    """The secrets a delivery is signed with now: the current one, and the previous one during the overlap."""
    now = now or utcnow()
    keys = [sub.secret]
    if sub.previous_secret and sub.previous_secret_until is not None and now < sub.previous_secret_until:
        keys.append(sub.previous_secret)
    return keys


def deactivate_subscription(session: Session, sub: WebhookSubscription) -> None:
    sub.is_active = False
    session.flush()


# --- events into the outbox --------------------------------------------------------------------------

def _iso(value) -> str | None:  # noqa: ANN001
    return value.isoformat() if value is not None else None


def _visit_payload(visit) -> dict:  # noqa: ANN001
    return {'visit_id': visit.id, 'plan_id': visit.plan_id, 'team_id': visit.team_id,
            'commune_id': visit.commune_id, 'district_id': visit.district_id,
            'conclusion_unit_id': visit.conclusion_unit_id, 'state': 'submitted',
            'submitted_dt': _iso(visit.submitted_dt or utcnow())}


def _document_payload(doc) -> dict:  # noqa: ANN001
    return {'document_id': doc.id, 'plan_id': doc.plan_id, 'kind': doc.kind, 'number': doc.number,
            'symbol': doc.symbol, 'issue_date': _iso(doc.issue_date), 'sha256': doc.sha256}


def _recommendation_payload(rec) -> dict:  # noqa: ANN001
    return {'recommendation_id': rec.id, 'plan_id': rec.plan_id, 'addressee': rec.addressee_label,
            'addressee_unit_id': rec.addressee_unit_id, 'deadline': _iso(rec.deadline), 'state': 'overdue'}


def _entered(obj, value: str) -> bool:  # noqa: ANN001
    history = sa.inspect(obj).attrs.state.history
    return bool(history.added) and str(history.added[0]) == value and (
        not history.deleted or str(history.deleted[0]) != value)


_WATCHED: dict[type, tuple[str, str, object]] | None = None


def _watched() -> dict[type, tuple[str, str, object]]:
    """Model class → (event, state entered, payload builder); imported lazily (no import cycle)."""
    global _WATCHED  # noqa: PLW0603
    if _WATCHED is None:
        from inspect_flow.documents.models import IssuedDocument
        from inspect_flow.findings.models import Recommendation
        from inspect_flow.visits.models import Visit

        _WATCHED = {Visit: ('visit.submitted', 'submitted', _visit_payload),
                    IssuedDocument: ('document.issued', 'issued', _document_payload),
                    Recommendation: ('recommendation.overdue', 'overdue', _recommendation_payload)}
    return _WATCHED


def pending_events(session: Session) -> list[tuple[str, dict]]:
    """The events the flush that is ending caused.

    Runs before every flush, so it stays cheap: a type lookup per new or changed object, and the
    attribute history only of the three watched models; the subscriptions are read only when an event
    is found.
    """
    watched = _watched()
    found = []
    for objects in (session.new, session.dirty):
        for obj in objects:
            spec = watched.get(type(obj))
            if spec is not None and _entered(obj, spec[1]):
                found.append((spec[0], spec[2](obj)))
    return found


def enqueue(session: Session, name: str, payload: dict) -> list[WebhookOutbox]:
    """Add one outbox row per active subscription to *name* (in the caller's transaction)."""
    with session.no_autoflush:
        subs = [s for s in session.scalars(sa.select(WebhookSubscription).where(WebhookSubscription.is_active))
                if name in (s.events or [])]
    rows = []
    for sub in subs:
        row = WebhookOutbox(subscription_id=sub.id, delivery_id=str(uuid.uuid4()), event=name,
                            payload={'event': name, 'occurred_at': _iso(utcnow()), 'data': payload},
                            next_attempt_dt=utcnow())
        session.add(row)
        rows.append(row)
    return rows


def enqueue_pending(session: Session) -> None:
    """Called after every flush: queue the events the flush caused, in the same transaction."""
    for name, payload in pending_events(session):
        enqueue(session, name, payload)


# --- delivery ----------------------------------------------------------------------------------------

def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of ``<timestamp>.<body>`` with *secret*."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b'.' + body, hashlib.sha256)
    return 'sha256=' + mac.hexdigest()


def signature_header(keys: list[str], timestamp: str, body: bytes) -> str:
    """The ``X-InspectFlow-Signature`` value: one ``sha256=…`` per secret, comma-separated."""
    return ', '.join(sign(key, timestamp, body) for key in keys)


def verify(secret: str, timestamp: str, body: bytes, signature: str, *, tolerance: int = 300,
           now: float | None = None) -> bool:
    """What a receiver does: refuse stale timestamps, and accept if one of the signatures is made with *secret*
    (compared in constant time; during a rotation the header carries two)."""
    try:
        age = abs((now or time.time()) - int(timestamp))
    except (TypeError, ValueError):
        return False
    expected = sign(secret, timestamp, body)
    found = [hmac.compare_digest(expected, part.strip()) for part in (signature or '').split(',')]
    return age <= tolerance and any(found)


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after *attempts* failed ones: 30 s, 1 min, 2 min, … capped at 6 h."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        return None


_opener = urllib.request.build_opener(_NoRedirect)


@dataclass
class DeliveryResult:
    delivered: int = 0
    retried: int = 0
    failed: int = 0


@dataclass(frozen=True)
class _Request:
    """What one attempt posts, read from the outbox row (so that it can be posted outside a transaction)."""

    url: str
    event: str
    delivery_id: str
    payload: dict
    keys: tuple[str, ...]
    active: bool


def _request_for(row: WebhookOutbox, now=None) -> _Request:  # noqa: ANN001
    sub = row.subscription
    return _Request(sub.url, row.event, row.delivery_id, dict(row.payload), tuple(signing_secrets(sub, now)),
                    bool(sub.is_active))


def _post(req: _Request) -> tuple[int | None, str | None]:
    """POST one delivery; every attempt of a row carries the same ``X-InspectFlow-Delivery`` (its event id)."""
    body = json.dumps(req.payload, ensure_ascii=False, sort_keys=True).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(req.url, data=body, method='POST', headers={
        'Content-Type': 'application/json', 'User-Agent': 'inspect_flow-webhooks/1',
        'X-InspectFlow-Event': req.event, 'X-InspectFlow-Delivery': req.delivery_id,
        'X-InspectFlow-Timestamp': timestamp,
        'X-InspectFlow-Signature': signature_header(list(req.keys), timestamp, body),
    })
    try:
        check_target(req.url)  # DNS may have changed since the subscription was made
        with _opener.open(request, timeout=TIMEOUT) as response:
            return response.status, None
    except urllib.error.HTTPError as exc:
        return exc.code, None
    except InvalidInput as exc:
        return None, exc.message_en
    except (OSError, ValueError) as exc:
        return None, f'{type(exc).__name__}: {exc}'[:500]


def _attempt(req: _Request) -> tuple[int | None, str | None, int]:
    """Post *req* (unless its subscription is inactive): ``(status, error, duration_ms)``."""
    started = time.monotonic()
    status, error = _post(req) if req.active else (None, 'subscription inactive')
    return status, error, int((time.monotonic() - started) * 1000)


def _record(row: WebhookOutbox, req: _Request, status: int | None, error: str | None, duration_ms: int,
            result: DeliveryResult) -> None:
    """Log the attempt on *row* and move it on: delivered on a 2xx, failed after the last try, else retried
    after :func:`backoff`."""
    row.attempts += 1
    row.log.append(WebhookAttempt(attempt=row.attempts, status_code=status, error=error, duration_ms=duration_ms))
    if status is not None and 200 <= status < 300:
        row.state = 'delivered'
        row.delivered_dt = utcnow()
        result.delivered += 1
    elif row.attempts >= MAX_ATTEMPTS or not req.active:
        row.state = 'failed'
        result.failed += 1
    else:
        row.next_attempt_dt = utcnow() + backoff(row.attempts)
        result.retried += 1


def _due(now) -> sa.Select:  # noqa: ANN001
    return sa.select(WebhookOutbox).where(WebhookOutbox.state == 'pending', WebhookOutbox.next_attempt_dt <= now)


def deliver_due(session: Session, *, limit: int = 100, now=None) -> DeliveryResult:  # noqa: ANN001
    """Try every due outbox row once (oldest first); the caller commits.

    On PostgreSQL the rows are locked ``FOR UPDATE SKIP LOCKED``: a row another deliverer is posting (a
    background worker's :func:`deliver_one`) is left to it.
    """
    now = now or utcnow()
    query = _due(now).order_by(WebhookOutbox.id).limit(limit)
    if session.get_bind().dialect.name == 'postgresql':
        query = query.with_for_update(skip_locked=True)
    result = DeliveryResult()
    for row in list(session.scalars(query)):
        req = _request_for(row)
        _record(row, req, *_attempt(req), result)
        session.flush()
    return result


def due_ids(session: Session, *, limit: int = 100, now=None) -> list[int]:  # noqa: ANN001
    """The ids of the outbox rows due now (oldest first): the retries the background scheduler picks up."""
    now = now or utcnow()
    return list(session.scalars(sa.select(WebhookOutbox.id).where(WebhookOutbox.state == 'pending',
                                                                  WebhookOutbox.next_attempt_dt <= now)
                                .order_by(WebhookOutbox.id).limit(limit)))


def deliver_one(factory: sessionmaker[Session], outbox_id: int, *, now=None) -> DeliveryResult:  # noqa: ANN001
    """Try the outbox row *outbox_id* once if it is still pending and due (a background worker's delivery).

    Commits its own transactions; does nothing (an empty result) when the row is delivered or failed
    already, not due yet, gone, or being posted by another deliverer. Running it again after a crash
    posts again under the same delivery id: delivery is at least once.

    - PostgreSQL: the row is locked ``FOR UPDATE SKIP LOCKED`` from the read to its outcome, so two workers
      never post it at once; a killed worker's lock goes with its connection.
    - SQLite: a transaction holds the database's one write lock, so the row is read in a read-only
      snapshot, posted outside any transaction, and the attempt written in a short transaction after.
    """
    now = now or utcnow()
    result = DeliveryResult()
    query = _due(now).where(WebhookOutbox.id == outbox_id)
    with factory() as session:
        if session.get_bind().dialect.name == 'postgresql':
            row = session.scalar(query.with_for_update(skip_locked=True))
            if row is None:
                return result
            req = _request_for(row, now)
            _record(row, req, *_attempt(req), result)
            session.commit()
            return result
        session.connection(execution_options={'sqlite_begin': 'DEFERRED'})
        row = session.scalar(query)
        req = _request_for(row, now) if row is not None else None
        session.rollback()
        if req is None:
            return result
        outcome = _attempt(req)
        lock = writer_lock(session)
        with lock if lock is not None else contextlib.nullcontext():
            row = session.get(WebhookOutbox, outbox_id, populate_existing=True)
            if row is None:
                session.rollback()
                return result
            if row.state != 'pending':  # delivered meanwhile by another deliverer: only the attempt is logged
                row.log.append(WebhookAttempt(attempt=row.attempts + 1, status_code=outcome[0], error=outcome[1],
                                              duration_ms=outcome[2]))
                row.attempts += 1
            else:
                _record(row, req, *outcome, result)
            session.commit()
    return result


def list_deliveries(session: Session, *, subscription_id: int | None = None, limit: int = 100) -> list[WebhookOutbox]:
    q = sa.select(WebhookOutbox).order_by(WebhookOutbox.id.desc()).limit(limit)
    if subscription_id is not None:
        q = q.where(WebhookOutbox.subscription_id == subscription_id)
    return list(session.scalars(q))
