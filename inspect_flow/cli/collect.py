"""``inspect-flow collect``: ODK Collect / KoboCollect app tokens and the server URL to type into the app."""

from __future__ import annotations

import os

import click

from inspect_flow.cli.context import CliContext, pass_ctx


@click.group('collect')
def collect() -> None:
    """ODK Collect / KoboCollect (OpenRosa): the server URL of a user (an app token carried in the URL)."""


@collect.command('url')
@click.argument('username')
@click.option('--base-url', metavar='URL', default=None,
              help='The address phones reach the server at (default: INSPECT_FLOW_BASE_URL, else '
                   'http://127.0.0.1:5000).')
@click.option('--name', default='ODK Collect', help='What the token is for, e.g. "Điện thoại của Ngân".')
@pass_ctx
def collect_url(ctx: CliContext, username: str, base_url: str | None, name: str) -> None:
    """Create an app token for USERNAME and print the server URL to type into Collect (shown this once only;
    revoke it with ``inspect-flow tokens revoke ID``)."""
    from inspect_flow.accounts.operations import find_user
    from inspect_flow.core.errors import NotFound
    from inspect_flow.notify.settings import DEFAULT_BASE_URL
    from inspect_flow.openrosa.tokens import create_collect_token, server_url

    base = base_url or os.environ.get('INSPECT_FLOW_BASE_URL') or DEFAULT_BASE_URL
    with ctx.session() as session:
        user = find_user(session, username)
        if user is None:
            raise NotFound('user.not_found', f'Không có tài khoản "{username}".', f'No user "{username}".')
        token, secret = create_collect_token(session, user, name=name)
        url = server_url(base, secret)  # checked before the commit: a bad address creates no token
        token_id = token.id
    click.echo(ctx.msg(f'Mã ứng dụng #{token_id} cho {username}; nhập địa chỉ này vào ODK Collect '
                       '(chỉ hiện một lần):',
                       f'App token #{token_id} for {username}; type this URL into ODK Collect '
                       '(shown this once only):'), err=True)
    click.echo(url)
