"""``inspect-flow checklists``: validate, list, show, import and export checklists.

Every user error prints one line (Vietnamese by default, English with ``INSPECT_FLOW_LANG=en``) and exits
with status 1; no traceback.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from inspect_flow.checklist import (
    Checklist,
    ChecklistFileError,
    XLSFormError,
    checklist_files,
    find_checklist,
    load_checklist,
)
from inspect_flow.checklist.registry import load_all, version_key
from inspect_flow.checklist.schema import ItemSpec, ItemType
from inspect_flow.checklist.xlsform import checklist_yaml, export_xlsform, import_xlsform
from inspect_flow.core.errors import DomainError, current_language


def _one_line(text: str) -> str:
    return ' '.join(text.split())


def _error_line(message: str) -> str:
    """One line, labelled as the rest of the CLI labels its errors."""
    return f'{_t("Lỗi", "Error")}: {_one_line(message)}'


def _fail(message: str) -> None:
    click.echo(_error_line(message), err=True)
    raise click.exceptions.Exit(1)


def _domain_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DomainError as exc:
            _fail(exc.message)

    return wrapper


def _t(vi: str, en: str) -> str:
    return en if current_language() == 'en' else vi


@click.group('checklists')
def checklists() -> None:
    """Checklist files: validate, list, show, import from and export to XLSForm."""


@checklists.command('validate')
@click.argument('paths', nargs=-1, type=click.Path(path_type=Path))
def validate_command(paths: tuple[Path, ...]) -> None:
    """Validate checklist files (default: every file in the checklist folder)."""
    files: list[Path] = []
    for path in paths or ():
        files.extend(checklist_files(path) if path.is_dir() else [path])
    if not paths:
        files = checklist_files()
    if not files:
        _fail(_t('Không có tệp checklist nào để kiểm tra', 'No checklist file to validate'))
    bad = 0
    seen: dict[tuple[str, str], Path] = {}
    for path in files:
        try:
            checklist = load_checklist(path)
        except ChecklistFileError as exc:
            bad += 1
            click.echo(_error_line(exc.message), err=True)
            continue
        key = (checklist.id, checklist.version)
        if key in seen:
            bad += 1
            click.echo(
                _error_line(
                    _t(
                        f'Tệp {path.name}: checklist {key[0]} phiên bản {key[1]} đã có trong {seen[key].name}',
                        f'File {path.name}: checklist {key[0]} version {key[1]} is already in {seen[key].name}',
                    )
                ),
                err=True,
            )
            continue
        seen[key] = path
        click.echo(
            f'OK {path.name}: {checklist.id} {checklist.version} '
            f'({checklist.item_count} {_t("mục", "items")}, {len(checklist.findings)} {_t("quy tắc", "rules")})'
        )
    if bad:
        raise click.exceptions.Exit(1)


@checklists.command('list')
def list_command() -> None:
    """List the checklists: id, version, title, item count."""
    result = load_all()
    rows = [
        (c.id, c.version, c.title.get(current_language()), str(c.item_count))
        for c in sorted(result.checklists, key=lambda c: (c.id, version_key(c.version)))
    ]
    header = (_t('Mã', 'ID'), _t('Phiên bản', 'Version'), _t('Tiêu đề', 'Title'), _t('Số mục', 'Items'))
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(2)]
    for r in [header, *rows]:
        click.echo(f'{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[3]:>6}  {r[2]}')
    for exc in result.errors:
        click.echo(_error_line(exc.message), err=True)
    if result.errors:
        raise click.exceptions.Exit(1)


def _item_lines(checklist: Checklist, item: ItemSpec, depth: int, lang: str) -> list[str]:
    flags = []
    if item.required:
        flags.append('*')
    if item.relevant:
        flags.append(_t('có điều kiện', 'conditional'))
    if item.weight is not None:
        flags.append(f'w={item.weight:g}')
    if item.roster is not None:
        flags.append(f'roster: {item.roster.value}')
    kind = item.type.value
    if item.type == ItemType.evidence:
        kind += f' ({checklist.media(item).value})'
    if item.unit is not None:
        kind += f' [{item.unit.get(lang)}]'
    label = item.label.get(lang) if item.label else ''
    indent = '  ' * depth
    lines = [f'{indent}{item.id:<{34 - len(indent)}} {kind:<22} {" ".join(flags):<20} {label}'.rstrip()]
    for child in item.items or ():
        lines.extend(_item_lines(checklist, child, depth + 1, lang))
    return lines


@checklists.command('show')
@click.argument('checklist_id')
@click.option('--version', 'version', default=None, help='Phiên bản / version (default: the latest).')
@click.option('--json', 'as_json', is_flag=True, help='Print the plain-data form as JSON.')
@_domain_errors
def show_command(checklist_id: str, version: str | None, as_json: bool) -> None:
    """Show a checklist's structure: sections, items and their types, finding rules."""
    checklist = find_checklist(checklist_id, version)
    if as_json:
        click.echo(json.dumps(checklist.to_dict(), ensure_ascii=False, indent=2))
        return
    lang = current_language()
    click.echo(f'{checklist.id} {checklist.version}: {checklist.title.get(lang)}')
    click.echo(f'sha256: {checklist.sha256}')
    if checklist.applies is not None:
        click.echo(_t(f'Áp dụng {checklist.period("vi")}', f'Applies {checklist.period("en")}'))
    sections, items, rules = len(checklist.sections), checklist.item_count, len(checklist.findings)
    click.echo(
        _t(
            f'{sections} phần, {items} mục, {rules} quy tắc phát hiện',
            f'{sections} sections, {items} items, {rules} finding rules',
        )
    )
    for section in checklist.sections:
        suffix = f'  ({_t("có điều kiện", "conditional")})' if section.relevant else ''
        click.echo(f'\n[{section.id}] {section.label.get(lang)}{suffix}')
        for item in section.items:
            for line in _item_lines(checklist, item, 1, lang):
                click.echo(line)
    if checklist.findings:
        click.echo(f'\n{_t("Quy tắc phát hiện", "Finding rules")}:')
        for rule in checklist.findings:
            severity = rule.severity.value if rule.severity else '-'
            click.echo(f'  {rule.id:<30} {rule.kind.value:<11} {severity:<6} {rule.category.get(lang)}')


@checklists.command('import')
@click.argument('form', type=click.Path(path_type=Path))
@click.option(
    '--out', 'out', type=click.Path(path_type=Path), default=None, help='YAML file to write (default: stdout).'
)
@_domain_errors
def import_command(form: Path, out: Path | None) -> None:
    """Import an ODK/KoboToolbox XLSForm as a checklist (YAML); print the warnings."""
    try:
        data, warnings = import_xlsform(form)
    except XLSFormError as exc:  # a refusal: the warnings first, then every reason (with its sheet and row)
        for warning in getattr(exc, 'warnings', []):
            click.echo(_one_line(_t('Cảnh báo', 'Warning') + ': ' + warning.message()), err=True)
        raise
    for warning in warnings:
        click.echo(_one_line(_t('Cảnh báo', 'Warning') + ': ' + warning.message()), err=True)
    text = checklist_yaml(data)
    if out is None:
        click.echo(text, nl=False)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding='utf-8')
    n = len(warnings)
    click.echo(_t(f'Đã ghi {out} ({n} cảnh báo)', f'Wrote {out} ({n} warning{"" if n == 1 else "s"})'))


@checklists.command('export')
@click.argument('checklist_id')
@click.option('--version', 'version', default=None, help='Phiên bản / version (default: the latest).')
@click.option('--out', 'out', type=click.Path(path_type=Path), required=True, help='The .xlsx file to write.')
@_domain_errors
def export_command(checklist_id: str, version: str | None, out: Path) -> None:
    """Export a checklist as an XLSForm for ODK Collect / KoboCollect."""
    checklist = find_checklist(checklist_id, version)
    export_xlsform(checklist, out)
    click.echo(_t(f'Đã ghi {out}', f'Wrote {out}'))
