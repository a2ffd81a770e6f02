"""``inspect-flow documents`` on a database of its own holding the demo round (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import json

import docx
import pdfplumber
import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlalchemy.orm import Session

from inspect_flow.cli import cli
from inspect_flow.core.db import make_engine


@pytest.fixture
def run(db_url):  # noqa: ANN001, ANN201
    """Run ``inspect-flow`` against a fresh database that holds the committed demo round."""
    from inspect_flow.demo.round2019 import run_demo

    engine = make_engine(db_url, poolclass=sa.pool.NullPool)
    with Session(engine) as session:
        run_demo(session, 'closed')
        session.commit()
    engine.dispose()
    runner = CliRunner()

    def invoke(*args: str, ok: bool = True, lang: str = 'vi'):  # noqa: ANN202
        result = runner.invoke(cli, ['--db', db_url, '--as', 'van-thu', '--lang', lang, *args], catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, f'{args}: exit {result.exit_code}\n{result.output}\n{result.stderr}'
        return result

    invoke.url = db_url
    return invoke


def _first_page(path) -> str:  # noqa: ANN001
    with pdfplumber.open(path) as pdf:
        return ' '.join(pdf.pages[0].extract_text().split())


def test_it_renders_drafts_issues_lists_and_exports(run, tmp_path):  # noqa: ANN001
    drafts = tmp_path / 'drafts'
    out = run('documents', 'render', '1245', '--kind', 'conclusion', '--district', '838', '--out', str(drafts)).stdout
    path = drafts / 'conclusion-838-draft.pdf'
    assert str(path) in out and 'Thông báo kết luận - Huyện Mỏ Cày Bắc' in out
    first = _first_page(path)
    assert 'Số: /TB-BCĐCCTMTQG' in first and 'xã Nhuận Phú Tân' in first

    issued_dir = tmp_path / 'issued'
    out = run('documents', 'issue', '1245', '--kind', 'conclusion', '--district', '838', '--date', '15/07/2019',
              '--signer', 'Nguyễn Văn Minh', '--drafting-unit', 'BTXH', '--out', str(issued_dir)).stdout
    assert out.startswith('Đã ban hành Thông báo kết luận - Huyện Mỏ Cày Bắc: số 01/TB-BCĐCCTMTQG ngày 15/7/2019')
    pdf_path = issued_dir / 'TB-01-2019-conclusion-838.pdf'
    assert pdf_path.is_file() and 'Số: 01/TB-BCĐCCTMTQG' in _first_page(pdf_path)

    data = json.loads(run('documents', 'issue', '1245', '--kind', 'conclusion', '--district', '833',
                          '--date', '16/07/2019', '--signer', 'Nguyễn Văn Minh', '--json').stdout)
    assert data['reference'] == '02/TB-BCĐCCTMTQG' and data['state'] == 'issued'

    listed = json.loads(run('documents', 'list', '1245', '--json').stdout)
    assert [d['reference'] for d in listed] == ['01/TB-BCĐCCTMTQG', '02/TB-BCĐCCTMTQG']
    assert listed[0]['sha256'] == hashlib.sha256(pdf_path.read_bytes()).hexdigest()
    text = run('documents', 'list', '1245').stdout
    assert '#1' in text and '01/TB-BCĐCCTMTQG' in text and '2019-07-15' in text

    refused = run('documents', 'issue', '1245', '--kind', 'conclusion', '--district', '838', '--date', '20/07/2019',
                  '--signer', 'Nguyễn Văn Minh', ok=False)
    assert refused.exit_code == 1 and refused.stderr.startswith('Lỗi: Thông báo kết luận này đã được ban hành')
    corrected = run('documents', 'issue', '1245', '--kind', 'conclusion', '--district', '838', '--date',
                    '20/07/2019', '--signer', 'Nguyễn Văn Minh', '--supersedes', str(listed[0]['id']), '--json').stdout
    assert json.loads(corrected)['supersedes_id'] == listed[0]['id']
    assert f'đã bị thay thế bởi #{json.loads(corrected)["id"]}' in run('documents', 'list', '1245').stdout

    exported = tmp_path / 'export'
    out = run('documents', 'export', str(listed[0]['id']), '--out', str(exported)).stdout.strip()
    assert (exported / 'TB-01-2019-conclusion-838.pdf').read_bytes() == pdf_path.read_bytes() and out.endswith('.pdf')

    out = run('documents', 'render', '1245', '--kind', 'conclusion', '--district', '838', '--out', str(drafts)).stdout
    assert 'đã ban hành số 03/TB-BCĐCCTMTQG' in out  # the draft says which issued document is in force

    out = run('documents', 'export-docx', '1245', '--kind', 'minutes', '--visit', '5', '--out', str(tmp_path)).stdout
    document = docx.Document(out.strip())
    assert any('BIÊN BẢN LÀM VIỆC' in p.text for p in document.paragraphs)


def test_it_renders_the_whole_set_and_reports_bad_input_in_one_line(run, tmp_path):  # noqa: ANN001
    rows = json.loads(run('documents', 'render', '1245', '--kind', 'all', '--out', str(tmp_path), '--json').stdout)
    assert len(rows) == 31 and sum(r['kind'] == 'minutes' for r in rows) == 9
    assert all(r['pages'] >= 1 for r in rows)
    assert len(list(tmp_path.glob('*.pdf'))) == 31

    bad = run('documents', 'render', '1245', '--kind', 'conclusion', '--district', '999', '--out', str(tmp_path),
              ok=False)
    assert bad.exit_code == 1 and bad.stderr.startswith('Lỗi: Kế hoạch 1245/KH-BCĐCCTMTQG không có buổi làm việc')
    bad = run('documents', 'issue', '1245', '--kind', 'minutes', '--visit', '999', ok=False, lang='en')
    assert bad.exit_code == 1 and bad.stderr.strip() == 'Error: No visit 999.'
    bad = run('documents', 'issue', '1245', '--kind', 'conclusion', '--district', '838', '--date', '15/07/2019',
              ok=False, lang='en')
    assert bad.exit_code == 1 and 'signer' in bad.stderr and 'Traceback' not in bad.output
    bad = run('documents', 'issue', '1245', '--kind', 'conclusion', '--district', '838', '--date', '15/07/2019',
              '--signer', 'Nguyễn Văn Minh', '--authority', 'TM.', '--signer-for', 'Trưởng ban', '--signer-title',
              'Trưởng ban', ok=False)
    assert bad.exit_code == 1 and bad.stderr.startswith('Lỗi: "TM. TRƯỞNG BAN" sai thẩm quyền: TM. (thay mặt)')
    bad = run('documents', 'issue', '1245', '--kind', 'conclusion', '--district', '838', '--date', '02/03/2020',
              '--signer', 'Nguyễn Văn Minh', ok=False, lang='en')
    assert bad.exit_code == 1 and 'is after deadlines the document sets (recommendation 1' in bad.stderr
    bad = run('documents', 'issue', '1245', '--kind', 'memo', ok=False)
    assert bad.exit_code == 2
    bad = run('documents', 'export', '42', '--out', str(tmp_path), ok=False)
    assert bad.exit_code == 1 and 'Không tìm thấy văn bản số 42' in bad.stderr
    assert json.loads(run('documents', 'list', '1245', '--json').stdout) == []


def test_export_refuses_a_pdf_that_no_longer_matches_its_sha256(run, tmp_path):  # noqa: ANN001
    run('documents', 'issue', '1245', '--kind', 'minutes', '--visit', '5', '--date', '12/07/2019')
    engine = make_engine(run.url, poolclass=sa.pool.NullPool)
    with engine.begin() as conn:  # tampering outside the application, straight in the table
        conn.execute(sa.text("update documents set sha256 = :h"), {'h': '0' * 64})
    engine.dispose()
    bad = run('documents', 'export', '1', '--out', str(tmp_path), ok=False)
    assert bad.exit_code == 4 and 'SHA-256' in bad.stderr
    assert not list(tmp_path.glob('*.pdf'))


def test_export_docx_survives_control_characters_stored_before_the_limits(run, tmp_path):  # noqa: ANN001
    """Text written before the limits existed (or by SQL) may hold C0 controls: the DOCX leaves them out, no
    traceback."""
    engine = make_engine(run.url, poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text("update conclusions set summary = :s where unit_id = "
                             "(select id from admin_units where code = '838' and level = 'district')"),
                     {'s': 'Kết luận\x01 có\x0b ký tự\x1b điều khiển.'})
    engine.dispose()
    result = run('documents', 'export-docx', '1245', '--kind', 'conclusion', '--district', '838',
                 '--out', str(tmp_path))
    assert 'Traceback' not in result.output
    import docx

    path = next(tmp_path.glob('*.docx'))
    text = '\n'.join(p.text for p in docx.Document(str(path)).paragraphs)
    assert 'Kết luận có ký tự điều khiển.' in text
