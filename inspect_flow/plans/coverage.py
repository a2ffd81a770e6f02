"""Coverage of a round over a chosen grouping of communes, for both administrative structures.

A plan's :class:`~inspect_flow.plans.models.CoverageRule` names a grouping, and the round visits one
commune per group:

* ``per_district``: the commune's district (three tiers; the 2019 Bến Tre round);
* ``per_former_district``: the district of the commune's predecessors before 01/07/2025 (two tiers; a
  commune still in three tiers is grouped by its own district);
* ``per_cluster``: the clusters of communes the plan names (``Plan.clusters``, e.g. "Cụm 1");
* ``none``: no rule (the random draw then takes the target districts, or all the target communes).

The random draw of communes (``plans.operations.draw_communes``) draws over the same grouping. Nothing
here writes; the former districts are read through the plan's session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session, object_session

from inspect_flow.core.errors import InvalidInput
from inspect_flow.plans.models import CoverageRule
from inspect_flow.units.models import AdminUnit, UnitLevel


@dataclass(frozen=True)
class Group:
    """One group of communes: ``key`` is stored (a district code, a cluster name), ``label`` is shown."""

    key: str
    label: str


#: What a group is called in messages: (Vietnamese, English), singular. "huyện" only for districts.
GROUP_WORDS = {
    CoverageRule.per_district: ('huyện', 'district'),
    CoverageRule.per_former_district: ('huyện cũ', 'former district'),
    CoverageRule.per_cluster: ('cụm', 'cluster'),
    CoverageRule.none: ('địa bàn', 'area'),
}

#: The whole target area, as one group (rule ``none`` on commune targets).
ALL_TARGETS = Group('*', 'Địa bàn kiểm tra')


def former_district_of(session: Session | None, commune: AdminUnit) -> AdminUnit | None:
    """The district a commune is grouped under by ``per_former_district``: its own district in three
    tiers, the district of its default predecessors before 01/07/2025 in two tiers (through
    ``unit_successions``); None when unknown."""
    if commune.district is not None:
        return commune.district
    if session is None:
        return None
    from inspect_flow.units import operations as unit_ops

    return unit_ops.former_district(session, commune)


def _cluster_index(clusters: Iterable[dict]) -> dict[str, Group]:
    out: dict[str, Group] = {}
    for cluster in clusters or []:
        for code in cluster.get('communes', []):
            out.setdefault(str(code), Group(cluster['name'], cluster['name']))
    return out


def grouping(plan) -> Callable[[AdminUnit], Group | None]:  # noqa: ANN001
    """Return the function giving a commune's group under *plan*'s coverage rule (None: in no group)."""
    rule = plan.coverage_rule
    if rule == CoverageRule.per_district:
        return lambda c: Group(c.district.code, c.district.full_name) if c.district is not None else None
    if rule == CoverageRule.per_former_district:
        session = object_session(plan)
        cache: dict[int, AdminUnit | None] = {}

        def by_former(commune: AdminUnit) -> Group | None:
            if commune.id not in cache:
                cache[commune.id] = former_district_of(session, commune)
            d = cache[commune.id]
            return Group(d.code, d.full_name) if d is not None else None

        return by_former
    if rule == CoverageRule.per_cluster:
        index = _cluster_index(plan.clusters)
        return lambda c: index.get(c.code)
    return lambda c: None


def group_labels(session: Session, plan, keys: Iterable[str]) -> dict[str, str]:  # noqa: ANN001
    """The names of a draw's group keys: "Huyện Mỏ Cày Bắc" for a district code (a former district's, for a
    two-tier plan: as it stood on 30/06/2025), the cluster's name, "Địa bàn kiểm tra" for the whole area."""
    from datetime import timedelta

    from inspect_flow.units.models import TWO_TIER_FROM
    from inspect_flow.units.operations import get_unit

    day = TWO_TIER_FROM - timedelta(days=1) if plan.two_tier else plan.fieldwork_start
    out = {}
    for key in keys:
        if key == ALL_TARGETS.key:
            out[key] = ALL_TARGETS.label
        elif plan.coverage_rule == CoverageRule.per_cluster:
            out[key] = key
        else:
            try:
                out[key] = get_unit(session, key, day).full_name
            except InvalidInput:
                out[key] = key
    return out


def normalize_clusters(session: Session, clusters: Iterable[dict], day, *, field: str = 'clusters') -> list[dict]:  # noqa: ANN001
    """Check clusters given as ``[{"name": "Cụm 1", "communes": [codes]}]`` against the units valid on *day*.

    :return: the clusters with trimmed names and codes, in the order given
    :raise InvalidInput: an empty or repeated name, an empty cluster, an unknown code, a unit that is not a
        commune, or a commune in two clusters (each naming the field)
    """
    from inspect_flow.units.operations import get_unit

    out: list[dict] = []
    seen: dict[str, str] = {}
    for cluster in clusters or []:
        name = ' '.join(str(cluster.get('name') or '').split())
        if not name:
            raise InvalidInput('plan.cluster_name', 'Mỗi cụm phải có tên (ví dụ "Cụm 1").',
                               'Each cluster needs a name (e.g. "Cụm 1").', field=field)
        if any(c['name'] == name for c in out):
            raise InvalidInput('plan.cluster_duplicate', f'Tên cụm "{name}" bị lặp.',
                               f'The cluster name "{name}" is repeated.', field=field)
        codes = [str(c).strip() for c in cluster.get('communes') or [] if str(c).strip()]
        if not codes:
            raise InvalidInput('plan.cluster_empty', f'{name} chưa có xã, phường nào.',
                               f'{name} has no commune.', field=field)
        for code in codes:
            try:
                unit = get_unit(session, code, day)
            except InvalidInput:
                raise InvalidInput('plan.cluster_unknown_code',
                                   f'Không có đơn vị hành chính mã "{code}" vào ngày {day:%d/%m/%Y} ({name}).',
                                   f'There is no administrative unit with code "{code}" on {day:%d/%m/%Y} ({name}).',
                                   field=field) from None
            if unit.level != UnitLevel.commune:
                raise InvalidInput('plan.cluster_not_commune',
                                   f'{unit.full_name} ({name}) không phải đơn vị cấp xã.',
                                   f'{unit.full_name} ({name}) is not a commune-level unit.', field=field)
            if code in seen:
                raise InvalidInput('plan.cluster_overlap',
                                   f'{unit.full_name} có trong cả {seen[code]} và {name}.',
                                   f'{unit.full_name} is in both {seen[code]} and {name}.', field=field)
            seen[code] = name
        out.append({'name': name, 'communes': list(dict.fromkeys(codes))})
    return out


def parse_clusters(text: str) -> list[dict]:
    """Parse clusters written one per line: ``Cụm 1: 28948, 28756`` (codes separated by commas or spaces).

    :raise InvalidInput: a line without ``:`` (field ``clusters``)
    """
    clusters = []
    for number, line in enumerate((text or '').splitlines(), start=1):
        if not line.strip():
            continue
        name, sep, rest = line.partition(':')
        if not sep:
            raise InvalidInput('plan.cluster_line', f'Dòng {number}: viết "Tên cụm: mã xã, mã xã…".',
                               f'Line {number}: write "Cluster name: code, code…".', field='clusters')
        clusters.append({'name': name.strip(), 'communes': rest.replace(',', ' ').split()})
    return clusters
