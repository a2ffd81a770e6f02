"""Commands that build and run a round: plans, teams, schedule, visits, findings, recommendations."""

from __future__ import annotations

import json
from pathlib import Path

import click
import sqlalchemy as sa
import yaml

from inspect_flow.cli.context import DATE, TIME, CliContext, at, echo_json, pass_ctx
from inspect_flow.core.errors import InvalidInput


def _plan(session, ref):  # noqa: ANN001, ANN202
    from inspect_flow.plans.queries import get_plan

    return get_plan(session, ref)


def _print_conflicts(ctx: CliContext, conflicts) -> None:  # noqa: ANN001
    for c in conflicts:
        click.echo(ctx.msg('  ! Xung đột: ', '  ! Conflict: ') + ctx.msg(c.vi, c.en))


# --- plans -----------------------------------------------------------------------------------------------

@click.group()
def plans() -> None:
    """Inspection plans (kế hoạch kiểm tra, giám sát) and their stages."""


@plans.command('list')
@click.option('--json', 'as_json', is_flag=True, help='Print JSON (documented in the README).')
@pass_ctx
def plans_list(ctx: CliContext, as_json: bool) -> None:
    """List the plans."""
    from inspect_flow.plans.queries import list_plans, plan_summary

    with ctx.session() as session:
        data = [plan_summary(p) for p in list_plans(session)]
    if as_json:
        echo_json(data)
        return
    if not data:
        click.echo(ctx.msg('Chưa có kế hoạch nào.', 'There are no plans yet.'))
    for p in data:
        click.echo(f'{p["reference"]:<24} {p["state"]:<12} {p["teams"]:>2} đoàn  {p["visits"]:>3} buổi  {p["subject"]}')


@plans.command('show')
@click.argument('plan_ref', metavar='PLAN')
@click.option('--json', 'as_json', is_flag=True, help='Print JSON (documented in the README).')
@pass_ctx
def plans_show(ctx: CliContext, plan_ref: str, as_json: bool) -> None:
    """Show a plan: state, teams, schedule, conflicts and the steps allowed next."""
    from inspect_flow.plans.queries import plan_detail

    with ctx.session() as session:
        data = plan_detail(_plan(session, plan_ref))
    if as_json:
        echo_json(data)
        return
    en = ctx.lang == 'en'
    click.echo(f'{data["reference"]} ({data["issue_date"] or "—"}) — {data["subject"]}')
    click.echo(f'  {"State" if en else "Giai đoạn"}: {data["state_label"] if not en else data["state"]}')
    window = f'{data["fieldwork"]["start"]} → {data["fieldwork"]["end"]}'
    click.echo(f'  {"Fieldwork" if en else "Thời gian kiểm tra"}: {window}')
    click.echo(f'  {"Targets" if en else "Địa bàn"}: ' + ', '.join(t['name'] for t in data['targets']))
    from inspect_flow.plans.models import ROLE_LABELS, TeamRole

    for team in data['teams']:
        members = '; '.join(f'{m["name"]} ({ROLE_LABELS[TeamRole(m["role"])][1 if en else 0]})'
                            for m in team['members'])
        click.echo(f'  {"Team" if en else "Đoàn"} {team["number"]}: {members}')
    for v in data['visits']:
        click.echo(f'  #{v["id"]:<4} {v["starts_at"]}–{v["ends_at"][11:]}  {"Team" if en else "Đoàn"} {v["team"]}  '
                   f'{v["commune"]["name"]}{", " + v["district"]["name"] if v["district"] else ""}  [{v["state"]}]')
    for c in data['conflicts']:
        click.echo(f'  ! {c["message_en"] if en else c["message"]}')
    counts = {'findings': sum(f['status'] != 'withdrawn' for f in data['findings']),  # withdrawn: not counted
              'conclusions': len(data['conclusions']),
              'recommendations': sum(r['state'] != 'withdrawn' for r in data['recommendations'])}
    click.echo(f'  {"Findings" if en else "Kết quả"}: {counts["findings"]}, '
               f'{"conclusions" if en else "kết luận"}: {counts["conclusions"]}, '
               f'{"recommendations" if en else "kiến nghị"}: {counts["recommendations"]}')
    for step in data['next_steps']:
        mark = '→' if step['allowed'] else '✗'
        click.echo(f'  {mark} {step["trigger"]}: {step["label"]}')
        for b in step['blockers']:
            click.echo(f'      - {b["message_en"] if en else b["message"]}')


@plans.command('create')
@click.option('--issuer', required=True, metavar='SLUG', help='The issuing body (see `bodies list`).')
@click.option('--subject', required=True, help='The subject (trích yếu).')
@click.option('--start', 'start', required=True, type=DATE, help='First day of fieldwork.')
@click.option('--end', 'end', required=True, type=DATE, help='Last day of fieldwork.')
@click.option('--number', type=click.IntRange(min=1), help='The number, when the plan was issued elsewhere.')
@click.option('--symbol', help='The symbol (default KH-<issuer abbreviation>).')
@click.option('--issue-date', type=DATE, help='The date the plan was signed.')
@click.option('--legal-basis', 'legal_bases', multiple=True, help='A legal basis (repeat).')
@click.option('--objective', 'objectives', multiple=True, help='An objective (repeat).')
@click.option('--one-commune-per-district', is_flag=True, help='Enforce one commune per target district '
              '(same as --coverage per_district).')
@click.option('--coverage', type=click.Choice(['none', 'per_district', 'per_former_district', 'per_cluster']),
              help='One commune per group: per district (three tiers), per former district (two tiers, the '
                   'districts before 01/07/2025), per cluster (--cluster), or none.')
@click.option('--cluster', 'clusters', multiple=True, metavar='"NAME: CODE, CODE"',
              help='A cluster of communes for --coverage per_cluster, e.g. "Cụm 1: 28948, 28756" (repeat).')
@click.option('--households', type=click.IntRange(min=0), default=0, help='Households to consult per commune.')
@pass_ctx
def plans_create(ctx: CliContext, issuer, subject, start, end, number, symbol, issue_date, legal_bases, objectives,
                 one_commune_per_district, coverage, clusters, households) -> None:  # noqa: ANN001
    """Create a plan (it starts in the planning stage)."""
    from inspect_flow.plans.coverage import parse_clusters
    from inspect_flow.plans.models import CoverageRule
    from inspect_flow.plans.operations import create_plan
    from inspect_flow.units.operations import get_issuing_body

    if coverage and one_commune_per_district and coverage != 'per_district':
        raise InvalidInput('cli.coverage_twice', 'Chỉ dùng một trong --coverage và --one-commune-per-district.',
                           'Use only one of --coverage and --one-commune-per-district.', field='coverage')
    rule = CoverageRule(coverage) if coverage else (
        CoverageRule.per_district if one_commune_per_district else CoverageRule.none)
    with ctx.session() as session:
        plan = create_plan(
            session, issuer=get_issuing_body(session, issuer), subject=subject, fieldwork_start=start,
            fieldwork_end=end, number=number, symbol=symbol, issue_date=issue_date, legal_bases=list(legal_bases),
            objectives=list(objectives), households_per_commune=households, actor=ctx.actor,
            coverage_rule=rule, clusters=parse_clusters('\n'.join(clusters)),
        )
        ref = plan.reference if plan.number else f'#{plan.id}'
    click.echo(ctx.msg(f'Đã tạo kế hoạch {ref}.', f'Created plan {ref}.'))


@plans.command('targets')
@click.argument('plan_ref', metavar='PLAN')
@click.argument('codes', nargs=-1, required=True)
@pass_ctx
def plans_targets(ctx: CliContext, plan_ref: str, codes: tuple[str, ...]) -> None:
    """Set the target units (GSO codes of districts or communes in three tiers, communes in two tiers)."""
    from inspect_flow.plans.operations import set_targets

    with ctx.session() as session:
        units = set_targets(session, _plan(session, plan_ref), list(codes), actor=ctx.actor)
        names = ', '.join(u.full_name for u in units)
    click.echo(ctx.msg(f'Địa bàn kiểm tra: {names}.', f'Target units: {names}.'))


@plans.command('draw')
@click.argument('plan_ref', metavar='PLAN')
@click.option('--per-group', type=int, help='Communes per group of the plan\'s coverage grouping (default 1).')
@click.option('--per-district', type=int, help='The 2019 name of --per-group.')
@click.option('--seed', help='Replay a draw with this seed (default: a new random seed, recorded).')
@pass_ctx
def plans_draw(ctx: CliContext, plan_ref: str, per_group: int | None, per_district: int | None,
               seed: str | None) -> None:
    """Draw communes at random in each group of the plan's coverage grouping (each target district in
    2019; each former district or cluster in two tiers); the seed is recorded for replay and audit."""
    from inspect_flow.plans.coverage import group_labels
    from inspect_flow.plans.operations import draw_communes
    from inspect_flow.units.models import UnitLevel
    from inspect_flow.units.operations import units_on

    with ctx.session() as session:
        plan = _plan(session, plan_ref)
        count = per_group if per_group is not None else (per_district if per_district is not None else 1)
        record = draw_communes(session, plan, per_group=count, seed=seed, actor=ctx.actor)
        names = {u.code: u.full_name for u in units_on(session, plan.fieldwork_start, UnitLevel.commune)}
        names.update(group_labels(session, plan, record.result))
        click.echo(ctx.msg(f'Hạt giống (seed): {record.seed}', f'Seed: {record.seed}'))
        for district, communes in record.result.items():
            click.echo(f'  {names.get(district, district)}: ' + ', '.join(f'{names.get(c, c)} ({c})' for c in communes))


@plans.command('advance')
@click.argument('plan_ref', metavar='PLAN')
@click.argument('trigger')
@click.option('--reason', help='The reason (required to cancel).')
@pass_ctx
def plans_advance(ctx: CliContext, plan_ref: str, trigger: str, reason: str | None) -> None:
    """Move a plan to its next stage: schedule, start_visiting, start_findings, start_conclusions, close, cancel."""
    from inspect_flow.plans.operations import advance_plan
    from inspect_flow.workflow.states import state_label

    with ctx.session() as session:
        plan = advance_plan(session, _plan(session, plan_ref), trigger, actor=ctx.actor, reason=reason)
        label = state_label(plan.state, ctx.lang)
    click.echo(ctx.msg(f'Kế hoạch chuyển sang: {label}.', f'The plan moved to: {label}.'))


# --- teams -----------------------------------------------------------------------------------------------

@click.group()
def teams() -> None:
    """Inspection teams (đoàn kiểm tra) and their members."""


@teams.command('add')
@click.argument('plan_ref', metavar='PLAN')
@click.argument('number', type=int)
@pass_ctx
def teams_add(ctx: CliContext, plan_ref: str, number: int) -> None:
    """Add team NUMBER to a plan."""
    from inspect_flow.plans.operations import add_team

    with ctx.session() as session:
        add_team(session, _plan(session, plan_ref), number, actor=ctx.actor)
    click.echo(ctx.msg(f'Đã thêm Đoàn {number}.', f'Added team {number}.'))


@teams.command('member')
@click.argument('plan_ref', metavar='PLAN')
@click.argument('number', type=int)
@click.argument('person_ref', metavar='PERSON')
@click.option('--role', type=click.Choice(['leader', 'deputy', 'member', 'secretary']), default='member',
              show_default=True)
@click.option('--remove', is_flag=True, help='Take the person off the team instead.')
@pass_ctx
def teams_member(ctx: CliContext, plan_ref: str, number: int, person_ref: str, role: str, remove: bool) -> None:
    """Put a person (id or full name) on a team with a role, or take them off with --remove."""
    from inspect_flow.plans.models import TeamRole
    from inspect_flow.plans.operations import add_member, remove_member
    from inspect_flow.plans.queries import get_team
    from inspect_flow.units.operations import find_person

    with ctx.session() as session:
        team = get_team(_plan(session, plan_ref), number)
        person = find_person(session, person_ref)
        if remove:
            remove_member(session, team, person, actor=ctx.actor)
            click.echo(ctx.msg(f'Đã đưa {person.full_name} ra khỏi Đoàn {number}.',
                               f'Took {person.full_name} off team {number}.'))
        else:
            add_member(session, team, person, TeamRole(role), actor=ctx.actor)
            click.echo(ctx.msg(f'{person.full_name}: {role}, Đoàn {number}.',
                               f'{person.full_name}: {role}, team {number}.'))


# --- schedule --------------------------------------------------------------------------------------------

@click.group()
def schedule() -> None:
    """The working schedule (lịch làm việc): visits, conflicts."""


@schedule.command('add')
@click.argument('plan_ref', metavar='PLAN')
@click.option('--team', 'team_no', required=True, type=int)
@click.option('--commune', required=True, metavar='CODE', help='GSO code of the commune.')
@click.option('--date', 'day', required=True, type=DATE)
@click.option('--start', 'start', type=TIME, default='07:30', show_default=True)
@click.option('--end', 'end', type=TIME, default='11:30', show_default=True)
@click.option('--place', default='', help='Meeting place (default: the commune People\'s Committee hall).')
@pass_ctx
def schedule_add(ctx: CliContext, plan_ref, team_no, commune, day, start, end, place) -> None:  # noqa: ANN001
    """Schedule a team's visit to a commune; conflicts are shown (they block the visiting stage)."""
    from inspect_flow.plans.operations import schedule_visit
    from inspect_flow.plans.queries import get_team

    with ctx.session() as session:
        plan = _plan(session, plan_ref)
        visit, conflicts = schedule_visit(session, plan, get_team(plan, team_no), commune, at(day, start),
                                          at(day, end), place=place, actor=ctx.actor)
        click.echo(ctx.msg(f'Đã xếp lịch #{visit.id}: {visit.label}.', f'Scheduled #{visit.id}: {visit.label}.'))
        _print_conflicts(ctx, conflicts)


@schedule.command('move')
@click.argument('visit_id', type=int)
@click.option('--date', 'day', type=DATE)
@click.option('--start', 'start', type=TIME)
@click.option('--end', 'end', type=TIME)
@click.option('--team', 'team_no', type=int)
@click.option('--place')
@pass_ctx
def schedule_move(ctx: CliContext, visit_id, day, start, end, team_no, place) -> None:  # noqa: ANN001
    """Reschedule a visit that has not started."""
    from inspect_flow.plans.operations import move_visit
    from inspect_flow.plans.queries import get_team
    from inspect_flow.visits.operations import get_visit

    with ctx.session() as session:
        visit = get_visit(session, visit_id)
        day = day or visit.starts_at.date()
        conflicts = move_visit(
            session, visit, actor=ctx.actor, starts_at=at(day, start or visit.starts_at.time()),
            ends_at=at(day, end or visit.ends_at.time()), place=place,
            team=get_team(visit.plan, team_no) if team_no is not None else None,
        )
        click.echo(ctx.msg(f'Đã đổi lịch #{visit.id}: {visit.label}.', f'Moved #{visit.id}: {visit.label}.'))
        _print_conflicts(ctx, conflicts)


@schedule.command('remove')
@click.argument('visit_id', type=int)
@pass_ctx
def schedule_remove(ctx: CliContext, visit_id: int) -> None:
    """Delete a visit from the schedule (while scheduling)."""
    from inspect_flow.plans.operations import remove_visit
    from inspect_flow.visits.operations import get_visit

    with ctx.session() as session:
        remove_visit(session, get_visit(session, visit_id), actor=ctx.actor)
    click.echo(ctx.msg(f'Đã xóa lịch #{visit_id}.', f'Removed visit #{visit_id}.'))


@schedule.command('conflicts')
@click.argument('plan_ref', metavar='PLAN')
@click.option('--json', 'as_json', is_flag=True)
@pass_ctx
def schedule_conflicts(ctx: CliContext, plan_ref: str, as_json: bool) -> None:
    """List the scheduling conflicts; exit status 3 when there are any."""
    from inspect_flow.plans.scheduling import find_conflicts

    with ctx.session() as session:
        conflicts = find_conflicts(_plan(session, plan_ref))
    if as_json:
        echo_json([c.as_dict() for c in conflicts])
    else:
        if not conflicts:
            click.echo(ctx.msg('Lịch không có xung đột.', 'The schedule has no conflict.'))
        _print_conflicts(ctx, conflicts)
    if conflicts:
        raise click.exceptions.Exit(3)


@plans.command('checklists')
@click.argument('plan_ref', metavar='PLAN')
@click.option('--pin', 'pins', multiple=True, metavar='ID[@VERSION]',
              help='Pin a checklist of the checklists folder (its newest version unless @VERSION).')
@click.option('--defaults', is_flag=True, help='Pin the newest version of every shipped checklist.')
@click.option('--unpin', 'unpins', multiple=True, metavar='ID')
@click.option('--json', 'as_json', is_flag=True)
@pass_ctx
def plans_checklists(ctx: CliContext, plan_ref: str, pins, defaults: bool, unpins, as_json: bool) -> None:  # noqa: ANN001
    """Show, pin or unpin the checklist versions a plan uses (before the visits start)."""
    from inspect_flow.plans import checklists as pinning

    with ctx.session() as session:
        plan = _plan(session, plan_ref)
        for checklist_id in unpins:
            pinning.unpin_checklist(session, plan, checklist_id, actor=ctx.actor)
        if defaults:
            pinning.pin_default_checklists(session, plan, actor=ctx.actor)
        for spec in pins:
            pinning.pin_by_id(session, plan, spec, actor=ctx.actor)
        rows = [{'checklist_id': p.checklist_id, 'version': p.version, 'title': p.title, 'sha256': p.sha256}
                for p in sorted(plan.checklists, key=lambda p: p.checklist_id)]
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo(ctx.msg('Kế hoạch chưa áp dụng bộ câu hỏi nào (ghi kết quả tự do).',
                           'The plan uses no checklist (free-form records).'))
    for r in rows:
        click.echo(f"{r['checklist_id']}@{r['version']}  {r['sha256'][:12]}  {r['title']}")


# --- visits ----------------------------------------------------------------------------------------------

@click.group()
def visits() -> None:
    """Visits: record, submit, return for correction, review, cancel."""


def _load_file(path: Path):  # noqa: ANN202
    raw = path.read_bytes()
    try:
        text = raw.decode('utf-8-sig')
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b'\n') + 1
        raise InvalidInput('submission.encoding', f'Tệp {path.name}, dòng {line}: tệp không được mã hóa UTF-8; '
                           'hãy lưu lại dưới dạng UTF-8.',
                           f'File {path.name}, line {line}: the file is not UTF-8 encoded; save it as UTF-8.') from None
    try:
        if path.suffix.lower() == '.json':
            return json.loads(text)
        return yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        where = f'line {exc.lineno}' if isinstance(exc, json.JSONDecodeError) else str(getattr(exc, 'problem_mark', ''))
        raise InvalidInput('submission.unreadable', f'Không đọc được tệp {path.name}: {where.strip()}.',
                           f'Cannot read {path.name}: {where.strip()}.') from None


@visits.command('submit')
@click.argument('visit_id', type=int)
@click.argument('file', required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_ctx
def visits_submit(ctx: CliContext, visit_id: int, file: Path | None) -> None:
    """Submit a visit, recording FILE (JSON or YAML: participants, content, answers, households, findings)."""
    from inspect_flow.visits.operations import get_visit, submit_visit
    from inspect_flow.visits.quota import quota_warnings

    data = _load_file(file) if file else None
    with ctx.session() as session:
        visit = submit_visit(session, get_visit(session, visit_id), actor=ctx.actor, data=data)
        click.echo(ctx.msg(f'Đã nộp kết quả #{visit.id}: {len(visit.households)} hộ tham vấn.',
                           f'Submitted #{visit.id}: {len(visit.households)} households consulted.'))
        for warning in quota_warnings(visit):
            click.echo(ctx.msg(f'Lưu ý: {warning.vi}', f'Note: {warning.en}'), err=True)


@visits.command('start')
@click.argument('visit_id', type=int)
@pass_ctx
def visits_start(ctx: CliContext, visit_id: int) -> None:
    """Open a visit's record (the team is on site)."""
    from inspect_flow.visits.operations import get_visit, start_visit

    with ctx.session() as session:
        start_visit(session, get_visit(session, visit_id), actor=ctx.actor)
    click.echo(ctx.msg(f'Buổi làm việc #{visit_id} đã bắt đầu.', f'Visit #{visit_id} started.'))


def _reviewer(session, visit, ref):  # noqa: ANN001, ANN202
    from inspect_flow.units.operations import find_person

    return find_person(session, ref) if ref else visit.team.leader


@visits.command('return')
@click.argument('visit_id', type=int)
@click.option('--comment', required=True, help='What the team must correct.')
@click.option('--by', 'by', metavar='PERSON', help='The reviewer (default: the team leader).')
@pass_ctx
def visits_return(ctx: CliContext, visit_id: int, comment: str, by: str | None) -> None:
    """Return a submitted visit for correction, with a comment."""
    from inspect_flow.visits.operations import get_visit, return_visit

    with ctx.session() as session:
        visit = get_visit(session, visit_id)
        return_visit(session, visit, reviewer=_reviewer(session, visit, by), comment=comment, actor=ctx.actor)
    click.echo(ctx.msg(f'Đã trả lại #{visit_id} để sửa.', f'Returned #{visit_id} for correction.'))


@visits.command('review')
@click.argument('visit_id', type=int)
@click.option('--by', 'by', metavar='PERSON', help='The reviewer (default: the team leader).')
@pass_ctx
def visits_review(ctx: CliContext, visit_id: int, by: str | None) -> None:
    """Approve a submitted visit (the team leader has reviewed its findings)."""
    from inspect_flow.visits.operations import get_visit, review_visit

    with ctx.session() as session:
        visit = get_visit(session, visit_id)
        review_visit(session, visit, reviewer=_reviewer(session, visit, by), actor=ctx.actor)
    click.echo(ctx.msg(f'Đã duyệt #{visit_id}.', f'Approved #{visit_id}.'))


@visits.command('cancel')
@click.argument('visit_id', type=int)
@click.option('--reason', required=True)
@pass_ctx
def visits_cancel(ctx: CliContext, visit_id: int, reason: str) -> None:
    """Cancel a visit, with the reason."""
    from inspect_flow.visits.operations import cancel_visit, get_visit

    with ctx.session() as session:
        cancel_visit(session, get_visit(session, visit_id), reason=reason, actor=ctx.actor)
    click.echo(ctx.msg(f'Đã hủy #{visit_id}.', f'Cancelled #{visit_id}.'))


@visits.command('answers')
@click.argument('visit_id', type=int)
@click.argument('file', type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_ctx
def visits_answers(ctx: CliContext, visit_id: int, file: Path) -> None:
    """Save draft answers from FILE ({item id: value}, JSON or YAML); nothing is refused or lost."""
    from inspect_flow.visits.operations import get_visit, save_answers

    data = _load_file(file)
    with ctx.session() as session:
        errors = save_answers(session, get_visit(session, visit_id), data, actor=ctx.actor)
    click.echo(ctx.msg(f'Đã lưu bản nháp #{visit_id}; còn {len(errors)} mục cần hoàn thiện trước khi nộp.',
                       f'Saved the draft of #{visit_id}; {len(errors)} item(s) to complete before submitting.'))
    key = 'message_en' if ctx.lang == 'en' else 'message'
    for e in errors:
        click.echo(f"  - {e['field']}: {e[key]}")


@visits.command('form')
@click.argument('visit_id', type=int)
@click.option('--json', 'as_json', is_flag=True)
@pass_ctx
def visits_form(ctx: CliContext, visit_id: int, as_json: bool) -> None:
    """Show a visit's form status: computed values, what blocks a submit, suggested findings, score."""
    from inspect_flow.visits.capture import form_status
    from inspect_flow.visits.operations import get_visit

    with ctx.session() as session:
        status = form_status(get_visit(session, visit_id))
    if status is None:
        click.echo(ctx.msg('Kế hoạch không áp dụng bộ câu hỏi; kết quả ghi tự do.',
                           'The plan uses no checklist; the record is free-form.'))
        return
    if as_json:
        echo_json(status.as_dict())
        return
    key, text = ('message_en', 'text_en') if ctx.lang == 'en' else ('message', 'text_vi')
    score = '–' if status.score_percent is None else f'{status.score_percent:g}%'
    click.echo(f'{status.checklist_id}@{status.version}  ' + ctx.msg(f'điểm: {score}', f'score: {score}'))
    click.echo(ctx.msg(f'Còn {len(status.errors)} mục chưa đạt:', f'{len(status.errors)} item(s) to complete:')
               if status.errors else ctx.msg('Đủ điều kiện nộp.', 'Ready to submit.'))
    for e in status.errors:
        click.echo(f"  - {e['field']}: {e[key]}")
    if status.suggestions:
        click.echo(ctx.msg('Kết quả gợi ý từ phiếu:', 'Findings suggested by the checklist:'))
        for s in status.suggestions:
            click.echo(f"  - [{s['kind']}] {s[text]}")


# --- findings, conclusions, recommendations --------------------------------------------------------------

@click.group()
def findings() -> None:
    """Findings: achievements, limitations, causes."""


@findings.command('add')
@click.argument('plan_ref', metavar='PLAN')
@click.option('--visit', 'visit_id', type=int)
@click.option('--kind', required=True, type=click.Choice(['achievement', 'limitation', 'cause']))
@click.option('--category', required=True)
@click.option('--text', required=True)
@click.option('--severity', type=click.Choice(['low', 'medium', 'high']))
@click.option('--source', type=click.Choice(['report', 'records', 'household', 'observation']), default='observation')
@pass_ctx
def findings_add(ctx: CliContext, plan_ref, visit_id, kind, category, text, severity, source) -> None:  # noqa: ANN001
    """Record a finding."""
    from inspect_flow.findings.models import FindingKind, FindingSource, Severity
    from inspect_flow.findings.operations import add_finding
    from inspect_flow.visits.operations import get_visit

    with ctx.session() as session:
        plan = _plan(session, plan_ref)
        visit = get_visit(session, visit_id) if visit_id else None
        f = add_finding(session, plan, visit=visit, kind=FindingKind(kind), category=category, text=text,
                        severity=Severity(severity) if severity else None, source=FindingSource(source),
                        actor=ctx.actor)
        click.echo(ctx.msg(f'Đã ghi kết quả #{f.id}.', f'Recorded finding #{f.id}.'))


@findings.command('edit')
@click.argument('finding_id', type=int)
@click.option('--category')
@click.option('--text')
@click.option('--severity', type=click.Choice(['low', 'medium', 'high']))
@click.option('--status', type=click.Choice(['suggested', 'accepted', 'rejected']))
@click.option('--kind', type=click.Choice(['achievement', 'limitation', 'cause']))
@click.option('--source', type=click.Choice(['report', 'records', 'household', 'observation']))
@click.option('--version', 'version', type=int, help='The version the edit is based on (refused if it changed).')
@pass_ctx
def findings_edit(ctx: CliContext, finding_id, category, text, severity, status, kind, source, version) -> None:  # noqa: ANN001
    """Edit a finding (audited), until the documents that carry it are issued."""
    from inspect_flow.findings.models import FindingKind, FindingSource, FindingStatus, Severity
    from inspect_flow.findings.operations import get_finding, update_finding

    values = {k: v for k, v in {'category': category, 'text': text,
                                'severity': Severity(severity) if severity else None,
                                'status': FindingStatus(status) if status else None,
                                'kind': FindingKind(kind) if kind else None,
                                'source': FindingSource(source) if source else None}.items() if v is not None}
    with ctx.session() as session:
        changes = update_finding(session, get_finding(session, finding_id), values, actor=ctx.actor,
                                 expected_version=version)
    click.echo(ctx.msg(f'Đã sửa: {", ".join(changes) or "không có thay đổi"}.',
                       f'Changed: {", ".join(changes) or "nothing"}.'))


@findings.command('withdraw')
@click.argument('finding_id', type=int)
@click.option('--reason', required=True, help='Why the finding is withdrawn (kept in the history).')
@click.option('--version', 'version', type=int, help='The version the withdrawal is based on.')
@pass_ctx
def findings_withdraw(ctx: CliContext, finding_id: int, reason: str, version: int | None) -> None:
    """Withdraw an accepted finding: it keeps its history and leaves the documents and counts."""
    from inspect_flow.findings.operations import get_finding, withdraw_finding

    with ctx.session() as session:
        withdraw_finding(session, get_finding(session, finding_id), reason=reason, actor=ctx.actor,
                         expected_version=version)
    click.echo(ctx.msg(f'Đã rút kết quả #{finding_id}.', f'Withdrew finding #{finding_id}.'))


@findings.command('accept')
@click.argument('finding_ids', type=int, nargs=-1)
@click.option('--text', help='Accept with this text instead of the suggested one (one finding only).')
@click.option('--visit', 'visit_id', type=int, help='Accept every undecided suggestion of this visit.')
@pass_ctx
def findings_accept(ctx: CliContext, finding_ids: tuple[int, ...], text: str | None, visit_id: int | None) -> None:
    """Accept findings suggested by the checklist rules (optionally reworded), or all of a visit's."""
    from inspect_flow.findings.operations import get_finding
    from inspect_flow.visits.capture import decide_all_suggestions, decide_suggestion
    from inspect_flow.visits.operations import get_visit

    if bool(finding_ids) == (visit_id is not None):
        raise InvalidInput('finding.which', 'Nêu số các kết quả, hoặc --visit để chấp nhận tất cả kết quả gợi ý.',
                           'Give finding ids, or --visit to accept all suggestions of a visit.', field='finding_ids')
    if text is not None and len(finding_ids) != 1:
        raise InvalidInput('finding.text_one', '--text chỉ dùng khi chấp nhận một kết quả.',
                           '--text applies to one finding only.', field='text')
    with ctx.session() as session:
        if visit_id is not None:
            count = len(decide_all_suggestions(session, get_visit(session, visit_id), 'accept', actor=ctx.actor))
        else:
            for fid in finding_ids:
                decide_suggestion(session, get_finding(session, fid), 'accept', actor=ctx.actor,
                                  values={'text': text} if text is not None else None)
            count = len(finding_ids)
    click.echo(ctx.msg(f'Đã chấp nhận {count} kết quả.', f'Accepted {count} finding(s).'))


@findings.command('reject')
@click.argument('finding_ids', type=int, nargs=-1, required=True)
@pass_ctx
def findings_reject(ctx: CliContext, finding_ids: tuple[int, ...]) -> None:
    """Reject findings suggested by the checklist rules (they stay in the audit trail)."""
    from inspect_flow.findings.operations import get_finding
    from inspect_flow.visits.capture import decide_suggestion

    with ctx.session() as session:
        for fid in finding_ids:
            decide_suggestion(session, get_finding(session, fid), 'reject', actor=ctx.actor)
    click.echo(ctx.msg(f'Đã loại bỏ {len(finding_ids)} kết quả.', f'Rejected {len(finding_ids)} finding(s).'))


@click.group()
def conclusions() -> None:
    """Conclusions per concluded unit (kết luận): per district in three tiers, per commune in two tiers."""


def _concluded_unit(session, plan, unit: str | None, district: str | None):  # noqa: ANN001, ANN202
    """The unit named by ``--unit`` (or its 2019 name ``--district``), as it stood over the plan's dates."""
    from inspect_flow.units.operations import get_unit_for_period

    if unit and district and unit.strip() != district.strip():
        raise InvalidInput('cli.unit_twice', 'Chỉ dùng một trong --unit và --district.',
                           'Use only one of --unit and --district.', field='unit')
    code = unit or district
    if not code:
        raise InvalidInput('cli.unit_required', 'Cần --unit MÃ (huyện hoặc xã, phường được kết luận).',
                           'Missing --unit CODE (the concluded district, or commune in two tiers).', field='unit')
    return get_unit_for_period(session, code, plan.fieldwork_start, plan.fieldwork_end,
                               field='unit' if unit else 'district')


_UNIT_HELP = 'The concluded unit: the district (three tiers) or the commune (two tiers), by GSO code.'


@conclusions.command('add')
@click.argument('plan_ref', metavar='PLAN')
@click.option('--unit', metavar='CODE', help=_UNIT_HELP)
@click.option('--district', metavar='CODE', help='The district (three tiers; same as --unit).')
@click.option('--summary', required=True, help='The overall assessment (đánh giá chung).')
@pass_ctx
def conclusions_add(ctx: CliContext, plan_ref: str, unit: str | None, district: str | None, summary: str) -> None:
    """Record the conclusion for a visited district (three tiers) or commune (two tiers)."""
    from inspect_flow.findings.operations import add_conclusion

    with ctx.session() as session:
        plan = _plan(session, plan_ref)
        c = add_conclusion(session, plan, _concluded_unit(session, plan, unit, district), summary=summary,
                           actor=ctx.actor)
        click.echo(ctx.msg(f'Đã ghi kết luận #{c.id} cho {c.unit.full_name}.',
                           f'Recorded conclusion #{c.id} for {c.unit.full_name}.'))


@conclusions.command('edit')
@click.argument('plan_ref', metavar='PLAN')
@click.option('--unit', metavar='CODE', help=_UNIT_HELP)
@click.option('--district', metavar='CODE', help='The district (three tiers; same as --unit).')
@click.option('--summary', required=True, help='The overall assessment (đánh giá chung).')
@click.option('--version', 'version', type=int, help='The version the edit is based on (refused if it changed).')
@pass_ctx
def conclusions_edit(ctx: CliContext, plan_ref: str, unit: str | None, district: str | None, summary: str,
                     version: int | None) -> None:
    """Edit a unit's conclusion (audited), until its conclusion notice is issued."""
    from inspect_flow.core.errors import NotFound
    from inspect_flow.findings.operations import get_conclusion, update_conclusion

    with ctx.session() as session:
        plan = _plan(session, plan_ref)
        concluded = _concluded_unit(session, plan, unit, district)
        conclusion = get_conclusion(session, plan, concluded)
        if conclusion is None:
            raise NotFound('conclusion.not_found', f'{concluded.full_name} chưa có kết luận.',
                           f'{concluded.full_name} has no conclusion yet.', field='unit' if unit else 'district')
        changes = update_conclusion(session, conclusion, {'summary': summary}, actor=ctx.actor,
                                    expected_version=version)
    click.echo(ctx.msg(f'Đã sửa: {", ".join(changes) or "không có thay đổi"}.',
                       f'Changed: {", ".join(changes) or "nothing"}.'))


@click.group()
def recommendations() -> None:
    """Recommendations (kiến nghị) and their follow-up."""


@recommendations.command('add')
@click.argument('plan_ref', metavar='PLAN')
@click.option('--unit', metavar='CODE', help=_UNIT_HELP + ' Its conclusion holds the recommendation.')
@click.option('--district', metavar='CODE', help='The district whose conclusion it belongs to (same as --unit).')
@click.option('--addressee', help='Who must act, as printed (default: "UBND " + the addressee unit, or the body\'s '
                                  'name; e.g. "UBND huyện Mỏ Cày Bắc").')
@click.option('--addressee-unit', metavar='CODE',
              help='The unit addressed: the concluded unit (default) or a commune visited under it.')
@click.option('--addressee-body', metavar='SLUG', help='A body of the province addressed instead (Sở …).')
@click.option('--text', required=True)
@click.option('--deadline', type=DATE)
@pass_ctx
def recommendations_add(ctx: CliContext, plan_ref, unit, district, addressee, addressee_unit, addressee_body, text,  # noqa: ANN001
                        deadline) -> None:  # noqa: ANN001
    """Add a recommendation to a unit's conclusion."""
    from inspect_flow.core.errors import NotFound
    from inspect_flow.findings.operations import add_recommendation, get_conclusion
    from inspect_flow.units.operations import get_issuing_body, get_unit_for_period

    with ctx.session() as session:
        plan = _plan(session, plan_ref)
        concluded = _concluded_unit(session, plan, unit, district)
        conclusion = get_conclusion(session, plan, concluded)
        if conclusion is None:
            raise NotFound('conclusion.not_found', f'{concluded.full_name} chưa có kết luận; hãy ghi kết luận trước.',
                           f'{concluded.full_name} has no conclusion yet; record it first.',
                           field='unit' if unit else 'district')
        body = get_issuing_body(session, addressee_body) if addressee_body else None
        to_unit = None
        if body is None:
            to_unit = (get_unit_for_period(session, addressee_unit, plan.fieldwork_start, plan.fieldwork_end,
                                           field='addressee_unit') if addressee_unit else concluded)
        rec = add_recommendation(session, plan, text=text, addressee_label=addressee or '', deadline=deadline,
                                 conclusion=conclusion, addressee_unit=to_unit, addressee_body=body, actor=ctx.actor)
        click.echo(ctx.msg(f'Đã ghi kiến nghị #{rec.id}.', f'Recorded recommendation #{rec.id}.'))


@recommendations.command('edit')
@click.argument('rec_id', type=int)
@click.option('--text')
@click.option('--addressee', help='The addressee as printed.')
@click.option('--deadline', type=DATE)
@click.option('--finding', 'finding_id', type=int, help='The finding of its unit it is drawn from.')
@click.option('--no-finding', is_flag=True, help='Drawn from no particular finding.')
@click.option('--version', 'version', type=int, help='The version the edit is based on (refused if it changed).')
@pass_ctx
def recommendations_edit(ctx: CliContext, rec_id, text, addressee, deadline, finding_id, no_finding,  # noqa: ANN001
                         version) -> None:  # noqa: ANN001
    """Edit a recommendation (audited), until its conclusion notice is issued."""
    from inspect_flow.findings.operations import get_finding, get_recommendation, update_recommendation

    values = {k: v for k, v in {'text': text, 'addressee_label': addressee, 'deadline': deadline}.items()
              if v is not None}
    with ctx.session() as session:
        if finding_id is not None:
            values['finding'] = get_finding(session, finding_id)
        elif no_finding:
            values['finding'] = None
        changes = update_recommendation(session, get_recommendation(session, rec_id), values, actor=ctx.actor,
                                        expected_version=version)
    click.echo(ctx.msg(f'Đã sửa: {", ".join(changes) or "không có thay đổi"}.',
                       f'Changed: {", ".join(changes) or "nothing"}.'))


@recommendations.command('withdraw')
@click.argument('rec_id', type=int)
@click.option('--reason', required=True, help='Why it is withdrawn (kept in the history).')
@click.option('--version', 'version', type=int, help='The version the withdrawal is based on.')
@pass_ctx
def recommendations_withdraw(ctx: CliContext, rec_id: int, reason: str, version: int | None) -> None:
    """Withdraw a recommendation: it keeps its history and leaves the documents, counts and follow-up."""
    from inspect_flow.findings.operations import get_recommendation, withdraw_recommendation

    with ctx.session() as session:
        withdraw_recommendation(session, get_recommendation(session, rec_id), reason=reason, actor=ctx.actor,
                                expected_version=version)
    click.echo(ctx.msg(f'Đã rút kiến nghị #{rec_id}.', f'Withdrew recommendation #{rec_id}.'))


@recommendations.command('report')
@click.argument('rec_id', type=int)
@click.option('--text', required=True)
@click.option('--by', 'by', required=True, help='Who reports (e.g. "UBND huyện Mỏ Cày Bắc").')
@click.option('--completed', is_flag=True, help='The addressee reports it fully carried out.')
@click.option('--evidence', multiple=True, help='A piece of evidence (repeat).')
@pass_ctx
def recommendations_report(ctx: CliContext, rec_id, text, by, completed, evidence) -> None:  # noqa: ANN001
    """Record the addressee's follow-up report."""
    from inspect_flow.findings.operations import get_recommendation, report_progress

    with ctx.session() as session:
        rec = get_recommendation(session, rec_id)
        report_progress(session, rec, text=text, reported_by=by, completed=completed, evidence=list(evidence),
                        actor=ctx.actor)
        click.echo(ctx.msg(f'Kiến nghị #{rec.id}: {rec.state.value}.', f'Recommendation #{rec.id}: {rec.state.value}.'))


@recommendations.command('verify')
@click.argument('rec_id', type=int)
@pass_ctx
def recommendations_verify(ctx: CliContext, rec_id: int) -> None:
    """Verify a recommendation reported done."""
    from inspect_flow.findings.operations import get_recommendation, verify_recommendation

    with ctx.session() as session:
        verify_recommendation(session, get_recommendation(session, rec_id), verifier=None, actor=ctx.actor)
    click.echo(ctx.msg(f'Đã xác nhận kiến nghị #{rec_id}.', f'Verified recommendation #{rec_id}.'))


@recommendations.command('reject')
@click.argument('rec_id', type=int)
@click.option('--comment', required=True)
@pass_ctx
def recommendations_reject(ctx: CliContext, rec_id: int, comment: str) -> None:
    """Do not accept the evidence of a recommendation reported done."""
    from inspect_flow.findings.operations import get_recommendation, reject_recommendation

    with ctx.session() as session:
        rec = get_recommendation(session, rec_id)
        reject_recommendation(session, rec, comment=comment, actor=ctx.actor)
        click.echo(ctx.msg(f'Kiến nghị #{rec_id}: {rec.state.value}.', f'Recommendation #{rec_id}: {rec.state.value}.'))


@recommendations.command('overdue')
@click.option('--today', 'day', type=DATE, help='The day to judge deadlines against (default: today).')
@pass_ctx
def recommendations_overdue(ctx: CliContext, day) -> None:  # noqa: ANN001
    """Mark every recommendation past its deadline as overdue."""
    from inspect_flow.findings.operations import mark_overdue

    with ctx.session() as session:
        marked = mark_overdue(session, actor=ctx.actor, today=day)
        click.echo(ctx.msg(f'Đã đánh dấu quá hạn {len(marked)} kiến nghị.', f'Marked {len(marked)} overdue.'))


@click.command()
@click.argument('plan_ref', metavar='PLAN')
@click.option('--json', 'as_json', is_flag=True)
@pass_ctx
def history(ctx: CliContext, plan_ref: str, as_json: bool) -> None:
    """Show the audit trail of a plan: who, when, what, from → to."""
    from inspect_flow.audit.labels import describe
    from inspect_flow.audit.models import AuditEntry

    with ctx.session() as session:
        plan = _plan(session, plan_ref)
        entries = list(session.scalars(sa.select(AuditEntry).where(AuditEntry.plan_id == plan.id)
                                       .order_by(AuditEntry.id)))
        if as_json:  # the raw trail, as stored (UTC timestamps, ids, codes)
            echo_json([
                {'at': e.created_dt.isoformat(timespec='seconds'), 'actor': e.actor, 'entity': e.entity_type,
                 'entity_id': e.entity_id, 'action': e.action, 'trigger': e.trigger, 'from': e.from_state,
                 'to': e.to_state, 'changes': e.changes, 'comment': e.comment} for e in entries])
            return
        rows = describe(session, entries, plan=plan, lang=ctx.lang)
    for r in rows:  # as people read it: local time, names, labels
        details = '; '.join(r.details)
        line = f'{r.when}  {r.who}  {r.what}  {r.action}'
        if r.comment:
            line += f'  «{r.comment}»'
        click.echo(line + (f'  ({details})' if details else ''))
