"""The shape of a checklist (pydantic v2). Cross-field rules live in :mod:`inspect_flow.checklist.loader`.

The models are frozen and refuse unknown keys, so a typo such as ``relevent:`` is an error, not a
silently ignored line.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

#: Item, section, choice and rule ids: XML-name-like, as XLSForm names (``${id}`` refers to an item).
ID_PATTERN = r'^[A-Za-z_][A-Za-z0-9_.-]{0,79}$'
#: Choice names: as ids, but may also start with a digit (XLSForms often number their choices ``1``, ``2``...).
CHOICE_NAME_PATTERN = r'^[A-Za-z0-9_][A-Za-z0-9_.-]{0,79}$'
#: Checklist ids and versions: e.g. ``poverty-supervision``, ``2019.1``.
SLUG_PATTERN = r'^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$'

Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
ChoiceName = Annotated[str, StringConstraints(pattern=CHOICE_NAME_PATTERN)]
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
#: A text that is not blank.
Text = Annotated[str, StringConstraints(pattern=r'\S')]


class ItemType(enum.StrEnum):
    """The item types of the format."""

    yes_no = 'yes_no'
    select_one = 'select_one'
    select_multiple = 'select_multiple'
    integer = 'integer'
    decimal = 'decimal'
    percentage = 'percentage'
    text = 'text'
    date = 'date'
    evidence = 'evidence'
    note = 'note'
    calculate = 'calculate'
    repeat = 'repeat'


class ChecklistKind(enum.StrEnum):
    """What a checklist is used for."""

    supervision = 'supervision'  # kiểm tra, giám sát tại địa phương
    household_consultation = 'household_consultation'  # phiếu tham vấn hộ
    other = 'other'


class FindingKind(enum.StrEnum):
    """The three fixed headings of minutes and reports."""

    achievement = 'achievement'  # ưu điểm, kết quả đạt được
    limitation = 'limitation'  # hạn chế, tồn tại
    cause = 'cause'  # nguyên nhân


class Severity(enum.StrEnum):
    low = 'low'
    medium = 'medium'
    high = 'high'


class Media(enum.StrEnum):
    photo = 'photo'
    file = 'file'


class Roster(enum.StrEnum):
    households = 'households'


def _label_from_text(value: Any) -> Any:
    # ``label: Câu hỏi`` is short for ``label: {vi: Câu hỏi}``.
    return {'vi': value} if isinstance(value, str) else value


_ISO_DATE = re.compile(r'^[0-9]{4}-[0-9]{2}-[0-9]{2}$')


def _iso_date(value: Any) -> Any:
    """``2025-07-01`` (text, or a date from Python) → a date; anything else is a ``checklist_date`` error."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise PydanticCustomError(
                'checklist_date', 'no such day {value}', {'value': value, 'reason': 'no_such_day'}
            ) from None
    raise PydanticCustomError('checklist_date', 'expected a date YYYY-MM-DD', {'value': value, 'reason': 'format'})


#: A calendar day written ``YYYY-MM-DD`` (ISO 8601).
IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]


class _Model(BaseModel):
    model_config = ConfigDict(extra='forbid', frozen=True)


class LabelSpec(_Model):
    """A text in Vietnamese, optionally in English."""

    vi: Text
    en: Text | None = None

    def get(self, lang: str = 'vi') -> str:
        """Return the text in *lang*, falling back to Vietnamese."""
        return (self.en or self.vi) if lang == 'en' else self.vi


Label = Annotated[LabelSpec, BeforeValidator(_label_from_text)]


class ChoiceSpec(_Model):
    name: ChoiceName
    label: Label


class ConstraintSpec(_Model):
    """Constraints on an answer: all the given ones must hold."""

    min: float | None = None
    max: float | None = None
    #: A regular expression the whole text answer must match.
    pattern: Text | None = None
    #: An expression over ``.`` (the answer) and earlier items that must be true.
    expression: Text | None = None
    message: Label | None = None


class ItemSpec(_Model):
    id: Id
    type: ItemType
    label: Label | None = None
    hint: Label | None = None
    required: bool = False
    relevant: Text | None = None
    constraint: ConstraintSpec | None = None
    calculation: Text | None = None
    weight: Annotated[float, Field(ge=0)] | None = None
    #: Score fraction (0..1) per choice name, for weighted yes_no/select_one items; absent names are not scored.
    scores: dict[str, Annotated[float, Field(ge=0, le=1)]] | None = None
    unit: Label | None = None
    choices: Annotated[list[ChoiceSpec], Field(min_length=1)] | None = None
    media: Media | None = None
    items: Annotated[list[ItemSpec], Field(min_length=1)] | None = None
    roster: Roster | None = None


class SectionSpec(_Model):
    id: Id
    label: Label
    hint: Label | None = None
    relevant: Text | None = None
    items: Annotated[list[ItemSpec], Field(min_length=1)]


class FindingRuleSpec(_Model):
    id: Id
    when: Text
    kind: FindingKind
    category: Label
    text: Label
    severity: Severity | None = None
    item: Id | None = None


class AppliesSpec(_Model):
    """The period a checklist version applies to: from ``from`` (inclusive) until ``until`` (exclusive).

    A checklist without ``applies`` applies always. The checks across the two dates (at least one, ``from``
    before ``until``) are in :mod:`inspect_flow.checklist.validation`.
    """

    model_config = ConfigDict(extra='forbid', frozen=True, serialize_by_alias=True)

    from_: IsoDate | None = Field(default=None, alias='from')
    until: IsoDate | None = None

    def covers(self, day: dt.date) -> bool:
        """Whether *day* falls in the period."""
        return (self.from_ is None or day >= self.from_) and (self.until is None or day < self.until)


class ChecklistSpec(_Model):
    id: Slug
    version: Slug
    title: Label
    kind: ChecklistKind = ChecklistKind.supervision
    description: Label | None = None
    #: The period the version applies to; absent: always (every version shipped before 2026).
    applies: AppliesSpec | None = None
    sections: Annotated[list[SectionSpec], Field(min_length=1)]
    findings: list[FindingRuleSpec] = Field(default_factory=list)
