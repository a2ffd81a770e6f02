"""Load Vietnam's administrative units from the ``vietnamadminunits`` package into the database, idempotently.

What is loaded, for the whole country or for some provinces:

* the units before the reform (63 provinces, their district-level and commune-level units), valid until
  01/07/2025;
* the 34 provinces and 3,321 commune-level units in force from 01/07/2025, each commune directly under its
  province;
* the successions between them (:class:`~inspect_flow.units.models.UnitSuccession`).

The package describes the units before the reform as they stood on 30/06/2025, after the 2023–2025
arrangements, with no dates of their own. A unit the database does not know yet is therefore taken as valid from
:data:`LEGACY_KNOWN_FROM` (01/01/2025). Where the database already holds earlier history (the 2019 Bến Tre
snapshot and its 2020 mergers), that history is kept as it is: a unit the package lists under another name, or
does not list at all, ends on :data:`LEGACY_KNOWN_FROM` and the package's unit follows it. The 2019 names never
change.

Reloading is safe: a second run changes nothing; a corrected package changes what it corrects and reports it.
No row is ever deleted, and no unit is ended before a date on which a plan still uses it: such a change is skipped
and reported (``kept``), so a plan always keeps the unit of its day.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspect_flow.core import clock
from inspect_flow.core.errors import InvalidInput
from inspect_flow.units.catalog import Catalog, SourceUnit, read_catalog
from inspect_flow.units.models import TWO_TIER_FROM, AdminUnit, UnitLevel, UnitSuccession, search_key
from inspect_flow.units.operations import split_name

#: The earliest day the package's pre-reform units are known to be valid (see the module's docstring).
LEGACY_KNOWN_FROM = date(2025, 1, 1)
#: The last day of the three-tier structure.
EVE = TWO_TIER_FROM - timedelta(days=1)


@dataclass
class LoadReport:
    """What a load did, by level: units added, changed (renamed, re-parented or re-dated) and ended."""

    source: str
    provinces: list[str]
    added: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    changed: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    ended: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    successions_added: int = 0
    successions_changed: int = 0
    #: Changes not made because a plan uses the unit on a later day: (unit, plan reference, what was skipped).
    kept: list[tuple[str, str, str]] = field(default_factory=list)
    #: Examples of what changed, for the report: "28807 Xã Qưới Sơn → Xã Quới Sơn (from 01/01/2025)".
    details: list[str] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        """Tell whether the load found nothing to do."""
        return not (any(self.added.values()) or any(self.changed.values()) or any(self.ended.values())
                    or self.successions_added or self.successions_changed)

    def as_dict(self) -> dict:
        """Return the report as plain data."""
        return {
            'source': self.source, 'provinces': self.provinces,
            'added': dict(self.added), 'changed': dict(self.changed), 'ended': dict(self.ended),
            'successions': {'added': self.successions_added, 'changed': self.successions_changed},
            'kept': [{'unit': u, 'plan': p, 'change': c} for u, p, c in self.kept],
            'details': self.details,
        }


def _unknown_province(code: str) -> InvalidInput:
    return InvalidInput('unit.unknown_province', f'Không có tỉnh, thành phố mã "{code}".',
                        f'There is no province with code "{code}".', field='province')


class _Loader:
    def __init__(self, session: Session, catalog: Catalog, provinces: list[str] | None):
        self.session = session
        self.catalog = catalog
        if provinces is None:
            self.new_provinces = {u.code for u in catalog.current if u.level == 'province'}
        else:
            self.new_provinces = set()
            for code in provinces:
                code = str(code).strip()
                code = code.zfill(2) if code.isdigit() and len(code) < 2 else code
                target = catalog.current_province_of(code)
                if target is None:
                    raise _unknown_province(code)
                self.new_provinces.add(target)
        self.old_provinces = {s.old_code for s in catalog.successions
                              if s.level == 'province' and s.new_code in self.new_provinces}
        self.report = LoadReport(catalog.source, sorted(self.new_provinces))
        self.rows: list[AdminUnit] = list(session.scalars(sa.select(AdminUnit)))
        self.today = clock.today()

    # --- which units are in scope ---------------------------------------------------------------------------

    def legacy_units(self) -> list[SourceUnit]:
        districts = {u.code for u in self.catalog.legacy
                     if u.level == 'district' and u.parent_code in self.old_provinces}
        out = []
        for u in self.catalog.legacy:
            if ((u.level == 'province' and u.code in self.old_provinces)
                    or (u.level == 'district' and u.code in districts)
                    or (u.level == 'commune' and u.parent_code in districts)):
                out.append(u)
        return out

    def current_units(self) -> list[SourceUnit]:
        return [u for u in self.catalog.current
                if (u.code if u.level == 'province' else u.parent_code) in self.new_provinces]

    # --- plans that pin a unit to its days ------------------------------------------------------------------

    def last_use(self, unit_ids: set[int]) -> dict[int, tuple[date, str]]:
        """Return, per unit, the last day a plan uses it (as a target, or a visit's commune or district)."""
        from inspect_flow.plans.models import Plan, plan_target_units
        from inspect_flow.visits.models import Visit

        if not unit_ids:
            return {}
        uses: dict[int, tuple[date, str]] = {}

        def note(uid: int, day: date, plan: Plan) -> None:
            if uid not in uses or uses[uid][0] < day:
                uses[uid] = (day, plan.reference)

        ids = list(unit_ids)
        for chunk in (ids[i:i + 900] for i in range(0, len(ids), 900)):
            for uid, plan in self.session.execute(
                    sa.select(plan_target_units.c.unit_id, Plan).join(Plan, Plan.id == plan_target_units.c.plan_id)
                    .where(plan_target_units.c.unit_id.in_(chunk))):
                note(uid, plan.fieldwork_end, plan)
            for visit in self.session.scalars(sa.select(Visit).where(
                    sa.or_(Visit.commune_id.in_(chunk), Visit.district_id.in_(chunk)))):
                for uid in (visit.commune_id, visit.district_id):
                    if uid in unit_ids:
                        note(uid, max(visit.ends_at.date(), visit.plan.fieldwork_end), visit.plan)
        return uses

    # --- the load -------------------------------------------------------------------------------------------

    def run(self) -> LoadReport:
        legacy = self.legacy_units()
        current = self.current_units()
        self.valid_on_eve = valid_on_eve = {(u.level.value, u.code): u for u in self.rows if u.is_valid_on(EVE)}
        by_key = {(u.level.value, u.code, u.valid_from): u for u in self.rows}
        ending: dict[int, date] = {}  # unit id -> the valid_to a change would give it

        # 1. The units before the reform, province → district → commune so that parents exist.
        plan: list[tuple[str, SourceUnit, AdminUnit | None]] = []
        for src in legacy:
            row = valid_on_eve.get((src.level, src.code))
            if row is None:
                plan.append(('add', src, by_key.get((src.level, src.code, LEGACY_KNOWN_FROM))))
            elif self._same(row, src):
                if row.valid_to is None:
                    ending[row.id] = TWO_TIER_FROM
                plan.append(('keep', src, row))
            elif row.valid_from >= LEGACY_KNOWN_FROM:
                plan.append(('correct', src, row))
            else:
                ending[row.id] = LEGACY_KNOWN_FROM
                plan.append(('replace', src, row))
        listed = {(u.level, u.code) for u in legacy}
        vanished = [r for r in valid_on_eve.values()
                    if (r.level.value, r.code) not in listed and self._old_province_code(r) in self.old_provinces]
        for row in vanished:
            # Known before the package's snapshot: it ended then. Loaded from an earlier package: withdrawn.
            ending[row.id] = LEGACY_KNOWN_FROM if row.valid_from < LEGACY_KNOWN_FROM else row.valid_from
        # 2. The units from the reform on.
        listed_now = {(u.level, u.code) for u in current}
        for row in self.rows:
            if (row.valid_from == TWO_TIER_FROM and (row.level.value, row.code) not in listed_now
                    and row.valid_to is None and self._new_province_code(row) in self.new_provinces):
                ending[row.id] = max(self.today, TWO_TIER_FROM)
        uses = self.last_use(set(ending))
        blocked = {uid for uid, until in ending.items() if uid in uses and uses[uid][0] >= until}
        units_by_id = {u.id: u for u in self.rows}
        for uid in sorted(blocked):
            unit = units_by_id[uid]
            self.report.kept.append((f'{unit.code} {unit.full_name}', uses[uid][1],
                                     f'valid_to {ending[uid]:%d/%m/%Y}'))

        for level in ('province', 'district', 'commune'):
            for action, src, row in plan:
                if src.level != level:
                    continue
                if action == 'keep':
                    if row.id in ending and row.id not in blocked:
                        row.valid_to = ending[row.id]
                        self.report.ended[level] += 1
                elif action == 'correct':
                    self._update(row, src, self._parent_on_eve(src))
                elif action == 'replace':
                    if row.id in blocked:
                        continue
                    row.valid_to = LEGACY_KNOWN_FROM
                    self.report.ended[level] += 1
                    new = self._add(src, LEGACY_KNOWN_FROM, TWO_TIER_FROM, self._parent_on_eve(src))
                    self.report.details.append(f'{row.code} {row.full_name} → {new.full_name} '
                                               f'({LEGACY_KNOWN_FROM:%d/%m/%Y})')
                    valid_on_eve[(level, src.code)] = new
                elif row is not None:  # added earlier, then ended by a package that dropped it: restore it
                    row.valid_to = TWO_TIER_FROM
                    self._update(row, src, self._parent_on_eve(src))
                    valid_on_eve[(level, src.code)] = row
                else:
                    valid_on_eve[(level, src.code)] = self._add(src, LEGACY_KNOWN_FROM, TWO_TIER_FROM,
                                                                self._parent_on_eve(src))
            self.session.flush()
        for row in vanished:
            if row.id not in blocked and row.valid_to != ending[row.id]:
                row.valid_to = ending[row.id]
                self.report.ended[row.level.value] += 1
                self.report.details.append(f'{row.code} {row.full_name}: ended {ending[row.id]:%d/%m/%Y}')

        now: dict[tuple[str, str], AdminUnit] = {}
        for level in ('province', 'commune'):
            for src in current:
                if src.level != level:
                    continue
                parent = now.get(('province', src.parent_code)) if src.parent_code else None
                row = by_key.get((level, src.code, TWO_TIER_FROM))
                if row is None:
                    row = self._add(src, TWO_TIER_FROM, None, parent)
                else:
                    reopened = row.valid_to is not None
                    row.valid_to = None
                    if not self._update(row, src, parent) and reopened:
                        self.report.changed[level] += 1
                now[(level, src.code)] = row
            self.session.flush()
        for row in self.rows:
            if ending.get(row.id) and row.valid_from == TWO_TIER_FROM and row.id not in blocked:
                row.valid_to = ending[row.id]
                self.report.ended[row.level.value] += 1

        self._successions(valid_on_eve, now)
        self.session.flush()
        return self.report

    def _old_province_code(self, unit: AdminUnit) -> str | None:
        while unit.parent is not None:
            unit = unit.parent
        return unit.code if unit.level == UnitLevel.province else None

    _new_province_code = _old_province_code

    def _parent_on_eve(self, src: SourceUnit) -> AdminUnit | None:
        if src.parent_code is None:
            return None
        return self.valid_on_eve.get(('province' if src.level == 'district' else 'district', src.parent_code))

    @staticmethod
    def _same(row: AdminUnit, src: SourceUnit) -> bool:
        if row.full_name != src.full_name:
            return False
        parent = row.parent.code if row.parent is not None else None
        return parent == src.parent_code

    def _add(self, src: SourceUnit, valid_from: date, valid_to: date | None, parent: AdminUnit | None) -> AdminUnit:
        name, _ = split_name(src.full_name)
        unit = AdminUnit(code=src.code, full_name=src.full_name, name=name, kind=src.kind,
                         level=UnitLevel(src.level), parent=parent, valid_from=valid_from, valid_to=valid_to,
                         source=self.catalog.source, search_key=search_key(src.full_name))
        self.session.add(unit)
        self.report.added[src.level] += 1
        return unit

    def _update(self, row: AdminUnit, src: SourceUnit, parent: AdminUnit | None) -> bool:
        name, _ = split_name(src.full_name)
        new = {'full_name': src.full_name, 'name': name, 'kind': src.kind, 'search_key': search_key(src.full_name),
               'parent_id': parent.id if parent is not None else None}
        changed = {k: v for k, v in new.items() if getattr(row, k) != v}
        if changed:
            if 'full_name' in changed:
                self.report.details.append(f'{row.code} {row.full_name} → {src.full_name}')
            for k, v in changed.items():
                setattr(row, k, v)
            if 'parent_id' in changed:
                row.parent = parent
            self.report.changed[src.level] += 1
        return bool(changed)

    def _successions(self, before: dict[tuple[str, str], AdminUnit], after: dict[tuple[str, str], AdminUnit]) -> None:
        wanted: dict[tuple[int, int], bool] = {}
        for s in self.catalog.successions:
            # *after* holds the units of the provinces in scope only.
            new = after.get(('province' if s.level == 'province' else 'commune', s.new_code))
            old = before.get((s.level, s.old_code))
            if old is None or new is None:
                continue
            wanted[(old.id, new.id)] = s.is_default
        if not wanted:
            return
        existing = {}
        ids = sorted({new for _, new in wanted})
        for chunk in (ids[i:i + 900] for i in range(0, len(ids), 900)):
            for row in self.session.scalars(sa.select(UnitSuccession).where(UnitSuccession.successor_id.in_(chunk))):
                existing[(row.predecessor_id, row.successor_id)] = row
        rows = []
        for (old_id, new_id), is_default in wanted.items():
            row = existing.get((old_id, new_id))
            if row is None:
                rows.append({'predecessor_id': old_id, 'successor_id': new_id, 'effective': TWO_TIER_FROM,
                             'is_default': is_default, 'source': self.catalog.source})
            elif row.is_default != is_default:
                row.is_default = is_default
                self.report.successions_changed += 1
        if rows:
            self.session.execute(sa.insert(UnitSuccession), rows)
            self.report.successions_added += len(rows)


def load_units(session: Session, provinces: list[str] | None = None, *, catalog: Catalog | None = None) -> LoadReport:
    """Load the units of the whole country (or of *provinces*, 2025 or pre-2025 codes) from the package.

    A pre-2025 province code loads the 2025 province it went into, with all its predecessors.

    :raise InvalidInput: a province code the package does not know
    """
    return _Loader(session, catalog or read_catalog(), provinces).run()
