"""Sessions that can be ended: a copied cookie dies with logout, a password change and "sign out everywhere";
sessions expire when idle and after their lifetime, and the login returns to the page the user was on."""

from __future__ import annotations

import html
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from inspect_flow.web import sessions
from tests.web.conftest import Client, csrf_of, ids, snapshot

NEW_PASSWORD = 'a-new-long-password'
OTHER_BROWSER = {'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) OtherBrowser/1.0'}


def _copy(client: Client, app, headers: dict | None = None):  # noqa: ANN001, ANN202
    """Another browser holding a copy of *client*'s session cookie (and the CSRF token of its pages)."""
    thief = app.test_client()
    thief.set_cookie('session', client.c.get_cookie('session').value)
    if headers:
        thief.environ_base.update({'HTTP_' + k.upper().replace('-', '_'): v for k, v in headers.items()})
    return thief


def _to_login(r) -> bool:  # noqa: ANN001
    return r.status_code == 302 and urlsplit(r.headers['Location']).path == '/login'


def _teams(app) -> int:  # noqa: ANN001
    with app.extensions['inspect_flow.engine'].connect() as conn:
        return conn.execute(sa.text('select count(*) from teams')).scalar()


@pytest.mark.parametrize('headers', [None, OTHER_BROWSER], ids=['same-browser', 'other-user-agent'])
def test_a_cookie_copied_before_logout_is_dead_after_it(app_factory, headers):  # noqa: ANN001
    app = app_factory('scheduling')
    plan = ids(app)['plan']
    staff = Client(app)
    assert staff.login('thao.vpt').status_code == 302
    thief = _copy(staff, app, headers)
    # the copy works while the session lives: it reads pages and posts forms with the page's CSRF token
    assert thief.get('/plans').status_code == 200
    teams = _teams(app)
    assert thief.post(f'/plans/{plan}/teams', data={'number': '12', 'csrf_token': staff.token}).status_code == 302
    assert _teams(app) == teams + 1
    before = snapshot(app)

    assert _to_login(staff.post('/logout'))
    assert _to_login(thief.get('/plans'))
    r = thief.post(f'/plans/{plan}/teams', data={'number': '13', 'csrf_token': staff.token})
    assert _to_login(r) or r.status_code in (400, 403)
    assert snapshot(app) == before
    # the cookie is not revived by the owner's next login either
    assert staff.login('thao.vpt').status_code == 302
    assert _to_login(thief.get('/plans'))
    assert staff.get('/plans').status_code == 200


def test_a_password_change_ends_every_other_session_and_not_other_users(app_factory):  # noqa: ANN001
    app = app_factory('scheduling')
    plan = ids(app)['plan']
    laptop, phone, leader = Client(app), Client(app), Client(app)
    laptop.login('thao.vpt')
    phone.login('thao.vpt')
    leader.login('cong.td5')
    thief = _copy(laptop, app)
    assert thief.get('/plans').status_code == 200

    page = laptop.get('/account/password')
    assert page.status_code == 200 and 'current_password' in page.get_data(as_text=True)
    # refused changes end nothing: a wrong current password, two different new ones, a short one
    for data, field_message in (
        ({'current_password': 'wrong-password', 'password': NEW_PASSWORD, 'password_again': NEW_PASSWORD},
         'Mật khẩu hiện tại không đúng'),
        ({'current_password': 'bentre-2019', 'password': NEW_PASSWORD, 'password_again': NEW_PASSWORD + 'x'},
         'không khớp'),
        ({'current_password': 'bentre-2019', 'password': 'short', 'password_again': 'short'}, 'ít nhất 8 ký tự'),
    ):
        r = laptop.post('/account/password', data)
        assert r.status_code == 422, data
        assert field_message in html.unescape(r.get_data(as_text=True))
        assert phone.get('/plans').status_code == 200 and thief.get('/plans').status_code == 200

    r = laptop.post('/account/password', {'current_password': 'bentre-2019', 'password': NEW_PASSWORD,
                                          'password_again': NEW_PASSWORD})
    assert r.status_code == 302 and not _to_login(r)
    old_token = laptop.token  # valid for the copied cookie (the new session has a CSRF secret of its own)
    laptop.refresh_token()
    assert laptop.get('/plans').status_code == 200  # this browser goes on with a fresh session
    assert _to_login(phone.get('/plans'))
    assert _to_login(thief.get('/plans'))
    before = snapshot(app)
    assert _to_login(thief.post(f'/plans/{plan}/teams', data={'number': '14', 'csrf_token': old_token}))
    assert snapshot(app) == before
    assert leader.get('/plans').status_code == 200  # another user's session keeps working
    # the old password is gone, the new one works
    assert Client(app).login('thao.vpt').status_code == 401
    assert Client(app).login('thao.vpt', NEW_PASSWORD).status_code == 302


def test_an_administrator_signs_a_user_out_everywhere(app_factory):  # noqa: ANN001
    app = app_factory('scheduling')
    admin, staff, leader = Client(app), Client(app), Client(app)
    admin.login('admin')
    staff.login('thao.vpt')
    leader.login('cong.td5')
    thief = _copy(staff, app, OTHER_BROWSER)
    with app.extensions['inspect_flow.engine'].connect() as conn:
        staff_id = conn.execute(sa.text("select id from users where username = 'thao.vpt'")).scalar()
    page = admin.get('/users').get_data(as_text=True)
    assert f'/users/{staff_id}/sign-out' in page

    # without the CSRF token, or by someone who does not manage accounts: refused, nothing ends
    assert admin.post(f'/users/{staff_id}/sign-out', csrf=False).status_code == 400
    assert leader.post(f'/users/{staff_id}/sign-out').status_code == 403
    assert admin.post('/users/999999/sign-out').status_code == 404
    assert staff.get('/plans').status_code == 200 and thief.get('/plans').status_code == 200

    r = admin.post(f'/users/{staff_id}/sign-out')
    assert r.status_code == 302 and urlsplit(r.headers['Location']).path == '/users'
    assert _to_login(staff.get('/plans'))
    assert _to_login(thief.get('/plans'))
    before = snapshot(app)
    plan = ids(app)['plan']
    assert _to_login(thief.post(f'/plans/{plan}/teams', data={'number': '16', 'csrf_token': staff.token}))
    assert snapshot(app) == before
    assert admin.get('/users').status_code == 200
    assert leader.get('/plans').status_code == 200
    # the next login starts a session that works
    assert staff.login('thao.vpt').status_code == 302
    assert staff.get('/plans').status_code == 200


def test_the_login_page_says_why_the_session_ended(app_factory):  # noqa: ANN001
    app = app_factory('planning')
    staff = Client(app)
    staff.login('thao.vpt')
    thief = _copy(staff, app)
    staff.post('/logout')
    r = thief.get('/plans', follow_redirects=True)
    assert 'Phiên đăng nhập đã kết thúc' in html.unescape(r.get_data(as_text=True))


def test_a_remember_me_cookie_opens_nothing(app_factory):  # noqa: ANN001
    from flask_login.utils import encode_cookie

    app = app_factory('planning')
    with app.extensions['inspect_flow.engine'].connect() as conn:
        staff_id = conn.execute(sa.text("select id from users where username = 'thao.vpt'")).scalar()
    with app.test_request_context():
        forged = encode_cookie(str(staff_id))  # signed with the app's key, as Flask-Login would issue it
    client = app.test_client()
    client.set_cookie('remember_token', forged)
    assert _to_login(client.get('/plans'))
    staff = Client(app)
    staff.login('thao.vpt')
    assert staff.c.get_cookie('remember_token') is None  # none is issued


@pytest.fixture
def clock(monkeypatch):  # noqa: ANN001, ANN201
    """The sessions' clock, moved on by hand."""
    moment = [1_900_000_000.0]
    monkeypatch.setattr(sessions, 'now', lambda: moment[0])

    def advance(**delta) -> None:  # noqa: ANN003
        moment[0] += timedelta(**delta).total_seconds()

    return advance


def test_an_idle_session_expires_and_the_login_returns_to_the_page(app_factory, clock):  # noqa: ANN001
    app = app_factory('planning')
    plan = ids(app)['plan']
    staff = Client(app)
    staff.login('thao.vpt')
    page = f'/plans/{plan}'
    for _ in range(4):  # activity keeps it alive well past the timeout
        clock(minutes=29)
        assert staff.get(page).status_code == 200
    clock(minutes=31)
    r = staff.get(page + '?tab=teams')
    assert _to_login(r)
    target = parse_qs(urlsplit(r.headers['Location']).query)['next'][0]
    assert target == page + '?tab=teams'
    login = staff.get(r.headers['Location'])
    text = html.unescape(login.get_data(as_text=True))
    assert 'hết hạn vì lâu không thao tác' in text
    r = staff.c.post('/login', data={'username': 'thao.vpt', 'password': 'bentre-2019', 'next': target,
                                     'csrf_token': csrf_of(login.get_data(as_text=True))})
    assert r.status_code == 302 and r.headers['Location'] == page + '?tab=teams'
    assert staff.get(page).status_code == 200


def test_a_post_after_the_idle_timeout_changes_nothing_and_returns_to_its_page(app_factory, clock):  # noqa: ANN001
    app = app_factory('scheduling')
    plan = ids(app)['plan']
    staff = Client(app)
    staff.login('thao.vpt')
    before = snapshot(app)
    clock(minutes=45)
    r = staff.post(f'/plans/{plan}/teams', {'number': '15'},
                   headers={'Referer': f'http://localhost/plans/{plan}/teams'})
    assert _to_login(r)
    assert parse_qs(urlsplit(r.headers['Location']).query)['next'] == [f'/plans/{plan}/teams']
    assert snapshot(app) == before
    # a Referer from another site is not followed
    staff.login('thao.vpt')
    clock(minutes=45)
    r = staff.post(f'/plans/{plan}/teams', {'number': '15'}, headers={'Referer': 'https://evil.example/x'})
    assert _to_login(r) and 'next' not in r.headers['Location']


@pytest.mark.parametrize(('config', 'idle_ok', 'idle_expired'), [
    ({}, timedelta(minutes=29), timedelta(minutes=31)),
    ({'SESSION_IDLE_TIMEOUT': timedelta(minutes=5)}, timedelta(minutes=4), timedelta(minutes=6)),
    ({'SESSION_IDLE_TIMEOUT': 120}, timedelta(seconds=110), timedelta(seconds=130)),
])
def test_the_idle_timeout_is_configurable(app_factory, clock, config, idle_ok, idle_expired):  # noqa: ANN001
    app = app_factory('planning', **config)
    staff = Client(app)
    staff.login('thao.vpt')
    clock(seconds=idle_ok.total_seconds())
    assert staff.get('/plans').status_code == 200
    clock(seconds=idle_expired.total_seconds())
    assert _to_login(staff.get('/plans'))


def test_the_idle_timeout_comes_from_the_environment(monkeypatch, db_url):  # noqa: ANN001
    from inspect_flow import create_app

    monkeypatch.setenv('INSPECT_FLOW_SESSION_IDLE_MINUTES', '7')
    app = create_app({'DATABASE_URL': db_url})
    assert app.config['SESSION_IDLE_TIMEOUT'] == timedelta(minutes=7)
    app.extensions['inspect_flow.engine'].dispose()


def test_an_active_session_still_ends_after_its_lifetime(app_factory, clock):  # noqa: ANN001
    app = app_factory('planning', PERMANENT_SESSION_LIFETIME=timedelta(hours=2))
    staff = Client(app)
    staff.login('thao.vpt')
    for _ in range(5):
        clock(minutes=20)
        assert staff.get('/plans').status_code == 200
    clock(minutes=21)  # 2 h 1 min after the login, 21 min after the last request
    r = staff.get('/plans')
    assert _to_login(r)
    assert 'hết thời hạn' in html.unescape(staff.get(r.headers['Location']).get_data(as_text=True))
