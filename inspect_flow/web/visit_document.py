"""A visit's answers as a document to read (the leader's review, and anyone once the form is closed).

Each relevant question with its answer written out as text (the choice's label, a number with its unit, a
date as dd/mm/yyyy), the computed values, the photos and files, and the findings the checklist suggested
beside the item they came from. Items that were not relevant on the form are left out, as on the form.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from inspect_flow.web.helpers import lang


@dataclass
class Entry:
    """One question of the document and what was answered."""

    item: Any
    #: The answer as text; ``None``: not answered.
    text: str | None = None
    kind: str = 'answer'  # answer | calc | evidence | repeat
    anchor: str = ''
    #: Evidence: the stored reference (``sha256:…``) and whether it is a photo.
    ref: str | None = None
    photo: bool = False
    #: Repeat: each row's entries.
    rows: list[list[Entry]] = field(default_factory=list)
    findings: list = field(default_factory=list)


@dataclass
class Section:
    id: str
    label: Any
    entries: list[Entry]


def _pick(label: Any) -> str:  # noqa: ANN401
    return label.get(lang()) if label is not None else ''


def _number(value: Any) -> str | None:  # noqa: ANN401
    from inspect_flow.checklist.capture import format_value

    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return format_value(int(number) if number.is_integer() else number, lang())


def answer_text(checklist: Any, item: Any, value: Any) -> str | None:  # noqa: ANN401
    """*value* (an answer to *item*) written out for a reader; ``None`` when there is no answer."""
    from inspect_flow.checklist.capture import format_value

    if value is None or value == '' or value == []:
        return None
    ty = item.type.value
    en = lang() == 'en'
    if ty == 'yes_no':
        return {'yes': 'Yes' if en else 'Có', 'no': 'No' if en else 'Không'}.get(value, str(value))
    if ty in ('select_one', 'select_multiple'):
        names = value if isinstance(value, list) else (str(value).split() if ty == 'select_multiple' else [value])
        labels = {c.name: _pick(c.label) for c in item.choices or ()}
        return '; '.join(labels.get(str(n), str(n)) for n in names) or None
    if ty in ('integer', 'decimal', 'percentage', 'calculate'):
        text = _number(value)
        if text is None and isinstance(value, str):
            try:
                text = _number(float(value.replace(',', '.'))) if value.strip() else None
            except ValueError:
                text = value  # a draft keeps what was typed
        text = text if text is not None else format_value(value, lang())
        unit = _pick(item.unit) if getattr(item, 'unit', None) else ('%' if ty == 'percentage' else '')
        return f'{text} {unit}'.strip() if unit != '%' else f'{text}%'
    if ty == 'date' and isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return value
        return day.strftime('%d/%m/%Y') if not en else f'{day.day} {day:%b %Y}'
    return format_value(value, lang()) if not isinstance(value, str) else value


def _entry(checklist: Any, item: Any, value: Any, anchor: str, by_item: dict) -> Entry | None:  # noqa: ANN401
    ty = item.type.value
    if ty == 'note':
        return None
    entry = Entry(item=item, anchor=anchor, findings=by_item.pop(item.id, []))
    if ty == 'calculate':
        if item.label is None:
            return None
        entry.kind = 'calc'
        entry.text = answer_text(checklist, item, value)
    elif ty == 'evidence':
        entry.kind = 'evidence'
        entry.ref = value if isinstance(value, str) and value.startswith('sha256:') else None
        entry.photo = checklist.media(item).value == 'photo'
    else:
        entry.text = answer_text(checklist, item, value)
    return entry


def visit_document(checklist: Any, answers: dict, findings: list, *, today: dt.date | None = None) -> tuple[list, list]:  # noqa: ANN401
    """The sections of the visit's document, and the findings tied to no item shown in it.

    :param findings: the visit's findings; those with a ``checklist_item_id`` go beside their item
    """
    from inspect_flow.checklist import evaluate

    ev = evaluate(checklist, answers or {}, today=today)
    by_item: dict[str, list] = {}
    loose = []
    for f in findings:
        if f.checklist_item_id:
            by_item.setdefault(f.checklist_item_id, []).append(f)
        else:
            loose.append(f)
    repeat_of = {child.id: item.id for item in checklist.iter_items() if item.type.value == 'repeat'
                 for child in item.items or ()}
    # A finding about an item of a repeat is shown beside the repeat (the rule reads all its rows).
    for child_id, repeat_id in repeat_of.items():
        if child_id in by_item:
            by_item.setdefault(repeat_id, []).extend(by_item.pop(child_id))
    sections = []
    for section in checklist.sections:
        entries = []
        for item in section.items:
            if not ev.is_relevant(item.id):
                continue
            if item.type.value == 'repeat':
                entry = Entry(item=item, kind='repeat', anchor=f'i-a-{item.id}', findings=by_item.pop(item.id, []))
                for index, row in enumerate(ev.rows.get(item.id, ())):
                    cells = []
                    for child in item.items or ():
                        if not ev.is_relevant(child.id, index, item.id):
                            continue
                        cell = _entry(checklist, child, row.get(child.id), f'i-a-{item.id}-{index}-{child.id}', {})
                        if cell is not None:
                            cells.append(cell)
                    entry.rows.append(cells)
                entries.append(entry)
                continue
            entry = _entry(checklist, item, ev.values.get(item.id), f'i-a-{item.id}', by_item)
            if entry is not None:
                entries.append(entry)
        if entries:
            sections.append(Section(id=section.id, label=section.label, entries=entries))
    for rest in by_item.values():
        loose.extend(rest)
    return sections, loose
