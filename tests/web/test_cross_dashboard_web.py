"""The cross-round dashboard page and its workbook (/dashboard, /dashboard.xlsx): who sees them, the filters in the
URL, the workbook read back with openpyxl."""

from __future__ import annotations

import io

import openpyxl
import sqlalchemy as sa

from tests.web.conftest import ROLES, Client


def test_cross_dashboard_per_role_with_filters_and_workbook(app_factory) -> None:  # noqa: ANN001
    app = app_factory('closed')
    engine = app.extensions['inspect_flow.engine']
    with engine.connect() as conn:
        limitations = conn.execute(sa.text(
            "select count(*) from findings where kind = 'limitation' and status not in ('rejected', 'withdrawn')"
        )).scalar()
        category = conn.execute(sa.text(
            "select category from findings where status = 'accepted' group by category order by count(*) desc, "
            'category limit 1')).scalar()
    for persona in ('secretariat', 'admin', 'leader5'):
        c = Client(app)
        c.login(ROLES[persona])
        r = c.get('/dashboard')
        body = r.get_data(as_text=True)
        assert r.status_code == 200, persona
        assert 'Tổng hợp các đợt kiểm tra' in body and '<svg class="hbar"' in body
        assert body.count('<li><span class="bar-label"') == 1 + 5 + 4  # one year, five states, four ages
        assert '/dashboard.xlsx' in body
    for persona in ('member25', 'district838', 'commune28936'):
        c = Client(app)
        c.login(ROLES[persona])
        assert c.get('/dashboard').status_code == 403, persona
        assert c.get('/dashboard.xlsx').status_code == 403, persona
    assert Client(app).get('/dashboard').status_code in (302, 401)

    staff = Client(app)
    staff.login(ROLES['secretariat'])
    # filters live in the URL: the page keeps them, the download link carries them
    page = staff.get('/dashboard', query_string={'from': '2019', 'category': category}).get_data(as_text=True)
    assert f'<option selected>{category}</option>' in page and '<option selected>2019</option>' in page
    assert 'dashboard.xlsx?from=2019&amp;category=' in page
    empty = staff.get('/dashboard', query_string={'from': '2020', 'to': 'abc', 'province': '<b>'})
    assert empty.status_code == 200 and 'id="trends"' in empty.get_data(as_text=True)

    r = staff.get('/dashboard.xlsx')
    assert r.status_code == 200 and r.mimetype.endswith('spreadsheetml.sheet')
    wb = openpyxl.load_workbook(io.BytesIO(r.data))
    assert wb.sheetnames == ['Kết quả theo năm', 'Kiến nghị theo trạng thái', 'Quá hạn theo số ngày',
                             'Hạn chế lặp lại']
    trends = list(wb['Kết quả theo năm'].iter_rows(values_only=True))
    assert trends[0] == ('Năm', 'Đạt được', 'Hạn chế', 'Nguyên nhân', 'Tổng số')
    assert len(trends) == 2 and trends[1][0] == 2019 and trends[1][2] == limitations
    assert trends[1][4] == sum(trends[1][1:4])
    states = wb['Kiến nghị theo trạng thái']
    assert states.freeze_panes == 'A2' and states.auto_filter.ref
    shares = [row[2] for row in states.iter_rows(min_row=2, values_only=True) if row[2] is not None]
    assert abs(sum(shares) - 1) < 1e-9 and states['C2'].number_format == '0.00%'
    staff.post('/language', {'lang': 'en'})  # the user's language: English headers and page
    assert 'Across inspection rounds' in staff.get('/dashboard').get_data(as_text=True)
    r = staff.get('/dashboard.xlsx', query_string={'from': '2020'})
    wb = openpyxl.load_workbook(io.BytesIO(r.data))
    assert wb.sheetnames[0] == 'Findings by year'
    assert list(wb.worksheets[0].iter_rows(values_only=True)) == [('Year', 'Achievements', 'Limitations', 'Causes',
                                                                  'Total')]  # header only: no round from 2020


def test_the_page_lists_the_most_returning_units_and_points_to_the_workbook(app_factory, monkeypatch) -> None:  # noqa: ANN001
    from inspect_flow.core.db import make_session_factory, unit_of_work
    from inspect_flow.demo.round2026 import run_demo
    from inspect_flow.web import dashboard as web_dashboard

    app = app_factory('closed')
    with unit_of_work(make_session_factory(app.extensions['inspect_flow.engine'])) as s:
        run_demo(s, 'closed')  # the 2026 round: limitations return in the communes that succeeded 2019's
    staff = Client(app)
    staff.login(ROLES['secretariat'])
    whole = staff.get('/dashboard').get_data(as_text=True)
    section = whole[whole.index('id="recurring"'):]
    rows = section.count('<tr><td>')
    assert rows >= 3 and 'cả' not in section.split('</table>')[1].split('</section>')[0]
    monkeypatch.setattr(web_dashboard, 'RECURRING_SHOWN', 2)
    page = staff.get('/dashboard').get_data(as_text=True)
    section = page[page.index('id="recurring"'):]
    assert section.count('<tr><td>') == 2
    assert f'Hiện 2 đơn vị lặp lại nhiều đợt nhất; cả {rows} dòng có trong sổ tính Excel' in section
    assert f'({rows})' in section  # the heading still counts them all
    wb = openpyxl.load_workbook(io.BytesIO(staff.get('/dashboard.xlsx').data))
    assert wb['Hạn chế lặp lại'].max_row == rows + 1  # every one in the workbook
