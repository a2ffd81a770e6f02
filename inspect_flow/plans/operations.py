"""Writes on plans, teams and the schedule. Every function flushes; the caller's edge commits."""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspect_flow.audit.operations import apply_changes, record_create, record_delete, record_update
from inspect_flow.core.errors import Conflict, InvalidInput
from inspect_flow.plans import coverage, scheduling
from inspect_flow.plans.models import CommuneDraw, CoverageRule, Plan, Team, TeamMember, TeamRole
from inspect_flow.units.models import AdminUnit, IssuingBody, Person, UnitLevel
from inspect_flow.units.operations import get_unit, get_unit_for_period, units_on
from inspect_flow.visits.models import Visit
from inspect_flow.workflow.machines import fire
from inspect_flow.workflow.states import PlanState, VisitState, state_label

SYMBOL_RE = re.compile(r'^[A-ZĐ][A-ZĐa-zđ]*(?:-[A-ZĐ0-9]+)+$')


def require_stage(plan: Plan, *states: PlanState, action_vi: str, action_en: str) -> None:
    """Refuse an edit that the plan's current stage does not allow.

    :raise Conflict: the plan is in another state
    """
    if plan.state in states:
        return
    allowed_vi = ', '.join(f'"{state_label(s)}"' for s in states)
    allowed_en = ', '.join(f'"{state_label(s, "en")}"' for s in states)
    raise Conflict(
        'plan.wrong_stage',
        f'Không thể {action_vi} khi kế hoạch đang ở giai đoạn "{state_label(plan.state)}" (chỉ được ở: {allowed_vi}).',
        f'Cannot {action_en} while the plan is at the "{state_label(plan.state, "en")}" stage '
        f'(allowed at: {allowed_en}).',
    )


def _text(value: str | None, field: str, vi: str, en: str) -> str:
    value = ' '.join((value or '').split())
    if not value:
        raise InvalidInput(f'{field}.required', f'Phải nhập {vi}.', f'{en} is required.', field=field)
    return value


def create_plan(session: Session, *, issuer: IssuingBody, subject: str, fieldwork_start: date, fieldwork_end: date,
                actor: str, number: int | None = None, symbol: str | None = None, issue_date: date | None = None,
                legal_bases: list[str] | None = None, objectives: list[str] | None = None,
                coverage_rule: CoverageRule = CoverageRule.none, households_per_commune: int = 0,
                clusters: list[dict] | None = None) -> Plan:
    """Create a plan in the ``planning`` state.

    :param coverage_rule: one commune per group of a grouping (see :mod:`inspect_flow.plans.coverage`)
    :param clusters: for ``per_cluster``: ``[{"name": "Cụm 1", "communes": [codes]}]``, codes of the units
        valid at fieldwork start

    :param number: the plan's number when it was issued outside inspect_flow (e.g. 1245); None for a draft
    :param symbol: the symbol; ``KH-<issuer abbreviation>`` by default
    :raise InvalidInput: a field is missing or malformed
    :raise Conflict: the issuer already has a plan with this number that year
    """
    subject = _text(subject, 'subject', 'trích yếu (nội dung) của kế hoạch', 'The subject')
    symbol = (symbol or f'KH-{issuer.abbreviation}').strip().upper()
    if not SYMBOL_RE.match(symbol):
        raise InvalidInput('plan.bad_symbol', f'Ký hiệu "{symbol}" không đúng mẫu (ví dụ KH-BCĐCCTMTQG).',
                           f'The symbol "{symbol}" is malformed (e.g. KH-BCĐCCTMTQG).', field='symbol')
    if number is not None and number < 1:
        raise InvalidInput('plan.bad_number', 'Số văn bản phải là số nguyên dương.',
                           'The number must be a positive integer.', field='number')
    if fieldwork_end < fieldwork_start:
        raise InvalidInput('plan.bad_window', 'Ngày kết thúc kiểm tra phải sau hoặc trùng ngày bắt đầu.',
                           'The fieldwork end date must not be before its start date.', field='fieldwork_end')
    if households_per_commune < 0:
        raise InvalidInput('plan.bad_households', 'Số hộ tham vấn không được âm.',
                           'The number of households cannot be negative.', field='households_per_commune')
    clusters = coverage.normalize_clusters(session, clusters or [], fieldwork_start)
    _check_cluster_rule(coverage_rule, clusters)
    year = (issue_date or fieldwork_start).year
    if number is not None:
        clash = session.scalars(sa.select(Plan).where(
            Plan.issuer_id == issuer.id, Plan.year == year, Plan.number == number, Plan.symbol == symbol)).first()
        if clash is not None:
            raise Conflict('plan.duplicate', f'Đã có kế hoạch {clash.reference} năm {year}.',
                           f'Plan {clash.reference} already exists for {year}.', field='number')
    plan = Plan(issuer=issuer, number=number, symbol=symbol, year=year, issue_date=issue_date, subject=subject,
                legal_bases=[s.strip() for s in legal_bases or [] if s.strip()],
                objectives=[s.strip() for s in objectives or [] if s.strip()],
                fieldwork_start=fieldwork_start, fieldwork_end=fieldwork_end, coverage_rule=coverage_rule,
                households_per_commune=households_per_commune, clusters=clusters, state=PlanState.planning)
    session.add(plan)
    session.flush()
    record_create(plan, actor=actor, fields={'reference': plan.reference, 'subject': subject})
    return plan


def _check_cluster_rule(rule: CoverageRule, clusters: list[dict]) -> None:
    if rule == CoverageRule.per_cluster and not clusters:
        raise InvalidInput('plan.clusters_required', 'Quy tắc "mỗi cụm một xã" cần danh sách cụm xã.',
                           'The "one commune per cluster" rule needs the clusters of communes.', field='clusters')


def update_plan(session: Session, plan: Plan, values: dict, *, actor: str) -> dict:
    """Edit a plan's descriptive fields while it is being planned or scheduled; audited.

    ``clusters`` (``[{"name", "communes": [codes]}]``) and ``coverage_rule`` are checked together.
    """
    require_stage(plan, PlanState.planning, PlanState.scheduling, action_vi='sửa kế hoạch', action_en='edit the plan')
    allowed = {'subject', 'legal_bases', 'objectives', 'fieldwork_start', 'fieldwork_end', 'coverage_rule',
               'households_per_commune', 'issue_date', 'clusters'}
    unknown = set(values) - allowed
    if unknown:
        raise InvalidInput('plan.unknown_field', f'Không sửa được trường: {", ".join(sorted(unknown))}.',
                           f'These fields cannot be edited: {", ".join(sorted(unknown))}.')
    values = dict(values)
    if 'subject' in values:
        values['subject'] = _text(values['subject'], 'subject', 'trích yếu (nội dung) của kế hoạch', 'The subject')
    if values.get('households_per_commune') is not None and values['households_per_commune'] < 0:
        raise InvalidInput('plan.bad_households', 'Số hộ tham vấn không được âm.',
                           'The number of households cannot be negative.', field='households_per_commune')
    for key in ('fieldwork_start', 'fieldwork_end'):
        if key in values and values[key] is None:
            raise InvalidInput(f'{key}.required', 'Phải nhập ngày.', 'A date is required.', field=key)
    start = values.get('fieldwork_start', plan.fieldwork_start)
    end = values.get('fieldwork_end', plan.fieldwork_end)
    if end < start:
        raise InvalidInput('plan.bad_window', 'Ngày kết thúc kiểm tra phải sau hoặc trùng ngày bắt đầu.',
                           'The fieldwork end date must not be before its start date.', field='fieldwork_end')
    if start != plan.fieldwork_start:
        from inspect_flow.plans.checklists import as_checklist, check_applies

        for pin in plan.checklists:  # a pinned version must apply on the new first day of fieldwork
            check_applies(plan, as_checklist(pin), start=start, field='fieldwork_start')
    if 'clusters' in values:
        values['clusters'] = coverage.normalize_clusters(session, values['clusters'] or [], start)
    _check_cluster_rule(values.get('coverage_rule', plan.coverage_rule), values.get('clusters', plan.clusters))
    return apply_changes(plan, values, actor=actor)


def set_targets(session: Session, plan: Plan, codes: list[str], *, actor: str) -> list[AdminUnit]:
    """Set the plan's target units by GSO code, as they stood during the fieldwork: districts or communes in
    three tiers (2019), communes in two tiers (from 01/07/2025).

    :raise InvalidInput: a code names no unit valid throughout the fieldwork (the message names both dates), or
        names a province
    """
    require_stage(plan, PlanState.planning, PlanState.scheduling, action_vi='đổi địa bàn kiểm tra',
                  action_en='change the target units')
    units = []
    for code in dict.fromkeys(c.strip() for c in codes if c.strip()):
        unit = get_unit_for_period(session, code, plan.fieldwork_start, plan.fieldwork_end)
        if unit.level == UnitLevel.province:
            raise InvalidInput('plan.bad_target', f'{unit.full_name} là cấp tỉnh; hãy chọn {_target_words(plan)}.',
                               f'{unit.full_name} is a province; choose districts or communes.', field='targets')
        units.append(unit)
    old = [u.code for u in plan.target_units]
    plan.target_units = units
    new = [u.code for u in units]
    if old != new:
        record_update(plan, actor=actor, changes={'targets': [old, new]})
    session.flush()
    return units


# --- teams ----------------------------------------------------------------------------------------------

def add_team(session: Session, plan: Plan, number: int, *, actor: str) -> Team:
    """Add team *number* to the plan.

    :raise InvalidInput: the number is not positive
    :raise Conflict: the plan already has that team
    """
    require_stage(plan, PlanState.planning, PlanState.scheduling, action_vi='thêm đoàn', action_en='add a team')
    if not isinstance(number, int) or number < 1:
        raise InvalidInput('team.bad_number', 'Số hiệu đoàn phải là số nguyên dương.',
                           'The team number must be a positive integer.', field='number')
    if any(t.number == number for t in plan.teams):
        raise Conflict('team.duplicate_number', f'Kế hoạch {plan.reference} đã có Đoàn {number}.',
                       f'Plan {plan.reference} already has team {number}.', field='number')
    team = Team(plan=plan, number=number)
    session.add(team)
    session.flush()
    record_create(team, actor=actor, fields={'number': number})
    return team


def add_member(session: Session, team: Team, person: Person, role: TeamRole, *, actor: str) -> TeamMember:
    """Put *person* on *team* with *role*.

    :raise Conflict: the person is already on the team, or the team already has a leader
    """
    require_stage(team.plan, PlanState.planning, PlanState.scheduling, action_vi='đổi thành phần đoàn',
                  action_en='change a team')
    if team.member_for(person) is not None:
        raise Conflict('team.duplicate_member', f'{person.full_name} đã có trong Đoàn {team.number}.',
                       f'{person.full_name} is already on team {team.number}.', field='person')
    if role == TeamRole.leader and team.leader is not None:
        raise Conflict('team.leader_exists', f'Đoàn {team.number} đã có Trưởng đoàn ({team.leader.full_name}).',
                       f'Team {team.number} already has a leader ({team.leader.full_name}).', field='role')
    member = TeamMember(team=team, person=person, role=role)
    session.add(member)
    session.flush()
    record_create(team, actor=actor, fields={'member': person.full_name, 'role': role.value})
    return member


def remove_member(session: Session, team: Team, person: Person, *, actor: str) -> None:
    """Take *person* off *team*.

    :raise Conflict: the person is not on the team
    """
    require_stage(team.plan, PlanState.planning, PlanState.scheduling, action_vi='đổi thành phần đoàn',
                  action_en='change a team')
    member = team.member_for(person)
    if member is None:
        raise Conflict('team.not_member', f'{person.full_name} không có trong Đoàn {team.number}.',
                       f'{person.full_name} is not on team {team.number}.', field='person')
    team.members.remove(member)
    record_delete(team, actor=actor, fields={'member': person.full_name, 'role': member.role.value})
    session.flush()


# --- schedule -------------------------------------------------------------------------------------------

def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise InvalidInput('visit.bad_times', 'Giờ kết thúc phải sau giờ bắt đầu.',
                           'The end time must be after the start time.', field='ends_at')


def _refuse_new_conflicts(plan: Plan, visit: Visit, before: list) -> None:
    """While visits are under way, a change to the schedule may not add a conflict."""
    if plan.state != PlanState.visiting:
        return
    known = {(c.rule, c.visit_ids) for c in before}
    new = [c for c in scheduling.conflicts_for_visit(plan, visit) if (c.rule, c.visit_ids) not in known]
    if new:
        raise Conflict('visit.schedule_conflict', ' '.join(c.vi for c in new), ' '.join(c.en for c in new),
                       details=[c.as_dict() for c in new])


def default_place(commune: AdminUnit) -> str:
    """Return the usual meeting place: "Hội trường UBND xã Nhuận Phú Tân"."""
    return f'Hội trường UBND {commune.full_name[:1].lower()}{commune.full_name[1:]}'


def schedule_visit(session: Session, plan: Plan, team: Team, commune_code: str, starts_at: datetime,
                   ends_at: datetime, *, actor: str, place: str = '') -> tuple[Visit, list]:
    """Schedule *team*'s visit to a commune; return the visit and the conflicts it is involved in.

    A conflict does not stop scheduling (the secretariat resolves it), except once visits are under way.

    :raise InvalidInput: unknown commune on that date, a unit that is not a commune, bad times
    """
    require_stage(plan, PlanState.scheduling, PlanState.visiting, action_vi='xếp lịch', action_en='schedule visits')
    if team.plan_id != plan.id:
        raise InvalidInput('team.other_plan', f'Đoàn {team.number} không thuộc kế hoạch {plan.reference}.',
                           f'Team {team.number} does not belong to plan {plan.reference}.', field='team')
    _check_times(starts_at, ends_at)
    commune = get_unit(session, commune_code, starts_at.date())
    if commune.level != UnitLevel.commune:
        raise InvalidInput('visit.not_commune', f'{commune.full_name} không phải đơn vị cấp xã.',
                           f'{commune.full_name} is not a commune-level unit.', field='commune')
    before = scheduling.find_conflicts(plan)
    visit = Visit(plan=plan, team=team, commune=commune, district=commune.district, starts_at=starts_at,
                  ends_at=ends_at, place=place.strip() or default_place(commune), state=VisitState.scheduled)
    session.add(visit)
    session.flush()
    _refuse_new_conflicts(plan, visit, before)
    record_create(visit, actor=actor, fields={'team': team.number, 'commune': commune.code,
                                              'starts_at': starts_at, 'ends_at': ends_at})
    return visit, scheduling.conflicts_for_visit(plan, visit)


def move_visit(session: Session, visit: Visit, *, actor: str, starts_at: datetime | None = None,
               ends_at: datetime | None = None, team: Team | None = None, place: str | None = None) -> list:
    """Reschedule a visit that has not started; return the conflicts it is still involved in."""
    plan = visit.plan
    require_stage(plan, PlanState.scheduling, PlanState.visiting, action_vi='đổi lịch', action_en='reschedule')
    if visit.state != VisitState.scheduled:
        raise Conflict('visit.not_movable', f'Buổi làm việc đang ở trạng thái "{state_label(visit.state)}", '
                       'không đổi lịch được.', f'The visit is "{state_label(visit.state, "en")}" and cannot be moved.')
    values = {}
    if starts_at is not None:
        values['starts_at'] = starts_at
    if ends_at is not None:
        values['ends_at'] = ends_at
    if team is not None:
        if team.plan_id != plan.id:
            raise InvalidInput('team.other_plan', f'Đoàn {team.number} không thuộc kế hoạch {plan.reference}.',
                               f'Team {team.number} does not belong to plan {plan.reference}.', field='team')
        values['team'] = team
    if place is not None:
        values['place'] = place.strip()
    _check_times(values.get('starts_at', visit.starts_at), values.get('ends_at', visit.ends_at))
    before = scheduling.find_conflicts(plan)
    changes = {k: v for k, v in values.items() if k != 'team'}
    if team is not None and team.id != visit.team_id:
        changes['team_id'] = team.id
        visit.team = team
    apply_changes(visit, changes, actor=actor)
    session.flush()
    _refuse_new_conflicts(plan, visit, before)
    return scheduling.conflicts_for_visit(plan, visit)


def remove_visit(session: Session, visit: Visit, *, actor: str) -> None:
    """Delete a visit while the schedule is being made (use cancel once visits are under way)."""
    require_stage(visit.plan, PlanState.scheduling, action_vi='xóa lịch làm việc', action_en='delete a visit')
    record_delete(visit, actor=actor, fields={'team': visit.team.number, 'commune': visit.commune.code,
                                              'starts_at': visit.starts_at})
    visit.plan.visits.remove(visit)
    session.flush()


def _target_words(plan: Plan) -> str:
    """"huyện hoặc xã" for a round before 01/07/2025, "xã, phường" after (no districts)."""
    return 'xã, phường' if plan.two_tier else 'huyện hoặc xã'


def draw_groups(session: Session, plan: Plan) -> dict[str, list[str]]:
    """The candidates of a random draw: ``{group key: [commune codes]}`` over the plan's coverage grouping,
    from the units valid at fieldwork start.

    * ``per_district`` (and ``none`` with district targets, as in 2019): the communes of each target district;
    * ``per_former_district``: the target communes by the district of their predecessors (before 01/07/2025);
    * ``per_cluster``: the communes of each cluster;
    * ``none`` with commune targets: all the target communes, as one group ``*``.

    :raise InvalidInput: nothing to draw from (field ``targets``, or ``clusters``)
    """
    day = plan.fieldwork_start
    rule = plan.coverage_rule
    districts = [u for u in plan.target_units if u.level == UnitLevel.district]
    target_communes = [u for u in plan.target_units if u.level == UnitLevel.commune]
    if rule == CoverageRule.per_cluster:
        codes = {code for c in plan.clusters for code in c['communes']}
        communes = [u for u in units_on(session, day, UnitLevel.commune) if u.code in codes]
        candidates = scheduling.grouped_candidates(communes, coverage.grouping(plan), day)
        field = 'clusters'
    elif rule == CoverageRule.per_former_district:
        candidates = scheduling.grouped_candidates(target_communes, coverage.grouping(plan), day)
        field = 'targets'
    elif districts or rule == CoverageRule.per_district:
        if not districts:
            raise InvalidInput('draw.no_districts', 'Kế hoạch chưa có huyện nào trong địa bàn kiểm tra để chọn xã.',
                               'The plan has no target district to draw communes from.', field='targets')
        candidates = scheduling.candidate_communes(units_on(session, day, UnitLevel.commune), districts, day)
        field = 'targets'
    else:
        candidates = scheduling.grouped_candidates(target_communes, lambda _c: coverage.ALL_TARGETS, day)
        field = 'targets'
    if not any(candidates.values()):
        raise InvalidInput('draw.no_candidates', 'Không có xã, phường nào để chọn ngẫu nhiên trong địa bàn kiểm tra.',
                           'There is no commune to draw from in the target area.', field=field)
    return candidates


def draw_communes(session: Session, plan: Plan, *, actor: str, per_group: int | None = None,
                  seed: str | None = None, per_district: int | None = None) -> CommuneDraw:
    """Draw communes at random in each group of the plan's coverage grouping (see :func:`draw_groups`),
    record the seed, and return the draw.

    :param per_group: how many communes per group (``per_district`` is its 2019 name, still accepted)
    :raise InvalidInput: nothing to draw from, or a bad count
    """
    require_stage(plan, PlanState.planning, PlanState.scheduling, action_vi='chọn ngẫu nhiên xã',
                  action_en='draw communes')
    count = per_group if per_group is not None else per_district
    if count is None or count < 1:
        word_vi, word_en = coverage.GROUP_WORDS[plan.coverage_rule]
        if plan.coverage_rule == CoverageRule.none and any(u.level == UnitLevel.district for u in plan.target_units):
            word_vi, word_en = coverage.GROUP_WORDS[CoverageRule.per_district]
        raise InvalidInput('draw.bad_count', f'Số xã mỗi {word_vi} phải từ 1 trở lên.',
                           f'The number of communes per {word_en} must be at least 1.',
                           field='per_district' if per_group is None else 'per_group')
    candidates = draw_groups(session, plan)
    seed = (seed or secrets.token_hex(8)).strip()
    result = scheduling.draw(candidates, count, seed)
    record = CommuneDraw(plan=plan, seed=seed, per_district=count, candidates=candidates, result=result,
                         actor=actor)
    session.add(record)
    session.flush()
    record_create(plan, actor=actor, fields={'draw_seed': seed, 'draw_result': result}, comment='draw')
    return record


def replay_draw(draw: CommuneDraw) -> bool:
    """Re-run a recorded draw from its seed and candidates; True when it gives the recorded result."""
    return scheduling.draw(draw.candidates, draw.per_district, draw.seed) == draw.result


def advance_plan(session: Session, plan: Plan, trigger: str, *, actor: str, reason: str | None = None) -> Plan:
    """Move the plan to its next stage with *trigger*; the guard rules decide.

    :raise InvalidInput: unknown trigger
    :raise TransitionRefused: wrong state or unmet rules (each named in the message)
    """
    kwargs = {}
    if trigger == 'cancel':
        kwargs['reason'] = reason
    fire(plan, trigger, actor=actor, **kwargs)
    if trigger == 'cancel':
        plan.cancel_reason = reason.strip()
    session.flush()
    return plan
