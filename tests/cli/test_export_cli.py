"""``inspect-flow export``: the round's workbook and CSV files from the command line."""

from __future__ import annotations

import csv

import openpyxl

from inspect_flow.core.db import make_engine


def test_export_xlsx_and_csv(run, tmp_path) -> None:  # noqa: ANN001
    run('demo', '--through', 'closed')
    out = tmp_path / 'round.xlsx'
    result = run('export', 'xlsx', '1245', '--out', str(out))
    assert f'Đã ghi {out}' in result.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == 'Kế hoạch' and wb['Kế hoạch']['B2'].value == '1245/KH-BCĐCCTMTQG'
    engine = make_engine(run.url)
    with engine.connect() as conn:
        findings = conn.exec_driver_sql('select count(*) from findings').scalar()
    engine.dispose()
    assert wb['Kết quả kiểm tra'].max_row == findings + 1

    result = run('export', 'csv', '1245', '--out', str(tmp_path / 'csv'), lang='en')
    assert len(result.output.split()) == 9
    with (tmp_path / 'csv' / 'findings.csv').open(encoding='utf-8-sig', newline='') as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == findings and 'Category' in rows[0]
    assert (tmp_path / 'csv' / 'teams.csv').read_bytes()[:3] == b'\xef\xbb\xbf'

    all_out = tmp_path / 'all.xlsx'
    assert '(1 đợt)' in run('export', 'xlsx', '--all', '--from', '2019', '--out', str(all_out)).output
    assert openpyxl.load_workbook(all_out).sheetnames == ['Các đợt', 'Kết quả kiểm tra', 'Kiến nghị']

    bad = run('export', 'xlsx', '9999', '--out', str(tmp_path / 'x.xlsx'), ok=False)
    assert bad.exit_code == 1 and 'Lỗi' in bad.stderr and not (tmp_path / 'x.xlsx').exists()
    assert run('export', 'xlsx', '1245', '--all', '--out', str(out), ok=False).exit_code == 2


def test_the_categories_vocabulary(run) -> None:  # noqa: ANN001
    listed = run('categories', 'list').output
    assert 'Phối hợp thực hiện' in listed and 'Phối hợp' in listed
    run('categories', 'add', 'Chuyển đổi số', '--en', 'Digital transformation', '--synonym', 'Số hóa')
    run('categories', 'synonym', 'phoi hop', 'Phối kết hợp')
    import json

    rows = {r['name']: r for r in json.loads(run('categories', 'list', '--json').output)}
    assert rows['Chuyển đổi số']['synonyms'] == ['Số hóa']
    assert rows['Phối hợp thực hiện']['synonyms'] == ['Phối hợp', 'Phối kết hợp']
    refused = run('categories', 'add', 'Tuyên truyền', ok=False)
    assert refused.exit_code == 1 and 'Tuyên truyền, đối thoại' in refused.stderr
