"""App tokens of the OpenRosa server: carried in the URL path, as ODK Central's app users' (``/v1/key/<token>/``).

They are :class:`~inspect_flow.integrations.models.ApiToken` rows of kind ``collect``: created with a random
secret shown once, stored as its SHA-256, revoked with ``inspect-flow tokens revoke ID``. A collect token is no
bearer token of the JSON API, and an API token opens no form list: a URL ends up in logs and screenshots.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from inspect_flow.core.errors import InvalidInput
from inspect_flow.integrations.tokens import TokenUse, authenticate_token, create_token

KIND = 'collect'
PATH = '/v1/key/{token}/'


def server_url(base_url: str, secret: str) -> str:
    """What to type into Collect's "Server URL": ``https://host/v1/key/<token>/``.

    :raise InvalidInput: *base_url* is not an ``http(s)://host`` address (``base_url``)
    """
    parts = urlsplit((base_url or '').strip())
    if parts.scheme not in ('http', 'https') or not parts.netloc or parts.query or parts.fragment:
        raise InvalidInput('collect.bad_base_url',
                           f'Địa chỉ máy chủ "{base_url}" không hợp lệ; cần dạng http(s)://tên-máy[:cổng].',
                           f'The server address "{base_url}" is not valid; use http(s)://host[:port].',
                           field='base_url')
    return f'{parts.scheme}://{parts.netloc}{parts.path.rstrip("/")}{PATH.format(token=secret)}'


def create_collect_token(session: Session, user, *, name: str = 'ODK Collect'):  # noqa: ANN001, ANN201
    """A new app token for *user*: ``(row, secret)`` (the secret is shown once)."""
    return create_token(session, user, name=name, kind=KIND)


def authenticate(session: Session, secret: str) -> TokenUse | None:
    """The active user holding the active collect token *secret*, or ``None`` (a bad or revoked token)."""
    return authenticate_token(session, secret, kind=KIND)
