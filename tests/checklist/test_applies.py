"""The period a checklist version applies to (``applies: {from, until}``) and the choice of a version by date.

The validation errors of a bad ``applies`` are in the broken-file corpus (broken/applies_*.yaml); the plans'
use of the period (pins by fieldwork start, refusals) is in tests/core/test_checklist_periods.py.
"""

from __future__ import annotations

import datetime as dt
import shutil

import openpyxl
import pytest

from inspect_flow.checklist import (
    Checklist,
    ChecklistNotFound,
    XLSFormError,
    find_checklist,
    load_checklist,
    parse_checklist_text,
)
from inspect_flow.checklist.xlsform import export_xlsform, import_xlsform

from .conftest import SHIPPED_DIR

D = dt.date
BODY = '''sections:
  - id: general
    label: Thông tin chung
    items:
      - id: remarks
        type: text
        label: Nhận xét của Đoàn
'''


def _text(version: str, applies: str | None) -> str:
    head = f'id: periods\nversion: "{version}"\ntitle: Kỳ áp dụng\n'
    return head + (f'applies: {applies}\n' if applies else '') + BODY


def test_the_shipped_versions_and_their_periods():
    old = load_checklist(SHIPPED_DIR / 'poverty-supervision.yaml')
    new = load_checklist(SHIPPED_DIR / 'poverty-supervision-2026.yaml')
    assert (old.version, old.applies, 'applies' in old.to_dict()) == ('2019.1', None, False)
    assert (new.id, new.version, new.to_dict()['applies']) == ('poverty-supervision', '2026.1', {'from': '2025-07-01'})
    assert new.period('vi') == 'từ ngày 01/07/2025' and new.period('en') == 'from 01/07/2025'


@pytest.mark.parametrize(('applies', 'day', 'expected'), [
    (None, D(1990, 1, 1), True),  # no applies: always
    ('{from: "2025-07-01"}', D(2025, 6, 30), False),
    ('{from: "2025-07-01"}', D(2025, 7, 1), True),  # from: inclusive
    ('{until: "2025-07-01"}', D(2025, 6, 30), True),
    ('{until: "2025-07-01"}', D(2025, 7, 1), False),  # until: exclusive
    ('{from: "2021-01-01", until: "2026-01-01"}', D(2020, 12, 31), False),
    ('{from: "2021-01-01", until: "2026-01-01"}', D(2023, 5, 5), True),
    ('{from: "2021-01-01", until: "2026-01-01"}', D(2026, 1, 1), False),
])
def test_a_version_applies_from_inclusive_until_exclusive(applies, day, expected):
    assert parse_checklist_text(_text('1', applies)).applies_on(day) is expected


def test_a_date_quoted_or_not_is_the_same_content():
    """YAML reads ``2025-07-01`` unquoted as text here (no timestamps): the same content, the same SHA-256."""
    quoted = parse_checklist_text(_text('1', '{from: "2025-07-01"}'))
    bare = parse_checklist_text(_text('1', '{from: 2025-07-01}'))
    assert bare.sha256 == quoted.sha256 and bare.to_dict()['applies'] == {'from': '2025-07-01'}
    assert Checklist.from_dict(bare.to_dict()).sha256 == bare.sha256


@pytest.fixture
def folder(tmp_path):  # noqa: ANN001, ANN201
    """Three versions of one checklist: 1 always, 2 before 01/07/2025, 3 from 01/07/2025."""
    (tmp_path / 'v1.yaml').write_text(_text('1', None), 'utf-8')
    (tmp_path / 'v2.yaml').write_text(_text('2', '{until: "2025-07-01"}'), 'utf-8')
    (tmp_path / 'v3.yaml').write_text(_text('3', '{from: "2025-07-01"}'), 'utf-8')
    return tmp_path


@pytest.mark.parametrize(('day', 'version'), [
    (None, '3'),  # no day: the newest version, whatever its period
    (D(2019, 7, 5), '2'),
    (D(2025, 6, 30), '2'),
    (D(2025, 7, 1), '3'),
    (D(2026, 7, 7), '3'),
])
def test_the_newest_version_that_applies_on_the_day_is_chosen(folder, day, version):
    assert find_checklist('periods', directory=folder, on=day).version == version


def test_a_version_asked_for_by_name_is_returned_whatever_its_period(folder):
    """The plan refuses it when pinning (with both dates); finding it is not the place to decide."""
    assert find_checklist('periods', '2', directory=folder, on=D(2026, 7, 7)).version == '2'


def test_no_version_applying_on_the_day_is_named_with_the_day(folder):
    (folder / 'v1.yaml').unlink()
    (folder / 'v3.yaml').write_text(_text('3', '{from: "2025-07-01", until: "2026-01-01"}'), 'utf-8')
    with pytest.raises(ChecklistNotFound) as err:
        find_checklist('periods', directory=folder, on=D(2026, 7, 7))
    assert err.value.code == 'checklist.none_applies' and err.value.field == 'checklist_id'
    assert err.value.message_vi == ('Không có phiên bản nào của checklist periods áp dụng ngày 07/07/2026 '
                                    '(2: trước ngày 01/07/2025; 3: từ ngày 01/07/2025 trước ngày 01/01/2026)')
    assert err.value.message_en == ('No version of checklist periods applies on 07/07/2026 '
                                    '(2: before 01/07/2025; 3: from 01/07/2025 and before 01/01/2026)')


# -- XLSForm -------------------------------------------------------------------------------------------------


def _settings(path) -> tuple[openpyxl.Workbook, dict[str, int]]:  # noqa: ANN001
    wb = openpyxl.load_workbook(path)
    header = [c.value for c in wb['settings'][1]]
    return wb, {name: i + 1 for i, name in enumerate(header)}


def test_the_period_travels_in_the_settings_sheet(tmp_path):
    checklist = parse_checklist_text(_text('4', '{from: "2021-01-01", until: "2026-01-01"}'))
    path = export_xlsform(checklist, tmp_path / 'form.xlsx')
    wb, col = _settings(path)
    sheet = wb['settings']
    assert (sheet.cell(2, col['inspect_flow_applies_from']).value,
            sheet.cell(2, col['inspect_flow_applies_until']).value) == ('2021-01-01', '2026-01-01')
    data, _ = import_xlsform(path)
    assert Checklist.from_dict(data).sha256 == checklist.sha256
    # Typed into a spreadsheet, the day is a date cell: it comes back as the same day.
    sheet.cell(2, col['inspect_flow_applies_from']).value = dt.datetime(2021, 1, 1)
    wb.save(path)
    data, _ = import_xlsform(path)
    assert data['applies'] == {'from': '2021-01-01', 'until': '2026-01-01'}
    assert Checklist.from_dict(data).sha256 == checklist.sha256


@pytest.mark.parametrize(('value', 'field', 'reason_en'), [
    ('1/1/2021', 'applies.from', 'expected a date written YYYY-MM-DD (e.g. "2025-07-01"), got \'1/1/2021\''),
    ('2021-02-29', 'applies.from', "'2021-02-29' is not a day of the calendar"),
])
def test_a_bad_period_in_the_settings_sheet_is_named(tmp_path, value, field, reason_en):
    path = export_xlsform(parse_checklist_text(_text('4', '{from: "2021-01-01"}')), tmp_path / 'form.xlsx')
    wb, col = _settings(path)
    wb['settings'].cell(2, col['inspect_flow_applies_from']).value = value
    wb.save(path)
    with pytest.raises(XLSFormError) as err:
        import_xlsform(path)
    assert err.value.field == field
    assert err.value.message_en == f'XLSForm form.xlsx, sheet settings, row 2, field {field}: {reason_en}'
    assert err.value.message_vi.startswith(f'XLSForm form.xlsx, trang settings, dòng 2, trường {field}: ')


def test_the_2026_version_validates_through_the_cli_folder(tmp_path):
    """``inspect-flow checklists validate`` over a folder holding both versions: both load, ids and versions
    distinct (two files with the same id and version would be refused)."""
    shutil.copy(SHIPPED_DIR / 'poverty-supervision.yaml', tmp_path)
    shutil.copy(SHIPPED_DIR / 'poverty-supervision-2026.yaml', tmp_path)
    assert [c.version for c in (find_checklist('poverty-supervision', v, directory=tmp_path)
                                for v in ('2019.1', '2026.1'))] == ['2019.1', '2026.1']
