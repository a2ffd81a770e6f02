"""``inspect-flow worker``: a Celery worker (and, with ``--beat``, the scheduler) for the background tasks."""

from __future__ import annotations

import click

from inspect_flow.cli.context import CliContext, pass_ctx
from inspect_flow.core.errors import DomainError


@click.command()
@click.option('--beat', is_flag=True, help='Also run the scheduler (daily reminders, overdue marking, webhooks).')
@click.option('--concurrency', '-c', type=click.IntRange(1, 64), default=None,
              help='Worker processes (default: one per core).')
@click.option('--loglevel', default='info', show_default=True,
              type=click.Choice(['debug', 'info', 'warning', 'error'], case_sensitive=False))
@click.option('--hostname', '-n', default=None, help="The worker's node name (default: celery@<host>).")
@pass_ctx
def worker(ctx: CliContext, beat: bool, concurrency: int | None, loglevel: str, hostname: str | None) -> None:
    """Run a background worker on the broker named by INSPECT_FLOW_BROKER_URL (Redis or RabbitMQ)."""
    from inspect_flow import create_app
    from inspect_flow.tasks.app import in_process

    app = create_app({'DATABASE_URL': ctx.db_url} if ctx.db_url else None)
    if in_process(app):
        raise DomainError('worker.no_broker',
                          'Chưa cấu hình hàng đợi: đặt INSPECT_FLOW_BROKER_URL (ví dụ redis://127.0.0.1:6379/0); '
                          'không có hàng đợi thì các tác vụ chạy ngay trong tiến trình gọi.',
                          'No broker configured: set INSPECT_FLOW_BROKER_URL (for example redis://127.0.0.1:6379/0); '
                          'without one, tasks run in the calling process.')
    ctx.require_schema()
    argv = ['worker', f'--loglevel={loglevel}']
    if concurrency:
        argv.append(f'--concurrency={concurrency}')
    if hostname:
        argv.append(f'--hostname={hostname}')
    if beat:
        from inspect_flow.web.serving import instance_folder

        argv += ['--beat', f'--schedule={instance_folder() / "celerybeat-schedule"}']
    app.extensions['celery'].worker_main(argv)
