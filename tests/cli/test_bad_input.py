"""Bad input: a clear one-line error, a non-zero exit, no traceback, and the database unchanged."""

from __future__ import annotations

import pytest

CASES = {
    'unknown plan': (['plans', 'advance', '9999/KH-BCĐCCTMTQG', 'schedule'],
                     'Lỗi: Không tìm thấy kế hoạch "9999/KH-BCĐCCTMTQG".'),
    'malformed plan reference': (['plans', 'show', 'abc'],
                                 'Lỗi: "abc" không phải số hiệu kế hoạch (ví dụ: 1245/KH-BCĐCCTMTQG, hoặc #12).'),
    'trigger that does not exist': (
        ['plans', 'advance', '1245', 'approve'],
        'Lỗi: Không có bước "approve" trong quy trình này. Các bước có: schedule, start_visiting, start_findings, '
        'start_conclusions, close, cancel.'),
    'duplicate team number': (['teams', 'add', '1245', '3'], 'Lỗi: Kế hoạch 1245/KH-BCĐCCTMTQG đã có Đoàn 3.'),
    'unknown commune code': (['plans', 'targets', '1245', '838', '99999'],
                             'Lỗi: Không có đơn vị hành chính mã "99999".'),
    'wrong stage': (['plans', 'advance', '1245', 'close'],
                    'Lỗi: Không thể "Kết thúc đợt kiểm tra" khi đang ở trạng thái "Lập kế hoạch".'),
    'unknown person': (['teams', 'member', '1245', '3', 'Không Có Ai'], 'Lỗi: Không tìm thấy người "Không Có Ai".'),
    'second leader': (['teams', 'member', '1245', '3', 'Lê Hoàng Việt', '--role', 'leader'],
                      'Lỗi: Đoàn 3 đã có Trưởng đoàn (Lê Minh Tâm).'),
    'guard not met': (['plans', 'advance', '1245', 'cancel'], 'Lỗi: Phải nêu lý do.'),
}


@pytest.fixture
def planning(run):  # noqa: ANN001, ANN201
    run('demo', '--through', 'planning')
    return run


@pytest.mark.parametrize('case', CASES, ids=list(CASES))
def test_it_refuses_with_a_clear_message_and_changes_nothing(planning, case):  # noqa: ANN001
    args, message = CASES[case]
    before = planning.snapshot()
    result = planning(*args, ok=False)
    assert result.exit_code != 0
    assert 'Traceback' not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith('Lỗi: ')
    if message:
        assert lines[0] == message
    assert planning.snapshot() == before


def test_a_malformed_date_is_refused_by_the_parser(planning):  # noqa: ANN001
    before = planning.snapshot()
    result = planning('plans', 'create', '--issuer', 'bcd-ctmtqg-ben-tre', '--subject', 'X', '--start', '2019-13-45',
                      '--end', '2019-07-24', ok=False)
    assert result.exit_code == 2
    assert '"2019-13-45" không phải ngày hợp lệ' in result.stderr
    assert planning.snapshot() == before


def test_a_malformed_time_is_refused(planning):  # noqa: ANN001
    planning('plans', 'advance', '1245', 'schedule')
    before = planning.snapshot()
    result = planning('schedule', 'add', '1245', '--team', '1', '--commune', '28936', '--date', '2019-07-12',
                      '--start', '25:99', ok=False)
    assert result.exit_code == 2 and 'không phải giờ hợp lệ' in result.stderr
    assert planning.snapshot() == before


def test_a_bad_submission_file_stores_nothing(run, tmp_path):  # noqa: ANN001
    run('demo', '--through', 'visiting')
    before = run.snapshot()
    bad = tmp_path / 'bad.yaml'
    bad.write_text('households:\n  - code: A1\n    category: rich\n', encoding='utf-8')
    result = run('visits', 'submit', '1', str(bad), ok=False)
    assert result.exit_code == 1
    assert result.stderr.startswith('Lỗi: Tệp kết quả không hợp lệ: households.0.category:')
    broken = tmp_path / 'broken.yaml'
    broken.write_text('households: [unclosed\n', encoding='utf-8')
    result = run('visits', 'submit', '1', str(broken), ok=False)
    assert result.exit_code == 1 and result.stderr.startswith('Lỗi: Không đọc được tệp broken.yaml')
    assert run.snapshot() == before


def test_an_uninitialised_database_is_named(run):  # noqa: ANN001
    import sqlalchemy as sa

    from inspect_flow.core import migrate
    from inspect_flow.core.db import make_engine

    engine = make_engine(run.url, poolclass=sa.pool.NullPool)
    migrate.downgrade(engine)
    engine.dispose()
    result = run('plans', 'list', ok=False)
    assert result.stderr.strip() == 'Lỗi: Cơ sở dữ liệu chưa được khởi tạo; hãy chạy "inspect-flow init".'


def test_errors_in_english(planning):  # noqa: ANN001
    result = planning('plans', 'show', '9999', ok=False, lang='en')
    assert result.stderr.strip() == 'Error: No plan "9999".'
