"""The ``inspect-flow`` command line: thin commands that parse, call the operations, and print.

Every command runs in one unit of work: it commits once at the end, or rolls back on any error, so a
refused or malformed command changes nothing. Errors print one line (Vietnamese by default, English
with ``--lang en`` or ``INSPECT_FLOW_LANG=en``) and exit non-zero, never with a traceback.
"""

from __future__ import annotations

import getpass
import os
import sys

import click

from inspect_flow.cli.context import CliContext, pass_ctx, report_error, usage_error_line
from inspect_flow.core.errors import LANGUAGE

#: The exit status after the reader of the output went away (``inspect-flow units list | head``): 128 + SIGPIPE,
#: as for a program the signal ends.
EXIT_BROKEN_PIPE = 141


def _quiet_stdout() -> None:
    """The reader of stdout is gone: send what is still buffered to /dev/null, so no "Broken pipe" is printed."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):  # not a real file (the test runner's stream)
        pass
    finally:
        os.close(devnull)


class Group(click.Group):
    """A click group that lists commands in the order they were added and reports errors in one line: the
    usage errors click finds (a missing argument, an unknown option) as well as the commands' own."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):  # noqa: ANN001, ANN003, ANN201
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            try:
                rv = super().main(args, prog_name, complete_var, False, **extra)
            except click.ClickException as exc:
                if type(exc).__name__ == 'NoArgsIsHelpError':  # a bare group: its help, as click prints it
                    exc.show()
                else:
                    click.echo(usage_error_line(exc), err=True)
                sys.exit(exc.exit_code)
            except click.Abort:
                lang = os.environ.get('INSPECT_FLOW_LANG')
                click.echo('Aborted.' if lang == 'en' else 'Đã hủy.', err=True)
                sys.exit(1)
            sys.stdout.flush()  # here, not at exit, so that a reader gone away is noticed
        except SystemExit:
            if type(sys.stdout).__name__ == '_PacifyFlushWrapper':  # click met the broken pipe (printing help)
                _quiet_stdout()
                sys.exit(EXIT_BROKEN_PIPE)
            raise
        except BrokenPipeError:
            _quiet_stdout()
            sys.exit(EXIT_BROKEN_PIPE)
        sys.exit(rv if isinstance(rv, int) else 0)

    def invoke(self, ctx: click.Context):  # noqa: ANN201
        words = [*getattr(ctx, '_protected_args', ()), *ctx.args]  # the subcommands' words, before they parse them
        try:
            super().invoke(ctx)
            return None  # what a command returns is no exit status (main: an int is one, from click's Exit)
        except click.ClickException as exc:
            exc.inspect_flow_lang = ctx.params.get('lang')  # a parser's error knows no context: say it in --lang
            raise
        except (click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:
            _quiet_stdout()
            raise click.exceptions.Exit(EXIT_BROKEN_PIPE) from None
        except Exception as exc:
            if os.environ.get('INSPECT_FLOW_DEBUG') or not report_error(exc, words):
                raise
            raise click.exceptions.Exit(1) from None


@click.group(cls=Group, context_settings={'help_option_names': ['-h', '--help'], 'max_content_width': 110})
@click.option('--db', 'db_url', metavar='URL', envvar='INSPECT_FLOW_DATABASE_URL',
              help='Database URL (default: the SQLite file in ./instance). Also INSPECT_FLOW_DATABASE_URL.')
@click.option('--as', 'actor', metavar='USER', envvar='INSPECT_FLOW_ACTOR',
              help='Who is acting, for the audit trail (default: cli:<login name>).')
@click.option('--lang', type=click.Choice(['vi', 'en']), envvar='INSPECT_FLOW_LANG', default='vi', show_default=True,
              help='Language of messages.')
@click.option('--config', 'config_file', metavar='FILE', envvar='INSPECT_FLOW_CONFIG',
              help='A configuration file (TOML; default: instance/config.toml if there is one). Also '
                   'INSPECT_FLOW_CONFIG. Environment variables override it.')
@click.version_option(package_name='inspect_flow')
@click.pass_context
def cli(ctx: click.Context, db_url: str | None, actor: str | None, lang: str, config_file: str | None) -> None:
    """inspect_flow: inspection and supervision rounds (kiểm tra, giám sát), from the plan to the conclusions."""
    from inspect_flow.core import config

    token = LANGUAGE.set(lang)
    ctx.call_on_close(lambda: LANGUAGE.reset(token))
    config.apply(config_file)  # fills in the INSPECT_FLOW_* variables that are not set
    if ctx.get_parameter_source('lang') == click.core.ParameterSource.DEFAULT and \
            os.environ.get('INSPECT_FLOW_LANG') in ('vi', 'en'):
        lang = os.environ['INSPECT_FLOW_LANG']  # the file's cli.lang
        LANGUAGE.set(lang)
    ctx.obj = CliContext(db_url=db_url, actor=actor or f'cli:{_login()}', lang=lang)
    ctx.call_on_close(ctx.obj.close)


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
    cli.add_command(__import__('inspect_flow.cli.exports', fromlist=['export']).export)
    cli.add_command(__import__('inspect_flow.cli.categories', fromlist=['categories']).categories)
    __import__('inspect_flow.cli.follow_up')  # plans create-from/recur/recurrence, visits follow-up/check
    __import__('inspect_flow.cli.integrations', fromlist=['register']).register(cli)  # tokens, webhooks
    from inspect_flow.cli.reminders import reminders, users

    cli.add_command(reminders)
    cli.add_command(users)
    from inspect_flow.cli.worker import worker

    cli.add_command(worker)
    cli.add_command(__import__('inspect_flow.cli.collect', fromlist=['collect']).collect)
    from inspect_flow.cli.backup import backup, restore

    cli.add_command(backup)
    cli.add_command(restore)
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
