"""The optional configuration file (TOML), read once when a process starts.

Where it is looked for, first found wins: ``--config FILE`` (the CLI), ``INSPECT_FLOW_CONFIG``, then
``config.toml`` in the instance folder (``INSPECT_FLOW_INSTANCE`` or ``./instance``). A file named explicitly
must exist; the instance folder's is optional.

Every key stands for one ``INSPECT_FLOW_*`` environment variable (:data:`KEYS`), and the file only fills in the
variables that are not set: **an environment variable always overrides the file**. So each part of the
application (the web app, gunicorn's settings, the CLI, the reminders, the workers) keeps reading its variables in
one way, and a setting has one name in the environment and one in the file.

A key the file does not know, a value of the wrong type, or a file that is not TOML is refused with one line
naming the key and the file (:class:`ConfigError`). No Flask here.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import MutableMapping
from dataclasses import dataclass
from pathlib import Path

from inspect_flow.core.errors import InvalidInput

CONFIG_ENV = 'INSPECT_FLOW_CONFIG'
INSTANCE_FILE = 'config.toml'


@dataclass(frozen=True)
class Key:
    """One key of the file: its environment variable, its type, what it is."""

    env: str
    kind: type | tuple  # str, int, bool, or ('list', int) / ('list', str)
    help: str
    minimum: int | None = None


#: The keys of the file, ``section.name`` → what it sets. README "Configuration file" documents them all.
KEYS: dict[str, Key] = {
    'database.url': Key('INSPECT_FLOW_DATABASE_URL', str,
                        'The database URL, e.g. postgresql://inspect@127.0.0.1/inspect_flow (default: the SQLite '
                        'file in the instance folder).'),
    'instance.folder': Key('INSPECT_FLOW_INSTANCE', str,
                           'The instance folder: the SQLite file, the generated secret key, the render cache.'),
    'web.secret_key': Key('INSPECT_FLOW_SECRET_KEY', str,
                          'The key that signs sessions (default: one generated once into the instance folder).'),
    'web.trusted_proxies': Key('INSPECT_FLOW_TRUSTED_PROXIES', int,
                               'How many reverse proxies in front set X-Forwarded-For (0: none).', minimum=0),
    'web.insecure_cookies': Key('INSPECT_FLOW_INSECURE_COOKIES', bool,
                                'Send the session cookie over plain http too (a trusted network only).'),
    'web.session_idle_minutes': Key('INSPECT_FLOW_SESSION_IDLE_MINUTES', int,
                                    'Minutes without a request after which a login ends (30).', minimum=1),
    'web.base_url': Key('INSPECT_FLOW_BASE_URL', str, 'The address the e-mails link into.'),
    'server.bind': Key('INSPECT_FLOW_BIND', str, 'gunicorn: the address to listen on (127.0.0.1:8000).'),
    'server.workers': Key('INSPECT_FLOW_WORKERS', int, 'gunicorn: worker processes (2).', minimum=1),
    'server.threads': Key('INSPECT_FLOW_THREADS', int, 'gunicorn: threads per worker (8).', minimum=1),
    'mail.smtp_url': Key('INSPECT_FLOW_SMTP_URL', str,
                         'smtp://[user:password@]host[:port][?starttls=1] or smtps://… (none: to the log).'),
    'mail.from': Key('INSPECT_FLOW_MAIL_FROM', str, 'The sender of the e-mails.'),
    'reminders.days': Key('INSPECT_FLOW_REMINDER_DAYS', ('list', int),
                          'Days before a deadline the addressees are reminded ([14, 3]).', minimum=1),
    'reminders.schedule_days': Key('INSPECT_FLOW_SCHEDULE_DAYS', int,
                                   'Days before their first visit team members get their schedule (7).', minimum=0),
    'webhooks.allowed_hosts': Key('INSPECT_FLOW_WEBHOOK_ALLOWED_HOSTS', ('list', str),
                                  'Private hosts webhooks may be delivered to (public ones always may).'),
    'worker.broker_url': Key('INSPECT_FLOW_BROKER_URL', str,
                             'The background workers\' broker (redis://… or amqp://…; none: work runs in process).'),
    'paths.templates': Key('INSPECT_FLOW_TEMPLATES', str, 'A folder of templates to use instead of the shipped one.'),
    'paths.checklists': Key('INSPECT_FLOW_CHECKLISTS', str,
                            'A folder of checklists to use instead of the shipped one.'),
    'cli.lang': Key('INSPECT_FLOW_LANG', str, 'The language of the CLI\'s messages: vi or en.'),
}
_CHOICES = {'cli.lang': ('vi', 'en')}
_TYPE_NAMES = {str: ('chuỗi', 'a string'), int: ('số nguyên', 'a whole number'), bool: ('true/false', 'true/false')}


class ConfigError(InvalidInput):
    """The configuration file cannot be used."""


def _refuse(path: Path, key: str | None, vi: str, en: str) -> ConfigError:
    where_vi = f'khóa "{key}" trong tệp cấu hình {path}' if key else f'tệp cấu hình {path}'
    where_en = f'key "{key}" in the configuration file {path}' if key else f'the configuration file {path}'
    return ConfigError('config.invalid', f'{where_vi}: {vi}.', f'{where_en}: {en}.', field=key)


def _type_name(kind: type | tuple, lang: int) -> str:
    if isinstance(kind, tuple):
        inner = _TYPE_NAMES[kind[1]][lang]
        return f'danh sách {inner}' if lang == 0 else f'a list of {inner.removeprefix("a ")}s'
    return _TYPE_NAMES[kind][lang]


def _flatten(path: Path, data: dict) -> dict[str, object]:
    out: dict[str, object] = {}
    for section, body in data.items():
        if not any(k.startswith(f'{section}.') for k in KEYS):
            raise _refuse(path, section, 'không có khóa hoặc mục này', 'there is no such key or section')
        if not isinstance(body, dict):
            raise _refuse(path, section, 'phải là một mục [..]', f'must be a table ([{section}])')
        for name, value in body.items():
            out[f'{section}.{name}'] = value
    return out


def _check(path: Path, key: str, value: object) -> str | None:
    """The environment value of *key*, or ``None`` to leave the variable unset (a false flag)."""
    spec = KEYS.get(key)
    if spec is None:
        raise _refuse(path, key, 'không có khóa này', 'there is no such key')
    kind = spec.kind

    def wrong() -> ConfigError:
        return _refuse(path, key, f'phải là {_type_name(kind, 0)}', f'must be {_type_name(kind, 1)}')

    if isinstance(kind, tuple):
        inner = kind[1]
        if not isinstance(value, list) or not value or not all(
                isinstance(v, inner) and not isinstance(v, bool) for v in value):
            raise wrong()
        items = value
    elif kind is bool:
        if not isinstance(value, bool):
            raise wrong()
        return '1' if value else None
    elif kind is int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise wrong()
        items = [value]
    else:
        if not isinstance(value, str):
            raise wrong()
        items = [value]
    if spec.minimum is not None and any(isinstance(v, int) and v < spec.minimum for v in items):
        raise _refuse(path, key, f'không được nhỏ hơn {spec.minimum}', f'must not be less than {spec.minimum}')
    if key in _CHOICES and value not in _CHOICES[key]:
        choices = ', '.join(_CHOICES[key])
        raise _refuse(path, key, f'phải là một trong {choices}', f'must be one of {choices}')
    if any(isinstance(v, str) and ('\x00' in v or (isinstance(kind, tuple) and ',' in v)) for v in items):
        raise _refuse(path, key, 'có ký tự không dùng được', 'holds a character that cannot be used')
    return ','.join(str(v) for v in items)


def read(path: Path | str) -> dict[str, str]:
    """The environment variables the file at *path* sets (``{INSPECT_FLOW_…: value}``), all of it checked.

    :raise ConfigError: the file is missing or unreadable, not UTF-8 TOML, or has an unknown key or a wrong value
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding='utf-8'))
    except FileNotFoundError:
        raise _refuse(path, None, 'không có tệp này', 'the file does not exist') from None
    except UnicodeDecodeError:
        raise _refuse(path, None, 'không được mã hóa UTF-8', 'it is not UTF-8 encoded') from None
    except tomllib.TOMLDecodeError as exc:
        raise _refuse(path, None, f'không phải TOML hợp lệ ({exc})', f'it is not valid TOML ({exc})') from None
    except OSError as exc:
        raise _refuse(path, None, f'không đọc được ({exc.strerror})', f'it cannot be read ({exc.strerror})') from None
    env: dict[str, str] = {}
    for key, value in _flatten(path, data).items():
        text = _check(path, key, value)
        if text is not None:
            env[KEYS[key].env] = text
    return env


def locate(explicit: Path | str | None = None, environ: MutableMapping[str, str] | None = None) -> Path | None:
    """The configuration file to read: *explicit*, else ``INSPECT_FLOW_CONFIG``, else the instance folder's
    ``config.toml`` if there is one, else ``None``."""
    environ = os.environ if environ is None else environ
    if explicit:
        return Path(explicit)
    if environ.get(CONFIG_ENV):
        return Path(environ[CONFIG_ENV])
    candidate = Path(environ.get('INSPECT_FLOW_INSTANCE') or 'instance') / INSTANCE_FILE
    return candidate if candidate.is_file() else None


def apply(explicit: Path | str | None = None, environ: MutableMapping[str, str] | None = None) -> Path | None:
    """Read the configuration file (see :func:`locate`) and set, in *environ* (``os.environ``), each variable it
    names that is not set already. Return the file read, or ``None``.

    :raise ConfigError: see :func:`read`
    """
    environ = os.environ if environ is None else environ
    path = locate(explicit, environ)
    if path is None:
        return None
    for name, value in read(path).items():
        if not environ.get(name):  # set (and not empty) in the environment: the environment wins
            environ[name] = value
    return path
