"""Reading units: one unit's card (validity, parent, what it was formed from and went into, what it is now),
shared by the CLI, the API and the pages."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspect_flow.units.models import AdminUnit
from inspect_flow.units.operations import current_successor, successions_from, successions_into


def unit_ref(unit: AdminUnit | None) -> dict | None:
    """``{id, code, name, level}`` of a unit, or None."""
    if unit is None:
        return None
    return {'id': unit.id, 'code': unit.code, 'name': unit.full_name, 'level': unit.level.value}


def unit_card(session: Session, unit: AdminUnit, today: date) -> dict:
    """Return what is known of *unit*: validity, parent, predecessors and successors (each with its date and
    whether it is the default successor), and what holds its place *today* (``now_part_of``)."""

    def link(succession, other: AdminUnit) -> dict:  # noqa: ANN001
        return {**unit_ref(other), 'date': succession.effective, 'is_default': succession.is_default}

    return {
        **unit_ref(unit), 'kind': unit.kind, 'valid_from': unit.valid_from, 'valid_to': unit.valid_to,
        'parent': unit_ref(unit.parent),
        'predecessors': [link(s, s.predecessor) for s in successions_into(session, unit)],
        'successors': [link(s, s.successor) for s in successions_from(session, unit)],
        'now_part_of': unit_ref(current_successor(session, unit, today)),
        'source': unit.source,
    }


def children_on(session: Session, unit: AdminUnit, day: date) -> list[AdminUnit]:
    """Return the units directly under *unit* on *day*, in code order."""
    return list(session.scalars(sa.select(AdminUnit).where(
        AdminUnit.parent_id == unit.id, AdminUnit.valid_from <= day,
        sa.or_(AdminUnit.valid_to.is_(None), AdminUnit.valid_to > day)).order_by(AdminUnit.code)))


def now_part_of_label(session: Session, unit: AdminUnit, today: date) -> str | None:
    """``Xã Nhuận Phú Tân, Tỉnh Vĩnh Long`` for a 2019 commune that a 2025 commune took over; None while the unit
    is valid *today* or nothing took it over."""
    now = current_successor(session, unit, today)
    if now is None:
        return None
    return f'{now.full_name}, {now.parent.full_name}' if now.parent is not None else now.full_name
