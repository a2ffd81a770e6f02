"""Guard rules: pure predicates that say, in words a user understands, why a step is refused.

A rule looks at the object and the trigger's arguments and returns the list of problems it sees
(empty when the rule holds). It has no side effects: transitions may evaluate a condition more than
once, and the web pages call the same rules to show why a step is blocked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One unmet rule, with the reason in Vietnamese and English."""

    rule: str
    vi: str
    en: str
    #: Per-field problems behind this one (e.g. each unanswered checklist item): dicts with
    #: ``field``, ``message`` and ``message_en``.
    items: tuple[dict[str, Any], ...] = ()
    #: The input the user must fix (``comment``, ``reason``), when the rule is about one.
    field: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the problem as plain data (for JSON output and error details)."""
        out: dict[str, Any] = {'rule': self.rule, 'message': self.vi, 'message_en': self.en}
        if self.field:
            out['field'] = self.field
        if self.items:
            out['items'] = [dict(i) for i in self.items]
        return out


Check = Callable[[Any, Mapping[str, Any]], list[Problem]]


@dataclass(frozen=True)
class Rule:
    """A named guard. Used as a transitions condition (it receives ``EventData``) or called directly."""

    code: str
    check: Check

    def problems(self, model: Any, kwargs: Mapping[str, Any] | None = None) -> list[Problem]:
        """Return what is wrong with *model* for this rule (empty list: the rule holds)."""
        return self.check(model, kwargs or {})

    def __call__(self, event) -> bool:  # noqa: ANN001  (transitions EventData)
        return not self.problems(event.model, event.kwargs)


def rule(code: str) -> Callable[[Check], Rule]:
    """Decorate a check function into a :class:`Rule` named *code*."""

    def wrap(fn: Check) -> Rule:
        return Rule(code, fn)

    return wrap


def problem(code: str, vi: str, en: str, *, field: str | None = None) -> list[Problem]:
    """Return a one-problem list (a shorthand for simple rules)."""
    return [Problem(code, vi, en, field=field)]
