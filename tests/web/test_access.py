"""The access matrix: every role × every page and action that touches an object.

A role that may not see an object gets 404, one that sees it but may not act gets 403, and in both cases
nothing in the database changes. Allowed pages answer 200.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.web.conftest import ROLES, Client, ids, snapshot

STAFF = {'admin', 'secretariat'}
ALL = set(ROLES)
TEAM5 = {'leader5', 'member25'}  # on team 5, which visited Xã Nhuận Phú Tân (Huyện Mỏ Cày Bắc)
ON_PLAN = STAFF | {'leader5', 'member25', 'member36'}

# (name, method, path, form data, roles allowed)
ACTIONS = [
    ('plans list', 'GET', '/plans', None, ALL),
    ('plan page', 'GET', '/plans/{plan}', None, ON_PLAN),
    ('plan editor', 'GET', '/plans/{plan}/edit', None, STAFF),
    ('plan edit', 'POST', '/plans/{plan}/edit', {'subject': 'x', 'fieldwork_start': '2019-07-05',
                                                 'fieldwork_end': '2019-07-24'}, STAFF),
    ('new plan page', 'GET', '/plans/new', None, STAFF),
    ('new plan', 'POST', '/plans/new', {'issuer': '1', 'subject': 'Kiểm tra', 'fieldwork_start': '2020-01-01',
                                        'fieldwork_end': '2020-01-31'}, STAFF),
    ('advance plan', 'POST', '/plans/{plan}/advance', {'trigger': 'cancel', 'reason': 'x'}, STAFF),
    ('pin checklists', 'POST', '/plans/{plan}/checklists', {}, STAFF),
    ('teams page', 'GET', '/plans/{plan}/teams', None, ON_PLAN),
    ('add team', 'POST', '/plans/{plan}/teams', {'number': '10'}, STAFF),
    ('add member', 'POST', '/plans/{plan}/teams/{team1}/members', {'person': '{person}', 'role': 'member'}, STAFF),
    ('remove member', 'POST', '/plans/{plan}/teams/{team1}/members/{person}/remove', {}, STAFF),
    ('add person', 'POST', '/plans/{plan}/people', {'full_name': 'Nguyễn Văn A'}, STAFF),
    ('schedule page', 'GET', '/plans/{plan}/schedule', None, ON_PLAN),
    ('schedule visit', 'POST', '/plans/{plan}/schedule', {'team': '{team1}', 'commune': '28756', 'day': '2019-07-06',
                                                           'starts': '07:30', 'ends': '11:00'}, STAFF),
    ('move visit', 'POST', '/plans/{plan}/visits/{visit1}/move', {'day': '2019-07-06', 'starts': '08:00',
                                                                   'ends': '11:00'}, STAFF),
    ('remove visit', 'POST', '/plans/{plan}/visits/{visit1}/remove', {}, STAFF),
    ('draw communes', 'POST', '/plans/{plan}/draw', {'per_district': '1'}, STAFF),
    ('visit page (own team)', 'GET', '/visits/{visit5}', None, STAFF | TEAM5),
    ('visit page (other team)', 'GET', '/visits/{visit1}', None, STAFF),
    ('visit save', 'POST', '/visits/{visit5}/save', {'a.level': 'commune'}, TEAM5),
    ('visit save (other team)', 'POST', '/visits/{visit1}/save', {'a.level': 'commune'}, set()),
    ('visit submit', 'POST', '/visits/{visit5}/submit', {}, TEAM5),
    ('visit return', 'POST', '/visits/{visit5}/return', {'comment': 'sửa'}, {'leader5'}),
    ('visit approve', 'POST', '/visits/{visit5}/approve', {}, {'leader5'}),
    ('visit approve (other team)', 'POST', '/visits/{visit1}/approve', {}, set()),
    ('accept all suggestions', 'POST', '/visits/{visit5}/suggestions/accept-all', {}, {'leader5'}),
    ('accept all suggestions (other team)', 'POST', '/visits/{visit1}/suggestions/accept-all', {}, set()),
    ('visit cancel', 'POST', '/visits/{visit5}/cancel', {'reason': 'x'}, STAFF),
    ('visit history', 'GET', '/visits/{visit5}/history', None, STAFF | TEAM5),
    ('findings page', 'GET', '/plans/{plan}/findings', None, ON_PLAN),
    ('decide finding', 'POST', '/findings/{finding5}/decide', {'decision': 'reject'}, {'leader5'}),
    ('conclusions page', 'GET', '/plans/{plan}/conclusions', None, ON_PLAN),
    ('add recommendation', 'POST', '/conclusions/{conclusion_mcb}/recommendations',
     {'text': 'x', 'addressee': 'UBND', 'deadline': '2019-12-31'}, STAFF | {'leader5'}),
    ('documents page', 'GET', '/plans/{plan}/documents', None, ON_PLAN),
    ('document draft', 'GET', '/plans/{plan}/documents/draft?kind=conclusion&district=838', None, STAFF | TEAM5),
    ('round report draft', 'GET', '/plans/{plan}/documents/draft?kind=report', None, ON_PLAN),
    ('issue document', 'POST', '/plans/{plan}/documents/issue', {'kind': 'conclusion', 'district': '838',
                                                                 'date': '2019-08-20', 'signer': 'A'}, STAFF),
    ('dashboard', 'GET', '/plans/{plan}/dashboard', None, ON_PLAN),
    ('plan history', 'GET', '/plans/{plan}/history', None, STAFF | {'leader5'}),
    ('inbox', 'GET', '/inbox', None, ALL),
    ('recommendation (Mỏ Cày Bắc)', 'GET', '/recommendations/{rec_mcb}', None, ON_PLAN | {'district838'}),
    ('recommendation (Thành phố Bến Tre)', 'GET', '/recommendations/{rec_other}', None, ON_PLAN),
    ('report progress', 'POST', '/recommendations/{rec_mcb}/report', {'text': 'Đã làm'}, {'district838'}),
    ('report progress (other district)', 'POST', '/recommendations/{rec_other}/report', {'text': 'x'}, set()),
    ('verify', 'POST', '/recommendations/{rec_mcb}/verify', {'decision': 'verify'}, STAFF),
    ('accounts', 'GET', '/users', None, {'admin'}),
    ('create account', 'POST', '/users', {'username': 'moi.taikhoan', 'password': 'matkhau-dai', 'role': 'admin',
                                          'full_name': 'X'}, {'admin'}),
]


def _fill(text: str, known: dict) -> str:
    for key, value in known.items():
        text = text.replace('{' + key + '}', str(value))
    return text


@pytest.mark.parametrize('role', sorted(ROLES))
def test_it_refuses_every_action_a_role_may_not_take_and_changes_nothing(app_factory, role):  # noqa: ANN001
    app = app_factory('closed')
    known = ids(app)
    client = Client(app)
    assert client.login(ROLES[role]).status_code == 302
    checked = 0
    for name, method, path, data, allowed in ACTIONS:
        url = _fill(path, known)
        if role in allowed:
            if method == 'GET':
                r = client.get(url)
                assert r.status_code == 200, (role, name, r.status_code)
                checked += 1
            continue
        before = snapshot(app)
        if method == 'GET':
            r = client.get(url)
        else:
            r = client.post(url, {k: _fill(v, known) for k, v in (data or {}).items()})
        assert r.status_code in (403, 404), (role, name, r.status_code)
        assert snapshot(app) == before, (role, name)
        checked += 1
    assert checked > 10


def test_it_sends_anonymous_visitors_to_the_login_page(app_factory):  # noqa: ANN001
    app = app_factory('closed')
    known = ids(app)
    client = Client(app)
    client.refresh_token()
    for name, method, path, data, _allowed in ACTIONS:
        before = snapshot(app)
        url = _fill(path, known)
        r = client.get(url) if method == 'GET' else client.post(url, data or {})
        assert r.status_code == 302 and '/login' in r.headers['Location'], (name, r.status_code)
        assert snapshot(app) == before, name


def test_a_district_official_sees_only_what_is_addressed_to_the_district(app_factory):  # noqa: ANN001
    app = app_factory('closed')
    client = Client(app)
    client.login('huyen.mcb')
    page = client.get('/inbox').get_data(as_text=True)
    assert 'Mỏ Cày Bắc' in page
    assert 'Thành phố Bến Tre' not in page and 'Ba Tri' not in page


def _row(app, sql: str, **params):  # noqa: ANN001, ANN003, ANN202
    with app.extensions['inspect_flow.engine'].connect() as conn:
        return conn.execute(sa.text(sql), params).one()


def test_the_right_role_moves_a_visit_through_submit_return_and_approve(app_factory):  # noqa: ANN001
    """Allowed POSTs succeed and change exactly what they should."""
    from inspect_flow.core.db import make_session_factory, unit_of_work
    from inspect_flow.demo.round2019 import checklist_answers
    from inspect_flow.visits.models import Visit

    app = app_factory('visiting')
    visit = ids(app)['visit5']
    with unit_of_work(make_session_factory(app.extensions['inspect_flow.engine'])) as s:
        answers = checklist_answers(4, s.get(Visit, visit))
    member, leader = Client(app), Client(app)
    member.login(ROLES['member25'])
    leader.login(ROLES['leader5'])
    state = lambda: _row(app, 'select state, return_comment from visits where id = :v', v=visit)  # noqa: E731
    assert state()[0] == 'scheduled'

    r = member.post_json(f'/visits/{visit}/autosave', {'answers': answers})
    assert r.status_code == 200 and r.get_json()['problems'] == 0
    assert member.post(f'/visits/{visit}/submit').status_code == 302
    assert state() == ('submitted', None)

    assert leader.post(f'/visits/{visit}/return', {'comment': 'Ghi rõ số hộ vay vốn quá hạn.'}).status_code == 302
    assert state() == ('returned', 'Ghi rõ số hộ vay vốn quá hạn.')
    assert member.post(f'/visits/{visit}/submit').status_code == 302
    assert state()[0] == 'submitted'

    before = snapshot(app)
    r = leader.post(f'/visits/{visit}/approve')  # suggestions not decided yet: refused, nothing changes
    assert r.status_code == 409 and 'chưa được chấp nhận hoặc loại bỏ' in r.get_data(as_text=True)
    assert snapshot(app) == before
    suggested = [row[0] for row in _rows(app, "select id from findings where visit_id = :v and status = 'suggested'",
                                         v=visit)]
    assert suggested
    first, *rest = suggested
    assert leader.post(f'/findings/{first}/decide', {'decision': 'reject'}).status_code == 302
    r = leader.post(f'/visits/{visit}/suggestions/accept-all')
    assert r.status_code == 302
    assert _row(app, "select status from findings where id = :f", f=first)[0] == 'rejected'
    accepted = {row[0] for row in _rows(app, "select id from findings where visit_id = :v and status = 'accepted'",
                                        v=visit)}
    assert set(rest) <= accepted
    assert _row(app, "select count(*) from findings where visit_id = :v and status = 'suggested'", v=visit)[0] == 0
    assert leader.post(f'/visits/{visit}/approve').status_code == 302
    assert state()[0] == 'reviewed'
    audit = _rows(app, "select action from audit_entries where entity_type = 'visit' and entity_id = :v "
                       'order by id', v=visit)
    assert len(audit) >= 5


def _rows(app, sql: str, **params) -> list:  # noqa: ANN001, ANN003
    with app.extensions['inspect_flow.engine'].connect() as conn:
        return conn.execute(sa.text(sql), params).all()


def test_the_right_role_reports_verifies_and_issues(app_factory):  # noqa: ANN001
    app = app_factory('closed')
    known = ids(app)
    rec = known['rec_mcb']
    official, staff = Client(app), Client(app)
    official.login(ROLES['district838'])
    staff.login(ROLES['secretariat'])
    reports = lambda: _row(app, 'select count(*) from follow_up_reports where recommendation_id = :r', r=rec)[0]  # noqa: E731
    rec_state = lambda: _row(app, 'select state from recommendations where id = :r', r=rec)[0]  # noqa: E731
    n, first = reports(), rec_state()
    assert first != 'verified'

    r = official.post(f'/recommendations/{rec}/report', {'text': 'Đã tổ chức rà soát.', 'report_date': '2019-09-10'})
    assert r.status_code == 302 and reports() == n + 1
    r = official.post(f'/recommendations/{rec}/report', {'text': 'Đã hoàn thành.', 'completed': '1',
                                                          'report_date': '2019-09-30'})
    assert r.status_code == 302 and reports() == n + 2 and rec_state() == 'done'
    assert staff.post(f'/recommendations/{rec}/verify', {'decision': 'verify'}).status_code == 302
    assert rec_state() == 'verified'

    docs = _row(app, 'select count(*) from documents')[0]
    r = staff.post(f'/plans/{known["plan"]}/documents/issue', {'kind': 'conclusion', 'district': '838',
                                                               'date': '2019-08-20', 'signer': 'Nguyễn Văn Hiếu'})
    assert r.status_code == 302
    assert _row(app, 'select count(*) from documents')[0] == docs + 1
    kind, district = _row(app, 'select d.kind, a.code from documents d join admin_units a on a.id = d.unit_id '
                               'order by d.id desc limit 1')
    assert (kind, district) == ('conclusion', '838')
