"""Administration commands: init, demo, serve, and the reference data (units, bodies, people)."""

from __future__ import annotations

import time as _time

import click
import sqlalchemy as sa

from inspect_flow.cli.context import DATE, CliContext, echo_json, pass_ctx

#: The 2025 province the demos need: Tỉnh Vĩnh Long (86), which Bến Tre and Trà Vinh joined on 01/07/2025.
DEMO_PROVINCE = '86'


@click.command()
@click.option('--no-units', is_flag=True, help='Do not load the administrative units the demos need.')
@pass_ctx
def init(ctx: CliContext, no_units: bool) -> None:
    """Create or upgrade the database (Alembic migrations) and load the administrative units the demos need:
    Bến Tre in 2019, and Tỉnh Vĩnh Long with its predecessors (``units load`` loads the whole country)."""
    from inspect_flow.core import migrate
    from inspect_flow.units.operations import load_ben_tre_2019

    before = migrate.current_revision(ctx.engine)
    migrate.upgrade(ctx.engine)
    after = migrate.current_revision(ctx.engine)
    if before == after:
        click.echo(ctx.msg(f'Cơ sở dữ liệu đã ở phiên bản mới nhất ({after}).',
                           f'The database is up to date ({after}).'))
    else:
        click.echo(ctx.msg(f'Đã nâng cấp cơ sở dữ liệu: {before or "(trống)"} → {after}.',
                           f'Upgraded the database: {before or "(empty)"} → {after}.'))
    if not no_units:
        from inspect_flow.units.loading import load_units

        with ctx.session() as session:
            added = load_ben_tre_2019(session)
            report = load_units(session, [DEMO_PROVINCE])
        if any(added.values()):
            # the 2019 snapshot, then the communes the 01/02/2020 mergers created (not among the 2019 count)
            click.echo(ctx.msg(
                f'Đã nạp {added["district"]} đơn vị cấp huyện và {added["commune"]} đơn vị cấp xã '
                f'của tỉnh Bến Tre (2019), cùng {added["merged_2020"]} đơn vị cấp xã thành lập khi sắp xếp '
                'ngày 01/02/2020.',
                f'Loaded {added["district"]} district-level and {added["commune"]} commune-level units '
                f'of Bến Tre (2019), and the {added["merged_2020"]} commune-level units the 01/02/2020 '
                'arrangement created.'))
        if not report.unchanged:
            _print_load_report(ctx, report)


#: The demo rounds: ``--round`` value → (module, what it is in Vietnamese, in English).
DEMO_ROUNDS = {
    '2019': ('inspect_flow.demo.round2019', 'vòng kiểm tra mẫu năm 2019, tỉnh Bến Tre (ba cấp)',
             'the 2019 demo round, Bến Tre (three tiers)'),
    '2026': ('inspect_flow.demo.round2026', 'vòng kiểm tra mẫu năm 2026, tỉnh Vĩnh Long (hai cấp); dữ liệu minh họa',
             'the 2026 demo round, Vĩnh Long (two tiers); illustrative data'),
}


@click.command()
@click.option('--round', 'round_', type=click.Choice(list(DEMO_ROUNDS)), default='2019', show_default=True,
              help='The demo round: 2019 (Bến Tre, three tiers) or 2026 (Vĩnh Long, two tiers).')
@click.option('--through', type=click.Choice(['planning', 'scheduling', 'visiting', 'findings', 'conclusions',
                                              'closed']), default='closed', show_default=True,
              help='The stage to take the round to.')
@pass_ctx
def demo(ctx: CliContext, round_: str, through: str) -> None:
    """Load a demo round (demo data) and advance it to a stage. Safe to run twice.

    2019: the Bến Tre round of plan 1245/KH-BCĐCCTMTQG. 2026: an illustrative Vĩnh Long round in the two-tier
    structure (plan 68/KH-BCĐCCTMTQG, communes of the new province).
    """
    from importlib import import_module

    from inspect_flow.core import migrate

    module, label_vi, label_en = DEMO_ROUNDS[round_]
    run_demo = import_module(module).run_demo
    started = _time.perf_counter()
    migrate.upgrade(ctx.engine)
    from inspect_flow.accounts.operations import ensure_demo_accounts

    with ctx.session() as session:
        plan, done = run_demo(session, through)
        reference, state = plan.reference, plan.state
        accounts = ensure_demo_accounts(session)
    elapsed = _time.perf_counter() - started
    click.echo(ctx.msg(f'Dữ liệu mẫu: {label_vi}.', f'Demo data: {label_en}.'))
    for line in done:
        click.echo(f'- {line}')
    if not done:
        click.echo(ctx.msg('Không có gì thay đổi: vòng kiểm tra mẫu đã ở giai đoạn này.',
                           'Nothing to do: the demo round is already at that stage.'))
    click.echo(ctx.msg(f'Kế hoạch {reference}: {state.value} ({elapsed:.2f} giây).',
                       f'Plan {reference}: {state.value} ({elapsed:.2f} s).'))
    _print_accounts(ctx, accounts)


def _print_accounts(ctx: CliContext, accounts: list[dict]) -> None:
    """Print the demo accounts and their passwords (demo data only)."""
    if not accounts:
        return
    click.echo(ctx.msg('Tài khoản dùng thử (tên đăng nhập / mật khẩu):', 'Demo accounts (user name / password):'))
    for a in accounts:
        click.echo(f'  {a["username"]:<16} {a["password"]:<14} {a["role"]:<15} {a["note"]}')


@click.command()
@click.option('--host', default='127.0.0.1', show_default=True)
@click.option('--port', default=5000, show_default=True, type=int)
@pass_ctx
def serve(ctx: CliContext, host: str, port: int) -> None:
    """Serve the web application (development server)."""
    from inspect_flow import create_app
    from inspect_flow.accounts.operations import demo_accounts_present
    from inspect_flow.core import migrate

    migrate.upgrade(ctx.engine)
    with ctx.session() as session:
        accounts = demo_accounts_present(session)
    _print_accounts(ctx, accounts)
    click.echo(ctx.msg(f'Mở http://{host}:{port}/ trong trình duyệt.', f'Open http://{host}:{port}/ in a browser.'))
    app = create_app({'DATABASE_URL': ctx.db_url} if ctx.db_url else None)
    from inspect_flow.web.serving import RequestHandler

    app.run(host=host, port=port, debug=False, request_handler=RequestHandler)  # a neutral Server header


# --- administrative units --------------------------------------------------------------------------------

@click.group()
def units() -> None:
    """Administrative units (đơn vị hành chính), effective-dated."""


@units.command('load')
@click.option('--province', 'provinces', metavar='CODE', multiple=True,
              help='Only this province (2025 or pre-2025 code; repeat). Default: the whole country.')
@click.option('--json', 'as_json', is_flag=True, help='Print the report as JSON.')
@pass_ctx
def units_load(ctx: CliContext, provinces: tuple[str, ...], as_json: bool) -> None:
    """Load the units before and after the 2025 reform, and their successions, from the vietnamadminunits
    package. Safe to run again: it reports what it added, changed and ended."""
    from inspect_flow.units.loading import load_units

    started = _time.perf_counter()
    with ctx.session() as session:
        report = load_units(session, list(provinces) or None)
    elapsed = _time.perf_counter() - started
    if as_json:
        echo_json({**report.as_dict(), 'seconds': round(elapsed, 2)})
        return
    _print_load_report(ctx, report, elapsed)


def _print_load_report(ctx: CliContext, report, elapsed: float | None = None) -> None:  # noqa: ANN001
    levels_vi = {'province': 'tỉnh', 'district': 'huyện', 'commune': 'xã'}

    def counts(d: dict, lang: str) -> str:
        parts = [f'{d[k]} {levels_vi[k] if lang == "vi" else k}'
                 for k in ('province', 'district', 'commune') if d.get(k)]
        return ', '.join(parts) or '0'

    scope = ', '.join(report.provinces) if len(report.provinces) < 34 else ctx.msg('cả nước', 'the whole country')
    click.echo(ctx.msg(f'Nguồn: {report.source}; phạm vi: {scope}.', f'Source: {report.source}; scope: {scope}.'))
    for vi, en, d in (('Thêm', 'Added', report.added), ('Sửa', 'Changed', report.changed),
                      ('Kết thúc hiệu lực', 'Ended', report.ended)):
        click.echo(ctx.msg(f'{vi}: {counts(d, "vi")}.', f'{en}: {counts(d, "en")}.'))
    click.echo(ctx.msg(f'Quan hệ kế thừa: thêm {report.successions_added}, sửa {report.successions_changed}.',
                       f'Successions: {report.successions_added} added, {report.successions_changed} changed.'))
    for line in report.details[:20]:
        click.echo(f'  {line}')
    if len(report.details) > 20:
        click.echo(ctx.msg(f'  … và {len(report.details) - 20} thay đổi khác.',
                           f'  … and {len(report.details) - 20} more.'))
    for unit, plan, change in report.kept:
        click.echo(ctx.msg(f'Giữ nguyên {unit}: kế hoạch {plan} còn dùng ({change}).',
                           f'Kept {unit}: plan {plan} still uses it ({change}).'))
    if elapsed is not None:
        click.echo(ctx.msg(f'Xong trong {elapsed:.1f} giây.', f'Done in {elapsed:.1f} s.'))


@units.command('list')
@click.option('--on', 'day', type=DATE, help='The day the units must be valid on (default: today).')
@click.option('--province', metavar='CODE', help='Only the units of this province (as it stood on that day).')
@click.option('--district', metavar='CODE', help='Only the communes of this district (before 01/07/2025).')
@click.option('--level', type=click.Choice(['province', 'district', 'commune']))
@click.option('--json', 'as_json', is_flag=True, help='Print JSON.')
@pass_ctx
def units_list(ctx: CliContext, day, province: str | None, district: str | None, level: str | None,  # noqa: ANN001
               as_json: bool) -> None:
    """List the units valid on a day."""
    from inspect_flow.core import clock
    from inspect_flow.units.models import UnitLevel
    from inspect_flow.units.operations import get_unit, units_on
    from inspect_flow.units.queries import unit_ref

    day = day or clock.today()
    with ctx.session() as session:
        rows = units_on(session, day, UnitLevel(level) if level else None)
        if province:
            top = get_unit(session, province, day, level=UnitLevel.province)
            rows = [u for u in rows if u.id == top.id or _under(u, top.id)]
        if district:
            parent = get_unit(session, district, day, level=UnitLevel.district)
            rows = [u for u in rows if u.parent_id == parent.id]
        data = [{**unit_ref(u), 'kind': u.kind, 'parent': unit_ref(u.parent), 'valid_from': u.valid_from,
                 'valid_to': u.valid_to} for u in rows]
    if as_json:
        echo_json(data)
        return
    for row in data:
        parent = f'  ({row["parent"]["name"]})' if row['parent'] else ''
        click.echo(f'{row["code"]:>6}  {row["level"]:<8}  {row["name"]}{parent}')


def _under(unit, ancestor_id: int) -> bool:  # noqa: ANN001
    while unit.parent is not None:
        if unit.parent_id == ancestor_id:
            return True
        unit = unit.parent
    return False


@units.command('show')
@click.argument('code')
@click.option('--on', 'day', type=DATE, help='The day the code is read on (default: today).')
@click.option('--json', 'as_json', is_flag=True, help='Print JSON.')
@pass_ctx
def units_show(ctx: CliContext, code: str, day, as_json: bool) -> None:  # noqa: ANN001
    """Show one unit as it stood on a day: validity, parent, predecessors and successors."""
    from inspect_flow.core import clock
    from inspect_flow.units.operations import get_unit
    from inspect_flow.units.queries import unit_card

    day = day or clock.today()
    with ctx.session() as session:
        data = unit_card(session, get_unit(session, code, day), clock.today())
    if as_json:
        echo_json(data)
        return
    until = ctx.msg(f' đến {data["valid_to"]:%d/%m/%Y}', f' until {data["valid_to"]:%d/%m/%Y}') \
        if data['valid_to'] else ''
    click.echo(f'{data["code"]}  {data["name"]}  ({ctx.msg("từ", "from")} {data["valid_from"]:%d/%m/%Y}{until})')
    if data['parent']:
        click.echo(ctx.msg(f'Trực thuộc: {data["parent"]["name"]}', f'Parent: {data["parent"]["name"]}'))
    for key, vi, en in (('predecessors', 'Hình thành từ', 'Formed from'), ('successors', 'Chuyển thành', 'Became')):
        for row in data[key]:
            click.echo(f'{ctx.msg(vi, en)}: {row["code"]} {row["name"]} ({row["date"]:%d/%m/%Y})')
    if data['now_part_of']:
        click.echo(ctx.msg(f'Nay thuộc: {data["now_part_of"]["name"]}', f'Now part of: {data["now_part_of"]["name"]}'))


# --- issuing bodies --------------------------------------------------------------------------------------

@click.group()
def bodies() -> None:
    """Issuing bodies (cơ quan ban hành)."""


@bodies.command('add')
@click.option('--slug', required=True, help='A short key, e.g. bcd-ctmtqg-ben-tre.')
@click.option('--name', required=True, help='The full name.')
@click.option('--abbreviation', required=True, help='The abbreviation used in symbols, e.g. BCĐCCTMTQG.')
@click.option('--header-line', 'header_lines', multiple=True, help='A line of the name in the header (repeat).')
@click.option('--parent-header', help='The parent body printed above it, e.g. "UBND TỈNH BẾN TRE".')
@click.option('--place', required=True, help='The place name of the date line, e.g. Bến Tre.')
@click.option('--unit', 'unit_code', metavar='CODE', help='GSO code of the unit the body belongs to (its province, '
              'e.g. 86); a recommendation may be addressed to a body of the province inspected.')
@click.option('--on', 'day', type=DATE, help='The day the unit code refers to (default: today).')
@pass_ctx
def bodies_add(ctx: CliContext, slug, name, abbreviation, header_lines, parent_header, place, unit_code,  # noqa: ANN001
               day) -> None:  # noqa: ANN001
    """Add an issuing body."""
    from inspect_flow.core.clock import today
    from inspect_flow.units.operations import add_issuing_body, get_unit

    with ctx.session() as session:
        unit = get_unit(session, unit_code, day or today()) if unit_code else None
        body = add_issuing_body(session, slug=slug.strip(), name=name.strip(),
                                abbreviation=abbreviation.strip().upper(),
                                header_lines=list(header_lines) or [name.upper()], place_name=place.strip(),
                                parent_header=parent_header, unit=unit, actor=ctx.actor)
        click.echo(f'{body.slug}: {body.name}')


@bodies.command('list')
@pass_ctx
def bodies_list(ctx: CliContext) -> None:
    """List the issuing bodies."""
    from inspect_flow.units.models import IssuingBody

    with ctx.session() as session:
        for b in session.scalars(sa.select(IssuingBody).order_by(IssuingBody.slug)):
            click.echo(f'{b.slug:<24} {b.abbreviation:<14} {b.name}')


# --- people ----------------------------------------------------------------------------------------------

@click.group()
def people() -> None:
    """People: inspectors, local officials, signers."""


@people.command('add')
@click.option('--name', required=True, help='Full name.')
@click.option('--title', default='', help='Official title (chức vụ).')
@click.option('--agency', default='', help='Agency (cơ quan).')
@click.option('--unit', 'unit_code', metavar='CODE', help='GSO code of the unit the person works in.')
@click.option('--on', 'day', type=DATE, help='The day the unit code refers to (default 05/07/2019).')
@pass_ctx
def people_add(ctx: CliContext, name, title, agency, unit_code, day) -> None:  # noqa: ANN001
    """Add a person; prints the new id."""
    from datetime import date

    from inspect_flow.units.operations import add_person, get_unit

    with ctx.session() as session:
        unit = get_unit(session, unit_code, day or date(2019, 7, 5)) if unit_code else None
        person = add_person(session, full_name=name, title=title, agency=agency, unit=unit)
        click.echo(f'{person.id}: {person.full_name}')


@people.command('list')
@click.option('--json', 'as_json', is_flag=True)
@pass_ctx
def people_list(ctx: CliContext, as_json: bool) -> None:
    """List people."""
    from inspect_flow.units.models import Person

    with ctx.session() as session:
        data = [{'id': p.id, 'name': p.full_name, 'title': p.title, 'agency': p.agency,
                 'unit': p.unit.code if p.unit else None}
                for p in session.scalars(sa.select(Person).order_by(Person.id))]
    if as_json:
        echo_json(data)
        return
    for p in data:
        click.echo(f'{p["id"]:>4}  {p["name"]:<28} {p["title"]}, {p["agency"]}')
