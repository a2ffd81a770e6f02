"""The asynchronous intake's apply step on the workers: after a submission is acknowledged (202), a task applies
the queued submissions with :func:`inspect_flow.intake.operations.process`, the code
``inspect-flow submissions process`` runs.

A repeated or concurrent task applies nothing twice: a row is applied in the transaction that writes its outcome,
and rows are taken oldest first with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (SQLite's write lock serializes
them). One task per 202 is sent; a task finding the queue empty costs one query. The scheduler runs the same task
every :data:`SWEEP_INTERVAL_ENV` seconds (60 by default), for submissions whose task could not be sent.

With no broker, nothing is sent from the request (the 202 does not wait for the apply step):
``inspect-flow submissions process --loop`` applies them, as before.
"""

from __future__ import annotations

import logging
import os

from celery import shared_task

logger = logging.getLogger('inspect_flow.tasks')

PROCESS = 'inspect_flow.intake.process'
#: Seconds between the scheduler's sweeps of the intake queue.
SWEEP_INTERVAL_ENV = 'INSPECT_FLOW_INTAKE_SWEEP_INTERVAL'


def sweep_interval() -> float:
    return float(os.environ.get(SWEEP_INTERVAL_ENV) or 60)


@shared_task(name=PROCESS)
def process_task(batch: int = 50) -> dict:
    """Apply the queued submissions, oldest first, each exactly once (what is left when the task starts)."""
    from flask import current_app

    from inspect_flow.intake.operations import process

    result = process(current_app.extensions['inspect_flow.sessions'], batch=batch)
    return {'done': result.done, 'failed': result.failed, 'batches': result.batches}


def send_process() -> bool:
    """Ask a worker to apply the queue (after a 202); ``False`` when no task was sent.

    Nothing is sent with no broker (in process: the request must not wait for the apply step), and a broker that
    cannot be reached is logged, not raised: the submission is stored, the scheduler's sweep applies it.
    """
    from flask import current_app

    celery_app = current_app.extensions.get('celery')
    if celery_app is None or celery_app.conf.task_always_eager:
        return False
    try:
        celery_app.tasks[PROCESS].apply_async(retry=False)
    except Exception:
        logger.warning('intake task not sent; the scheduler will apply the submission', exc_info=True)
        return False
    return True
