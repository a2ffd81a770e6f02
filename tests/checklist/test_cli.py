"""``inspect-flow checklists validate|list|show|import|export`` (import and export: see test_xlsform.py too)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
import yaml

from inspect_flow.checklist import load_checklist
from inspect_flow.checklist.registry import checklist_files, version_key

from .conftest import SHIPPED_DIR
from .test_broken_files import BROKEN, TABLE
from .xlsforms import VI, q, write_xlsform

SHIPPED = {p.name: load_checklist(p) for p in checklist_files(SHIPPED_DIR)}


@pytest.fixture
def folder(tmp_path):
    """A checklist folder of our own, with copies of the shipped files; the CLI reads it."""
    path = tmp_path / 'checklists'
    path.mkdir()
    for name in SHIPPED:
        shutil.copy(SHIPPED_DIR / name, path / name)
    return path


def env(folder: Path) -> dict:
    return {'INSPECT_FLOW_CHECKLISTS': str(folder)}


# -- validate ---------------------------------------------------------------------------------------------------


def test_validate_checks_the_checklist_folder(run, folder):
    result = run('validate', env=env(folder))
    assert result.stdout.splitlines() == [
        f'OK {name}: {c.id} {c.version} ({c.item_count} mục, {len(c.findings)} quy tắc)' for name, c in SHIPPED.items()
    ]
    assert result.stderr == ''


def test_validate_the_shipped_folder_by_default(run):
    result = run('validate', lang='en')
    assert result.stdout.splitlines() == [
        f'OK {name}: {c.id} {c.version} ({c.item_count} items, {len(c.findings)} rules)'
        for name, c in SHIPPED.items()
    ]


@pytest.mark.parametrize('name', ['unknown_type.yaml', 'later_reference.yaml', 'circular_calculation.yaml',
                                  'bad_yaml.yaml', 'duplicate_item_id.yaml', 'expression_syntax.yaml'])
@pytest.mark.parametrize('lang', ['vi', 'en'])
def test_validate_a_broken_file_prints_file_line_and_field_and_fails(run, name, lang):
    result = run('validate', BROKEN / name, lang=lang, code=1)
    label = 'Lỗi' if lang == 'vi' else 'Error'
    assert result.stderr == f'{label}: {TABLE[name][lang]}\n'
    assert result.stdout == ''


def test_validate_reports_every_bad_file_of_a_folder_and_the_good_ones(run, folder):
    for name in ('unknown_type.yaml', 'missing_version.yaml'):
        shutil.copy(BROKEN / name, folder / name)
    (folder / 'README.md').write_text('# not a checklist\n', encoding='utf-8')
    result = run('validate', folder, lang='en', code=1)
    assert result.stderr.splitlines() == [f'Error: {TABLE["missing_version.yaml"]["en"]}',
                                          f'Error: {TABLE["unknown_type.yaml"]["en"]}']
    assert [line.split(':')[0] for line in result.stdout.splitlines()] == [f'OK {n}' for n in SHIPPED]


def test_validate_several_paths(run, folder):
    result = run('validate', folder / 'poverty-supervision.yaml', BROKEN / 'empty.yaml', lang='en', code=1)
    assert result.stdout.startswith('OK poverty-supervision.yaml: poverty-supervision 2019.1 (')
    assert result.stderr == f'Error: {TABLE["empty.yaml"]["en"]}\n'


def test_validate_refuses_the_same_version_in_two_files(run, folder):
    shutil.copy(folder / 'household-consultation.yaml', folder / 'zz-copy.yaml')
    result = run('validate', folder, code=1)
    assert result.stderr == ('Lỗi: Tệp zz-copy.yaml: checklist household-consultation phiên bản 2019.1 đã có trong '
                             'household-consultation.yaml\n')


def test_validate_a_missing_file_or_an_empty_folder(run, tmp_path):
    missing = run('validate', tmp_path / 'khong-co.yaml', lang='en', code=1)
    assert missing.stderr.startswith('Error: File khong-co.yaml: cannot read the file (')
    empty = run('validate', tmp_path, lang='en', code=1)
    assert empty.stderr == 'Error: No checklist file to validate\n'


# -- list -------------------------------------------------------------------------------------------------------


def test_list_shows_id_version_items_and_title(run, folder):
    lines = run('list', env=env(folder)).stdout.splitlines()
    assert lines[0].split() == ['Mã', 'Phiên', 'bản', 'Số', 'mục', 'Tiêu', 'đề']
    rows = sorted(SHIPPED.values(), key=lambda c: (c.id, version_key(c.version)))
    assert [line.split(None, 3) for line in lines[1:]] == [[c.id, c.version, str(c.item_count), c.title.vi]
                                                           for c in rows]


def test_list_in_english(run, folder):
    lines = run('list', lang='en', env=env(folder)).stdout.splitlines()
    assert lines[0].split() == ['ID', 'Version', 'Items', 'Title']
    assert lines[1].endswith('Consultation form for poor, near-poor and escaped households')


def test_list_names_a_bad_file_and_fails(run, folder):
    shutil.copy(BROKEN / 'unknown_type.yaml', folder / 'unknown_type.yaml')
    result = run('list', env=env(folder), code=1)
    assert result.stderr == f'Lỗi: {TABLE["unknown_type.yaml"]["vi"]}\n'
    assert len(result.stdout.splitlines()) == 1 + len(SHIPPED)  # the good ones are still listed


# -- show -------------------------------------------------------------------------------------------------------


def test_show_prints_the_structure_with_correct_vietnamese(run):
    checklist = SHIPPED['poverty-supervision.yaml']
    out = run('show', 'poverty-supervision', '--version', '2019.1').stdout
    assert unicodedata.is_normalized('NFC', out)
    lines = out.splitlines()
    assert lines[0] == ('poverty-supervision 2019.1: Kiểm tra, giám sát công tác giảm nghèo và thực hiện Đề án phát '
                        'triển đa dạng sinh kế, thoát nghèo bền vững')
    assert lines[1] == f'sha256: {checklist.sha256}'
    counts = (len(checklist.sections), checklist.item_count, len(checklist.findings))
    assert lines[2] == '{} phần, {} mục, {} quy tắc phát hiện'.format(*counts)
    assert '[households] Tham vấn hộ  (có điều kiện)' in lines
    row = next(line for line in lines if line.strip().startswith('loans_used_for_purpose '))
    assert row.split()[1:] == ['yes_no', '*', 'có', 'điều', 'kiện', 'w=3', 'Qua', 'kiểm', 'tra', 'hồ', 'sơ,', 'vốn',
                               'vay', 'được', 'sử', 'dụng', 'đúng', 'mục', 'đích']
    loan = next(line for line in lines if line.strip().startswith('loan_amount '))
    assert '[triệu đồng]' in loan and 'Dư nợ cho vay' in loan
    # Items of the roster are indented under it.
    roster = lines.index(next(line for line in lines if line.strip().startswith('household_roster ')))
    assert lines[roster + 1].startswith('    household_code ')
    rule = next(line for line in lines if line.strip().startswith('loans_misused '))
    assert rule.split(None, 3)[1:] == ['limitation', 'high', 'Sử dụng vốn vay']
    for item in checklist.iter_items():
        assert any(line.strip().startswith(item.id + ' ') or line.strip() == item.id for line in lines), item.id


@pytest.mark.parametrize(('lang', 'line'), [('vi', 'Áp dụng từ ngày 01/07/2025'), ('en', 'Applies from 01/07/2025')])
def test_show_names_the_period_a_version_applies_to(run, lang, line):
    """Without --version, the newest version (2026.1: from 01/07/2025); 2019.1 applies always and says nothing."""
    lines = run('show', 'poverty-supervision', lang=lang).stdout.splitlines()
    assert lines[0].startswith('poverty-supervision 2026.1: ') and lines[2] == line
    old = run('show', 'poverty-supervision', '--version', '2019.1', lang=lang).stdout.splitlines()
    assert old[0].startswith('poverty-supervision 2019.1: ') and not old[2].startswith(line.split()[0])


def test_show_in_english(run):
    out = run('show', 'household-consultation', '--version', '2019.1', lang='en').stdout
    assert out.splitlines()[0] == ('household-consultation 2019.1: Consultation form for poor, near-poor and '
                                   'escaped households')
    assert '[loans] Preferential loans' in out.splitlines()
    assert '5 sections, 16 items, 5 finding rules' in out


def test_show_json_is_the_pinned_content(run):
    out = run('show', 'household-consultation', '--version', '2019.1', '--json').stdout
    assert json.loads(out) == SHIPPED['household-consultation.yaml'].to_dict()
    assert 'Phiếu tham vấn hộ nghèo' in out  # not \\u escapes


def test_show_a_version(run, folder):
    (folder / 'household-consultation-2026.yaml').unlink()  # so that 2019.10 is the newest version
    newer = (folder / 'household-consultation.yaml').read_text(encoding='utf-8')
    newer = newer.replace('version: "2019.1"', 'version: "2019.10"').replace(
        'Phiếu tham vấn hộ nghèo, hộ cận nghèo, hộ thoát nghèo', 'Phiếu tham vấn hộ (bản 2019.10)')
    (folder / 'household-consultation-2019.10.yaml').write_text(newer, encoding='utf-8')
    latest = run('show', 'household-consultation', env=env(folder)).stdout.splitlines()[0]
    assert latest == 'household-consultation 2019.10: Phiếu tham vấn hộ (bản 2019.10)'
    older = run('show', 'household-consultation', '--version', '2019.1', env=env(folder)).stdout.splitlines()[0]
    assert older == 'household-consultation 2019.1: Phiếu tham vấn hộ nghèo, hộ cận nghèo, hộ thoát nghèo'


def test_show_an_unknown_checklist_or_version(run):
    assert run('show', 'khong-co', code=1).stderr == 'Lỗi: Không tìm thấy checklist khong-co\n'
    result = run('show', 'household-consultation', '--version', '1999', lang='en', code=1)
    assert result.stderr == 'Error: Checklist household-consultation version 1999 not found\n'


def test_show_prints_utf8_even_under_the_c_locale(tmp_path):
    """The console script, as a user runs it: diacritics come out as UTF-8, whatever the locale says."""
    script = Path(sys.executable).with_name('inspect-flow')
    command = [str(script)] if script.exists() else [sys.executable, '-m', 'inspect_flow.cli']
    environ = {k: v for k, v in os.environ.items() if not k.startswith(('LC_', 'LANG', 'PYTHONIOENCODING'))}
    environ.update({'LC_ALL': 'C', 'INSPECT_FLOW_LANG': 'vi'})
    done = subprocess.run([*command, 'checklists', 'show', 'household-consultation', '--version', '2019.1'],
                          capture_output=True,
                          env=environ, timeout=60, check=False)
    assert done.returncode == 0, done.stderr.decode('utf-8', 'replace')
    text = done.stdout.decode('utf-8')
    assert text.splitlines()[0] == ('household-consultation 2019.1: Phiếu tham vấn hộ nghèo, hộ cận nghèo, '
                                    'hộ thoát nghèo')
    assert '[household] Thông tin hộ' in text


# -- import to stdout -------------------------------------------------------------------------------------------


def test_import_writes_yaml_to_stdout_and_warnings_to_stderr(run, tmp_path):
    form = write_xlsform(tmp_path / 'phieu.xlsx',
                         [q('begin group', 'g', 'Thông tin hộ', 'Household'),
                          q('text', 'household_code', 'Mã hộ', 'Code', required='yes'),
                          q('geopoint', 'location', 'Vị trí', 'Location'),
                          q('end group')],
                         settings={'form_id': 'phieu', 'version': '1', 'form_title': 'Phiếu thử',
                                   'default_language': VI})
    result = run('import', form)
    data = yaml.safe_load(result.stdout)
    assert data['title'] == {'vi': 'Phiếu thử'}
    assert [i['id'] for i in data['sections'][0]['items']] == ['household_code']
    assert 'Mã hộ' in result.stdout  # readable, not escaped
    assert result.stderr == ("Cảnh báo: trang survey, dòng 4: loại câu hỏi 'geopoint' không được hỗ trợ; bỏ qua câu "
                             "hỏi 'location'\n")


def test_show_refuses_while_a_file_of_the_folder_is_broken(run, folder):
    """A broken file could be the newest version of the checklist asked for: nothing is shown until it is fixed."""
    shutil.copy(BROKEN / 'missing_type.yaml', folder / 'household-consultation-2019.2.yaml')
    result = run('show', 'household-consultation', lang='en', env=env(folder), code=1)
    assert result.stderr == 'Error: ' + TABLE['missing_type.yaml']['en'].replace(
        'missing_type.yaml', 'household-consultation-2019.2.yaml') + '\n'
