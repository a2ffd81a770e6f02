"""Write export tables as an XLSX workbook (openpyxl, streaming write-only mode) or as CSV (UTF-8 with a BOM)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from inspect_flow.exports.tables import ColType, Percent, Table

FORMATS = {
    ColType.date: 'DD/MM/YYYY',
    ColType.datetime: 'DD/MM/YYYY HH:MM',
    ColType.percentage: '0.00%',
    ColType.integer: '#,##0',
    ColType.number: '#,##0.##',
}
_BAD_SHEET = re.compile(r'[\\/*?:\[\]]')


def sheet_title(title: str, used: set[str]) -> str:
    """An Excel sheet name: at most 31 characters, none of \\ / * ? : [ ], unique in the workbook."""
    base = _BAD_SHEET.sub(' ', title).strip()[:31] or 'Sheet'
    name, n = base, 2
    while name.lower() in used:
        suffix = f' ({n})'
        name, n = base[:31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def write_xlsx(tables: Iterable[Table], out: str | Path | IO[bytes], lang: str = 'vi') -> None:
    """Write *tables* as one workbook to *out* (a path or a binary stream), one sheet per table.

    Rows are streamed (write-only mode): memory stays flat however many rows a table has. Every sheet has a
    bold, filled header row that stays frozen, an autofilter over its columns, and widths from the columns.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook(write_only=True)
    header_font = Font(bold=True, color='FFFFFF')
    header_fill = PatternFill('solid', fgColor='1F4E79')
    header_align = Alignment(wrap_text=True, vertical='center')
    used: set[str] = set()
    for table in tables:
        ws = wb.create_sheet(sheet_title(table.title(lang), used))
        cols = table.columns
        for i, col in enumerate(cols, start=1):
            ws.column_dimensions[_column_letter(i)].width = col.width
        ws.freeze_panes = 'A2'
        ws.row_dimensions[1].height = 30  # room for a header that wraps on two lines
        # Printed (or converted to PDF): landscape A4, as wide as the page, the header row on every page.
        ws.page_setup.orientation = 'landscape'
        ws.page_setup.paperSize = '9'  # A4
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.print_title_rows = '1:1'
        header = []
        for text in table.headers(lang):
            cell = WriteOnlyCell(ws, value=text)
            cell.font, cell.fill, cell.alignment = header_font, header_fill, header_align
            header.append(cell)
        ws.append(header)
        count = 0
        for row in table.rows:
            ws.append([_cell(ws, WriteOnlyCell, col, value) for col, value in zip(cols, row, strict=True)])
            count += 1
        ws.auto_filter.ref = f'A1:{_column_letter(len(cols))}{count + 1}'
    if not used:
        wb.create_sheet('Sheet')
    wb.save(out)


def _cell(ws, cell_class, col, value: Any):  # noqa: ANN001, ANN202
    if value is None:
        return None
    fmt = None
    if isinstance(value, Percent):
        fmt = FORMATS[ColType.percentage]
        value = float(value)
    elif isinstance(value, datetime):
        fmt = FORMATS[ColType.datetime]
    elif isinstance(value, date):
        fmt = FORMATS[ColType.date]
    elif isinstance(value, bool):
        pass
    elif isinstance(value, int):
        fmt = FORMATS[ColType.integer] if col.type == ColType.integer else None
    elif isinstance(value, float):
        fmt = FORMATS[ColType.number]
    elif isinstance(value, str) and value.startswith('='):
        # Text that would be read as a formula stays text (no formula injection from recorded answers).
        cell = cell_class(ws, value=value)
        cell.data_type = 's'
        return cell
    if fmt is None:
        return value
    cell = cell_class(ws, value=value)
    cell.number_format = fmt
    return cell


def csv_value(value: Any, lang: str) -> str:
    """A value as CSV text: dates ISO (YYYY-MM-DD, what spreadsheets read as dates), percentages as numbers
    with a %, booleans in words, formulas defused with a leading apostrophe."""
    if value is None:
        return ''
    if isinstance(value, Percent):
        return f'{float(value) * 100:.2f}%'
    if isinstance(value, datetime):
        return value.strftime('%Y-%m-%d %H:%M')
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return ('Yes' if value else 'No') if lang == 'en' else ('Có' if value else 'Không')
    text = str(value)
    if text[:1] in ('=', '+', '-', '@') and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def write_csv(table: Table, out: IO[str], lang: str = 'vi') -> int:
    """Write one table to a text stream (the caller opens it UTF-8 with a BOM); return the number of rows."""
    w = csv.writer(out, lineterminator='\r\n')
    w.writerow(table.headers(lang))
    n = 0
    for row in table.rows:
        w.writerow([csv_value(v, lang) for v in row])
        n += 1
    return n


def csv_bytes(table: Table, lang: str = 'vi') -> bytes:
    buf = io.StringIO()
    write_csv(table, buf, lang)
    return '\ufeff'.encode() + buf.getvalue().encode('utf-8')


def write_csv_dir(tables: Iterable[Table], directory: str | Path, lang: str = 'vi', prefix: str = '') -> list[Path]:
    """Write one ``<prefix><table key>.csv`` per table into *directory*, UTF-8 with a BOM; return the paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for table in tables:
        path = directory / f'{prefix}{table.key}.csv'
        with path.open('w', encoding='utf-8-sig', newline='') as fh:
            write_csv(table, fh, lang)
        paths.append(path)
    return paths


def csv_zip(tables: Iterable[Table], lang: str = 'vi', prefix: str = '') -> bytes:
    """Every table as a CSV file (UTF-8 with a BOM) in one ZIP archive."""
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w', zipfile.ZIP_DEFLATED) as zf:
        for table in tables:
            zf.writestr(f'{prefix}{table.key}.csv', csv_bytes(table, lang))
    return buf.getvalue()
