"""Errors raised by the checklist engine. All are :class:`~inspect_flow.core.errors.DomainError` subclasses."""

from __future__ import annotations

from pathlib import Path

from inspect_flow.core.errors import InvalidInput, NotFound


class ExpressionError(InvalidInput):
    """An expression does not parse, or an operand has the wrong type.

    :param position: the 1-based character column in the expression where the problem was found
    """

    def __init__(self, code: str, vi: str, en: str, *, expression: str, position: int):
        self.expression = expression
        self.position = position
        super().__init__(
            code,
            f'{vi} (vị trí {position})',
            f'{en} (position {position})',
            details=[{'expression': expression, 'position': position}],
        )
        self.reason_vi = vi
        self.reason_en = en


class ChecklistError(InvalidInput):
    """A checklist's content breaks a rule of the format (raised from :meth:`Checklist.from_dict`)."""


class ChecklistFileError(ChecklistError):
    """A checklist file is bad. The message names the file, the line and the field.

    :param path: the file (only its name goes into the message)
    :param line: the 1-based line in the file, when known
    :param field: the field path, e.g. ``sections[1].items[3].type``, when the problem concerns one
    """

    def __init__(
        self,
        code: str,
        vi: str,
        en: str,
        *,
        path: str | Path | None,
        line: int | None,
        field: str | None,
        details: list | None = None,
    ):
        self.path = str(path) if path is not None else None
        self.line = line
        self.reason_vi = vi
        self.reason_en = en
        name = Path(path).name if path is not None else None
        where_vi, where_en = [], []
        if name:
            where_vi.append(f'tệp {name}')
            where_en.append(f'file {name}')
        if line is not None:
            where_vi.append(f'dòng {line}')
            where_en.append(f'line {line}')
        if field:
            where_vi.append(f'trường {field}')
            where_en.append(f'field {field}')
        prefix_vi = (', '.join(where_vi) + ': ') if where_vi else ''
        prefix_en = (', '.join(where_en) + ': ') if where_en else ''
        super().__init__(
            code,
            _capitalize(prefix_vi + vi),
            _capitalize(prefix_en + en),
            field=field,
            details=details,
        )


class ChecklistNotFound(NotFound):
    """No checklist with the requested id (and version) is in the checklist folder."""


class SubmissionInvalid(InvalidInput):
    """Answers were submitted that do not pass validation; ``details`` holds one dict per error."""


class XLSFormError(InvalidInput):
    """An XLSForm could not be imported (pyxform refused it, or it cannot become a valid checklist)."""


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]
