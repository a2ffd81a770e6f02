"""A round's workbook and CSV files, read back with openpyxl and the csv module, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
import sqlalchemy as sa

from inspect_flow.exports import operations as ops
from inspect_flow.exports import writers
from inspect_flow.exports.tables import ColType, Column, Percent, Table
from inspect_flow.findings.models import Finding, FollowUpReport, Recommendation
from inspect_flow.visits.models import HouseholdConsultation, Visit

SHEETS_VI = ['Kế hoạch', 'Đoàn', 'Buổi làm việc', 'Trả lời theo câu hỏi', 'Hộ tham vấn', 'Kết quả kiểm tra',
             'Kết luận', 'Kiến nghị', 'Báo cáo thực hiện']
SHEETS_EN = ['Plan', 'Teams', 'Visits', 'Answers by item', 'Households', 'Findings', 'Conclusions',
             'Recommendations', 'Follow-up reports']


def workbook(session, plan, lang: str = 'vi') -> openpyxl.Workbook:  # noqa: ANN001
    buf = io.BytesIO()
    ops.export_round_xlsx(session, plan, buf, lang=lang)
    buf.seek(0)
    return openpyxl.load_workbook(buf)


def records(ws) -> list[dict]:  # noqa: ANN001
    rows = list(ws.iter_rows())
    head = [c.value for c in rows[0]]
    return [{h: c for h, c in zip(head, r, strict=True)} for r in rows[1:]]


def test_workbook_holds_the_round_with_real_types(demo_session, demo_plan) -> None:  # noqa: ANN001
    wb = workbook(demo_session, demo_plan)
    assert wb.sheetnames == SHEETS_VI
    for ws in wb.worksheets:
        assert ws.freeze_panes == 'A2', ws.title
        assert ws.page_setup.orientation == 'landscape' and ws.print_title_rows == '$1:$1', ws.title
        assert ws.auto_filter.ref == f'A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}', ws.title
        assert all(ws.cell(1, i).font.bold for i in range(1, ws.max_column + 1)), ws.title
        assert all(6 <= ws.column_dimensions[ws.cell(1, i).column_letter].width <= 90
                   for i in range(1, ws.max_column + 1)), ws.title

    # every finding, its text exact (NFC, diacritics right), its category and kind in Vietnamese
    findings = {f.id: f for f in demo_session.scalars(sa.select(Finding).where(Finding.plan_id == demo_plan.id))}
    rows = records(wb['Kết quả kiểm tra'])
    assert {r['Mã kết quả'].value for r in rows} == set(findings) and len(rows) == len(findings) > 50
    for r in rows:
        f = findings[r['Mã kết quả'].value]
        assert r['Nội dung'].value == f.text and unicodedata.is_normalized('NFC', r['Nội dung'].value)
        assert r['Nhóm nội dung'].value == f.category
        assert r['Loại'].value in ('Kết quả đạt được', 'Hạn chế, tồn tại', 'Nguyên nhân')
        assert r['Ngày ghi'].is_date and r['Ngày ghi'].number_format == 'DD/MM/YYYY HH:MM'
    assert any('ư' in r['Nội dung'].value and 'ộ' in r['Nội dung'].value for r in rows)

    # visits: dates as dates, team numbers as numbers
    visits = list(demo_session.scalars(sa.select(Visit).where(Visit.plan_id == demo_plan.id)))
    vrows = records(wb['Buổi làm việc'])
    assert len(vrows) == len(visits)
    for r in vrows:
        v = next(v for v in visits if v.id == r['Mã buổi'].value)
        assert r['Ngày'].is_date and r['Ngày'].number_format == 'DD/MM/YYYY'
        assert r['Ngày'].value.date() == v.starts_at.date() and r['Bắt đầu'].value == v.starts_at
        assert r['Đoàn số'].data_type == 'n' and r['Đoàn số'].value == v.team.number
        assert r['Xã, phường'].value == v.commune.full_name

    # answers: numbers stay numbers (the checklist's integers), labels in Vietnamese
    answers = records(wb['Trả lời theo câu hỏi'])
    numeric = [r for r in answers if r['Mã câu hỏi'].value == 'total_households']
    assert len(numeric) == len([v for v in visits if 'total_households' in v.answers]) > 0
    assert all(isinstance(r['Trả lời'].value, int) for r in numeric)
    assert {r['Trả lời'].value for r in answers if r['Mã câu hỏi'].value == 'visit_date'} <= {
        datetime.combine(v.starts_at.date(), datetime.min.time()) for v in visits}

    # households and recommendations
    households = demo_session.scalar(sa.select(sa.func.count(HouseholdConsultation.id)).join(Visit)
                                     .where(Visit.plan_id == demo_plan.id))
    assert len(records(wb['Hộ tham vấn'])) == households > 0
    recs = {r.id: r for r in demo_session.scalars(sa.select(Recommendation)
                                                  .where(Recommendation.plan_id == demo_plan.id))}
    rrows = records(wb['Kiến nghị'])
    assert {r['Mã kiến nghị'].value for r in rrows} == set(recs)
    for r in rrows:
        rec = recs[r['Mã kiến nghị'].value]
        assert r['Nơi nhận kiến nghị'].value == rec.addressee_label
        if rec.deadline:
            assert r['Thời hạn'].is_date and r['Thời hạn'].value.date() == rec.deadline
        assert r['Quá hạn'].data_type == 'b'
    reports = demo_session.scalar(sa.select(sa.func.count(FollowUpReport.id)).join(Recommendation)
                                  .where(Recommendation.plan_id == demo_plan.id))
    assert len(records(wb['Báo cáo thực hiện'])) == reports > 0


def test_english_headers(demo_session, demo_plan) -> None:  # noqa: ANN001
    wb = workbook(demo_session, demo_plan, 'en')
    assert wb.sheetnames == SHEETS_EN
    assert [c.value for c in wb['Findings'][1]][:6] == ['Finding id', 'Visit id', 'Team', 'District', 'Commune',
                                                        'Kind']
    assert {r['Kind'].value for r in records(wb['Findings'])} <= {'Achievement', 'Limitation', 'Cause'}


def test_csv_files_have_a_bom_and_read_back(demo_session, demo_plan, tmp_path) -> None:  # noqa: ANN001
    paths = ops.export_round_csv(demo_session, demo_plan, tmp_path)
    assert [p.name for p in paths] == ['plan.csv', 'teams.csv', 'visits.csv', 'answers.csv', 'households.csv',
                                       'findings.csv', 'conclusions.csv', 'recommendations.csv', 'reports.csv']
    for p in paths:
        assert p.read_bytes().startswith(b'\xef\xbb\xbf'), p.name
    with (tmp_path / 'findings.csv').open(encoding='utf-8-sig', newline='') as fh:
        rows = list(csv.DictReader(fh))
    texts = list(demo_session.scalars(sa.select(Finding.text).where(Finding.plan_id == demo_plan.id)))
    assert sorted(r['Nội dung'] for r in rows) == sorted(texts)
    assert [int(r['Mã kết quả']) for r in rows] == sorted(int(r['Mã kết quả']) for r in rows)
    with (tmp_path / 'recommendations.csv').open(encoding='utf-8-sig', newline='') as fh:
        recs = list(csv.DictReader(fh))
    assert all(date.fromisoformat(r['Thời hạn']) for r in recs if r['Thời hạn'])
    assert {r['Quá hạn'] for r in recs} <= {'Có', 'Không'}
    archive = zipfile.ZipFile(io.BytesIO(ops.export_round_csv_zip(demo_session, demo_plan)))
    assert len(archive.namelist()) == 9
    assert all(archive.read(n).startswith('\ufeff'.encode()) for n in archive.namelist())


def test_cross_round_workbook(demo_session, demo_plan) -> None:  # noqa: ANN001
    buf = io.BytesIO()
    assert ops.export_all_xlsx(demo_session, buf, from_year=2019) == 1
    wb = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))
    assert wb.sheetnames == ['Các đợt', 'Kết quả kiểm tra', 'Kiến nghị']
    n = demo_session.scalar(sa.select(sa.func.count(Finding.id)))
    assert wb['Kết quả kiểm tra'].max_row == n + 1
    buf = io.BytesIO()
    assert ops.export_all_xlsx(demo_session, buf, from_year=2020) == 0
    assert openpyxl.load_workbook(io.BytesIO(buf.getvalue()))['Kết quả kiểm tra'].max_row == 1


# --- the writers, without a database -----------------------------------------------------------------------

TABLE_COLS = [Column('p', 'Tỷ lệ', 'Rate', ColType.percentage), Column('d', 'Ngày', 'Day', ColType.date),
              Column('t', 'Ghi chú', 'Note', ColType.text), Column('b', 'Đạt', 'Met', ColType.boolean),
              Column('n', 'Số hộ', 'Households', ColType.integer)]
ROWS = [(Percent(0.3836), date(2019, 7, 24), '=HYPERLINK("http://x")', True, 1968),
        (None, None, '- Hộ nghèo được hỗ trợ', False, 0)]


@pytest.mark.parametrize('title', ['Kết quả: tổng hợp / 2019 [A]', 'x' * 40])
def test_writer_types_formulas_and_sheet_names(title: str) -> None:
    buf = io.BytesIO()
    writers.write_xlsx([Table('t', title, title, TABLE_COLS, ROWS), Table('u', title, title, TABLE_COLS, [])], buf)
    wb = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))
    assert len(wb.sheetnames) == 2 and all(len(n) <= 31 and not set(n) & set('/\\[]:*?') for n in wb.sheetnames)
    ws = wb.worksheets[0]
    rate, day, note, met, n = ws[2]
    assert rate.value == pytest.approx(0.3836) and rate.number_format == '0.00%'
    assert day.is_date and day.number_format == 'DD/MM/YYYY'
    assert note.data_type == 's' and note.value.startswith('=')  # text, not a formula
    assert met.value is True and n.value == 1968 and n.number_format == '#,##0'
    text = writers.csv_bytes(Table('t', title, title, TABLE_COLS, ROWS)).decode('utf-8')
    assert text.startswith('\ufeffTỷ lệ,Ngày')
    rows = list(csv.reader(io.StringIO(text.lstrip('\ufeff'))))
    assert rows[1] == ['38.36%', '2019-07-24', '\'=HYPERLINK("http://x")', 'Có', '1968']
    assert rows[2] == ['', '', "'- Hộ nghèo được hỗ trợ", 'Không', '0']
