"""Build XLSForm workbooks for the tests with openpyxl, as a form designer would write them in Excel."""

from __future__ import annotations

from pathlib import Path

import openpyxl

VI = 'Vietnamese (vi)'
EN = 'English (en)'


def write_xlsform(
    path: Path,
    survey: list[dict],
    choices: list[dict] | None = None,
    settings: dict | None = None,
    extra_sheets: dict[str, list[list]] | None = None,
) -> Path:
    """Write an XLSForm: each row is a dict of column → value; the header is every column, in first-seen order."""
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = 'survey'
    _rows(sheet, survey)
    if choices is not None:
        _rows(wb.create_sheet('choices'), choices)
    if settings is not None:
        _rows(wb.create_sheet('settings'), [settings])
    for name, rows in (extra_sheets or {}).items():
        extra = wb.create_sheet(name)
        for row in rows:
            extra.append(row)
    wb.save(path)
    return path


def _rows(sheet, rows: list[dict]) -> None:  # noqa: ANN001
    header: list[str] = []
    for row in rows:
        header += [column for column in row if column not in header]
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(column) for column in header])


def q(type_: str, name: str | None = None, vi: str | None = None, en: str | None = None, **columns: object) -> dict:
    """A survey row; ``vi``/``en`` are the translated labels, other columns by keyword (``hint_vi`` →
    ``hint::Vietnamese (vi)``, ``constraint_message_en`` → ``constraint_message::English (en)``)."""
    row: dict = {'type': type_}
    if name is not None:
        row['name'] = name
    if vi is not None:
        row[f'label::{VI}'] = vi
    if en is not None:
        row[f'label::{EN}'] = en
    for key, value in columns.items():
        base, _, lang = key.rpartition('_')
        if lang in ('vi', 'en') and base in ('hint', 'constraint_message', 'label', 'required_message'):
            row[f'{base}::{VI if lang == "vi" else EN}'] = value
        else:
            row[key] = value
    return row


def choice(list_name: str, name: str | int, vi: str, en: str | None = None, **columns: object) -> dict:
    row = {'list_name': list_name, 'name': name, f'label::{VI}': vi}
    if en is not None:
        row[f'label::{EN}'] = en
    row.update(columns)
    return row
