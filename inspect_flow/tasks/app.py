"""The Celery application, made from the Flask application (Flask's documented pattern: ``celery_init_app``).

Configuration (environment, or the ``CELERY`` mapping of the Flask config):

- ``INSPECT_FLOW_BROKER_URL``: ``redis://127.0.0.1:6379/0`` or ``amqp://guest:guest@127.0.0.1:5672//``.
  Unset: tasks run in process, eagerly.
- ``INSPECT_FLOW_QUEUE``: the queue's name (default ``inspect_flow``); several installations may share a broker.
- ``INSPECT_FLOW_BROKER_VISIBILITY_TIMEOUT``: seconds after which Redis gives an unacknowledged task (its worker
  died) to another worker (default 3600). RabbitMQ gives it back as soon as the dead worker's connection closes.

Delivery is *at least once*: a task is acknowledged after it ran (``task_acks_late``), and given back when its
worker is lost (``task_reject_on_worker_lost``); every task is therefore written to be repeated safely.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from celery import Celery, Task
from flask import Flask
from sqlalchemy.orm import Session

DEFAULT_QUEUE = 'inspect_flow'
#: The modules that declare the tasks (``shared_task``); a worker and the in-process default both import them.
TASK_MODULES = ('inspect_flow.tasks.jobs', 'inspect_flow.tasks.webhooks', 'inspect_flow.tasks.intake',
                'inspect_flow.tasks.schedule', 'inspect_flow.tasks.documents')


def celery_settings(app: Flask) -> dict[str, Any]:
    """The Celery configuration for *app*: from the environment, overridden by ``app.config['CELERY']``."""
    from inspect_flow.tasks.schedule import beat_schedule

    broker = os.environ.get('INSPECT_FLOW_BROKER_URL') or None
    queue = os.environ.get('INSPECT_FLOW_QUEUE') or DEFAULT_QUEUE
    visibility = int(os.environ.get('INSPECT_FLOW_BROKER_VISIBILITY_TIMEOUT') or 3600)
    settings: dict[str, Any] = {
        'broker_url': broker,
        'task_default_queue': queue,
        'task_ignore_result': True,  # progress and outcomes live in the database, not in a result backend
        'task_acks_late': True,
        'task_reject_on_worker_lost': True,
        'worker_prefetch_multiplier': 1,
        'broker_connection_retry_on_startup': True,
        # Redis: an unacknowledged task older than the timeout is given back by the next sweep, every
        # min(10 s, timeout / 2) (kombu's default sweeps every 100 s). max_retries: a first connection that fails
        # fails at once (not after ~6 s of retries), so that a request sending a task with retry=False never
        # waits on a broker that is down (the scheduler picks its work up); dispatch() still retries the publish.
        'broker_transport_options': {'visibility_timeout': visibility,
                                     'unacked_restore_interval': max(1, min(10, visibility // 2)),
                                     'unacked_restore_throttle': 1, 'max_retries': 0},
        'worker_hijack_root_logger': False,
        'timezone': 'Asia/Ho_Chi_Minh',
        'enable_utc': True,
        'imports': TASK_MODULES,
        'beat_schedule': beat_schedule(),  # inspect-flow worker --beat
    }
    settings.update(app.config.get('CELERY') or {})
    if not settings.get('broker_url'):
        # the embedded default: the same tasks, run in the calling process
        settings.update(broker_url='memory://', task_always_eager=True, task_eager_propagates=True)
    return settings


def celery_init_app(app: Flask) -> Celery:
    """Bind a Celery application to *app*: every task runs inside the Flask application's context."""

    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    for module in TASK_MODULES:
        importlib.import_module(module)
    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(celery_settings(app))
    app.extensions['celery'] = celery_app
    return celery_app


def dispatch(name: str, *args: object, **kwargs: object):  # noqa: ANN201
    """Send the task *name* through the current Flask application's Celery (run at once when in process).

    Tasks are looked up on the application's own Celery, never on a process-wide default, so that two
    applications in one process (the tests) each run their tasks against their own database.
    """
    from flask import current_app as flask_app

    return flask_app.extensions['celery'].tasks[name].apply_async(args=args, kwargs=kwargs)


def in_process(app: Flask) -> bool:
    """Whether *app*'s tasks run in the calling process (no broker configured)."""
    return bool(app.extensions['celery'].conf.task_always_eager)


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """A session on the current Flask application's database: committed at the end, rolled back on error."""
    from flask import current_app as flask_app

    from inspect_flow.core.db import unit_of_work as uow

    with uow(flask_app.extensions['inspect_flow.sessions']) as session:
        yield session


def workers_health(app: Flask, timeout: float = 1.0) -> tuple[bool, str]:
    """For ``/healthz``: do workers consume this installation's queue? (Asked only when a broker is configured.)"""
    celery_app = app.extensions['celery']
    queue = celery_app.conf.task_default_queue
    replies = celery_app.control.inspect(timeout=timeout).active_queues() or {}
    ours = sorted(name for name, queues in replies.items() if any(q.get('name') == queue for q in queues or ()))
    if not ours:
        return False, 'no worker answered'
    return True, f'{len(ours)} worker(s) answering'
