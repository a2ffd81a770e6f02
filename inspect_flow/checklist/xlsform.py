"""XLSForm interop: import an ODK/KoboToolbox form as a checklist, export a checklist as an XLSForm.

Import reads pyxform's own parse of the workbook (its survey JSON: aliases such as ``bind:relevant``,
``string`` and ``int``, header case, ``label:English`` are already resolved there) and builds the checklist
from that tree; each element's sheet row is found by its name, never by position (pyxform names an unnamed
note ``generated_note_name_<row>``). Names pyxform accepts but a checklist cannot hold (``nhóm``, a choice
name with a space) are renamed, references following; text is NFC; a label showing a dropped question's
answer shows its name instead, so the checklist exports to a form pyxform converts. A refusal names every
reason with its sheet and row, and carries the warnings.
The common subset maps one to one (text, integer, decimal, select_one, select_multiple, date,
image, file, note, calculate, groups, repeats, required, relevant, constraint and its message, calculation,
``label::Vietnamese (vi)`` / ``label::English (en)``). Everything else becomes an :class:`ImportWarning`
that names the sheet and the row: nothing is dropped silently.

Export writes the ``survey``, ``choices`` and ``settings`` sheets with openpyxl so teams can fill the form
in ODK Collect or KoboCollect. What XLSForm cannot say (yes/no and percentage types, units, weights,
scores, the parts of a constraint, the household roster flag, whether an evidence item names its media,
finding rules) goes into ``inspect_flow_*`` columns and a ``findings`` sheet, which ODK tools ignore and
:func:`import_xlsform` reads back, so export followed by import gives the same checklist (the same
:attr:`Checklist.sha256`).

pyxform's internal dict is not a public API; this module is written against pyxform 4.x.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import yaml
from pyxform.errors import PyXFormError
from pyxform.xls2json_backends import get_xlsform
from pyxform.xls2xform import convert

from inspect_flow.checklist.errors import ChecklistFileError, ExpressionError, XLSFormError
from inspect_flow.checklist.expressions import format_number, parse
from inspect_flow.checklist.model import Checklist
from inspect_flow.checklist.schema import (
    CHOICE_NAME_PATTERN,
    ID_PATTERN,
    SLUG_PATTERN,
    ItemSpec,
    ItemType,
    LabelSpec,
    Media,
)
from inspect_flow.checklist.validation import Loc, build_checklist
from inspect_flow.core.errors import current_language
from inspect_flow.core.text import nfc, nfc_text, without_marks

VI = 'Vietnamese (vi)'
EN = 'English (en)'
YES_NO_LIST = 'yes_no'
FINDINGS_SHEET = 'findings'
FINDINGS_COLUMNS = ['id', 'when', 'kind', 'category_vi', 'category_en', 'text_vi', 'text_en', 'severity', 'item']
SURVEY_COLUMNS = [
    'type',
    'name',
    f'label::{VI}',
    f'label::{EN}',
    f'hint::{VI}',
    f'hint::{EN}',
    'required',
    'relevant',
    'constraint',
    f'constraint_message::{VI}',
    f'constraint_message::{EN}',
    'calculation',
    'inspect_flow_type',
    'inspect_flow_required',
    'inspect_flow_unit_vi',
    'inspect_flow_unit_en',
    'inspect_flow_weight',
    'inspect_flow_scores',
    'inspect_flow_constraint',
    'inspect_flow_roster',
    'inspect_flow_media',
    'inspect_flow_id',
]
#: ``inspect_flow_media`` of an evidence item that names no media (the format's default, a photo).
DEFAULT_MEDIA = 'default'
_OWN_COLUMNS = {c for c in SURVEY_COLUMNS if c.startswith('inspect_flow_')}
_TRANSLATED = ('label', 'hint', 'constraint_message')
#: Keys of pyxform's element that the import reads (everything else is a warning).
_KNOWN_KEYS = {'type', 'name', 'required', 'relevant', 'constraint', 'calculation', 'children', 'list_name',
               'itemset', 'choices', 'list name'}
_TRUE = {'yes', 'true', 'true()', '1'}
_FALSE = {'no', 'false', 'false()', '0', ''}

#: pyxform's type for each question type of the subset, and the checklist type it becomes.
_TYPE_MAP = {
    'text': ItemType.text,
    'string': ItemType.text,
    'integer': ItemType.integer,
    'int': ItemType.integer,
    'decimal': ItemType.decimal,
    'select one': ItemType.select_one,
    'select all that apply': ItemType.select_multiple,
    'select_one': ItemType.select_one,
    'select_multiple': ItemType.select_multiple,
    'image': ItemType.evidence,
    'date': ItemType.date,
    'photo': ItemType.evidence,
    'file': ItemType.evidence,
    'note': ItemType.note,
    'calculate': ItemType.calculate,
}


@dataclass(frozen=True)
class ImportWarning:
    """Something in the XLSForm that the checklist does not keep, or keeps differently."""

    sheet: str
    row: int | None
    message_vi: str
    message_en: str

    def message(self, lang: str | None = None) -> str:
        lang = lang or current_language()
        where = (
            (f'trang {self.sheet}' + (f', dòng {self.row}' if self.row else ''))
            if lang == 'vi'
            else (f'sheet {self.sheet}' + (f', row {self.row}' if self.row else ''))
        )
        return f'{where}: {self.message_en if lang == "en" else self.message_vi}'

    def __str__(self) -> str:
        return self.message()


# -- import --------------------------------------------------------------------------------------------------


def _lang_of(column_lang: str | None, default_lang: str) -> str | None:
    if column_lang is None:
        return default_lang
    low = column_lang.lower()
    if '(vi)' in low or low.startswith(('vietnam', 'tiếng việt', 'vi')):
        return 'vi'
    if '(en)' in low or low.startswith(('english', 'en')):
        return 'en'
    return None


class _Importer:
    def __init__(self, path: Path):
        self.path = path
        self.warnings: list[ImportWarning] = []
        self.loc_rows: dict[Loc, int] = {}
        self.dropped: dict[str, int] = {}  # item name -> row

    def warn(self, sheet: str, row: int | None, vi: str, en: str) -> None:
        self.warnings.append(ImportWarning(sheet, row, vi, en))

    def run(self) -> tuple[dict[str, Any], list[ImportWarning]]:
        pyxform_warnings: list[str] = []
        try:
            result = convert(str(self.path), warnings=pyxform_warnings)
            workbook = get_xlsform(str(self.path))
        except PyXFormError as exc:
            raise XLSFormError(
                'xlsform.invalid',
                f'XLSForm {self.path.name} không hợp lệ (pyxform): {exc}',
                f'XLSForm {self.path.name} is invalid (pyxform): {exc}',
            ) from None
        for text in pyxform_warnings:
            m = re.match(r'\s*\[row\s*:\s*(\d+)\]\s*', text)
            if m:
                text = text[m.end() :]
            self.warn('survey', int(m.group(1)) if m else None, f'pyxform cảnh báo: {text}', f'pyxform warns: {text}')
        form = result._pyxform or {}
        self.settings = next((r for r in workbook.settings or [] if r), {})
        default_language = str(self.settings.get('default_language') or form.get('default_language') or '')
        self.default_lang = (
            _lang_of(default_language, 'vi') if default_language and default_language != 'default' else 'vi'
        )
        # Row numbers by name: pyxform's parse keeps no row numbers, but every name is unique in a form.
        self.rows_by_name: dict[str, list[int]] = {}
        self.raw_types: dict[int, str] = {}
        for row_no, raw in enumerate(workbook.survey or [], start=2):
            cells = {str(k).strip().lower(): v for k, v in (raw or {}).items()}
            self.raw_types[row_no] = str(cells.get('type') or '')
            if cells.get('name') not in (None, ''):
                self.rows_by_name.setdefault(str(cells['name']).strip(), []).append(row_no)
        self.renames = self.plan_renames()
        self.choice_rows = self.read_choices(workbook.choices or [])
        self.choice_renames = self.plan_choice_renames()
        self.question_lists = _question_lists(form)
        self.check_headers('survey', getattr(workbook, 'survey_header', None))
        self.check_headers('choices', getattr(workbook, 'choices_header', None))
        for sheet in getattr(workbook, 'sheet_names', []) or []:
            if sheet.lower() not in ('survey', 'choices', 'settings', FINDINGS_SHEET):
                self.warn(sheet, None, 'trang không được hỗ trợ, bỏ qua', 'sheet not supported; ignored')

        sections: list[dict[str, Any]] = []
        loose: list[dict[str, Any]] | None = None
        group_names = {str(c.get('name')) for c in form.get('children', []) if c.get('type') == 'group'}
        for child in form.get('children', []):
            if child.get('name') == 'meta' and child.get('type') == 'group' and not self.peek_row(child):
                continue
            if child.get('type') == 'group':
                row = self.take_row(child)
                loose = None
                section = self.section(child, row, len(sections))
                if section is not None:
                    sections.append(section)
                continue
            if loose is not None:
                self.element(child, loose, ('sections', len(sections) - 1, 'items'), None, None)
                continue
            # A question outside any group opens a section of its own, once it is known to be kept.
            row_no = self.peek_row(child)
            first_warning = len(self.warnings)
            kept: list[dict[str, Any]] = []
            self.element(child, kept, ('sections', len(sections), 'items'), None, None)
            if not kept:
                continue
            sid = self.unique_section_id(sections, group_names)
            loose = kept
            sections.append(
                {'id': sid, 'label': {'vi': 'Nội dung chung', 'en': 'General'}, 'items': loose, '_row': row_no}
            )
            self.warnings.insert(
                first_warning,
                ImportWarning(
                    'survey',
                    row_no,
                    f'câu hỏi nằm ngoài nhóm (group) được đưa vào phần {sid!r}',
                    f'questions outside a group were placed in section {sid!r}',
                ),
            )
        sections = [s for s in sections if s['items']]
        self.renumber(sections)
        self.cascade_drops(sections)
        data = self.header(form)
        data['sections'] = sections
        findings = self.read_findings()
        if findings:
            data['findings'] = findings
        # In the order a reader goes through the workbook: sheet by sheet, row by row.
        order = {'survey': 0, 'choices': 1, 'settings': 2, FINDINGS_SHEET: 3}
        self.warnings.sort(key=lambda w: (order.get(w.sheet.lower(), 4), w.row or 0))
        return data, self.warnings

    # -- rows -------------------------------------------------------------------------------------------

    def peek_row(self, element: dict[str, Any]) -> int | None:
        """The survey row of *element*, found by its name in pyxform's parse (never by position)."""
        name = str(element.get('name'))
        m = re.fullmatch(r'generated_note_name_(\d+)', name)
        if m:
            return int(m.group(1))
        rows = self.rows_by_name.get(name)
        return rows[0] if rows else None

    def take_row(self, element: dict[str, Any]) -> tuple[int | None, dict[str, Any]]:
        """The survey row of *element*, rebuilt from pyxform's own parse of it (aliases, header case,
        ``label:English``, ``bind:*`` already resolved); pyxform-generated elements have no row."""
        name = str(element.get('name'))
        row_no = self.peek_row(element)
        if row_no is None:
            return None, {}
        if name in self.rows_by_name and self.rows_by_name[name]:
            self.rows_by_name[name].pop(0)
        else:
            self.warn(
                'survey',
                row_no,
                f'câu hỏi không có tên; dùng tên {name!r} do pyxform đặt',
                f'the question has no name; the name {name!r} given by pyxform is used',
            )
        row = _row_of(element)
        self.check_columns(row_no, row)
        return row_no, row

    def plan_renames(self) -> dict[str, str]:
        """Names pyxform accepts but a checklist id cannot be (``nhóm``): each gets an ASCII name, unique."""
        taken = set(self.rows_by_name)
        renames: dict[str, str] = {}
        for name, rows in self.rows_by_name.items():
            if re.match(ID_PATTERN, name):
                continue
            new, n = _ascii_name(name, r'[A-Za-z_]'), 2
            base = new
            while new in taken:
                new, n = f'{base}_{n}', n + 1
            taken.add(new)
            renames[name] = new
            self.warn(
                'survey', rows[0], f'tên {name!r} được đổi thành {new!r}', f'name {name!r} was changed to {new!r}'
            )
        return renames

    def plan_choice_renames(self) -> dict[str, dict[str, str]]:
        """Choice names pyxform accepts but a checklist cannot hold (``có điện``, ``a b``): per list, each gets
        an ASCII name, unique in its list (the warning is given where the list is read, by :meth:`choices`)."""
        out: dict[str, dict[str, str]] = {}
        for list_name, rows in self.choice_rows.items():
            names = [str(row.get('name')) for _, row in rows]
            taken = set(names)
            for name in names:
                if re.match(CHOICE_NAME_PATTERN, name) or name in out.get(list_name, {}):
                    continue
                new, n = _ascii_name(name, r'[A-Za-z0-9_]'), 2
                base = new
                while new in taken:
                    new, n = f'{base}_{n}', n + 1
                taken.add(new)
                out.setdefault(list_name, {})[name] = new
        return out

    def renamed(self, text: str) -> str:
        """*text* with its ``${name}`` references following the renames, and the choice names it compares a
        question with (``selected(${q}, 'old')``, ``${q} = 'old'``) following the renames of the question's list."""
        if self.choice_renames:
            text = _rename_choices(text, lambda q: self.choice_renames.get(self.question_lists.get(q, ''), {}))
        if not self.renames:
            return text
        return re.sub(r'\$\{([^}]*)\}', lambda m: '${' + self.renames.get(m.group(1), m.group(1)) + '}', text)

    def check_headers(self, sheet: str, header: Any) -> None:
        names = list(header[0].keys()) if isinstance(header, list) and header and isinstance(header[0], dict) else []
        for column in names:
            base, _, lang = column.partition('::')
            if base in _TRANSLATED or (sheet == 'choices' and base == 'label'):
                if lang and _lang_of(lang, self.default_lang) is None:
                    self.warn(
                        sheet,
                        1,
                        f'cột {column!r}: chỉ giữ tiếng Việt và tiếng Anh, bỏ qua ngôn ngữ {lang!r}',
                        f'column {column!r}: only Vietnamese and English are kept; language {lang!r} ignored',
                    )

    def check_columns(self, row_no: int, row: dict[str, Any]) -> None:
        for column, value in row.items():
            base = column.partition('::')[0]
            if base in _KNOWN_KEYS or base in _TRANSLATED or column in _OWN_COLUMNS or value in (None, '', {}, []):
                continue
            shown = column.removeprefix('bind:')
            self.warn(
                'survey',
                row_no,
                f'cột {shown!r} (giá trị {value!r}) không được hỗ trợ, bỏ qua',
                f'column {shown!r} (value {value!r}) is not supported; ignored',
            )

    def texts(self, row: dict[str, Any], base: str, sheet: str, row_no: int | None) -> dict[str, str] | None:
        out: dict[str, str] = {}
        for column, value in row.items():
            name, _, lang = column.partition('::')
            if name != base or value in (None, ''):
                continue
            code = _lang_of(lang or None, self.default_lang)
            if code is not None and code not in out:
                out[code] = self.renamed(str(value))
        if not out:
            return None
        if 'vi' not in out:
            out['vi'] = out['en']
            self.warn(
                sheet,
                row_no,
                f'thiếu {base} tiếng Việt; dùng bản tiếng Anh',
                f'no Vietnamese {base}; the English one is used',
            )
        return {'vi': out['vi'], **({'en': out['en']} if 'en' in out else {})}

    def read_choices(self, rows: list[dict[str, Any]]) -> dict[str, list[tuple[int, dict[str, Any]]]]:
        lists: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        for row_no, raw in enumerate(rows, start=2):
            if not raw:
                continue
            row = {_column(k): v for k, v in raw.items()}
            name = row.get('list_name') or row.get('list name')
            if name:
                lists.setdefault(str(name), []).append((row_no, row))
            for column, value in row.items():
                base = column.partition('::')[0]
                if base in ('list_name', 'list name', 'name', 'label') or value in (None, ''):
                    continue
                self.warn(
                    'choices',
                    row_no,
                    f'cột {column!r} (giá trị {value!r}) không được hỗ trợ, bỏ qua',
                    f'column {column!r} (value {value!r}) is not supported; ignored',
                )
        return lists

    # -- structure ------------------------------------------------------------------------------------

    def unique_section_id(self, sections: list[dict[str, Any]], group_names: set[str]) -> str:
        taken = {s['id'] for s in sections} | group_names
        sid, n = 'general', 2
        while sid in taken:
            sid, n = f'general_{n}', n + 1
        return sid

    def section(self, group: dict[str, Any], taken: tuple[int | None, dict[str, Any]], index: int) -> dict | None:
        row_no, row = taken
        loc: Loc = ('sections', index)
        label = self.texts(row, 'label', 'survey', row_no)
        if label is None:
            label = {'vi': str(group.get('name'))}
            self.warn('survey', row_no, 'nhóm không có nhãn; dùng tên nhóm', 'the group has no label; its name is used')
        # A section whose id is also an item's id was exported under another group name (ODK wants names unique).
        section_id = row.get('inspect_flow_id') or self.renames.get(str(group.get('name')), group.get('name'))
        section: dict[str, Any] = {'id': section_id, 'label': label, '_row': row_no}
        hint = self.texts(row, 'hint', 'survey', row_no)
        if hint:
            section['hint'] = hint
        relevant = self.expression(row, 'relevant', row_no)
        if relevant:
            section['relevant'] = relevant
        items: list[dict[str, Any]] = []
        section['items'] = items
        for child in group.get('children', []):
            self.element(child, items, loc + ('items',), None, None)
        return section

    def element(
        self,
        element: dict[str, Any],
        out: list[dict[str, Any]],
        loc: Loc,
        repeat: dict[str, Any] | None,
        group_relevant: str | None,
    ) -> None:
        etype = element.get('type')
        row_no, row = self.take_row(element)
        name = str(element.get('name'))
        if row_no is None:
            self.warn(
                'survey',
                None,
                f'phần tử {name!r} do pyxform tự sinh (ví dụ từ or_other) không được hỗ trợ, bỏ qua',
                f'element {name!r} generated by pyxform (e.g. by or_other) is not supported; ignored',
            )
            self.dropped[name] = 0
            return
        if etype == 'group':
            relevant = self.expression(row, 'relevant', row_no)
            combined = _and(group_relevant, relevant)
            self.warn(
                'survey',
                row_no,
                f'nhóm lồng {name!r} được làm phẳng: các câu hỏi của nhóm đưa vào phần chứa nó'
                + ('; điều kiện hiển thị của nhóm được ghép vào từng câu hỏi' if relevant else ''),
                f'nested group {name!r} was flattened into its section'
                + ("; the group's relevance was combined into each question" if relevant else ''),
            )
            for child in element.get('children', []):
                self.element(child, out, loc, repeat, combined)
            return
        if etype == 'repeat':
            if repeat is not None:
                self.warn(
                    'survey',
                    row_no,
                    f'nhóm lặp lồng nhau {name!r} không được hỗ trợ; bỏ qua nhóm và các câu hỏi của nó',
                    f'nested repeat {name!r} is not supported; it and its questions were dropped',
                )
                self.drop_tree(element)
                return
            item = self.base_item(element, row, row_no, ItemType.repeat, group_relevant)
            if _truthy(row.get('inspect_flow_required')):
                item['required'] = True
            if row.get('inspect_flow_roster'):
                item['roster'] = str(row['inspect_flow_roster'])
            children: list[dict[str, Any]] = []
            index = len(out)
            out.append(item)
            for child in element.get('children', []):
                self.element(child, children, loc + (index, 'items'), item, None)
            item['items'] = children
            if not children:
                out.pop()
                self.warn(
                    'survey',
                    row_no,
                    f'nhóm lặp {name!r} không còn câu hỏi nào, bỏ qua',
                    f'repeat {name!r} has no questions left; dropped',
                )
                self.dropped[name] = row_no
            return
        item_type = _TYPE_MAP.get(str(etype))
        raw_type = self.raw_types.get(row_no) or str(etype)
        if item_type is None:
            self.warn(
                'survey',
                row_no,
                f'loại câu hỏi {raw_type!r} không được hỗ trợ; bỏ qua câu hỏi {name!r}',
                f'question type {raw_type!r} is not supported; question {name!r} was dropped',
            )
            self.dropped[name] = row_no
            return
        own_type = row.get('inspect_flow_type')
        if own_type:
            try:
                item_type = ItemType(str(own_type))
            except ValueError:
                self.warn(
                    'survey',
                    row_no,
                    f'inspect_flow_type {own_type!r} không hợp lệ, bỏ qua',
                    f'inspect_flow_type {own_type!r} is invalid; ignored',
                )
        item = self.base_item(element, row, row_no, item_type, group_relevant)
        if item_type == ItemType.evidence:
            own_media = str(row.get('inspect_flow_media') or '').strip()
            if own_media in (Media.photo.value, Media.file.value):
                item['media'] = own_media
            elif own_media != DEFAULT_MEDIA:
                item['media'] = Media.file.value if etype == 'file' else Media.photo.value
        if item_type in (ItemType.select_one, ItemType.select_multiple):
            if 'or_other' in raw_type.split():
                self.warn(
                    'survey',
                    row_no,
                    "tùy chọn or_other không được hỗ trợ; bỏ qua lựa chọn 'other'",
                    "or_other is not supported; the 'other' choice was dropped",
                )
            list_name = str(element.get('list_name') or element.get('itemset') or '')
            choices = self.choices(list_name, row_no)
            if choices is None:
                self.dropped[name] = row_no
                return
            item['choices'] = choices
        if item_type == ItemType.calculate:
            calculation = self.expression(row, 'calculation', row_no)
            if calculation is None:
                self.dropped[name] = row_no
                self.warn(
                    'survey',
                    row_no,
                    f'phép tính của {name!r} bị bỏ nên bỏ luôn mục này',
                    f'the calculation of {name!r} was dropped, so the item was dropped too',
                )
                return
            item['calculation'] = calculation
        required = str(row.get('required', '') or '').strip().lower()
        if required in _TRUE and item_type not in (ItemType.note, ItemType.calculate):
            item['required'] = True
        elif required not in _FALSE and required not in _TRUE:
            self.warn(
                'survey',
                row_no,
                f'required = {row.get("required")!r} (biểu thức) không được hỗ trợ; coi là không bắt buộc',
                f'required = {row.get("required")!r} (an expression) is not supported; treated as not required',
            )
        self.own_columns(item, row, row_no)
        out.append(item)

    def base_item(
        self, element: dict[str, Any], row: dict[str, Any], row_no: int, item_type: ItemType, group_relevant: str | None
    ) -> dict[str, Any]:
        name = str(element.get('name'))
        item: dict[str, Any] = {'id': self.renames.get(name, name), 'type': item_type.value, '_row': row_no}
        label = self.texts(row, 'label', 'survey', row_no)
        if label is None and item_type != ItemType.calculate:
            label = {'vi': str(element.get('name'))}
            self.warn(
                'survey',
                row_no,
                'câu hỏi không có nhãn; dùng tên câu hỏi',
                'the question has no label; its name is used',
            )
        if label is not None:
            item['label'] = label
        hint = self.texts(row, 'hint', 'survey', row_no)
        if hint:
            item['hint'] = hint
        relevant = _and(group_relevant, self.expression(row, 'relevant', row_no))
        if relevant:
            item['relevant'] = relevant
        return item

    def own_columns(self, item: dict[str, Any], row: dict[str, Any], row_no: int) -> None:
        unit_vi, unit_en = row.get('inspect_flow_unit_vi'), row.get('inspect_flow_unit_en')
        if unit_vi or unit_en:
            item['unit'] = {'vi': str(unit_vi or unit_en), **({'en': str(unit_en)} if unit_en else {})}
        if row.get('inspect_flow_weight') not in (None, ''):
            try:
                item['weight'] = float(row['inspect_flow_weight'])
            except ValueError:
                self.warn(
                    'survey',
                    row_no,
                    'inspect_flow_weight không phải là số, bỏ qua',
                    'inspect_flow_weight is not a number; ignored',
                )
        for column, key in (('inspect_flow_scores', 'scores'), ('inspect_flow_constraint', 'constraint')):
            if row.get(column) in (None, ''):
                continue
            try:
                value = json.loads(str(row[column]))
                if not isinstance(value, dict):
                    raise ValueError(column)
            except ValueError:
                self.warn(
                    'survey', row_no, f'{column} không phải JSON hợp lệ, bỏ qua', f'{column} is not valid JSON; ignored'
                )
                continue
            if key == 'scores':
                item['scores'] = value
            else:
                item['constraint'] = value
        message = self.texts(row, 'constraint_message', 'survey', row_no)
        if 'constraint' not in item and row.get('inspect_flow_constraint') in (None, ''):
            expression = self.expression(row, 'constraint', row_no)
            if expression:
                item['constraint'] = {'expression': expression}
        if 'constraint' in item:
            if message:
                item['constraint']['message'] = message
            if not item['constraint']:
                del item['constraint']
        elif message:
            self.warn(
                'survey',
                row_no,
                'có constraint_message nhưng không có ràng buộc; bỏ qua thông báo',
                'constraint_message without a constraint; the message was dropped',
            )

    def choices(self, list_name: str, row_no: int) -> list[dict[str, Any]] | None:
        rows = self.choice_rows.get(list_name)
        if not rows:
            self.warn(
                'survey',
                row_no,
                f'danh sách lựa chọn {list_name!r} không có trong trang choices; bỏ câu hỏi',
                f'choice list {list_name!r} is not on the choices sheet; question dropped',
            )
            return None
        out = []
        for choice_row_no, row in rows:
            label = self.texts(row, 'label', 'choices', choice_row_no) or {'vi': str(row.get('name'))}
            name = str(row.get('name'))
            if not re.match(CHOICE_NAME_PATTERN, name):
                new = self.choice_renames.get(list_name, {}).get(name) or _ascii_name(name, r'[A-Za-z0-9_]')
                self.warn(
                    'choices',
                    choice_row_no,
                    f'tên lựa chọn {name!r} được đổi thành {new!r}',
                    f'choice name {name!r} was changed to {new!r}',
                )
                name = new
            out.append({'name': name, 'label': label})
        return out

    def expression(self, row: dict[str, Any], column: str, row_no: int | None) -> str | None:
        text = row.get(column)
        if text in (None, ''):
            return None
        text = self.renamed(str(text))
        try:
            parse(text)
        except ExpressionError as exc:
            self.warn(
                'survey',
                row_no,
                f'cột {column}: biểu thức {text!r} không được hỗ trợ ({exc.message_vi}); bỏ qua',
                f'column {column}: expression {text!r} is not supported ({exc.message_en}); dropped',
            )
            return None
        return text

    def drop_tree(self, element: dict[str, Any]) -> None:
        for child in element.get('children', []):
            row_no, _ = self.take_row(child)
            self.dropped[str(child.get('name'))] = row_no or 0
            self.drop_tree(child)

    # -- fixing up ------------------------------------------------------------------------------------

    def renumber(self, sections: list[dict[str, Any]]) -> None:
        """Map field paths to survey rows, for errors found when the result is validated."""
        rows: dict[Loc, int] = {}
        for s_index, section in enumerate(sections):
            rows[('sections', s_index)] = section.get('_row') or section['items'][0]['_row']
            for i_index, item in enumerate(section['items']):
                rows[('sections', s_index, 'items', i_index)] = item['_row']
                for c_index, child in enumerate(item.get('items', [])):
                    rows[('sections', s_index, 'items', i_index, 'items', c_index)] = child['_row']
        self.loc_rows = rows

    def cascade_drops(self, sections: list[dict[str, Any]]) -> None:
        """Drop expressions (and calculations) that refer to dropped questions, with a warning each."""
        changed = True
        while changed and self.dropped:
            changed = False
            for section in sections:
                self.scrub_texts(section, section.get('_row'))
                changed |= self.cascade_list(section['items'])
                if 'relevant' in section and self.refers_to_dropped(section['relevant']):
                    self.warn(
                        'survey',
                        section['items'][0]['_row'] if section['items'] else None,
                        f'điều kiện hiển thị của phần {section["id"]!r} tham chiếu câu hỏi đã bỏ; bỏ điều kiện',
                        f'the relevance of section {section["id"]!r} refers to a dropped question; removed',
                    )
                    del section['relevant']
                    changed = True
        for section in sections:
            section.pop('_row', None)
            for item in section['items']:
                item.pop('_row', None)
                for child in item.get('items', []):
                    child.pop('_row', None)

    def cascade_list(self, items: list[dict[str, Any]]) -> bool:
        changed = False
        for item in list(items):
            row = item.get('_row')
            self.scrub_texts(item, row)
            if item['type'] == ItemType.calculate.value and self.refers_to_dropped(item['calculation']):
                self.warn(
                    'survey',
                    row,
                    f'phép tính {item["id"]!r} tham chiếu câu hỏi đã bỏ; bỏ phép tính',
                    f'calculation {item["id"]!r} refers to a dropped question; dropped',
                )
                items.remove(item)
                self.dropped[item['id']] = row or 0
                changed = True
                continue
            if 'relevant' in item and self.refers_to_dropped(item['relevant']):
                self.warn(
                    'survey',
                    row,
                    f'điều kiện hiển thị của {item["id"]!r} tham chiếu câu hỏi đã bỏ; bỏ điều kiện',
                    f'the relevance of {item["id"]!r} refers to a dropped question; removed',
                )
                del item['relevant']
                changed = True
            constraint = item.get('constraint') or {}
            if 'expression' in constraint and self.refers_to_dropped(constraint['expression']):
                self.warn(
                    'survey',
                    row,
                    f'ràng buộc của {item["id"]!r} tham chiếu câu hỏi đã bỏ; bỏ ràng buộc',
                    f'the constraint of {item["id"]!r} refers to a dropped question; removed',
                )
                del constraint['expression']
                if not any(k in constraint for k in ('min', 'max', 'pattern', 'expression')):
                    item.pop('constraint')
                changed = True
            if 'items' in item:
                changed |= self.cascade_list(item['items'])
        return changed

    def dropped_names(self) -> set[str]:
        return {self.renames.get(name, name) for name in self.dropped}

    def refers_to_dropped(self, text: str) -> bool:
        dropped = self.dropped_names()
        return any(ref.name in dropped for ref in parse(text).references)

    def scrub_texts(self, owner: dict[str, Any], row: int | None) -> None:
        """Labels, hints and messages that show a dropped question's answer (``${x}``) show its name instead:
        pyxform refuses a form whose text refers to a question it does not have."""
        dropped = self.dropped_names()
        texts = [owner.get('label'), owner.get('hint'), (owner.get('constraint') or {}).get('message')]
        found: list[str] = []
        for text in texts:
            for lang, value in list((text or {}).items()):
                refs = [m for m in re.findall(r'\$\{\s*([^}]*?)\s*\}', value) if m in dropped]
                found += [ref for ref in refs if ref not in found]
                if refs:
                    text[lang] = re.sub(
                        r'\$\{\s*([^}]*?)\s*\}', lambda m: m.group(1) if m.group(1) in dropped else m.group(0), value
                    )
        for ref in found:
            self.warn(
                'survey',
                row,
                f'nội dung của {owner["id"]!r} hiển thị câu trả lời của câu hỏi đã bỏ {ref!r}; thay bằng tên câu hỏi',
                f'the text of {owner["id"]!r} shows the answer of the dropped question {ref!r}; '
                "replaced by the question's name",
            )

    def header(self, form: dict[str, Any]) -> dict[str, Any]:
        s = self.settings
        row = 2 if s else None  # the settings sheet's one data row, when there is one
        form_id = str(s.get('form_id') or form.get('id_string') or self.path.stem)
        checklist_id = form_id if re.match(SLUG_PATTERN, form_id) else _slug(form_id)
        if checklist_id != form_id:
            self.warn(
                'settings',
                row,
                f'form_id {form_id!r} được đổi thành {checklist_id!r}',
                f'form_id {form_id!r} was changed to {checklist_id!r}',
            )
        version = str(s.get('version') or '')
        if not version:
            version = '1'
            self.warn('settings', row, "không có version; dùng '1'", "no version; '1' is used")
        elif not re.match(SLUG_PATTERN, version):
            fixed = _slug(version)
            self.warn(
                'settings',
                row,
                f'version {version!r} được đổi thành {fixed!r}',
                f'version {version!r} was changed to {fixed!r}',
            )
            version = fixed
        title_vi = s.get('form_title')
        if not title_vi:
            title_vi = form.get('title') or checklist_id
            self.warn(
                'settings',
                row,
                f'không có form_title; dùng {str(title_vi)!r} làm tiêu đề',
                f'no form_title; {str(title_vi)!r} is used as the title',
            )
        title: dict[str, Any] = {'vi': str(title_vi)}
        if s.get('inspect_flow_title_en'):
            title['en'] = str(s['inspect_flow_title_en'])
        data: dict[str, Any] = {'id': checklist_id, 'version': version, 'title': title}
        if s.get('inspect_flow_kind'):
            data['kind'] = str(s['inspect_flow_kind'])
        applies = {key: _setting_date(s[f'inspect_flow_applies_{key}'])
                   for key in ('from', 'until') if s.get(f'inspect_flow_applies_{key}') not in (None, '')}
        if applies:
            data['applies'] = applies  # checked with the rest: a bad date is named as applies.from / applies.until
        description = {
            k: str(s[f'inspect_flow_description_{k}']) for k in ('vi', 'en') if s.get(f'inspect_flow_description_{k}')
        }
        if description:
            data['description'] = description if 'vi' in description else {'vi': description['en'], **description}
        for column, value in s.items():
            if column in ('form_id', 'version', 'form_title', 'default_language') or column.startswith('inspect_flow_'):
                continue
            if value not in (None, ''):
                self.warn(
                    'settings',
                    row,
                    f'cột {column!r} không được hỗ trợ, bỏ qua',
                    f'column {column!r} is not supported; ignored',
                )
        return data

    def read_findings(self) -> list[dict[str, Any]]:
        if self.path.suffix.lower() not in ('.xlsx', '.xlsm'):
            return []
        wb = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        try:
            sheet = next((wb[name] for name in wb.sheetnames if name.lower() == FINDINGS_SHEET), None)
            if sheet is None:
                return []
            rows = list(sheet.iter_rows(values_only=True))
        finally:
            wb.close()
        if not rows:
            return []
        header = [str(h).strip() if h is not None else '' for h in rows[0]]
        out = []
        for row_no, values in enumerate(rows[1:], start=2):
            cells = {h: v for h, v in zip(header, values, strict=False) if h and v not in (None, '')}
            if not cells:
                continue
            for column in cells:
                if column not in FINDINGS_COLUMNS:
                    self.warn(
                        FINDINGS_SHEET,
                        row_no,
                        f'cột {column!r} không được hỗ trợ, bỏ qua',
                        f'column {column!r} is not supported; ignored',
                    )
            rule: dict[str, Any] = {k: str(cells[k]) for k in ('id', 'when', 'kind', 'severity', 'item') if k in cells}
            for key in ('category', 'text'):
                label = {lang: str(cells[f'{key}_{lang}']) for lang in ('vi', 'en') if f'{key}_{lang}' in cells}
                if label:
                    rule[key] = label
            out.append(rule)
        return out


def _column(key: Any) -> str:  # noqa: ANN401
    """A choices header as pyxform reads it: the base name in any case, ``label:English`` as ``label::English``."""
    text = str(key).strip()
    base, sep, lang = text.partition('::')
    if not sep and ':' in text:
        base, sep, lang = text.partition(':')
    return f'{base.strip().lower()}::{lang.strip()}' if sep else base.lower()


def _question_lists(form: dict[str, Any]) -> dict[str, str]:
    """``{question name: its choice list}`` for every select question of pyxform's parse."""
    out: dict[str, str] = {}

    def walk(element: dict[str, Any]) -> None:
        for child in element.get('children', []) or []:
            list_name = child.get('list_name') or child.get('itemset')
            if isinstance(list_name, str) and child.get('name'):
                out[str(child['name'])] = list_name
            walk(child)

    walk(form)
    return out


_SELECTED_RE = re.compile(r"""selected\(\s*\$\{([^}]*)\}\s*,\s*(['"])(.*?)\2\s*\)""")
_COMPARED_RE = re.compile(r"""\$\{([^}]*)\}(\s*!?=\s*)(['"])(.*?)\3""")
_COMPARED_BACK_RE = re.compile(r"""(['"])(.*?)\1(\s*!?=\s*)\$\{([^}]*)\}""")


def _rename_choices(text: str, renames_of: Any) -> str:  # noqa: ANN401
    """*text* with the choice names compared with a question following *renames_of(question)*: in
    ``selected(${q}, 'a b')`` and ``${q} = 'a b'`` (either side, ``=`` or ``!=``)."""

    def new(question: str, name: str) -> str:
        return renames_of(question).get(name, name)

    text = _SELECTED_RE.sub(lambda m: f'selected(${{{m[1]}}}, {m[2]}{new(m[1], m[3])}{m[2]})', text)
    text = _COMPARED_RE.sub(lambda m: f'${{{m[1]}}}{m[2]}{m[3]}{new(m[1], m[4])}{m[3]}', text)
    return _COMPARED_BACK_RE.sub(lambda m: f'{m[1]}{new(m[4], m[2])}{m[1]}{m[3]}${{{m[4]}}}', text)


def _ascii_name(name: str, first: str) -> str:
    """*name* as an XML-like name: letters without marks (``nhóm`` → ``nhom``), other characters as ``_``."""
    text = re.sub(r'[^A-Za-z0-9_.-]', '_', without_marks(nfc_text(name)))[:80] or '_'
    return text if re.match(first, text) else f'_{text}'[:80]


def _texts_of(base: str, value: Any) -> dict[str, Any]:  # noqa: ANN401
    if value in (None, '', {}):
        return {}
    if isinstance(value, dict):
        return {(base if lang == 'default' else f'{base}::{lang}'): text for lang, text in value.items()}
    return {base: value}


def _row_of(element: dict[str, Any]) -> dict[str, Any]:
    """A survey row as the import reads it, from pyxform's element: label and hint per language, the
    ``bind`` (``required``, ``relevant``, ``constraint``, ``jr:constraintMsg``, ``calculate``, or the same
    written as ``bind:…`` columns) and every other key as it is (``inspect_flow_*`` and unsupported ones)."""
    row: dict[str, Any] = {}
    binds = dict(element.get('bind') or {})
    params = element.get('parameters') if isinstance(element.get('parameters'), dict) else {}
    for key, value in element.items():
        if key.startswith('bind:'):
            binds.setdefault(key[len('bind:') :], value)
        elif key == 'label':
            row.update(_texts_of('label', value))
        elif key == 'hint':
            row.update(_texts_of('hint', value))
        elif key == 'control' and isinstance(value, dict):
            row.update({k: v for k, v in value.items() if k not in params})  # appearance …; range's are parameters
        elif key == 'parameters' and isinstance(value, dict):
            row[key] = ' '.join(f'{k}={v}' for k, v in value.items())
        elif key not in ('bind', 'children'):
            row[key] = value
    for key, value in binds.items():
        if key == 'jr:constraintMsg':
            row.update(_texts_of('constraint_message', value))
        elif key == 'calculate':
            row['calculation'] = value
        elif key in ('required', 'relevant', 'constraint'):
            row[key] = value
        elif value not in (None, ''):
            row[f'bind:{key}'] = value
    return row


def _and(a: str | None, b: str | None) -> str | None:
    if a and b:
        return f'({a}) and ({b})'
    return a or b


def _truthy(value: Any) -> bool:
    return str(value or '').strip().lower() in _TRUE


def _setting_date(value: Any) -> Any:  # noqa: ANN401
    """A settings cell holding a day: a date or datetime typed in a spreadsheet becomes ``YYYY-MM-DD``;
    text is kept as written (the checklist's validation names a bad one)."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    return text[:10] if re.fullmatch(r'\d{4}-\d{2}-\d{2}[ T]00:00:00', text) else text


def _slug(text: str) -> str:
    slug = re.sub(r'[^A-Za-z0-9_.-]+', '-', text).strip('-.') or 'checklist'
    return slug[:40]


def import_xlsform(path: str | Path) -> tuple[dict[str, Any], list[ImportWarning]]:
    """Import the XLSForm at *path*; return the checklist as plain data and the warnings.

    The result passes :meth:`Checklist.from_dict`; write it out with :func:`checklist_yaml`.

    :raise XLSFormError: pyxform refuses the form, or what it describes cannot be a valid checklist
        (the message names the sheet and the row)
    """
    path = Path(path)
    if not path.is_file():
        raise XLSFormError('xlsform.not_found', f'Không tìm thấy tệp {path}', f'File {path} not found')
    importer = _Importer(path)
    data, warnings = importer.run()
    data = nfc(data)  # the same visible form gives the same checklist (and SHA-256) however it was typed
    try:
        checklist = build_checklist(data)
    except ChecklistFileError as exc:
        problems = exc.details or [{'field': exc.field, 'message': exc.reason_vi, 'message_en': exc.reason_en}]
        reasons = [_where(importer, p.get('field')) + (p['message'], p['message_en'], p.get('field')) for p in problems]
        # Every reason, each with its sheet and row, in workbook order; then what the import had warned about.
        order = {'survey': 0, 'choices': 1, 'settings': 2, FINDINGS_SHEET: 3}
        reasons.sort(key=lambda r: (order.get(r[0], 4), r[1] or 0))
        details = [
            {'sheet': sheet, 'row': row, 'field': field, 'message': vi, 'message_en': en}
            for sheet, row, vi, en, field in reasons
        ] + [{'sheet': w.sheet, 'row': w.row, 'warning': w.message_vi, 'warning_en': w.message_en} for w in warnings]

        def listed(lang: str) -> str:
            parts = []
            for sheet, row, vi, en, field in reasons:
                where = (f'trang {sheet}' + (f', dòng {row}' if row else '')) if lang == 'vi' else (
                    f'sheet {sheet}' + (f', row {row}' if row else ''))
                if sheet == 'settings' and field:  # the settings' one row: the column is named by its field
                    where += f', trường {field}' if lang == 'vi' else f', field {field}'
                parts.append(f'{where}: {vi if lang == "vi" else en}')
            return '; '.join(parts)

        error = XLSFormError(
            'xlsform.not_a_checklist',
            f'XLSForm {path.name}, {listed("vi")}',
            f'XLSForm {path.name}, {listed("en")}',
            field=exc.field,
            details=details,
        )
        error.warnings = warnings  # what the import had noticed before it refused: shown with the refusal
        raise error from None
    return checklist.to_dict(), warnings


def _where(importer: _Importer, field: str | None) -> tuple[str, int | None]:
    """The sheet and row of the checklist field *field* (``sections[0].items[2].label``)."""
    loc = _loc_of(field)
    if field and field.startswith('findings'):
        index = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else 0
        return FINDINGS_SHEET, index + 2
    if field and field.startswith(('applies', 'id', 'version', 'title', 'kind', 'description')):
        return 'settings', 2
    for n in range(len(loc), 0, -1):
        row = importer.loc_rows.get(loc[:n])
        if row:
            return 'survey', row
    return 'survey', None


def _loc_of(field: str | None) -> Loc:
    if not field:
        return ()
    out: list[str | int] = []
    for part in re.finditer(r'([^.\[\]]+)|\[(\d+)\]', field):
        out.append(int(part.group(2)) if part.group(2) is not None else part.group(1))
    return tuple(out)


# -- export --------------------------------------------------------------------------------------------------


def _label_cells(label: LabelSpec | None) -> tuple[str | None, str | None]:
    return (label.vi, label.en) if label is not None else (None, None)


def _odk_constraint(item: ItemSpec) -> str | None:
    parts: list[str] = []
    c = item.constraint
    if item.type == ItemType.percentage:
        parts += ['. >= 0', '. <= 100']
    if c is not None:
        if c.min is not None:
            parts.append(f'. >= {format_number(c.min)}')
        if c.max is not None:
            parts.append(f'. <= {format_number(c.max)}')
        if c.pattern is not None:
            quote = "'" if "'" not in c.pattern else ('"' if '"' not in c.pattern else None)
            if quote:
                parts.append(f'regex(., {quote}^(?:{c.pattern})${quote})')
        if c.expression is not None:
            parts.append(f'({c.expression})' if parts else c.expression)
    if not parts:
        return None
    return ' and '.join(parts)


def _own_constraint(item: ItemSpec) -> str | None:
    c = item.constraint
    if c is None:
        # A percentage's ODK constraint (0 to 100) is implied by its type, not a constraint of its own.
        return '{}' if item.type == ItemType.percentage else None
    if c.min is None and c.max is None and c.pattern is None and item.type != ItemType.percentage:
        return None
    data = c.model_dump(mode='json', exclude_none=True, exclude={'message'})
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def export_xlsform(checklist: Checklist, path: str | Path) -> Path:
    """Write *checklist* as an XLSForm workbook at *path* (``survey``, ``choices``, ``settings``, ``findings``)."""
    path = Path(path)
    wb = xlsform_workbook(checklist)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def xlsform_workbook(checklist: Checklist) -> openpyxl.Workbook:
    """*checklist* as an XLSForm workbook in memory (what :func:`export_xlsform` saves; the OpenRosa server
    adds the visit's context to it and converts it with pyxform)."""
    wb = openpyxl.Workbook()
    survey = wb.active
    survey.title = 'survey'
    survey.append(SURVEY_COLUMNS)
    choices = wb.create_sheet('choices')
    choices.append(['list_name', 'name', f'label::{VI}', f'label::{EN}'])
    settings = wb.create_sheet('settings')
    findings = wb.create_sheet(FINDINGS_SHEET)

    item_ids = set(checklist.item_ids)
    yes_no_list = YES_NO_LIST
    n = 2
    while yes_no_list in item_ids:
        yes_no_list, n = f'{YES_NO_LIST}_{n}', n + 1
    if any(i.type == ItemType.yes_no for i in checklist.iter_items()):
        choices.append([yes_no_list, 'yes', 'Có', 'Yes'])
        choices.append([yes_no_list, 'no', 'Không', 'No'])

    def row(**cells: Any) -> None:
        survey.append([cells.get(_key(c)) for c in SURVEY_COLUMNS])

    def write_item(item: ItemSpec) -> None:
        t = item.type
        label_vi, label_en = _label_cells(item.label)
        hint_vi, hint_en = _label_cells(item.hint)
        msg_vi, msg_en = _label_cells(item.constraint.message if item.constraint else None)
        common = dict(
            name=item.id,
            label_vi=label_vi,
            label_en=label_en,
            hint_vi=hint_vi,
            hint_en=hint_en,
            relevant=item.relevant,
        )
        if t == ItemType.repeat:
            row(
                type='begin repeat',
                inspect_flow_required='yes' if item.required else None,
                inspect_flow_roster=item.roster.value if item.roster else None,
                **common,
            )
            for child in item.items or ():
                write_item(child)
            row(type='end repeat', name=item.id)
            return
        if t == ItemType.yes_no:
            xls_type = f'select_one {yes_no_list}'
        elif t in (ItemType.select_one, ItemType.select_multiple):
            xls_type = f'{t.value} {item.id}'
            for choice in item.choices or ():
                choices.append([item.id, choice.name, choice.label.vi, choice.label.en])
        elif t == ItemType.percentage:
            xls_type = 'decimal'
        elif t == ItemType.evidence:
            xls_type = 'file' if checklist.media(item) == Media.file else 'image'
        else:
            xls_type = t.value
        unit_vi, unit_en = _label_cells(item.unit)
        row(
            type=xls_type,
            required='yes' if item.required else None,
            constraint=_odk_constraint(item),
            constraint_message_vi=msg_vi,
            constraint_message_en=msg_en,
            calculation=item.calculation,
            inspect_flow_type=t.value if t in (ItemType.yes_no, ItemType.percentage) else None,
            inspect_flow_unit_vi=unit_vi,
            inspect_flow_unit_en=unit_en,
            inspect_flow_weight=format_number(item.weight) if item.weight is not None else None,
            inspect_flow_scores=json.dumps(item.scores, sort_keys=True) if item.scores is not None else None,
            inspect_flow_constraint=_own_constraint(item),
            inspect_flow_media=(item.media.value if item.media else DEFAULT_MEDIA) if t == ItemType.evidence else None,
            **common,
        )

    taken = item_ids | {s.id for s in checklist.sections}
    for section in checklist.sections:
        label_vi, label_en = _label_cells(section.label)
        hint_vi, hint_en = _label_cells(section.hint)
        # ODK wants every name unique: ``${opinion}`` cannot be both a group and a question.
        group_name = section.id
        if group_name in item_ids:
            group_name, n = f'{section.id}_section', 2
            while group_name in taken:
                group_name, n = f'{section.id}_section_{n}', n + 1
            taken.add(group_name)
        row(
            type='begin group',
            name=group_name,
            label_vi=label_vi,
            label_en=label_en,
            hint_vi=hint_vi,
            hint_en=hint_en,
            relevant=section.relevant,
            inspect_flow_id=section.id if group_name != section.id else None,
        )
        for item in section.items:
            write_item(item)
        row(type='end group', name=group_name)

    spec = checklist.spec
    header = [
        'form_id',
        'version',
        'form_title',
        'default_language',
        'inspect_flow_title_en',
        'inspect_flow_kind',
        'inspect_flow_description_vi',
        'inspect_flow_description_en',
        'inspect_flow_applies_from',
        'inspect_flow_applies_until',
    ]
    settings.append(header)
    settings.append(
        [
            spec.id,
            spec.version,
            spec.title.vi,
            VI,
            spec.title.en,
            spec.kind.value,
            spec.description.vi if spec.description else None,
            spec.description.en if spec.description else None,
            spec.applies.from_.isoformat() if spec.applies and spec.applies.from_ else None,
            spec.applies.until.isoformat() if spec.applies and spec.applies.until else None,
        ]
    )
    findings.append(FINDINGS_COLUMNS)
    for rule in spec.findings:
        findings.append(
            [
                rule.id,
                rule.when,
                rule.kind.value,
                rule.category.vi,
                rule.category.en,
                rule.text.vi,
                rule.text.en,
                rule.severity.value if rule.severity else None,
                rule.item,
            ]
        )
    return wb


def _key(column: str) -> str:
    base, _, lang = column.partition('::')
    if not lang:
        return base
    return f'{base}_{"vi" if lang == VI else "en"}'


def checklist_yaml(data: dict[str, Any]) -> str:
    """Render checklist plain data as YAML text (UTF-8 characters kept, keys in the format's order)."""
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110, default_flow_style=False)
