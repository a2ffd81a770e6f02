"""Follow-up across rounds on the command line: create from, recurrence, checks of earlier recommendations.

Thin shells over :mod:`inspect_flow.plans.recurrence` and :mod:`inspect_flow.findings.follow_up`; the commands
join the ``plans`` and ``visits`` groups.
"""

from __future__ import annotations

import click

from inspect_flow.cli.context import DATE, CliContext, echo_json, pass_ctx
from inspect_flow.cli.rounds import _plan, plans, visits


@plans.command('create-from')
@click.argument('plan_ref', metavar='PLAN')
@click.option('--start', 'start', required=True, type=DATE, help='First day of the new fieldwork.')
@click.option('--end', 'end', required=True, type=DATE, help='Last day of the new fieldwork.')
@click.option('--subject', help='The subject (default: the earlier one, with the new year).')
@click.option('--recurrence', type=click.Choice(['none', 'half_yearly', 'yearly']), default='none',
              show_default=True, help='Whether the new plan recurs.')
@pass_ctx
def plans_create_from(ctx: CliContext, plan_ref: str, start, end, subject, recurrence) -> None:  # noqa: ANN001
    """Create a plan from an earlier one: legal bases, objectives, coverage rule, checklists and teams."""
    from inspect_flow.plans.recurrence import create_from, parse_recurrence

    with ctx.session() as session:
        result = create_from(session, _plan(session, plan_ref), fieldwork_start=start, fieldwork_end=end,
                             subject=subject, recurrence=parse_recurrence(recurrence), actor=ctx.actor)
        plan_id = result.plan.id
        repinned, skipped = result.repinned, result.skipped
    click.echo(ctx.msg(f'Đã tạo kế hoạch #{plan_id} từ {plan_ref}.', f'Created plan #{plan_id} from {plan_ref}.'))
    for spec in repinned:
        click.echo(ctx.msg(f'  Bảng kiểm đổi sang phiên bản áp dụng: {spec}', f'  Checklist moved to the version '
                           f'that applies: {spec}'))
    for checklist_id in skipped:
        click.echo(ctx.msg(f'  ! Không có phiên bản bảng kiểm {checklist_id} áp dụng được; bỏ qua.',
                           f'  ! No version of checklist {checklist_id} applies; left out.'))


@plans.command('recurrence')
@click.argument('plan_ref', metavar='PLAN')
@click.argument('recurrence', type=click.Choice(['none', 'half_yearly', 'yearly']))
@pass_ctx
def plans_recurrence(ctx: CliContext, plan_ref: str, recurrence: str) -> None:
    """Make a plan recur every six months or every year (or stop it)."""
    from inspect_flow.plans.recurrence import next_draft_on, parse_recurrence, set_recurrence

    with ctx.session() as session:
        plan = _plan(session, plan_ref)
        set_recurrence(session, plan, parse_recurrence(recurrence), actor=ctx.actor)
        due = next_draft_on(plan)
    if due is None:
        click.echo(ctx.msg(f'{plan_ref} không lặp lại.', f'{plan_ref} does not recur.'))
    else:
        click.echo(ctx.msg(f'{plan_ref} lặp lại; bản dự thảo kỳ sau được tạo ngày {due:%d/%m/%Y}.',
                           f'{plan_ref} recurs; the next draft is created on {due:%d/%m/%Y}.'))


@plans.command('recur')
@click.option('--on', 'on', type=DATE, help='The day to run for (default: today).')
@click.option('--json', 'as_json', is_flag=True, help='Print the plans created as JSON.')
@pass_ctx
def plans_recur(ctx: CliContext, on, as_json: bool) -> None:  # noqa: ANN001
    """Create the next drafts of the recurring plans that are due (daily, from cron; idempotent)."""
    from inspect_flow.plans.recurrence import recur

    with ctx.session() as session:
        created = [{'id': r.plan.id, 'source_plan_id': r.plan.source_plan_id, 'subject': r.plan.subject,
                    'fieldwork': {'start': r.plan.fieldwork_start.isoformat(),
                                  'end': r.plan.fieldwork_end.isoformat()}, 'skipped_checklists': r.skipped}
                   for r in recur(session, on=on, actor=ctx.actor)]
    if as_json:
        echo_json(created)
        return
    if not created:
        click.echo(ctx.msg('Không có kế hoạch nào đến kỳ lặp lại.', 'No plan is due to recur.'))
    for c in created:
        click.echo(ctx.msg(f'Đã tạo dự thảo #{c["id"]} (từ #{c["source_plan_id"]}), kiểm tra từ '
                           f'{c["fieldwork"]["start"]}: {c["subject"]}',
                           f'Created draft #{c["id"]} (from #{c["source_plan_id"]}), fieldwork from '
                           f'{c["fieldwork"]["start"]}: {c["subject"]}'))


@visits.command('follow-up')
@click.argument('visit_id', type=int)
@click.option('--json', 'as_json', is_flag=True, help='Print JSON.')
@pass_ctx
def visits_follow_up(ctx: CliContext, visit_id: int, as_json: bool) -> None:
    """List the earlier recommendations attached to a visit, and their checks."""
    from inspect_flow.findings.follow_up import follow_up_for_visit
    from inspect_flow.visits.operations import get_visit

    with ctx.session() as session:
        data = [i.as_dict() for i in follow_up_for_visit(session, get_visit(session, visit_id))]
    if as_json:
        echo_json(data)
        return
    for d in data:
        checked = f'{d["outcome"]} (#{d["verified_in_visit"]})' if d['outcome'] else '—'
        click.echo(f'#{d["recommendation_id"]:<5} {d["from_plan"]:<22} {d["state"]:<12} {checked:<20} '
                   f'{d["addressee"]}: {d["text"][:60]}')


@visits.command('check')
@click.argument('visit_id', type=int)
@click.argument('recommendation_id', type=int)
@click.option('--outcome', required=True, type=click.Choice(['done', 'partly_done', 'not_done']))
@click.option('--note', default='', help='What the team found (required unless done).')
@click.option('--evidence', multiple=True, help='Evidence seen (repeat; required for done).')
@click.option('--by', 'by', metavar='PERSON', help='The team member who checked.')
@pass_ctx
def visits_check(ctx: CliContext, visit_id: int, recommendation_id: int, outcome: str, note: str,
                 evidence: tuple[str, ...], by: str | None) -> None:
    """Record the team's check of an earlier recommendation during a visit; its state follows."""
    from inspect_flow.findings.follow_up import check_recommendation
    from inspect_flow.findings.operations import get_recommendation
    from inspect_flow.units.operations import find_person
    from inspect_flow.visits.operations import get_visit

    with ctx.session() as session:
        visit = get_visit(session, visit_id)
        rec = get_recommendation(session, recommendation_id)
        check = check_recommendation(session, visit, rec, outcome=outcome, note=note, evidence=list(evidence),
                                     checker=find_person(session, by) if by else None, actor=ctx.actor)
        state = check.state_after
    click.echo(ctx.msg(f'Đã ghi kết quả kiểm tra kiến nghị #{recommendation_id}: {state}.',
                       f'Recorded the check of recommendation #{recommendation_id}: {state}.'))
