"""``inspect-flow tokens`` and ``inspect-flow webhooks``: API tokens, webhook subscriptions and delivery."""

from __future__ import annotations

import functools
import os
import re
import sys
import time
from datetime import timedelta

import click

from inspect_flow.cli.context import CliContext, echo_json, pass_ctx


@click.group('tokens')
def tokens() -> None:
    """Personal API tokens (Authorization: Bearer …): create, list, revoke."""


@tokens.command('create')
@click.argument('username')
@click.option('--name', default='', help='What the token is for, e.g. "Kobo sync".')
@pass_ctx
def tokens_create(ctx: CliContext, username: str, name: str) -> None:
    """Create a token for USERNAME and print its secret (shown this once only)."""
    from inspect_flow.accounts.operations import find_user
    from inspect_flow.core.errors import NotFound
    from inspect_flow.integrations.tokens import create_token

    with ctx.session() as session:
        user = find_user(session, username)
        if user is None:
            raise NotFound('user.not_found', f'Không có tài khoản "{username}".', f'No user "{username}".')
        token, secret = create_token(session, user, name=name)
        token_id = token.id
    click.echo(ctx.msg(f'Mã truy cập #{token_id} cho {username} (chỉ hiện một lần):',
                       f'Token #{token_id} for {username} (shown this once only):'), err=True)
    click.echo(secret)


@tokens.command('list')
@click.argument('username', required=False)
@pass_ctx
def tokens_list(ctx: CliContext, username: str | None) -> None:
    """List tokens (of USERNAME, or all), without their secrets."""
    from inspect_flow.accounts.operations import find_user
    from inspect_flow.integrations.tokens import list_tokens

    with ctx.session() as session:
        user = find_user(session, username) if username else None
        rows = [{'id': tk.id, 'user': tk.user.username, 'name': tk.name, 'prefix': tk.prefix,
                 'kind': tk.kind, 'created': tk.created_dt.isoformat(timespec='seconds'),
                 'last_used': tk.last_used_dt.isoformat(timespec='seconds') if tk.last_used_dt else None,
                 'revoked': tk.revoked_dt.isoformat(timespec='seconds') if tk.revoked_dt else None}
                for tk in list_tokens(session, user)]
    echo_json(rows)


@tokens.command('revoke')
@click.argument('token_id')
@pass_ctx
def tokens_revoke(ctx: CliContext, token_id: str) -> None:
    """Revoke token TOKEN_ID: it stops working at once."""
    from inspect_flow.integrations.tokens import get_token, revoke_token

    with ctx.session() as session:
        revoke_token(session, get_token(session, token_id))
    click.echo(ctx.msg(f'Đã thu hồi mã truy cập #{token_id}.', f'Token #{token_id} revoked.'))


@click.group('webhooks')
def webhooks() -> None:
    """Webhook subscriptions and the delivery worker."""


@webhooks.command('add')
@click.argument('url')
@click.option('--event', 'events', multiple=True, required=True,
              type=click.Choice(['visit.submitted', 'document.issued', 'recommendation.overdue']))
@click.option('--secret', default=None, help='The signing secret (default: a random one, printed).')
@click.option('--description', default='')
@pass_ctx
def webhooks_add(ctx: CliContext, url: str, events: tuple[str, ...], secret: str | None, description: str) -> None:
    """Subscribe URL to events; prints the subscription and its secret."""
    from inspect_flow.integrations.webhooks import create_subscription

    with ctx.session() as session:
        sub = create_subscription(session, url=url, events=list(events), secret=secret, description=description,
                                  actor=ctx.actor)
        out = {'id': sub.id, 'url': sub.url, 'events': sub.events, 'secret': sub.secret}
    echo_json(out)


@webhooks.command('rotate')
@click.argument('subscription_id')
@click.option('--overlap-hours', default=24.0, show_default=True, type=click.FloatRange(0, 720),
              help='How long deliveries are also signed with the old secret.')
@click.option('--secret', default=None, help='The new secret (default: a random one, printed).')
@pass_ctx
def webhooks_rotate(ctx: CliContext, subscription_id: str, overlap_hours: float, secret: str | None) -> None:
    """Give a subscription a new signing secret; prints it (once)."""
    from datetime import timedelta

    from inspect_flow.integrations.webhooks import get_subscription, rotate_secret

    with ctx.session() as session:
        sub = get_subscription(session, subscription_id)
        new = rotate_secret(session, sub, overlap=timedelta(hours=overlap_hours), secret=secret)
        until = sub.previous_secret_until
        out = {'id': sub.id, 'url': sub.url, 'secret': new,
               'previous_secret_until': until.isoformat() + 'Z' if until else None}
    echo_json(out)


@webhooks.command('list')
@pass_ctx
def webhooks_list(ctx: CliContext) -> None:
    """List subscriptions and how many deliveries are pending, delivered, failed."""
    import sqlalchemy as sa

    from inspect_flow.integrations.models import WebhookOutbox
    from inspect_flow.integrations.webhooks import list_subscriptions

    with ctx.session() as session:
        rows = []
        for sub in list_subscriptions(session):
            counts = dict(session.execute(sa.select(WebhookOutbox.state, sa.func.count())
                                          .where(WebhookOutbox.subscription_id == sub.id)
                                          .group_by(WebhookOutbox.state)).all())
            rows.append({'id': sub.id, 'url': sub.url, 'events': sub.events, 'active': sub.is_active,
                         'deliveries': counts})
    echo_json(rows)


@webhooks.command('deliver')
@click.option('--loop', is_flag=True, help='Keep delivering; poll every --interval seconds.')
@click.option('--interval', default=5.0, show_default=True, type=click.FloatRange(0.1, 3600))
@click.option('--max-rounds', default=0, type=click.IntRange(0), help='With --loop: stop after N rounds (0: never).')
@pass_ctx
def webhooks_deliver(ctx: CliContext, loop: bool, interval: float, max_rounds: int) -> None:
    """Deliver the due webhook events once (or keep doing it with --loop)."""
    from inspect_flow.integrations.webhooks import deliver_due

    rounds = 0
    while True:
        with ctx.session() as session:
            result = deliver_due(session)
        rounds += 1
        click.echo(f'delivered={result.delivered} retried={result.retried} failed={result.failed}')
        if not loop or (max_rounds and rounds >= max_rounds):
            return
        time.sleep(interval)


@click.group('submissions')
def submissions() -> None:
    """Asynchronous submissions (Prefer: respond-async): the intake worker."""


@submissions.command('process')
@click.option('--loop', is_flag=True, help='Keep processing; poll every --interval seconds when the queue is empty.')
@click.option('--interval', default=0.2, show_default=True, type=click.FloatRange(0.01, 3600))
@click.option('--batch', default=50, show_default=True, type=click.IntRange(1, 1000),
              help='At most this many submissions per transaction.')
@click.option('--max-batch-ms', type=click.FloatRange(1, 60000),
              help='End a transaction after this long [default: 25 on SQLite, to keep its write lock short; '
                   '500 on PostgreSQL].')
@click.option('--idle-ms', default=0.0, show_default=True, type=click.FloatRange(0, 60000),
              help='Acknowledgments first: wait while submissions arrived within this many ms (0: never wait).')
@click.option('--max-lag', default=30.0, show_default=True, type=click.FloatRange(0, 86400),
              help='With --idle-ms: apply anyway once the oldest queued submission has waited this many seconds.')
@click.option('--max-rounds', default=0, type=click.IntRange(0), help='With --loop: stop after N polls (0: never).')
@click.option('--workers', default=1, show_default=True, type=click.IntRange(1, 64),
              help='Worker processes sharing the queue (PostgreSQL; on SQLite they take turns at the write lock).')
@pass_ctx
def submissions_process(ctx: CliContext, loop: bool, interval: float, batch: int, max_batch_ms: float | None,
                        idle_ms: float, max_lag: float, max_rounds: int, workers: int) -> None:
    """Apply the queued submissions, oldest first, each exactly once; print what was done.

    With --workers N, N processes apply the queue together (each prints its own lines, tagged worker=I);
    the submissions of one visit are still applied one after another, in the order they arrived. If one
    worker fails, the others are stopped and the command exits non-zero.
    """
    ctx.require_schema()
    work = functools.partial(_work, ctx, loop=loop, interval=interval, batch=batch, max_batch_ms=max_batch_ms,
                             idle_ms=idle_ms, max_lag=max_lag, max_rounds=max_rounds)
    if workers == 1:
        work()
        return
    if ctx.engine.dialect.name == 'sqlite':
        click.echo(ctx.msg('Lưu ý: trên SQLite các tiến trình lần lượt giữ quyền ghi; nhiều tiến trình không xử lý '
                           'nhanh hơn một.',
                           'Note: on SQLite the workers take turns at the write lock; several are no faster than '
                           'one.'), err=True)
    ctx.engine.dispose()  # each worker opens its own connections
    _run_workers(workers, work)


def _work(ctx: CliContext, *, loop: bool, interval: float, batch: int, max_batch_ms: float | None, idle_ms: float,
          max_lag: float, max_rounds: int, tag: str = '', parent: int | None = None) -> None:
    """One worker: process the queue (once, or --loop); with *parent*, stop when that process is gone."""
    from inspect_flow.core.db import make_session_factory
    from inspect_flow.intake.operations import process

    factory = make_session_factory(ctx.engine)
    rounds = 0
    while True:
        result = process(factory, batch=batch, max_batch_ms=max_batch_ms, idle_ms=idle_ms, max_lag_s=max_lag)
        rounds += 1
        if result.processed or not loop:
            click.echo(f'done={result.done} failed={result.failed} batches={result.batches}{tag}')
        if not loop or (max_rounds and rounds >= max_rounds):
            return
        if parent is not None and os.getppid() != parent:
            return  # the parent was killed: a worker does not outlive its group
        if not result.processed:
            time.sleep(interval)


def _worker_main(work: functools.partial, index: int, parent: int) -> None:
    """A worker process: run *work*, report a failure in one line like any command, exit non-zero on it."""
    from inspect_flow.cli.context import report_error

    try:
        work(tag=f' worker={index}', parent=parent)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        if os.environ.get('INSPECT_FLOW_DEBUG') or not report_error(exc):
            raise
        sys.exit(1)


def _run_workers(n: int, work: functools.partial) -> None:
    """Run *work* in *n* forked processes and wait for them; stop them all when one fails or on SIGTERM."""
    import multiprocessing
    import signal
    from multiprocessing.connection import wait

    context = multiprocessing.get_context('fork')
    procs = [context.Process(target=_worker_main, args=(work, i + 1, os.getpid()), name=f'intake-worker-{i + 1}')
             for i in range(n)]

    def stop(signum: int, _frame) -> None:  # noqa: ANN001
        raise SystemExit(128 + signum)

    failed = False
    previous = None
    try:
        for p in procs:  # forked before the handler is set: a worker keeps SIGTERM's default (it just ends)
            p.start()
        previous = signal.signal(signal.SIGTERM, stop)
        running = list(procs)
        while running and not failed:
            wait([p.sentinel for p in running])
            for p in [p for p in running if p.exitcode is not None]:
                running.remove(p)
                failed |= p.exitcode != 0
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        started = [p for p in procs if p.pid is not None]
        for p in started:
            if p.is_alive():
                p.terminate()
        for p in started:
            p.join()
    if failed:
        raise click.exceptions.Exit(1)


@submissions.command('status')
@pass_ctx
def submissions_status(ctx: CliContext) -> None:
    """Count queued, done and failed submissions."""
    import sqlalchemy as sa

    from inspect_flow.intake.models import SubmissionIntake

    with ctx.session() as session:
        counts = dict(session.execute(sa.select(SubmissionIntake.state, sa.func.count())
                                      .group_by(SubmissionIntake.state)).all())
    echo_json({k: counts.get(k, 0) for k in ('queued', 'done', 'failed')})


def _duration(value: str) -> timedelta:
    match = re.fullmatch(r'\s*(\d{1,6})\s*([smhdw])\s*', value or '')
    if not match:
        raise click.BadParameter('use a number and a unit: 30m, 12h, 7d, 2w')
    n, unit = int(match.group(1)), match.group(2)
    units = {'s': 'seconds', 'm': 'minutes', 'h': 'hours', 'd': 'days', 'w': 'weeks'}
    return timedelta(**{units[unit]: n})


@click.group('api')
def api() -> None:
    """JSON API maintenance."""


@api.command('prune-keys')
@click.option('--older-than', 'older_than', default='7d', show_default=True,
              help='Delete idempotency keys older than this (30m, 12h, 7d, 2w).')
@pass_ctx
def api_prune_keys(ctx: CliContext, older_than: str) -> None:
    """Delete old idempotency keys (a resend with such a key is then taken as a new request) and the
    asynchronous submissions processed that long ago (their status URL then answers 404)."""
    from inspect_flow.intake.operations import prune_processed
    from inspect_flow.integrations.idempotency import prune

    age = _duration(older_than)
    with ctx.session() as session:
        n = prune(session, age)
        m = prune_processed(session, age)
    click.echo(ctx.msg(f'Đã xóa {n} khóa Idempotency-Key và {m} bài nộp bất đồng bộ đã xử lý, cũ hơn {older_than}.',
                       f'Deleted {n} idempotency keys and {m} processed asynchronous submissions older than '
                       f'{older_than}.'))


def register(cli: click.Group) -> None:
    """Add ``tokens``, ``webhooks``, ``submissions`` and ``api`` to the ``inspect-flow`` command."""
    cli.add_command(tokens)
    cli.add_command(webhooks)
    cli.add_command(submissions)
    cli.add_command(api)
