"""The access matrix: every role × every page and action that touches an object.

A role that may not see an object gets 404, one that sees it but may not act gets 403, and in both cases
nothing in the database changes. Allowed pages answer 200.
"""

from __future__ import annotations

import pytest

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
    ('visit cancel', 'POST', '/visits/{visit5}/cancel', {'reason': 'x'}, STAFF),
    ('visit history', 'GET', '/visits/{visit5}/history', None, STAFF | TEAM5),
    ('findings page', 'GET', '/plans/{plan}/findings', None, ON_PLAN),
    ('decide finding', 'POST', '/findings/{finding5}/decide', {'decision': 'reject'}, {'leader5'}),
    ('conclusions page', 'GET', '/plans/{plan}/conclusions', None, ON_PLAN),
    ('add recommendation', 'POST', '/conclusions/{conclusion_mcb}/recommendations',
     {'text': 'x', 'addressee': 'UBND', 'deadline': '2019-12-31'}, STAFF | {'leader5'}),
    ('documents page', 'GET', '/plans/{plan}/documents', None, ON_PLAN),
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
