"""Domain errors. Each carries a stable code and a message in Vietnamese and in English.

Front ends show :attr:`DomainError.message` (Vietnamese, the default) or :attr:`DomainError.message_en`;
the CLI prints one line and exits non-zero, the web shows it beside the field, the API returns
``application/problem+json`` with the code.
"""

from __future__ import annotations

import contextvars
import os

#: The language of the current command or request; front ends set it, the environment is the default.
LANGUAGE: contextvars.ContextVar[str | None] = contextvars.ContextVar('inspect_flow_language', default=None)


def current_language() -> str:
    """Return the language for messages: the front end's choice, else ``INSPECT_FLOW_LANG`` (vi by default)."""
    lang = (LANGUAGE.get() or os.environ.get('INSPECT_FLOW_LANG', 'vi')).lower()
    return 'en' if lang.startswith('en') else 'vi'


class DomainError(Exception):
    """A refusal the user can act on. Never a bug.

    :param code: a stable machine-readable code, e.g. ``plan.not_found``
    :param vi: the message in Vietnamese
    :param en: the message in English
    :param field: the input field the error concerns, when there is one
    :param details: extra structured data (e.g. the list of unmet rules)
    """

    status = 400

    def __init__(self, code: str, vi: str, en: str, *, field: str | None = None, details: list | None = None):
        self.code = code
        self.message_vi = vi
        self.message_en = en
        self.field = field
        self.details = details or []
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The message in the current language."""
        return self.localized(current_language())

    def localized(self, lang: str) -> str:
        """Return the message in *lang* (``vi`` or ``en``)."""
        return self.message_en if lang == 'en' else self.message_vi

    def __str__(self) -> str:
        return self.message


class NotFound(DomainError):
    """The object named by the user does not exist."""

    status = 404


class InvalidInput(DomainError):
    """The input is malformed or violates a rule about its value."""

    status = 422


class Conflict(DomainError):
    """The input clashes with existing data (a duplicate, a stale version)."""

    status = 409


class Unavailable(DomainError):
    """The work could not be done now (the database is slow or away); the same request may be sent again."""

    status = 503


class Forbidden(DomainError):
    """The user may not do this (to this object)."""

    status = 403


class Unauthorized(DomainError):
    """The caller is not (or no longer) authenticated: no token, a revoked one."""

    status = 401


def forbidden() -> Forbidden:
    """The refusal of something the user may not do."""
    return Forbidden('access.forbidden', 'Bạn không có quyền làm việc này.', 'You are not allowed to do this.')


def not_found(what: str = 'object') -> NotFound:
    """*what* (``visit``, ``submission``…) does not exist, or is not the user's to see."""
    return NotFound(f'{what}.not_found', 'Không tìm thấy dữ liệu này.', 'This record was not found.')


#: What a unique or foreign key refused (vi, en).
DB_CONFLICT = ('Dữ liệu xung đột với dữ liệu đã có.', 'The change conflicts with existing data.')


class TransitionRefused(DomainError):
    """A workflow step was refused: wrong state, or a guard rule is not met.

    ``details`` holds one ``{'rule': code, 'message': ..., 'message_en': ...}`` per unmet rule.
    """

    status = 409


def stale_version(field: str | None = 'version') -> Conflict:
    """An edit based on a version that is no longer the current one (optimistic concurrency)."""
    return Conflict('stale_version', 'Dữ liệu đã được người khác sửa; hãy tải lại rồi sửa tiếp.',
                    'Someone else changed this in the meantime; reload and edit again.', field=field)
