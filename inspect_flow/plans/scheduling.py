"""Scheduling rules of a round and the reproducible random draw of communes.

Nothing here writes: it reads a plan's teams and visits and returns conflicts (the units' successions and
former districts are read through the plan's session, for rounds of the two-tier structure).
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


def _unit_on(session, unit: AdminUnit | None, day: date) -> AdminUnit | None:  # noqa: ANN001
    """*unit* as it stands on *day*: the unit that took it over when it no longer exists (2019's Xã Nhuận Phú Tân
    → Xã Nhuận Phú Tân of 2025), so a person's unit is compared with the units of the plan's dates."""
    if unit is None or session is None or unit.is_valid_on(day):
        return unit
    from inspect_flow.units.operations import current_successor

    return current_successor(session, unit, day) or unit


def _interest_conflicts(visits) -> list[ScheduleConflict]:  # noqa: ANN001
    from sqlalchemy.orm import object_session

    out = []
    for v in visits:
        inspected = {v.commune_id, v.conclusion_unit_id}
        session = object_session(v)
        for m in v.team.members:
            unit = _unit_on(session, m.person.unit, v.starts_at.date())
            if unit is not None and unit.id in inspected:
                out.append(ScheduleConflict(
                    'conflict_of_interest',
                    f'{m.person.full_name} (Đoàn {v.team.number}) công tác tại {unit.full_name}, không được tham gia '
                    f'kiểm tra {v.commune.full_name} thuộc đơn vị mình (xung đột lợi ích).',
                    f'{m.person.full_name} (team {v.team.number}) works in {unit.full_name} and may not inspect '
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
                f'{v.where} không thuộc địa bàn kiểm tra của kế hoạch.',
                f'{v.where} is not in the plan\'s target area.',
                (v.id,),
            ))
    return out


#: The rule name of each coverage conflict (``coverage_one_per_district`` as in 2019).
COVERAGE_CONFLICT_RULES = {
    'per_district': 'coverage_one_per_district',
    'per_former_district': 'coverage_one_per_former_district',
    'per_cluster': 'coverage_one_per_cluster',
}


def _coverage_conflicts(plan, visits) -> list[ScheduleConflict]:  # noqa: ANN001
    from inspect_flow.plans import coverage
    from inspect_flow.plans.models import CoverageRule

    rule = plan.coverage_rule
    if rule == CoverageRule.none:
        return []
    group_of = coverage.grouping(plan)
    groups: dict[coverage.Group, list] = defaultdict(list)
    for v in visits:
        group = group_of(v.commune)
        if group is not None:
            groups[group].append(v)
    out = []
    for group, members in groups.items():
        communes = {v.commune_id: v.commune for v in members}
        if len(communes) < 2:
            continue
        n = len(communes)
        ids = tuple(v.id for v in members)
        if rule == CoverageRule.per_district:
            vi = f'{group.label} có {n} xã được xếp lịch; kế hoạch quy định mỗi huyện kiểm tra một xã.'
            en = f'{group.label} has {n} communes scheduled; the plan allows one commune per district.'
        else:
            names = ', '.join(c.full_name for c in sorted(communes.values(), key=lambda c: c.code))
            word_vi, word_en = coverage.GROUP_WORDS[rule]
            former = rule == CoverageRule.per_former_district
            where_vi = f'{group.label} (cũ)' if former else group.label
            where_en = f'{group.label} (former district)' if former else group.label
            vi = (f'{where_vi} có {n} đơn vị cấp xã được xếp lịch ({names}); kế hoạch quy định mỗi {word_vi} '
                  f'kiểm tra một đơn vị cấp xã.')
            en = f'{where_en} has {n} communes scheduled ({names}); the plan allows one commune per {word_en}.'
        out.append(ScheduleConflict(COVERAGE_CONFLICT_RULES[rule.key], vi, en, ids))
    return out


def uncovered_targets(plan) -> list[AdminUnit]:  # noqa: ANN001
    """Return the target units that no active visit covers yet."""
    visits = active_visits(plan)
    return [t for t in plan.target_units if not any(covers(t, v.commune) for v in visits)]


def uncovered_clusters(plan) -> list[str]:  # noqa: ANN001
    """Return the names of the plan's clusters where no active visit is scheduled (rule ``per_cluster``)."""
    from inspect_flow.plans.models import CoverageRule

    if plan.coverage_rule != CoverageRule.per_cluster:
        return []
    visited = {v.commune.code for v in active_visits(plan)}
    return [c['name'] for c in plan.clusters or [] if not visited & set(c['communes'])]


# --- the random draw -------------------------------------------------------------------------------------

def draw(candidates: dict[str, Sequence[str]], per_district: int, seed: str) -> dict[str, list[str]]:
    """Draw *per_district* commune codes from each group's candidates, reproducibly from *seed*.

    A group is a district (2019), a former district or a cluster (see :mod:`inspect_flow.plans.coverage`).
    Groups are taken in key order and each candidate list is sorted first, so the same seed and
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


def grouped_candidates(communes: Iterable[AdminUnit], group_of, day: date) -> dict[str, list[str]]:  # noqa: ANN001
    """Return ``{group key: [commune codes valid on day]}``: each commune under ``group_of(commune)``
    (communes in no group are left out)."""
    out: dict[str, list[str]] = defaultdict(list)
    for u in communes:
        if u.level == UnitLevel.commune and u.is_valid_on(day):
            group = group_of(u)
            if group is not None:
                out[group.key].append(u.code)
    return {k: sorted(v) for k, v in sorted(out.items())}
