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


def report_error(exc: BaseException, words: list[str] | None = None) -> bool:
    """Print a domain or database error as one line on stderr; return False for anything else (a bug).

    :param words: the command line's words, to name the file a decoding error comes from
    """
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
    elif isinstance(exc, UnicodeDecodeError):
        click.echo(f'{label}: {_not_utf8(exc, lang, words or [])}', err=True)
    elif isinstance(exc, OSError):
        click.echo(f'{label}: {exc}', err=True)
    else:
        return False
    return True


def _not_utf8(exc: UnicodeDecodeError, lang: str, words: list[str]) -> str:
    """A file that is not UTF-8, named: the one file among the command's words (the one it was reading)."""
    from pathlib import Path

    byte = f'0x{exc.object[exc.start]:02x}' if isinstance(exc.object, bytes | bytearray) else '?'
    files = [w for w in words if not w.startswith('-') and Path(w).is_file()]
    name = files[0] if len(files) == 1 else None
    if lang == 'en':
        what = f'{name} is not UTF-8 encoded' if name else 'the input is not UTF-8 encoded'
        return f'{what} (byte {byte} at position {exc.start}); save it as UTF-8 and try again.'
    what = f'tệp {name} không được mã hóa UTF-8' if name else 'dữ liệu vào không được mã hóa UTF-8'
    return f'{what} (byte {byte} ở vị trí {exc.start}); hãy lưu lại dưới dạng UTF-8 rồi chạy lại.'


# --- usage errors: one line in the user's language ----------------------------------------------------------

#: click's own messages for a bad value, and how to say them in Vietnamese (the English stays click's).
_VI_VALUE_MESSAGES = [
    (r'(.+?) is not a valid integer\.', r'\1 không phải số nguyên'),
    (r'(.+?) is not a valid float\.', r'\1 không phải số'),
    (r'(.+?) is not a valid boolean\.', r'\1 không phải giá trị đúng/sai'),
    (r'(.+?) is not a valid UUID\.', r'\1 không phải UUID hợp lệ'),
    (r'(.+?) is not one of (.+)\.', r'\1 không phải một trong các giá trị \2'),
    (r'(.+?) is not (.+)\.', r'\1 không phải \2'),
    (r'(.+?) is not in the range (.+)\.', r'\1 nằm ngoài khoảng \2'),
    (r'(.+?) does not match the formats? (.+)\.', r'\1 không đúng định dạng \2'),
    (r'(?:File|Directory|Path) (.+) does not exist\.', r'không có \1'),
    (r'(?:File|Directory|Path) (.+) is a directory\.', r'\1 là một thư mục, không phải tệp'),
    (r'(?:File|Directory|Path) (.+) is a file\.', r'\1 là một tệp, không phải thư mục'),
    (r'(?:File|Directory|Path) (.+) is not readable\.', r'không đọc được \1'),
    (r'(?:File|Directory|Path) (.+) is not writable\.', r'không ghi được vào \1'),
    (r'Takes (\d+) values but (\d+) (?:was|were) given\.', r'cần \1 giá trị nhưng có \2'),
    (r'Option (.+) requires an argument\.', r'tùy chọn \1 cần một giá trị'),
    (r'Option (.+) requires (\d+) arguments\.', r'tùy chọn \1 cần \2 giá trị'),
    (r'Got unexpected extra arguments? \((.+)\)', r'thừa đối số: \1'),
    (r'Option (.+) does not take a value\.', r'tùy chọn \1 không nhận giá trị'),
]


def _vi_message(message: str) -> str:
    for pattern, replacement in _VI_VALUE_MESSAGES:
        if re.fullmatch(pattern, message.strip()):
            return re.sub(pattern, replacement, message.strip())
    return message


def _hint(exc: click.BadParameter) -> str:
    hint = exc.param_hint
    if hint is None and exc.param is not None:
        hint = exc.param.get_error_hint(exc.ctx)
    if hint is None:
        return ''
    return hint if isinstance(hint, str) else ' / '.join(repr(h) for h in hint)


def usage_language(exc: click.ClickException) -> str:
    """The language of a usage error: ``--lang`` when it was parsed, else ``INSPECT_FLOW_LANG``, else vi."""
    import os

    ctx = getattr(exc, 'ctx', None)
    lang = getattr(exc, 'inspect_flow_lang', None) or (ctx.find_root().params.get('lang') if ctx else None)
    return lang or ('en' if os.environ.get('INSPECT_FLOW_LANG') == 'en' else 'vi')


def usage_error_line(exc: click.ClickException) -> str:
    """The one line that reports a usage error (``Lỗi: thiếu đối số 'PLAN' (xem "… --help").``)."""
    lang = usage_language(exc)
    en = lang == 'en'
    if isinstance(exc, click.MissingParameter):
        kind = exc.param_type or (exc.param.param_type_name if exc.param is not None else 'parameter')
        hint = _hint(exc)
        what = (f'missing {kind} {hint}' if en else
                f'thiếu {dict(argument="đối số", option="tùy chọn").get(kind, "tham số")} {hint}').strip()
    elif isinstance(exc, click.BadParameter):
        detail = exc.message if en else _vi_message(exc.message)
        hint = _hint(exc)
        what = (f'invalid value for {hint}: {detail}' if en else f'giá trị không hợp lệ cho {hint}: {detail}') \
            if hint else detail
    elif isinstance(exc, click.NoSuchOption):
        what = f'no such option {exc.option_name!r}' if en else f'không có tùy chọn {exc.option_name!r}'
        if exc.possibilities:
            options = ', '.join(repr(p) for p in exc.possibilities)
            what += f'; did you mean {options}?' if en else f'; có phải {options}?'
    elif type(exc).__name__ == 'NoSuchCommand':  # click 8.4 and later
        name = exc.command_name
        what = f'no such command {name!r}' if en else f'không có lệnh {name!r}'
        if exc.possibilities:
            names = ', '.join(repr(p) for p in exc.possibilities)
            what += f'; did you mean {names}?' if en else f'; có phải {names}?'
    elif isinstance(exc, click.FileError):
        what = f'cannot open {exc.ui_filename!r}: {exc.message}' if en else \
            f'không mở được tệp {exc.ui_filename!r}: {exc.message}'
    else:
        what = exc.format_message() if en else _vi_message(exc.format_message())
        m = re.fullmatch(r"No such command '(.+)'\.(.*)", what)
        if m and not en:
            what = f'không có lệnh {m.group(1)!r}'
    what = what.rstrip('.')
    ctx = getattr(exc, 'ctx', None)
    if isinstance(exc, click.UsageError) and ctx is not None:
        what += f' (see "{ctx.command_path} --help")' if en else f' (xem "{ctx.command_path} --help")'
    return f'{"Error" if en else "Lỗi"}: {what}.'


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
            self.fail(f'"{text}" is not a valid date (YYYY-MM-DD or DD/MM/YYYY)' if current_language() == 'en'
                      else f'"{text}" không phải ngày hợp lệ (YYYY-MM-DD hoặc DD/MM/YYYY)', param, ctx)


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
        self.fail(f'"{text}" is not a valid time (HH:MM)' if current_language() == 'en'
                  else f'"{text}" không phải giờ hợp lệ (HH:MM)', param, ctx)


DATE = DateType()
TIME = TimeType()


def at(day: date, moment: time) -> datetime:
    """Combine a day and a time."""
    return datetime.combine(day, moment)


def echo_json(data) -> None:  # noqa: ANN001
    """Print *data* as stable, readable JSON (UTF-8, Vietnamese kept as is)."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False, default=str))
