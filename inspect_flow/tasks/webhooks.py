"""Webhook delivery on the workers: a task per outbox row, sent once the transaction that wrote it has committed.

The outbox rows are written in the transaction of the event (:mod:`inspect_flow.integrations.webhooks`). Here,
the ids of the rows a session wrote are noted as they become persistent, and when that session commits inside a
Flask application whose Celery has a broker, one ``inspect_flow.webhooks.deliver`` task per row is sent (after
the commit: a worker never looks for a row that is not there yet, nor posts an event that was rolled back).
Sending happens wherever the commit happens in an application context: a web or API request, or a task on a
worker (the intake's apply step, the daily overdue marking).

Retries follow the outbox's backoff: a failed attempt sets the row's next attempt, and the beat entry
``inspect_flow.webhooks.deliver_due`` (every :data:`RETRY_INTERVAL_ENV` seconds, 30 by default) tries the due
rows again. It also catches rows written where nothing sends a task (the command line), or whose task could not
be sent (the broker was down).

Delivery is at least once, always under the row's delivery id (``X-InspectFlow-Delivery``): a worker killed
mid-post leaves the task unacknowledged, the broker gives it to another worker, which posts the same row again.

With no broker (the embedded default), nothing is sent from a request, as before: the web request never waits
for a receiver; ``inspect-flow webhooks deliver --loop`` delivers. The tasks themselves still run in process
when called (:func:`inspect_flow.tasks.app.dispatch`).
"""

from __future__ import annotations

import logging
import os

from celery import shared_task
from sqlalchemy import event
from sqlalchemy.orm import Session

from inspect_flow.integrations.models import WebhookOutbox

logger = logging.getLogger('inspect_flow.tasks')

DELIVER = 'inspect_flow.webhooks.deliver'
DELIVER_DUE = 'inspect_flow.webhooks.deliver_due'
#: Seconds between the scheduler's runs of :func:`deliver_due_task` (the retries).
RETRY_INTERVAL_ENV = 'INSPECT_FLOW_WEBHOOK_RETRY_INTERVAL'
_NEW_ROWS = 'inspect_flow.webhooks.new_outbox_ids'


def retry_interval() -> float:
    return float(os.environ.get(RETRY_INTERVAL_ENV) or 30)


@shared_task(name=DELIVER)
def deliver_task(outbox_id: int) -> dict:
    """Try one outbox row once, if it is still pending and due (a repeated task does nothing more)."""
    from flask import current_app

    from inspect_flow.integrations.webhooks import deliver_one

    result = deliver_one(current_app.extensions['inspect_flow.sessions'], int(outbox_id))
    return result.__dict__


@shared_task(name=DELIVER_DUE)
def deliver_due_task(limit: int = 100) -> dict:
    """Try every due outbox row once (the retries, and rows no task was sent for), one after another."""
    from flask import current_app

    from inspect_flow.integrations.webhooks import DeliveryResult, deliver_one, due_ids

    factory = current_app.extensions['inspect_flow.sessions']
    with factory() as session:
        session.connection(execution_options={'sqlite_begin': 'DEFERRED'})
        ids = due_ids(session, limit=limit)
        session.rollback()
    total = DeliveryResult()
    for outbox_id in ids:
        one = deliver_one(factory, outbox_id)
        total.delivered += one.delivered
        total.retried += one.retried
        total.failed += one.failed
    return total.__dict__


# --- sending the tasks after the commit ----------------------------------------------------------------------

@event.listens_for(Session, 'pending_to_persistent')
def _note_outbox_row(session: Session, instance: object) -> None:
    if isinstance(instance, WebhookOutbox):
        session.info.setdefault(_NEW_ROWS, []).append(instance.id)


@event.listens_for(Session, 'after_soft_rollback')
def _forget_rows(session: Session, previous) -> None:  # noqa: ANN001
    if not previous.nested:  # the whole transaction (a SAVEPOINT's rows stay listed: their tasks find nothing)
        session.info.pop(_NEW_ROWS, None)


@event.listens_for(Session, 'after_commit')
def _send_after_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a SAVEPOINT released: the rows are not committed yet
        return
    ids = session.info.pop(_NEW_ROWS, None)
    if ids:
        send_deliveries(ids)


def send_deliveries(ids: list[int]) -> int:
    """Send a delivery task per outbox row through the current application's Celery; return how many were sent.

    Nothing is sent outside an application context, or with no broker (in process, a web request must not wait
    for receivers). A broker that cannot be reached is logged, not raised: the rows are committed and the
    scheduler's :func:`deliver_due_task` delivers them.
    """
    from flask import current_app, has_app_context

    if not has_app_context():
        return 0
    celery_app = current_app.extensions.get('celery')
    if celery_app is None or celery_app.conf.task_always_eager:
        return 0
    sent = 0
    try:
        task = celery_app.tasks[DELIVER]
        for outbox_id in ids:
            task.apply_async(args=(outbox_id,), retry=False)
            sent += 1
    except Exception:  # the broker is down: the scheduler picks the rows up
        logger.warning('webhook delivery tasks not sent (%d of %d); the scheduler will deliver them',
                       len(ids) - sent, len(ids), exc_info=True)
    return sent
