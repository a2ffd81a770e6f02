"""``inspect-flow export``: a round's workbook or CSV files.

* ``export xlsx PLAN --out FILE`` writes the round's workbook (plan, teams, visits, answers, households, findings,
  conclusions, recommendations, follow-up reports);
* ``export csv PLAN --out DIR`` writes one CSV per table (UTF-8 with a BOM).

Headers follow ``--lang`` (Vietnamese by default). The command line sees every row, as the secretariat does.
"""

from __future__ import annotations

from pathlib import Path

import click

from inspect_flow.cli.context import CliContext, pass_ctx


@click.group('export')
def export() -> None:
    """Export a round to Excel (XLSX) or CSV."""


@export.command('xlsx')
@click.argument('plan_ref', metavar='PLAN', required=False)
@click.option('--all', 'all_rounds', is_flag=True, help='Every round (cross-round tables) instead of one plan.')
@click.option('--from', 'from_year', type=int, metavar='YEAR', help='With --all: rounds of YEAR and later.')
@click.option('--out', required=True, type=click.Path(dir_okay=False, writable=True), help='The .xlsx file to write.')
@pass_ctx
def export_xlsx(ctx: CliContext, plan_ref: str | None, all_rounds: bool, from_year: int | None, out: str) -> None:
    """Write the workbook of PLAN (its reference, number or #id), or of every round with --all."""
    from inspect_flow.exports import operations as ops

    if all_rounds == bool(plan_ref):
        raise click.UsageError(ctx.msg('Cần đúng một trong hai: PLAN hoặc --all.',
                                       'Give exactly one of PLAN or --all.'))
    if from_year is not None and not all_rounds:
        raise click.UsageError(ctx.msg('--from chỉ dùng cùng --all.', '--from goes with --all only.'))
    path = Path(out)
    with ctx.session() as session:
        if all_rounds:
            count = ops.export_all_xlsx(session, path, lang=ctx.lang, from_year=from_year)
            click.echo(ctx.msg(f'Đã ghi {path} ({count} đợt).', f'Wrote {path} ({count} rounds).'))
            return
        from inspect_flow.plans.queries import get_plan

        plan = get_plan(session, plan_ref)
        ops.export_round_xlsx(session, plan, path, lang=ctx.lang)
    click.echo(ctx.msg(f'Đã ghi {path}.', f'Wrote {path}.'))


@export.command('csv')
@click.argument('plan_ref', metavar='PLAN')
@click.option('--out', required=True, type=click.Path(file_okay=False), help='The directory to write into.')
@pass_ctx
def export_csv(ctx: CliContext, plan_ref: str, out: str) -> None:
    """Write one CSV file per table of PLAN into a directory."""
    from inspect_flow.exports import operations as ops
    from inspect_flow.plans.queries import get_plan

    with ctx.session() as session:
        plan = get_plan(session, plan_ref)
        paths = ops.export_round_csv(session, plan, out, lang=ctx.lang)
    for p in paths:
        click.echo(str(p))
