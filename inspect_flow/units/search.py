"""Finding administrative units, issuing bodies and people by name, as a user types it on a phone.

Case, tone and vowel marks (đ too) and the Unicode form (NFC or NFD) are ignored: "nhuan phu tan",
"NHUẬN PHÚ TÂN" and "Nhuận Phú Tân" typed in NFD all find Xã Nhuận Phú Tân. Every word typed must occur in
the name; the best matches come first: the whole text at the start of a word of the name, then anywhere in it,
then the words in another order. Results are limited (20 by default).

Units are searched in the database (a ``LIKE`` per word on the stored ``AdminUnit.search_key``, ranked by a ``CASE``,
limited): the whole country is some 13,400 rows, never loaded into Python. Issuing bodies and people are few per
office and are matched in Python.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspect_flow.core.errors import InvalidInput
from inspect_flow.core.limits import check_text
from inspect_flow.units.models import AdminUnit, IssuingBody, Person, UnitLevel
from inspect_flow.units.models import search_key as _stored_key

DEFAULT_LIMIT = 20
MAX_LIMIT = 50
#: Longer queries are refused (a name is never this long; it keeps the LIKE patterns small).
MAX_QUERY = 100

_LEVEL_ORDER = {UnitLevel.province: 0, UnitLevel.district: 1, UnitLevel.commune: 2}


def search_key(text: str | None) -> str:
    """``Xã Nhuận Phú Tân`` → ``xa nhuan phu tan`` (NFC or NFD alike): the key of ``AdminUnit.search_key``, used
    for every query and for the names of bodies and people."""
    return _stored_key(text or '')


@dataclasses.dataclass(frozen=True)
class Match:
    """One result: what a picker posts (``id``, or ``code`` for units) and the label the user reads."""

    id: int
    label: str
    #: The unit's GSO code, a body's slug; empty for people.
    code: str = ''
    #: The unit's own full name, the body's or person's name (without the context of the label).
    name: str = ''
    level: str = ''

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def _query_key(q: str | None, field: str = 'q') -> str:
    if q is not None:
        check_text(q, field, limit=None)
    key = search_key(q)
    if len(key) > MAX_QUERY:
        raise InvalidInput(f'{field}.too_long', f'Chuỗi tìm kiếm dài quá {MAX_QUERY} ký tự.',
                           f'The search text is longer than {MAX_QUERY} characters.', field=field)
    return key


def _limit(limit: int) -> int:
    if not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput('limit.bad', f'Số kết quả phải từ 1 đến {MAX_LIMIT}.',
                           f'The limit must be between 1 and {MAX_LIMIT}.', field='limit')
    return limit


def _rank(key: str, wanted: str) -> int | None:
    """0: *wanted* starts a word of *key*; 1: it occurs inside a word; 2: every word occurs; ``None``: no match."""
    if not wanted:
        return None
    padded = ' ' + key
    if ' ' + wanted in padded:
        return 0
    if wanted in key:
        return 1
    if all(word in key for word in wanted.split()):
        return 2
    return None


def unit_label(unit: AdminUnit) -> str:
    """``Xã Nhuận Phú Tân — Huyện Mỏ Cày Bắc, Tỉnh Bến Tre`` (2019); ``Xã Nhuận Phú Tân — Tỉnh Vĩnh Long`` (2025)."""
    above = []
    parent = unit.parent
    while parent is not None and len(above) < 3:
        above.append(parent.full_name)
        parent = parent.parent
    return f'{unit.full_name} — {", ".join(above)}' if above else unit.full_name


def _like_escape(text: str) -> str:
    return re.sub(r'([\\%_])', r'\\\1', text)


def parse_level(value: str | UnitLevel | None) -> UnitLevel | None:
    """``province``/``district``/``commune`` (or empty: any level).

    :raise InvalidInput: another value (field ``level``)
    """
    if value is None or value == '':
        return None
    try:
        return UnitLevel(value)
    except ValueError:
        raise InvalidInput('level.bad', f'Cấp "{value}" không hợp lệ (province, district hoặc commune).',
                           f'Unknown level "{value}" (province, district or commune).', field='level') from None


def _province(session: Session, code: str, day: date) -> AdminUnit:
    check_text(str(code), 'province', limit=10)
    unit = session.scalars(sa.select(AdminUnit).where(
        AdminUnit.code == str(code).strip(), AdminUnit.level == UnitLevel.province, *_valid_on(day))).first()
    if unit is None:
        raise InvalidInput('province.unknown', f'Không có tỉnh mã "{code}" vào ngày {day:%d/%m/%Y}.',
                           f'There is no province with code "{code}" on {day:%d/%m/%Y}.', field='province')
    return unit


def _valid_on(day: date) -> tuple:
    return (AdminUnit.valid_from <= day, sa.or_(AdminUnit.valid_to.is_(None), AdminUnit.valid_to > day))


def search_units(session: Session, q: str | None, day: date, *, level: str | UnitLevel | None = None,
                 province: str | None = None, limit: int = DEFAULT_LIMIT) -> list[Match]:
    """The units valid on *day* whose name contains every word of *q*, best first.

    :param level: only units of this level
    :param province: only the province with this code (valid on *day*) and the units in it
    :raise InvalidInput: a bad level, an unknown province, a query too long, a bad limit (each names its field)
    """
    wanted = _query_key(q)
    lvl = parse_level(level)
    limit = _limit(limit)
    prov = _province(session, province, day) if province not in (None, '') else None
    if not wanted:
        return []
    query = sa.select(AdminUnit).where(*_valid_on(day))
    if lvl is not None:
        query = query.where(AdminUnit.level == lvl)
    if prov is not None:
        districts = sa.select(AdminUnit.id).where(AdminUnit.parent_id == prov.id).scalar_subquery()
        query = query.where(sa.or_(AdminUnit.id == prov.id, AdminUnit.parent_id == prov.id,
                                   AdminUnit.parent_id.in_(districts)))
    key = AdminUnit.search_key
    match = sa.and_(*(key.like(f'%{_like_escape(w)}%', escape='\\') for w in wanted.split()))
    if wanted.isdigit():
        match = sa.or_(match, AdminUnit.code == wanted)
    esc = _like_escape(wanted)
    rank = sa.case(
        (AdminUnit.code == wanted, -1),
        (sa.or_(key.like(f'{esc}%', escape='\\'), key.like(f'% {esc}%', escape='\\')), 0),
        (key.like(f'%{esc}%', escape='\\'), 1),
        else_=2)
    level_rank = sa.case(_LEVEL_ORDER, value=AdminUnit.level, else_=3)
    rows = list(session.scalars(query.where(match).order_by(rank, level_rank, key, AdminUnit.id).limit(limit)))
    # the same order in Python (the database's collation may order the keys differently)
    found = sorted(rows, key=lambda u: (-1 if u.code == wanted else _rank(u.search_key, wanted) or 0,
                                        _LEVEL_ORDER.get(u.level, 3), u.search_key, u.id))
    return [Match(id=u.id, code=u.code, label=unit_label(u), name=u.full_name, level=u.level.value)
            for u in found[:limit]]


def search_bodies(session: Session, q: str | None, *, limit: int = DEFAULT_LIMIT) -> list[Match]:
    """Issuing bodies whose name or abbreviation contains every word of *q*, best first."""
    wanted = _query_key(q)
    limit = _limit(limit)
    if not wanted:
        return []
    ranked = []
    for body in session.scalars(sa.select(IssuingBody)):
        key = search_key(f'{body.name} {body.abbreviation} {body.slug}')
        rank = _rank(key, wanted)
        if rank is not None:
            ranked.append((rank, search_key(body.name), body.id, body))
    ranked.sort(key=lambda r: r[:3])
    return [Match(id=b.id, code=b.slug, name=b.name, label=f'{b.name} ({b.abbreviation})')
            for *_, b in ranked[:limit]]


def person_label(person: Person) -> str:
    """``Võ Thành Công — Phó Chủ tịch, Hội Nông dân tỉnh``."""
    extra = ', '.join(x for x in (person.title, person.agency) if x)
    return f'{person.full_name} — {extra}' if extra else person.full_name


def search_people(session: Session, q: str | None, *, limit: int = DEFAULT_LIMIT) -> list[Match]:
    """People whose full name contains every word of *q*, best first (then by name)."""
    wanted = _query_key(q)
    limit = _limit(limit)
    if not wanted:
        return []
    ranked = []
    for person in session.scalars(sa.select(Person)):
        key = search_key(person.full_name)
        rank = _rank(key, wanted)
        if rank is not None:
            ranked.append((rank, key, person.id, person))
    ranked.sort(key=lambda r: r[:3])
    return [Match(id=p.id, name=p.full_name, label=person_label(p)) for *_, p in ranked[:limit]]
