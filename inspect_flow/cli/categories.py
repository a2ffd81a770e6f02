"""``inspect-flow categories``: the vocabulary of finding categories.

* ``categories list [--json]`` shows each category with its English name and synonyms;
* ``categories add NAME [--en NAME] [--synonym S ...]`` adds a category;
* ``categories synonym CATEGORY SYNONYM`` makes SYNONYM another name of CATEGORY.

Both writes are audited; a name already used by a category or synonym is refused.
"""

from __future__ import annotations

import click

from inspect_flow.cli.context import CliContext, echo_json, pass_ctx


@click.group('categories')
def categories() -> None:
    """The vocabulary of finding categories (nhóm kết quả kiểm tra)."""


@categories.command('list')
@click.option('--json', 'as_json', is_flag=True, help='Print JSON.')
@pass_ctx
def categories_list(ctx: CliContext, as_json: bool) -> None:
    """List the categories and their synonyms."""
    from inspect_flow.findings.categories import vocabulary

    with ctx.session() as session:
        rows = [{'name': c.name, 'name_en': c.name_en, 'synonyms': list(c.synonyms)} for c in vocabulary(session)]
    if as_json:
        echo_json(rows)
        return
    for r in rows:
        also = f'  ({", ".join(r["synonyms"])})' if r['synonyms'] else ''
        click.echo(f'{r["name"]:<28} {r["name_en"]:<28}{also}')


@categories.command('add')
@click.argument('name')
@click.option('--en', 'name_en', default='', help='The English name.')
@click.option('--synonym', 'synonyms', multiple=True, help='Another name of the same topic (repeat).')
@pass_ctx
def categories_add(ctx: CliContext, name: str, name_en: str, synonyms: tuple[str, ...]) -> None:
    """Add a category."""
    from inspect_flow.findings.categories import add_category

    with ctx.session() as session:
        cat = add_category(session, name, name_en, actor=ctx.actor, synonyms=list(synonyms))
        click.echo(ctx.msg(f'Đã thêm nhóm "{cat.name}".', f'Added the category "{cat.name}".'))


@categories.command('synonym')
@click.argument('category')
@click.argument('synonym')
@pass_ctx
def categories_synonym(ctx: CliContext, category: str, synonym: str) -> None:
    """Make SYNONYM another name of CATEGORY."""
    from inspect_flow.findings.categories import add_synonym

    with ctx.session() as session:
        cat = add_synonym(session, category, synonym, actor=ctx.actor)
        click.echo(ctx.msg(f'"{synonym}" nay thuộc nhóm "{cat.name}".', f'"{synonym}" now means "{cat.name}".'))
