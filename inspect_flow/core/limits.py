"""What input may be: the one place that defines the limits the web, the API and the CLI share.

* **Ids** are 1 … 2^31-1 (PostgreSQL ``integer``): :data:`MAX_ID`, :func:`as_id`.
* **Whole numbers** typed in a form are within ±(2^31-1): :data:`MAX_INT`.
* **Text** is at most as long as its column: a ``String(n)`` column holds *n* characters, a ``Text`` column
  the limit in :data:`TEXT_LIMITS` (a finding, a recommendation, a conclusion's summary: 20 000 characters;
  a plan's subject: 2 000). A string inside a JSON value (a visit's answers) holds at most :data:`MAX_TEXT`.
* **Characters**: NUL and the other C0 control characters (tab, newline and carriage return aside) and lone
  surrogates are refused, naming the field (:func:`check_text`). PostgreSQL cannot store NUL, XML (DOCX, PDF
  metadata) cannot hold C0 controls, and a lone surrogate is not text.

They are enforced once for every door, where the ORM writes (``core.db``'s ``before_flush`` listener calls
:func:`check_row`), and earlier at the edges so that a megabyte never reaches the operations: the web's
``Form.get`` (:func:`check_text` with :data:`MAX_TEXT`), the API's JSON body and pydantic schemas (the same
constants).
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from inspect_flow.core.errors import InvalidInput

MAX_ID = 2**31 - 1
MAX_INT = 2**31 - 1
#: The longest text any field takes (a finding, a conclusion's summary, a report): 20 000 characters.
MAX_TEXT = 20_000
#: A line of text: a plan's subject, a reason, a comment.
MAX_LINE = 2_000
#: Text columns and their limits, by ``table.column``. A Text column not listed here holds machine text (idempotent
#: responses, queued request bodies) and is bounded where it is made.
TEXT_LIMITS: dict[str, int] = {
    'findings.text': MAX_TEXT,
    'recommendations.text': MAX_TEXT,
    'follow_up_reports.text': MAX_TEXT,
    'conclusions.summary': MAX_TEXT,
    'plans.subject': MAX_LINE,
    'plans.cancel_reason': MAX_LINE,
    'visits.cancel_reason': MAX_LINE,
    'visits.return_comment': MAX_TEXT,
    'documents.subject': MAX_LINE,
    'audit_entries.comment': MAX_TEXT,
}
#: NUL, the C0 controls but tab, newline and carriage return, and lone surrogates.
BAD_CHARACTERS = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]')
#: The same, tab, newline and carriage return included: for a value that is one line (a name, a code).
BAD_IN_LINE = re.compile('[\x00-\x1f\ud800-\udfff]')


def _describe(ch: str) -> str:
    if '\ud800' <= ch <= '\udfff':
        return f'U+{ord(ch):04X} (lone surrogate)'
    return f'U+{ord(ch):04X}'


def check_text(value: str, field: str | None, *, limit: int | None = MAX_TEXT) -> str:
    """Return *value* when it is text the application stores; refuse it naming *field* otherwise.

    :raise InvalidInput: a forbidden character (``text.bad_character``) or more than *limit* characters
        (``text.too_long``)
    """
    bad = BAD_CHARACTERS.search(value)
    if bad is not None:
        what = _describe(bad.group())
        raise InvalidInput('text.bad_character',
                           f'Trường "{field}" chứa ký tự không được phép ({what}, vị trí {bad.start() + 1}).',
                           f'The field "{field}" holds a character that is not allowed ({what}, at '
                           f'{bad.start() + 1}).', field=field)
    if limit is not None and len(value) > limit:
        raise InvalidInput('text.too_long',
                           f'Trường "{field}" dài {len(value)} ký tự; tối đa {limit} ký tự.',
                           f'The field "{field}" is {len(value)} characters long; at most {limit} are allowed.',
                           field=field)
    return value


def check_json(value: Any, field: str | None, depth: int = 0) -> None:  # noqa: ANN401
    """Every string in the JSON-like *value* (keys too) passes :func:`check_text` with :data:`MAX_TEXT`; whole
    numbers fit in 64 bits; nesting stops at 40 levels.

    :raise InvalidInput: naming *field*
    """
    if isinstance(value, str):
        check_text(value, field)
    elif isinstance(value, dict):
        if depth > 40:
            raise InvalidInput('json.too_deep', f'Trường "{field}" lồng nhau quá sâu.',
                               f'The field "{field}" is nested too deeply.', field=field)
        for k, v in value.items():
            check_json(k, field, depth + 1)
            check_json(v, field, depth + 1)
    elif isinstance(value, (list, tuple)):
        if depth > 40:
            raise InvalidInput('json.too_deep', f'Trường "{field}" lồng nhau quá sâu.',
                               f'The field "{field}" is nested too deeply.', field=field)
        for v in value:
            check_json(v, field, depth + 1)
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**63 - 1:
        raise InvalidInput('number.too_large', f'Trường "{field}" có số quá lớn.',
                           f'The field "{field}" holds a number that is too large.', field=field)


def column_limit(column: sa.Column) -> int | None:
    """The most characters *column* holds: its ``String(n)``, or :data:`TEXT_LIMITS` for a Text column."""
    length = getattr(column.type, 'length', None)
    if length:
        return int(length)
    return TEXT_LIMITS.get(f'{column.table.name}.{column.key}')


def limit_of(model: type, attribute: str) -> int | None:
    """The limit of ``Model.attribute`` (for the API's schemas and the forms' ``maxlength``)."""
    return column_limit(sa.inspect(model).columns[attribute])


def as_id(value: Any) -> int | None:  # noqa: ANN401
    """*value* (an int or the digits of one) as an id in 1 … :data:`MAX_ID`, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1 <= value <= MAX_ID else None
    text = str(value or '').strip()
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


def check_id(value: Any, field: str) -> int:  # noqa: ANN401
    """*value* as an id.

    :raise InvalidInput: not a whole number in 1 … :data:`MAX_ID` (``id.invalid``, naming *field*)
    """
    number = as_id(value)
    if number is None:
        raise InvalidInput('id.invalid', f'Trường "{field}": "{str(value)[:40]}" không phải mã hợp lệ.',
                           f'The field "{field}": "{str(value)[:40]}" is not a valid id.', field=field)
    return number


def get_by_id(session, model: type, value: Any):  # noqa: ANN001, ANN201, ANN401
    """The row of *model* whose id *value* names, or None (not a number, out of range, or no such row)."""
    number = as_id(value)
    return session.get(model, number) if number is not None else None
