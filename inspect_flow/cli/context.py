"""Shared pieces of the CLI: the context (engine, session, actor), parameter types, error handling."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from datetime import date, datetime, time

import click
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from inspect_flow.core.errors import DomainError, current_language


class CliContext:
    """What every command needs: the database and who is acting."""

    def __init__(self, db_url: str | None, actor: str, lang: str):
        self.db_url = db_url
        self.actor = actor
        self.lang = lang
        self._engine = None

    @property
    def engine(self):  # noqa: ANN201
        """The engine, created on first use."""
        if self._engine is None:
            from inspect_flow.core.db import make_engine

            self._engine = make_engine(self.db_url)
        return self._engine

    @contextlib.contextmanager
    def session(self, *, check_schema: bool = True) -> Iterator[Session]:
        """Yield a session; commit at the end, roll back on any error (one unit of work per command)."""
        from inspect_flow.core.db import make_session_factory, unit_of_work

        if check_schema:
            self.require_schema()
        with unit_of_work(make_session_factory(self.engine)) as session:
            yield session

    def require_schema(self) -> None:
        """Refuse to work on a database that ``inspect-flow init`` has not created or upgraded."""
        from inspect_flow.core import migrate

        current = migrate.current_revision(self.engine)
        if current == migrate.head_revision():
            return
        if current is None:
            raise DomainError('db.not_initialised', 'Cơ sở dữ liệu chưa được khởi tạo; hãy chạy "inspect-flow init".',
                              'The database has not been created; run "inspect-flow init".')
        raise DomainError('db.outdated', 'Cơ sở dữ liệu cần nâng cấp; hãy chạy "inspect-flow init".',
                          'The database needs an upgrade; run "inspect-flow init".')

    def close(self) -> None:
        """Release the engine's connections."""
        if self._engine is not None:
            self._engine.dispose()

    def msg(self, vi: str, en: str) -> str:
        """Pick the message in the CLI's language."""
        return en if self.lang == 'en' else vi


pass_ctx = click.make_pass_decorator(CliContext)


def report_error(exc: BaseException) -> bool:
    """Print a domain or database error as one line on stderr; return False for anything else (a bug)."""
    lang = current_language()
    label = 'Error' if lang == 'en' else 'Lỗi'
    if isinstance(exc, DomainError):
        click.echo(f'{label}: {exc.localized(lang)}', err=True)
        key = 'message_en' if lang == 'en' else 'message'
        for detail in exc.details or ():
            for item in detail.get('items', ()) if isinstance(detail, dict) else ():
                click.echo(f'  - {item["field"]}: {item[key]}', err=True)
    elif isinstance(exc, OperationalError):
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc).splitlines()[0]
        what = 'cannot use the database' if lang == 'en' else 'không dùng được cơ sở dữ liệu'
        click.echo(f'{label}: {what}: {reason}', err=True)
    elif isinstance(exc, SQLAlchemyError):
        what = 'the database refused the change' if lang == 'en' else 'cơ sở dữ liệu từ chối thay đổi'
        click.echo(f'{label}: {what}: {str(exc).splitlines()[0]}', err=True)
    elif isinstance(exc, OSError | UnicodeDecodeError):
        click.echo(f'{label}: {exc}', err=True)
    else:
        return False
    return True


# --- parameter types ------------------------------------------------------------------------------------

class DateType(click.ParamType):
    """A date as YYYY-MM-DD or DD/MM/YYYY."""

    name = 'DATE'

    def convert(self, value, param, ctx):  # noqa: ANN001, ANN201
        if isinstance(value, date):
            return value
        text = str(value).strip()
        m = re.fullmatch(r'(\d{1,2})/(\d{1,2})/(\d{4})', text)
        try:
            if m:
                return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            return date.fromisoformat(text)
        except ValueError:
            self.fail(f'"{text}" không phải ngày hợp lệ (YYYY-MM-DD hoặc DD/MM/YYYY) / '
                      f'is not a valid date (YYYY-MM-DD or DD/MM/YYYY).', param, ctx)


class TimeType(click.ParamType):
    """A time of day as HH:MM."""

    name = 'HH:MM'

    def convert(self, value, param, ctx):  # noqa: ANN001, ANN201
        if isinstance(value, time):
            return value
        text = str(value).strip()
        m = re.fullmatch(r'(\d{1,2})[:h](\d{2})', text)
        if m and int(m.group(1)) < 24 and int(m.group(2)) < 60:
            return time(int(m.group(1)), int(m.group(2)))
        self.fail(f'"{text}" không phải giờ hợp lệ (HH:MM) / is not a valid time (HH:MM).', param, ctx)


DATE = DateType()
TIME = TimeType()


def at(day: date, moment: time) -> datetime:
    """Combine a day and a time."""
    return datetime.combine(day, moment)


def echo_json(data) -> None:  # noqa: ANN001
    """Print *data* as stable, readable JSON (UTF-8, Vietnamese kept as is)."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False, default=str))
