"""The tasks: thin shells over the operations (see :mod:`inspect_flow.tasks`)."""

from __future__ import annotations

import os

from celery import shared_task


@shared_task(name='inspect_flow.ping')
def ping() -> dict:
    """Answer with the worker's process id: used by the tests and by operators to see a worker at work."""
    return {'pid': os.getpid()}
