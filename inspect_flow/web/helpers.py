"""What every blueprint shares: the request's session, the current user, access checks, forms that keep
what was typed and show each domain error beside its field, and input parsing that never gives a 500."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from flask import abort, current_app, g, render_template, request
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.routing import BaseConverter, ValidationError

from inspect_flow.core import limits
from inspect_flow.core.db import request_session
from inspect_flow.core.errors import DomainError, InvalidInput


def db():  # noqa: ANN201
    """This request's database session (opened on first use, committed at teardown). A GET only reads (no
    SQLite write lock); any other method queues with the other writers (released at teardown)."""
    if 'db_session' not in g:
        g.db_session, g.db_writer = request_session(current_app.extensions['inspect_flow.sessions'],
                                                    writes=request.method not in ('GET', 'HEAD'))
    return g.db_session


def rollback() -> None:
    """Undo everything this request flushed (a refused operation must change nothing)."""
    sess = g.get('db_session')
    if sess is not None:
        sess.rollback()
    g.rolled_back = True


def lang() -> str:
    try:
        return str(get_locale() or 'vi')[:2]
    except (RuntimeError, AttributeError):
        return 'vi'


def t(vi: str, en: str) -> str:
    """Pick the Vietnamese or English text for the current language.

    XXX The interface keeps both languages side by side, like the domain's messages and labels, instead
    of gettext catalogs: nothing can go stale between a template and a catalog. Flask-Babel picks the
    locale and formats dates.
    """
    return en if lang() == 'en' else vi


def render(template: str, status: int = 200, **context: Any) -> str:
    return render_template(template, status=status, **context)


def http_error_handler(code: int, vi: str, en: str):  # noqa: ANN201
    def handler(exc):  # noqa: ANN001, ANN202
        from flask import request

        rollback()
        if request.is_json or request.accept_mimetypes.best == 'application/json':
            return {'error': code, 'message': t(vi, en)}, code
        return render('web/error.html', status=code, message=t(vi, en)), code

    return handler


class WebUser:
    """The logged-in account as Flask-Login wants it; every other attribute comes from the ``User`` row."""

    def __init__(self, user):  # noqa: ANN001
        self._user = user

    def __getattr__(self, name: str) -> Any:  # noqa: ANN401
        return getattr(self._user, name)

    @property
    def row(self):  # noqa: ANN201
        return self._user

    @property
    def is_active(self) -> bool:
        return bool(self._user.is_active)

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self._user.id)


def user():  # noqa: ANN201
    """The current ``User`` row, or ``None`` when nobody is logged in."""
    return current_user.row if current_user.is_authenticated else None


def actor() -> str:
    return current_user.actor


def require(allowed: bool, status: int = 403) -> None:
    """Refuse the request (403 by default, 404 to hide that the object exists) unless *allowed*."""
    if not allowed:
        abort(status)


class IdConverter(BaseConverter):
    """``<int:…>`` in a page's URL: an id in 1 … 2^31-1 (:data:`inspect_flow.core.limits.MAX_ID`); anything else
    (``-1``, ``0``, ``abc``, 2^63) matches no route, so the answer is 404."""

    regex = r'\d{1,10}'
    part_isolating = True

    def to_python(self, value: str) -> int:
        number = limits.as_id(value)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value: Any) -> str:  # noqa: ANN401
        return str(int(value))


def get_or_404(model, object_id):  # noqa: ANN001, ANN201
    """The row of *model* with this id, or 404 (an id out of range, or not a number, is unknown too)."""
    number = limits.as_id(object_id)
    obj = db().get(model, number) if number is not None else None
    if obj is None:
        abort(404)
    return obj


def lookup(model, value):  # noqa: ANN001, ANN201
    """The row of *model* a form field names by id, or None (empty, not a number, out of range, unknown)."""
    number = limits.as_id(value)
    return db().get(model, number) if number is not None else None


# --- forms ---------------------------------------------------------------------------------------------

class Form:
    """The values a user typed and the errors to show beside each field.

    :param data: the submitted values (``request.form``), or defaults for a fresh form
    :param fields: the fields the page shows; an error about any other field is shown above the form
    """

    def __init__(self, data: Any = None, fields: tuple[str, ...] | list[str] = (),  # noqa: ANN401
                 aliases: dict[str, str] | None = None):
        #: Domain field names that a page shows under another name (``ends_at`` → ``ends``).
        self.aliases = aliases or {}
        self.values: dict[str, Any] = {}
        if data is not None:
            getlist = getattr(data, 'getlist', None)
            for key in data:
                values = getlist(key) if getlist else [data[key]]
                self.values[key] = values if len(values) > 1 else values[0]
        self.fields = tuple(fields)
        self.errors: dict[str, str] = {}
        self.general: list[str] = []

    def typed(self, name: str, default: Any = '') -> Any:  # noqa: ANN401
        """The value as typed, unchecked: for showing it back on the page (templates), never for the operations."""
        value = self.values.get(name)
        return default if value is None else value

    def typed_list(self, name: str) -> list:
        value = self.values.get(name)
        if value is None:
            return []
        return value if isinstance(value, list) else [value]

    def get(self, name: str, default: Any = '') -> Any:  # noqa: ANN401
        """The value typed in field *name*.

        :raise InvalidInput: NUL, another control character or a lone surrogate, or longer than any field takes
            (:data:`inspect_flow.core.limits.MAX_TEXT`; the column's own limit is checked where it is written)
        """
        value = self.values.get(name)
        if value is None:
            return default
        for text in value if isinstance(value, list) else (value,):
            if isinstance(text, str):
                limits.check_text(text, self.aliases.get(name, name))
        return value

    def getlist(self, name: str) -> list:
        value = self.get(name, None)
        if value is None:
            return []
        return value if isinstance(value, list) else [value]

    def add_error(self, exc: DomainError) -> None:
        """Show *exc* beside its field, or above the form when the field is not on it."""
        message = exc.localized(lang())
        items = [i for d in exc.details or [] if isinstance(d, dict) for i in d.get('items', [])]
        for item in items:
            field = item.get('field')
            text = item.get('message_en') if lang() == 'en' else item.get('message')
            if field and text:
                self.errors.setdefault(field, text)
        field = self.aliases.get(exc.field, exc.field)
        if field and (field in self.fields or not self.fields):
            self.errors.setdefault(field, message)
        else:
            self.general.append(message)

    def error(self, name: str) -> str | None:
        return self.errors.get(name)

    def __bool__(self) -> bool:
        return bool(self.errors or self.general)


class attempt:  # noqa: N801  (used as a context manager: ``with attempt(form):``)
    """Run operations; on a :class:`DomainError` roll back everything and put the error on *form*."""

    def __init__(self, form: Form):
        self.form = form

    def __enter__(self) -> Form:
        return self.form

    def __exit__(self, exc_type, exc, tb) -> bool:  # noqa: ANN001
        if exc is not None and isinstance(exc, DomainError):
            db().rollback()
            self.form.add_error(exc)
            return True
        return False


# --- parsing -------------------------------------------------------------------------------------------

_VN_DATE = re.compile(r'^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$')


def parse_date(value: str | None, field: str, *, required: bool = True) -> date | None:
    """Read ``dd/mm/yyyy`` (Vietnamese) or ``yyyy-mm-dd`` (a date input).

    :raise InvalidInput: empty when required, or not a date
    """
    text = (value or '').strip()
    if not text:
        if required:
            raise InvalidInput(f'{field}.required', 'Phải nhập ngày.', 'A date is required.', field=field)
        return None
    try:
        m = _VN_DATE.match(text)
        if m:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f'{field}.bad_date', f'"{text[:40]}" không phải ngày hợp lệ (dd/mm/yyyy).',
                           f'"{text[:40]}" is not a valid date (dd/mm/yyyy).', field=field) from None


def parse_time(value: str | None, field: str) -> time:
    text = (value or '').strip()
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f'{field}.bad_time', f'"{text[:40]}" không phải giờ hợp lệ (hh:mm).',
                           f'"{text[:40]}" is not a valid time (hh:mm).', field=field) from None


def parse_datetime(day: str | None, clock: str | None, field: str) -> datetime:
    return datetime.combine(parse_date(day, field), parse_time(clock, field))


def parse_int(value: str | None, field: str, *, required: bool = True, default: int | None = None) -> int | None:
    text = (value or '').strip()
    if not text:
        if required:
            raise InvalidInput(f'{field}.required', 'Phải nhập một số.', 'A number is required.', field=field)
        return default
    shown = text[:40]
    if not re.fullmatch(r'[+-]?\d{1,10}', text) or abs(int(text)) > limits.MAX_INT:
        if re.fullmatch(r'[+-]?\d+', text):
            raise InvalidInput(f'{field}.number_too_large', f'"{shown}…" là số quá lớn.' if len(text) > 40 else
                               f'"{shown}" là số quá lớn.', f'"{shown}" is too large a number.', field=field)
        raise InvalidInput(f'{field}.bad_number', f'"{shown}" không phải số nguyên.',
                           f'"{shown}" is not a whole number.', field=field)
    return int(text)


def lines(value: str | None) -> list[str]:
    """One entry per non-empty line."""
    return [line.strip() for line in (value or '').splitlines() if line.strip()]
