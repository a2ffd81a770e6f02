"""The command line's edges: usage errors in one line of the user's language, files that are not UTF-8 named,
no "Broken pipe" when the reader goes away, and ``init`` counting Bến Tre's communes of 2019 right."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from inspect_flow.cli import EXIT_BROKEN_PIPE, cli
from tests.conftest import _pg_url

ROOT = Path(__file__).resolve().parents[2]
NO_DB = 'sqlite:////nonexistent/never-opened.sqlite3'  # usage errors are found before any database is opened

USAGE = [  # (arguments, Vietnamese line, English line)
    (['plans', 'show'], "Lỗi: thiếu đối số 'PLAN' (xem \"inspect-flow plans show --help\").",
     "Error: missing argument 'PLAN' (see \"inspect-flow plans show --help\")."),
    (['plans', 'show', '1245', '--foo'], "Lỗi: không có tùy chọn '--foo' (xem \"inspect-flow plans show --help\").",
     "Error: no such option '--foo' (see \"inspect-flow plans show --help\")."),
    (['plans', 'shoe', '1245'], "Lỗi: không có lệnh 'shoe'; có phải 'show'? (xem \"inspect-flow plans --help\").",
     "Error: no such command 'shoe'; did you mean 'show'? (see \"inspect-flow plans --help\")."),
    (['units', 'list', '--level', 'x'],
     "Lỗi: giá trị không hợp lệ cho '--level': 'x' không phải một trong các giá trị 'province', 'district', "
     "'commune' (xem \"inspect-flow units list --help\").",
     "Error: invalid value for '--level': 'x' is not one of 'province', 'district', 'commune' "
     "(see \"inspect-flow units list --help\")."),
    (['plans', 'create', '--start', '2019-13-45'],
     'Lỗi: giá trị không hợp lệ cho \'--start\': "2019-13-45" không phải ngày hợp lệ (YYYY-MM-DD hoặc DD/MM/YYYY) '
     '(xem "inspect-flow plans create --help").',
     'Error: invalid value for \'--start\': "2019-13-45" is not a valid date (YYYY-MM-DD or DD/MM/YYYY) '
     '(see "inspect-flow plans create --help").'),
    (['visits', 'start', 'abc'],
     "Lỗi: giá trị không hợp lệ cho 'VISIT_ID': 'abc' không phải số nguyên (xem \"inspect-flow visits start --help\").",
     "Error: invalid value for 'VISIT_ID': 'abc' is not a valid integer (see \"inspect-flow visits start --help\")."),
    (['plans', 'show', '1245', 'extra'], 'Lỗi: thừa đối số: extra (xem "inspect-flow plans show --help").',
     'Error: Got unexpected extra argument (extra) (see "inspect-flow plans show --help").'),
    (['schedule', 'add', '1245', '--team'], "Lỗi: tùy chọn '--team' cần một giá trị.",
     "Error: Option '--team' requires an argument."),
    (['visits', 'submit', '1', '/nonexistent/record.yaml'],
     "Lỗi: giá trị không hợp lệ cho '[FILE]': không có '/nonexistent/record.yaml' "
     "(xem \"inspect-flow visits submit --help\").",
     "Error: invalid value for '[FILE]': File '/nonexistent/record.yaml' does not exist "
     "(see \"inspect-flow visits submit --help\")."),
]


def _invoke(args: list[str], env: dict | None = None):  # noqa: ANN202
    return CliRunner().invoke(cli, args, env=env, prog_name='inspect-flow')


@pytest.mark.parametrize(('args', 'vi', 'en'), USAGE, ids=[' '.join(a) for a, _, _ in USAGE])
def test_a_usage_error_is_one_line_in_the_users_language(args, vi, en):  # noqa: ANN001
    result = _invoke(['--db', NO_DB, *args])
    assert result.exit_code == 2
    assert result.stdout == '' and result.stderr.splitlines() == [vi]
    english = _invoke(['--db', NO_DB, '--lang', 'en', *args])
    assert english.exit_code == 2 and english.stderr.splitlines() == [en]
    assert _invoke(['--db', NO_DB, *args], env={'INSPECT_FLOW_LANG': 'en'}).stderr.splitlines() == [en]


def test_help_and_version_still_work():
    assert _invoke(['--help']).exit_code == 0 and 'Usage: inspect-flow' in _invoke(['--help']).stdout
    assert _invoke(['--version']).stdout.startswith('inspect-flow, version ')
    bare = _invoke(['plans'])  # a group without a command shows its help
    assert 'Usage: inspect-flow plans' in bare.output and 'Lỗi' not in bare.output


NOT_UTF8 = 'id: x\ntitle: "Ki\xeam tra"\n'.encode('cp1258')


@pytest.mark.parametrize(('args', 'vi', 'en'), [
    (['visits', 'submit', '7'], 'Lỗi: Tệp ban-ghi.yaml, dòng 2: tệp không được mã hóa UTF-8; hãy lưu lại dưới dạng '
     'UTF-8.', 'Error: File ban-ghi.yaml, line 2: the file is not UTF-8 encoded; save it as UTF-8.'),
    (['checklists', 'import'], 'Lỗi: tệp {path} không được mã hóa UTF-8 (byte 0xea ở vị trí 16); hãy lưu lại dưới '
     'dạng UTF-8 rồi chạy lại.', 'Error: {path} is not UTF-8 encoded (byte 0xea at position 16); save it as UTF-8 '
     'and try again.'),
])
def test_a_file_that_is_not_utf8_is_named(tmp_path, args, vi, en):  # noqa: ANN001
    path = tmp_path / 'ban-ghi.yaml'
    path.write_bytes(NOT_UTF8)
    for lang, line in (('vi', vi), ('en', en)):
        result = _invoke(['--db', NO_DB, '--lang', lang, *args, str(path)])
        assert result.exit_code == 1 and 'Traceback' not in result.output
        assert result.stderr.splitlines() == [line.format(path=path)]


def _script(*args: str, **popen):  # noqa: ANN003, ANN202
    env = {k: v for k, v in os.environ.items() if not k.startswith('INSPECT_FLOW_')}
    env['PYTHONPATH'] = str(ROOT)
    return subprocess.Popen([sys.executable, '-c', 'from inspect_flow.cli import main; main()', *args],
                            env=env, stderr=subprocess.PIPE, **popen)


@pytest.mark.parametrize('args', [('--help',), ('checklists', 'show', 'poverty-supervision', '--json')])
def test_a_reader_that_goes_away_gets_no_broken_pipe_errors(args):  # noqa: ANN001
    proc = _script(*args, stdout=subprocess.PIPE)
    proc.stdout.close()  # like `| head -0`: the reader is gone before the first line
    _, stderr = proc.communicate(timeout=60)
    assert stderr.decode() == '' and proc.returncode == EXIT_BROKEN_PIPE


def test_head_reads_the_first_lines_quietly():
    out = subprocess.run(f'{sys.executable} -c "from inspect_flow.cli import main; main()" checklists show '
                         'poverty-supervision --json | head -n 2', shell=True, capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=60)
    assert out.stdout.splitlines()[0] == '{' and len(out.stdout.splitlines()) == 2
    assert out.stderr == ''


def test_init_counts_the_164_communes_of_2019_and_the_3_of_2020(databases, db_kind, tmp_path):  # noqa: ANN001
    if db_kind == 'sqlite':
        url = f'sqlite:///{tmp_path / "empty.sqlite3"}'
    else:
        databases._require_pg()
        name = f'if_empty_{uuid.uuid4().hex[:10]}'
        databases._create_pg(name)
        url = _pg_url(name)
    result = _invoke(['--db', url, 'init'])
    assert result.exit_code == 0, result.output
    assert ('Đã nạp 9 đơn vị cấp huyện và 164 đơn vị cấp xã của tỉnh Bến Tre (2019), cùng 3 đơn vị cấp xã thành lập '
            'khi sắp xếp ngày 01/02/2020.') in result.stdout.splitlines()
    again = _invoke(['--db', url, '--lang', 'en', 'init'])
    assert 'Bến Tre (2019)' not in again.stdout and 'The database is up to date' in again.stdout
