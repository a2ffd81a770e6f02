"""``inspect-flow documents batch`` in process (no broker), on SQLite and PostgreSQL: the PDFs written with their
numbers and communes in their names, a second run resumes (nothing new), one-line errors."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from inspect_flow.cli import cli
from inspect_flow.core.db import make_engine
from tests.documents.batch_round import ISSUED_BY_BATCH, SET_SIZE, SIGNER, build_round


@pytest.fixture(autouse=True)
def _in_process(monkeypatch):  # noqa: ANN001
    monkeypatch.delenv('INSPECT_FLOW_BROKER_URL', raising=False)


def _batch(db_url: str, *args: str):  # noqa: ANN202
    return CliRunner().invoke(cli, ['--db', db_url, 'documents', 'batch', *args])


def _numbers(db_url: str) -> list[tuple]:
    engine = make_engine(db_url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        rows = conn.execute(sa.text('select type_code, number from documents order by id')).all()
    engine.dispose()
    return rows


def test_batch_writes_the_set_and_a_rerun_resumes(db_url, tmp_path):  # noqa: ANN001
    plan_id = build_round(db_url)
    out = tmp_path / 'bộ văn bản'
    result = _batch(db_url, f'#{plan_id}', '--out', str(out), '--signer', SIGNER.name)
    assert result.exit_code == 0, result.output
    assert f'Đã ghi {SET_SIZE} tệp PDF' in result.output
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == SET_SIZE and all(n.isascii() for n in names)
    assert '0001-BB-2026-minutes-xa-nhuan-phu-tan.pdf' in names
    assert '0002-TB-2026-conclusion-phuong-phu-khuong.pdf' in names
    numbers = _numbers(db_url)
    assert len(numbers) == len(set(numbers)) == ISSUED_BY_BATCH + 1

    again = _batch(db_url, f'#{plan_id}', '--out', str(tmp_path / 'again'))
    assert again.exit_code == 0, again.output
    assert _numbers(db_url) == numbers  # the finished batch's documents, taken as they are: no new number
    assert sorted(p.name for p in (tmp_path / 'again').iterdir()) == names


def test_a_failing_batch_says_why_and_resumes(db_url, tmp_path):  # noqa: ANN001
    plan_id = build_round(db_url)
    # no signer: the committee's documents (the notices, the round report) cannot be issued
    result = _batch(db_url, f'#{plan_id}', '--out', str(tmp_path))
    assert result.exit_code == 1
    assert 'Cần ghi họ tên người ký' in result.output
    assert result.output.strip().splitlines()[-1].startswith('Lỗi: 3 văn bản chưa làm được')
    assert 'Traceback' not in result.output
    assert len(list(tmp_path.glob('*.pdf'))) == SET_SIZE - 3  # what was done is written
    # with the signer now: the run resumes the same batch, does the three, numbers nothing twice
    result = _batch(db_url, f'#{plan_id}', '--out', str(tmp_path), '--signer', SIGNER.name)
    assert result.exit_code == 0, result.output
    assert 'Tiếp tục lô văn bản #1' in result.output and 'còn 3' in result.output
    assert len(list(tmp_path.glob('*.pdf'))) == SET_SIZE
    numbers = _numbers(db_url)
    assert len(numbers) == len(set(numbers)) == ISSUED_BY_BATCH + 1


@pytest.mark.parametrize('case', ['unknown_plan', 'unwritable'])
def test_batch_errors_are_one_line(db_url, tmp_path, case):  # noqa: ANN001
    plan_id = build_round(db_url)
    if case == 'unknown_plan':
        args, expected = ['#9999', '--out', str(tmp_path)], 'Lỗi: Không tìm thấy kế hoạch "#9999"'
    else:
        plain = tmp_path / 'a-file.txt'  # a folder cannot be made under a file (root may write anywhere else)
        plain.write_text('x')
        args = [f'#{plan_id}', '--out', str(plain / 'out')]
        expected = f'Lỗi: Không ghi được vào thư mục {plain / "out"}'
    result = _batch(db_url, *args)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(expected), result.output
