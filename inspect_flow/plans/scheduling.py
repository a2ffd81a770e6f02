"""Scheduling rules of a round and the reproducible random draw of communes.

Everything here is pure: it reads a plan's teams and visits and returns conflicts; nothing is written.
The operations store the schedule even when it has conflicts (the secretariat resolves them by moving
visits), the pages and the CLI show them where they occur, and the plan cannot move to ``visiting``
while any is left.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from inspect_flow.units.models import AdminUnit, UnitLevel
from inspect_flow.workflow.states import VisitState


@dataclass(frozen=True)
class ScheduleConflict:
    """A scheduling rule broken by one or more visits."""

    rule: str
    vi: str
    en: str
    visit_ids: tuple[int, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict:
        """Return the conflict as plain data."""
        return {'rule': self.rule, 'message': self.vi, 'message_en': self.en, 'visit_ids': list(self.visit_ids)}


def _d(day: date | datetime) -> str:
    return f'{day:%d/%m/%Y}'


def _span(visit) -> str:  # noqa: ANN001
    return f'{visit.commune.full_name} ({visit.starts_at:%H:%M}–{visit.ends_at:%H:%M})'


def _overlap(a, b) -> bool:  # noqa: ANN001
    return a.starts_at < b.ends_at and b.starts_at < a.ends_at


def active_visits(plan) -> list:  # noqa: ANN001
    """Return the plan's visits that still count (not cancelled), in schedule order."""
    return sorted((v for v in plan.visits if v.state != VisitState.cancelled), key=lambda v: (v.starts_at, v.id or 0))


def find_conflicts(plan) -> list[ScheduleConflict]:  # noqa: ANN001
    """Return every scheduling conflict of *plan*, in a stable order."""
    visits = active_visits(plan)
    conflicts: list[ScheduleConflict] = []
    conflicts += _window_conflicts(plan, visits)
    conflicts += _team_conflicts(visits)
    conflicts += _person_conflicts(visits)
    conflicts += _commune_conflicts(visits)
    conflicts += _interest_conflicts(visits)
    conflicts += _target_conflicts(plan, visits)
    conflicts += _coverage_conflicts(plan, visits)
    return conflicts


def conflicts_for_visit(plan, visit) -> list[ScheduleConflict]:  # noqa: ANN001
    """Return the conflicts that involve *visit*."""
    return [c for c in find_conflicts(plan) if visit.id in c.visit_ids]


def _window_conflicts(plan, visits) -> list[ScheduleConflict]:  # noqa: ANN001
    out = []
    window = f'{_d(plan.fieldwork_start)}–{_d(plan.fieldwork_end)}'
    for v in visits:
        if v.starts_at.date() < plan.fieldwork_start or v.ends_at.date() > plan.fieldwork_end:
            out.append(ScheduleConflict(
                'outside_fieldwork_window',
                f'Buổi làm việc tại {v.commune.full_name} ngày {_d(v.starts_at)} nằm ngoài thời gian kiểm tra '
                f'của kế hoạch ({window}).',
                f'The visit to {v.commune.full_name} on {_d(v.starts_at)} is outside the fieldwork window '
                f'of the plan ({window}).',
                (v.id,),
            ))
    return out


def _team_conflicts(visits) -> list[ScheduleConflict]:  # noqa: ANN001
    out = []
    for i, a in enumerate(visits):
        for b in visits[i + 1:]:
            if a.team_id == b.team_id and _overlap(a, b):
                out.append(ScheduleConflict(
                    'team_double_booked',
                    f'Đoàn {a.team.number} có hai buổi làm việc trùng giờ ngày {_d(a.starts_at)}: '
                    f'{_span(a)} và {_span(b)}.',
                    f'Team {a.team.number} has two overlapping visits on {_d(a.starts_at)}: '
                    f'{_span(a)} and {_span(b)}.',
                    (a.id, b.id),
                ))
    return out


def _person_conflicts(visits) -> list[ScheduleConflict]:  # noqa: ANN001
    out = []
    for i, a in enumerate(visits):
        for b in visits[i + 1:]:
            if a.team_id == b.team_id or not _overlap(a, b):
                continue
            people_a = {m.person_id: m.person for m in a.team.members}
            for m in b.team.members:
                if m.person_id in people_a:
                    name = m.person.full_name
                    out.append(ScheduleConflict(
                        'person_double_booked',
                        f'{name} (Đoàn {a.team.number} và Đoàn {b.team.number}) có hai buổi làm việc trùng giờ '
                        f'ngày {_d(a.starts_at)}: {_span(a)} và {_span(b)}.',
                        f'{name} (teams {a.team.number} and {b.team.number}) has two overlapping visits on '
                        f'{_d(a.starts_at)}: {_span(a)} and {_span(b)}.',
                        (a.id, b.id),
                    ))
    return out


def _commune_conflicts(visits) -> list[ScheduleConflict]:  # noqa: ANN001
    by_commune = defaultdict(list)
    for v in visits:
        by_commune[v.commune_id].append(v)
    out = []
    for group in by_commune.values():
        if len(group) > 1:
            name = group[0].commune.full_name
            when_vi = ', '.join(f'Đoàn {v.team.number} ngày {_d(v.starts_at)}' for v in group)
            when_en = ', '.join(f'team {v.team.number} on {_d(v.starts_at)}' for v in group)
            out.append(ScheduleConflict(
                'commune_visited_twice',
                f'{name} được xếp lịch kiểm tra {len(group)} lần trong đợt ({when_vi}).',
                f'{name} is scheduled {len(group)} times in the round ({when_en}).',
                tuple(v.id for v in group),
            ))
    return out


def _interest_conflicts(visits) -> list[ScheduleConflict]:  # noqa: ANN001
    out = []
    for v in visits:
        inspected = {v.commune_id, v.district_id}
        for m in v.team.members:
            if m.person.unit_id is not None and m.person.unit_id in inspected:
                unit = m.person.unit.full_name
                out.append(ScheduleConflict(
                    'conflict_of_interest',
                    f'{m.person.full_name} (Đoàn {v.team.number}) công tác tại {unit}, không được tham gia kiểm tra '
                    f'{v.commune.full_name} thuộc đơn vị mình (xung đột lợi ích).',
                    f'{m.person.full_name} (team {v.team.number}) works in {unit} and may not inspect '
                    f'{v.commune.full_name}, which belongs to that unit (conflict of interest).',
                    (v.id,),
                ))
    return out


def covers(target: AdminUnit, commune: AdminUnit) -> bool:
    """Tell whether a visit to *commune* covers the target unit *target* (the commune or its district)."""
    return target.id == commune.id or (target.level == UnitLevel.district and commune.parent_id == target.id)


def _target_conflicts(plan, visits) -> list[ScheduleConflict]:  # noqa: ANN001
    if not plan.target_units:
        return []
    out = []
    for v in visits:
        if not any(covers(t, v.commune) for t in plan.target_units):
            out.append(ScheduleConflict(
                'outside_targets',
                f'{v.commune.full_name}, {v.district.full_name} không thuộc địa bàn kiểm tra của kế hoạch.',
                f'{v.commune.full_name}, {v.district.full_name} is not in the plan\'s target area.',
                (v.id,),
            ))
    return out


def _coverage_conflicts(plan, visits) -> list[ScheduleConflict]:  # noqa: ANN001
    from inspect_flow.plans.models import CoverageRule

    if plan.coverage_rule != CoverageRule.one_commune_per_district:
        return []
    by_district = defaultdict(list)
    for v in visits:
        by_district[v.district_id].append(v)
    out = []
    for group in by_district.values():
        communes = {v.commune_id for v in group}
        if len(communes) > 1:
            name = group[0].district.full_name
            out.append(ScheduleConflict(
                'coverage_one_per_district',
                f'{name} có {len(communes)} xã được xếp lịch; kế hoạch quy định mỗi huyện kiểm tra một xã.',
                f'{name} has {len(communes)} communes scheduled; the plan allows one commune per district.',
                tuple(v.id for v in group),
            ))
    return out


def uncovered_targets(plan) -> list[AdminUnit]:  # noqa: ANN001
    """Return the target units that no active visit covers yet."""
    visits = active_visits(plan)
    return [t for t in plan.target_units if not any(covers(t, v.commune) for v in visits)]


# --- the random draw -------------------------------------------------------------------------------------

def draw(candidates: dict[str, Sequence[str]], per_district: int, seed: str) -> dict[str, list[str]]:
    """Draw *per_district* commune codes from each district's candidates, reproducibly from *seed*.

    Districts are taken in code order and each candidate list is sorted first, so the same seed and
    the same candidates always give the same result (the draw can be replayed and audited).
    """
    rng = random.Random(seed)
    result = {}
    for district in sorted(candidates):
        pool = sorted(candidates[district])
        result[district] = sorted(rng.sample(pool, min(per_district, len(pool))))
    return result


def candidate_communes(units: Iterable[AdminUnit], districts: Iterable[AdminUnit], day: date) -> dict[str, list[str]]:
    """Return ``{district code: [commune codes valid on day]}`` for the given districts."""
    district_ids = {d.id: d.code for d in districts}
    out: dict[str, list[str]] = {code: [] for code in district_ids.values()}
    for u in units:
        if u.level == UnitLevel.commune and u.parent_id in district_ids and u.is_valid_on(day):
            out[district_ids[u.parent_id]].append(u.code)
    return {k: sorted(v) for k, v in out.items()}
