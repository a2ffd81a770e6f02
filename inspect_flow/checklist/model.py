"""A loaded, validated checklist and its plain-data form."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from inspect_flow.checklist.expressions import Expression, parse
from inspect_flow.checklist.schema import (
    AppliesSpec,
    ChecklistKind,
    ChecklistSpec,
    FindingRuleSpec,
    ItemSpec,
    ItemType,
    LabelSpec,
    Media,
    SectionSpec,
)

#: Answers to these types are never typed in: a note shows text, a calculation is computed.
NON_INPUT_TYPES = frozenset({ItemType.note, ItemType.calculate})
NUMBER_TYPES = frozenset({ItemType.integer, ItemType.decimal, ItemType.percentage})
YES_NO_CHOICES = ('yes', 'no')
HOUSEHOLD_CATEGORIES = ('poor', 'near_poor', 'escaped')


class Checklist:
    """A validated checklist. Build one with :func:`~inspect_flow.checklist.load_checklist` or
    :meth:`from_dict`; the constructor trusts its *spec*.

    :param spec: the validated content
    :param source: the file it was read from, if any
    """

    def __init__(self, spec: ChecklistSpec, *, source: Path | None = None):
        self.spec = spec
        self.source = source
        self._items: dict[str, ItemSpec] = {}
        self._order: dict[str, int] = {}
        self._parent: dict[str, ItemSpec] = {}
        self._section: dict[str, SectionSpec] = {}
        for section in spec.sections:
            for item in section.items:
                self._add(item, section, None)

    def _add(self, item: ItemSpec, section: SectionSpec, parent: ItemSpec | None) -> None:
        self._order[item.id] = len(self._order)
        self._items[item.id] = item
        self._section[item.id] = section
        if parent is not None:
            self._parent[item.id] = parent
        for child in item.items or ():
            self._add(child, section, item)

    def __repr__(self) -> str:
        return f'<Checklist {self.id}@{self.version}>'

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Checklist) and self.sha256 == other.sha256

    def __hash__(self) -> int:
        return hash(self.sha256)

    # -- identity ----------------------------------------------------------------------------------

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def version(self) -> str:
        return self.spec.version

    @property
    def title(self) -> LabelSpec:
        return self.spec.title

    @property
    def kind(self) -> ChecklistKind:
        return self.spec.kind

    @property
    def applies(self) -> AppliesSpec | None:
        """The period this version applies to (``None``: always)."""
        return self.spec.applies

    def applies_on(self, day: date) -> bool:
        """Whether this version applies on *day* (a version without ``applies`` applies on every day)."""
        return self.spec.applies is None or self.spec.applies.covers(day)

    def period(self, lang: str = 'vi') -> str:
        """The period in words, e.g. ``từ ngày 01/07/2025`` / ``from 01/07/2025``; ``''`` when it applies always."""
        applies = self.spec.applies
        if applies is None:
            return ''
        parts = []
        if applies.from_ is not None:
            parts.append(('từ ngày ' if lang == 'vi' else 'from ') + applies.from_.strftime('%d/%m/%Y'))
        if applies.until is not None:
            parts.append(('trước ngày ' if lang == 'vi' else 'before ') + applies.until.strftime('%d/%m/%Y'))
        return (' ' if lang == 'vi' else ' and ').join(parts)

    @property
    def sections(self) -> list[SectionSpec]:
        return self.spec.sections

    @property
    def findings(self) -> list[FindingRuleSpec]:
        return self.spec.findings

    # -- items -------------------------------------------------------------------------------------

    def iter_items(self) -> Iterator[ItemSpec]:
        """Yield every item in document order, a repeat before its own items."""
        return iter(self._items.values())

    @property
    def item_ids(self) -> list[str]:
        return list(self._items)

    @property
    def item_count(self) -> int:
        """The number of items, counting each item of a repeat once."""
        return len(self._items)

    def item(self, item_id: str) -> ItemSpec:
        """Return the item *item_id* (``KeyError`` if there is none)."""
        return self._items[item_id]

    def has_item(self, item_id: str) -> bool:
        return item_id in self._items

    def parent(self, item_id: str) -> ItemSpec | None:
        """Return the repeat that holds *item_id*, or ``None`` for a top-level item."""
        return self._parent.get(item_id)

    def section_of(self, item_id: str) -> SectionSpec:
        return self._section[item_id]

    def position(self, item_id: str) -> int:
        """The item's 0-based position in document order."""
        return self._order[item_id]

    @cached_property
    def item_types(self) -> dict[str, str]:
        """``{item id: type value}`` for every item."""
        return {i.id: i.type.value for i in self._items.values()}

    @cached_property
    def repeats(self) -> dict[str, frozenset[str]]:
        """``{repeat id: ids of its items}``."""
        return {i.id: frozenset(c.id for c in i.items or ()) for i in self._items.values() if i.type == ItemType.repeat}

    @property
    def roster(self) -> ItemSpec | None:
        """The repeat flagged ``roster: households``, if any."""
        return next((i for i in self._items.values() if i.roster is not None), None)

    def choice_names(self, item: ItemSpec) -> tuple[str, ...]:
        """The answer codes of a yes/no or choice item."""
        if item.type == ItemType.yes_no:
            return YES_NO_CHOICES
        return tuple(c.name for c in item.choices or ())

    def media(self, item: ItemSpec) -> Media:
        """The kind of evidence an evidence item takes (a photo unless stated)."""
        return item.media or Media.photo

    def expression(self, text: str) -> Expression:
        """Return the parsed form of an expression of this checklist (parsing is cached)."""
        return parse(text)

    # -- plain data --------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Return the checklist as canonical plain data (JSON-able; defaults and empty fields left out)."""
        return self.spec.model_dump(mode='json', exclude_none=True, exclude_defaults=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Checklist:
        """Validate plain data (e.g. the content a plan pinned) and return the checklist.

        :raise ChecklistError: the data breaks a rule of the format
        """
        from inspect_flow.checklist.validation import build_checklist

        return build_checklist(data)

    def canonical_json(self) -> str:
        """The canonical JSON text: sorted keys, no spaces, UTF-8 characters as they are."""
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, separators=(',', ':'))

    @cached_property
    def sha256(self) -> str:
        """SHA-256 of :meth:`canonical_json`: a plan stores it beside the pinned content."""
        return hashlib.sha256(self.canonical_json().encode('utf-8')).hexdigest()
