"""``inspect-flow reminders`` (the daily run, for cron or a background worker) and ``inspect-flow users``
(an account's e-mail address, language and digests)."""

from __future__ import annotations

import click

from inspect_flow.cli.context import DATE, CliContext, echo_json, pass_ctx

#: Exit status when some digests could not be sent (they stay pending for the next run).
EXIT_UNSENT = 3


@click.group('reminders')
def reminders() -> None:
    """Reminders by e-mail: deadlines coming, overdue recommendations, weekly digest, team schedules."""


@reminders.command('send')
@click.option('--on', 'day', type=DATE, help='The day to run for (default: today, or INSPECT_FLOW_TODAY).')
@click.option('--json', 'as_json', is_flag=True, help='Print the report as JSON.')
@pass_ctx
def reminders_send(ctx: CliContext, day, as_json: bool) -> None:  # noqa: ANN001
    """Do one day's run: mark overdue recommendations, record the day's reminders and send every pending one.

    Each reminder is sent once (running the command again the same day sends nothing new). The server is
    INSPECT_FLOW_SMTP_URL (smtp://host:port, smtps://…, ?starttls=1, user:password@); without it the messages go
    to the log. Digests the server did not take are listed, stay pending and go with the next run (exit 3).
    """
    from inspect_flow.core.clock import today
    from inspect_flow.notify.operations import run_day
    from inspect_flow.notify.settings import from_env
    from inspect_flow.notify.transport import transport_for

    settings = from_env()
    transport = transport_for(settings.smtp_url)
    day = day or today()
    with ctx.session() as session:
        report = run_day(session, day, settings, transport, commit=session.commit, actor=ctx.actor)
    if as_json:
        echo_json(report.as_dict())
    else:
        d = f'{day:%d/%m/%Y}'
        click.echo(ctx.msg(
            f'Ngày {d}: {report.marked_overdue} kiến nghị chuyển quá hạn; {report.recorded} nhắc việc mới; '
            f'đã gửi {report.messages_sent} thư ({report.reminders_sent} nhắc việc) qua {transport.name}.',
            f'{d}: {report.marked_overdue} recommendations now overdue; {report.recorded} new reminders; '
            f'sent {report.messages_sent} messages ({report.reminders_sent} reminders) by {transport.name}.'))
        for u in report.unsent:
            click.echo(ctx.msg(f'Chưa gửi được: {u.email} ({u.username}, {u.group}, {u.reminders} nhắc việc): '
                               f'{u.error}. Sẽ gửi lại ở lần chạy sau.',
                               f'Not sent: {u.email} ({u.username}, {u.group}, {u.reminders} reminders): {u.error}. '
                               'It will be sent by the next run.'), err=True)
    if report.unsent:
        raise click.exceptions.Exit(EXIT_UNSENT)


@reminders.command('list')
@click.option('--pending', is_flag=True, help='Only those not sent yet.')
@pass_ctx
def reminders_list(ctx: CliContext, pending: bool) -> None:
    """List the recorded reminders as JSON (recipient, kind, object, due day, status)."""
    import sqlalchemy as sa

    from inspect_flow.notify.models import Reminder, ReminderStatus

    with ctx.session() as session:
        query = sa.select(Reminder).order_by(Reminder.id)
        if pending:
            query = query.where(Reminder.status == ReminderStatus.pending)
        echo_json([{'id': r.id, 'recipient': r.user.username, 'kind': r.kind,
                    'object': f'{r.object_type}#{r.object_id}',
                    'due_day': r.due_day.isoformat(), 'status': r.status.value, 'attempts': r.attempts,
                    'error': r.last_error, 'sent': r.sent_dt.isoformat(timespec='seconds') if r.sent_dt else None}
                   for r in session.scalars(query)])


@click.group('users')
def users() -> None:
    """Accounts: e-mail address, language and reminders."""


@users.command('email')
@click.argument('username')
@click.argument('address', required=False)
@click.option('--clear', is_flag=True, help='Remove the address (no e-mail at all).')
@click.option('--language', type=click.Choice(['vi', 'en']), help='The language of their e-mails.')
@click.option('--digests/--no-digests', default=None, help='Turn the e-mail digests on or off.')
@pass_ctx
def users_email(ctx: CliContext, username: str, address: str | None, clear: bool, language: str | None,
                digests: bool | None) -> None:
    """Set USERNAME's e-mail ADDRESS (and language, digests); an invalid address is refused."""
    from inspect_flow.accounts.operations import find_user, update_contact
    from inspect_flow.core.errors import NotFound

    with ctx.session() as session:
        user = find_user(session, username)
        if user is None:
            raise NotFound('user.not_found', f'Không có tài khoản "{username}".', f'No user "{username}".')
        values = {}
        if address is not None or clear:
            values['email'] = None if clear else address
        if language is not None:
            values['language'] = language
        if digests is not None:
            values['digests_enabled'] = digests
        update_contact(session, user, **values)
        click.echo(f'{user.username}: {user.email or "—"} ({user.language}, '
                   + ctx.msg('nhận thư nhắc việc' if user.digests_enabled else 'không nhận thư nhắc việc',
                             'digests on' if user.digests_enabled else 'digests off') + ')')
