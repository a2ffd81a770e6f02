"""The round's downloads from the dashboard page and the API: the same per-object checks as the plan's pages."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import openpyxl
import sqlalchemy as sa

from tests.api.conftest import ApiClient, demo_api
from tests.web.conftest import Client, ids


def _sheet(data: bytes, name: str) -> list[tuple]:
    return list(openpyxl.load_workbook(io.BytesIO(data))[name].iter_rows(values_only=True))


def _teams_of(app, username: str) -> set[int]:  # noqa: ANN001
    engine = app.extensions['inspect_flow.engine']
    with engine.connect() as conn:
        return set(conn.execute(sa.text(
            'select t.number from teams t join team_members m on m.team_id = t.id '
            'join users u on u.person_id = m.person_id where u.username = :u'), {'u': username}).scalars())


def test_downloads_follow_the_plan_rules(databases, db_kind) -> None:  # noqa: ANN001
    with demo_api(databases, db_kind, 'closed') as built:
        app, tokens = built.app, built.tokens
        plan = ids(app)['plan']
        staff = Client(app)
        staff.login('thao.vpt')
        page = staff.get(f'/plans/{plan}/dashboard').get_data(as_text=True)
        assert f'/plans/{plan}/export.xlsx' in page and f'/plans/{plan}/export-csv.zip' in page
        section = page.split('id="overdue"', 1)[1]
        with app.extensions['inspect_flow.engine'].connect() as conn:
            open_late = conn.execute(sa.text(
                "select count(*) from recommendations where state = 'overdue' or (state in ('open', 'in_progress') "
                'and deadline < :day)'), {'day': date.today()}).scalar()
            one = conn.execute(sa.text(
                "select addressee_label from recommendations where state in ('open', 'in_progress', 'overdue') "
                'order by id limit 1')).scalar()
        assert section.count('<tr><td>') == open_late > 10  # the whole overdue list, not the first ten
        filtered = staff.get(f'/plans/{plan}/dashboard', query_string={'addressee': one, 'sort': 'late'})
        body = filtered.get_data(as_text=True)
        assert filtered.status_code == 200 and f'<option selected>{one}</option>' in body
        rows = body.split('id="overdue"', 1)[1].split('</tbody>')[0].split('<tr><td>')[1:]
        assert rows and all(r.startswith(f'{one}</td>') for r in rows) and len(rows) < open_late
        r = staff.get(f'/plans/{plan}/export.xlsx')
        assert r.status_code == 200 and r.mimetype.endswith('spreadsheetml.sheet')
        assert 'attachment; filename="ke-hoach-1245-KH-BCDCCTMTQG-2019.xlsx"' == r.headers['Content-Disposition']
        all_answers = _sheet(r.data, 'Trả lời theo câu hỏi')
        assert {row[1] for row in all_answers[1:]} == set(range(1, 10))  # every team's answers

        # a team member sees the plan, but the other teams' records only as the schedule shows them
        mine = _teams_of(app, 'ngan.ltk')
        assert mine and mine != set(range(1, 10))
        member = Client(app)
        member.login('ngan.ltk')
        r = member.get(f'/plans/{plan}/export.xlsx')
        assert r.status_code == 200
        answers = _sheet(r.data, 'Trả lời theo câu hỏi')
        assert len(answers) > 1 and {row[1] for row in answers[1:]} == mine
        assert {row[1] for row in _sheet(r.data, 'Hộ tham vấn')[1:]} == mine
        assert {row[2] for row in _sheet(r.data, 'Kết quả kiểm tra')[1:]} <= mine | {None}
        assert len(_sheet(r.data, 'Buổi làm việc')) == 10  # the schedule itself is the plan's
        z = zipfile.ZipFile(io.BytesIO(member.get(f'/plans/{plan}/export-csv.zip').data))
        assert len(z.namelist()) == 9 and all(z.read(n)[:3] == b'\xef\xbb\xbf' for n in z.namelist())

        # an official of a commune does not see the plan: 404, as on its pages; anonymous: to the login page
        official = Client(app)
        official.login('xa.nhuanphutan')
        assert official.get(f'/plans/{plan}/export.xlsx').status_code == 404
        assert official.get(f'/plans/{plan}/export-csv.zip').status_code == 404
        assert Client(app).get(f'/plans/{plan}/export.xlsx').status_code in (302, 401)

        # the API: the same workbook for the same people, English headers on request
        api = ApiClient(app, tokens)
        r = api.get(f'/api/v1/plans/{plan}/export.xlsx', 'member25', headers={'Accept-Language': 'en'})
        assert r.status_code == 200
        assert {row[1] for row in _sheet(r.data, 'Answers by item')[1:]} == mine
        assert api.get(f'/api/v1/plans/{plan}/export.xlsx', 'commune28936').status_code == 404
        r = api.get(f'/api/v1/plans/{plan}/export-csv.zip', 'secretariat')
        assert r.status_code == 200 and len(zipfile.ZipFile(io.BytesIO(r.data)).namelist()) == 9
