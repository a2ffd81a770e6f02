"""The ``inspect-flow`` command line: thin commands that parse, call the operations, and print.

Every command runs in one unit of work: it commits once at the end, or rolls back on any error, so a
refused or malformed command changes nothing. Errors print one line (Vietnamese by default, English
with ``--lang en`` or ``INSPECT_FLOW_LANG=en``) and exit non-zero, never with a traceback.
"""

from __future__ import annotations

import getpass
import os

import click

from inspect_flow.cli.context import CliContext, pass_ctx, report_error
from inspect_flow.core.errors import LANGUAGE


class Group(click.Group):
    """A click group that lists commands in the order they were added and reports errors in one line."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)

    def invoke(self, ctx: click.Context):  # noqa: ANN201
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:
            if os.environ.get('INSPECT_FLOW_DEBUG') or not report_error(exc):
                raise
            raise click.exceptions.Exit(1) from None


@click.group(cls=Group, context_settings={'help_option_names': ['-h', '--help'], 'max_content_width': 110})
@click.option('--db', 'db_url', metavar='URL', envvar='INSPECT_FLOW_DATABASE_URL',
              help='Database URL (default: the SQLite file in ./instance). Also INSPECT_FLOW_DATABASE_URL.')
@click.option('--as', 'actor', metavar='USER', envvar='INSPECT_FLOW_ACTOR',
              help='Who is acting, for the audit trail (default: cli:<login name>).')
@click.option('--lang', type=click.Choice(['vi', 'en']), envvar='INSPECT_FLOW_LANG', default='vi', show_default=True,
              help='Language of messages.')
@click.version_option(package_name='inspect_flow')
@click.pass_context
def cli(ctx: click.Context, db_url: str | None, actor: str | None, lang: str) -> None:
    """inspect_flow: inspection and supervision rounds (kiểm tra, giám sát), from the plan to the conclusions."""
    token = LANGUAGE.set(lang)
    ctx.obj = CliContext(db_url=db_url, actor=actor or f'cli:{_login()}', lang=lang)
    ctx.call_on_close(ctx.obj.close)
    ctx.call_on_close(lambda: LANGUAGE.reset(token))


def _login() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001  (no login name in some containers)
        return 'unknown'


def _register() -> None:
    from inspect_flow.cli import admin, rounds

    for command in (admin.init, admin.demo, admin.serve, admin.units, admin.bodies, admin.people, rounds.plans,
                    rounds.teams, rounds.schedule, rounds.visits, rounds.findings, rounds.conclusions,
                    rounds.recommendations, rounds.history):
        cli.add_command(command)
    cli.add_command(__import__('inspect_flow.cli.documents', fromlist=['documents']).documents)
    __import__('inspect_flow.cli.follow_up')  # plans create-from/recur/recurrence, visits follow-up/check
    __import__('inspect_flow.cli.integrations', fromlist=['register']).register(cli)  # tokens, webhooks
    try:
        from inspect_flow.cli.checklists import checklists
    except ImportError:  # the checklist engine is optional while it is being built
        return
    cli.add_command(checklists)


_register()


def main() -> None:
    """Console-script entry point."""
    cli(prog_name='inspect-flow')


__all__ = ['cli', 'main', 'pass_ctx']
