"""``inspect-flow backup`` and ``inspect-flow restore``: the shell of :mod:`inspect_flow.backup`."""

from __future__ import annotations

from pathlib import Path

import click

from inspect_flow.cli.context import CliContext, pass_ctx


def _size(n: int) -> str:
    return f'{n / 1024 / 1024:.1f} MB' if n >= 1024 * 1024 else f'{n / 1024:.0f} KB'


@click.command()
@click.option('--out', 'out', required=True, type=click.Path(dir_okay=False, path_type=Path), metavar='FILE',
              help='The archive to write (.tar.gz).')
@click.option('--force', is_flag=True, help='Overwrite FILE if it exists.')
@pass_ctx
def backup(ctx: CliContext, out: Path, force: bool) -> None:
    """Back up the database with the evidence files and the issued PDFs into one archive (sao lưu)."""
    from inspect_flow.backup.operations import create_backup

    result = create_backup(ctx.engine, out, overwrite=force)
    m = result.manifest
    size = _size(out.stat().st_size)
    click.echo(ctx.msg(
        f'Đã sao lưu vào {out} ({size}): cơ sở dữ liệu {m["db_kind"]} (lược đồ {m["alembic_revision"]}), '
        f'{result.evidence_count} tệp minh chứng, {result.document_count} văn bản đã ban hành.',
        f'Backed up to {out} ({size}): the {m["db_kind"]} database (schema {m["alembic_revision"]}), '
        f'{result.evidence_count} evidence files, {result.document_count} issued documents.'))


@click.command()
@click.argument('file', type=click.Path(dir_okay=False, path_type=Path))
@pass_ctx
def restore(ctx: CliContext, file: Path) -> None:
    """Restore a backup archive into an EMPTY database (khôi phục); see "inspect-flow backup"."""
    from inspect_flow.backup.operations import restore_backup

    result = restore_backup(file, ctx.engine)
    m = result.manifest
    click.echo(ctx.msg(
        f'Đã khôi phục {file} (sao lưu lúc {m["created_dt"]}): {result.evidence_count} tệp minh chứng, '
        f'{result.document_count} văn bản đã ban hành, đã kiểm tra SHA-256.',
        f'Restored {file} (backed up at {m["created_dt"]}): {result.evidence_count} evidence files, '
        f'{result.document_count} issued documents, SHA-256 checked.'))
    if result.upgraded_to:
        click.echo(ctx.msg(f'Đã nâng cấp lược đồ {m["alembic_revision"]} → {result.upgraded_to}.',
                           f'Upgraded the schema {m["alembic_revision"]} → {result.upgraded_to}.'))
