"""Background work on Celery: the one home of the tasks.

Tasks are thin shells over the operations, like the web pages, the API and the CLI: each opens a unit of work
on the application's database, calls an operation, and commits. They are declared with ``shared_task`` and bound
to the Flask application by :func:`inspect_flow.tasks.app.celery_init_app`, as Flask's documentation shows.

With no broker configured (``INSPECT_FLOW_BROKER_URL`` unset), the same tasks run in the calling process
(``task_always_eager``), so the embedded default (``make demo``) needs no Redis.
"""
