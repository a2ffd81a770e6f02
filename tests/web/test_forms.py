"""CSRF refusal, the login limit, and bad input on each form: a message beside the field, the input kept."""

from __future__ import annotations

import html

from tests.web.conftest import Client, ids, snapshot


def test_it_refuses_a_post_without_the_csrf_token_and_changes_nothing(app_factory):  # noqa: ANN001
    app = app_factory('scheduling')
    known = ids(app)
    client = Client(app)
    client.login('thao.vpt')
    before = snapshot(app)
    r = client.post(f'/plans/{known["plan"]}/teams', {'number': '12'}, csrf=False)
    assert r.status_code == 400
    assert 'CSRF' in r.get_data(as_text=True)
    assert snapshot(app) == before
    r = client.post(f'/plans/{known["plan"]}/teams', {'number': '12', 'csrf_token': 'forged'}, csrf=False)
    assert r.status_code == 400 and snapshot(app) == before
    assert client.post(f'/plans/{known["plan"]}/teams', {'number': '12'}).status_code == 302
    assert snapshot(app)['teams'] == before['teams'] + 1


def test_it_refuses_a_login_without_the_csrf_token(app_factory):  # noqa: ANN001
    app = app_factory('planning')
    r = app.test_client().post('/login', data={'username': 'thao.vpt', 'password': 'bentre-2019'})
    assert r.status_code == 400


def test_it_locks_a_user_name_after_five_failed_logins(app_factory):  # noqa: ANN001
    app = app_factory('planning')
    client = Client(app)
    for _ in range(5):
        r = client.login('thao.vpt', 'wrong-password')
        assert r.status_code == 401
        assert 'Sai tên đăng nhập hoặc mật khẩu' in r.get_data(as_text=True)
    r = client.login('thao.vpt')  # the right password, but the name is locked for now
    assert r.status_code == 429
    assert 'quá nhiều lần' in r.get_data(as_text=True)
    assert client.get('/plans').status_code == 302
    # another user is not locked by it
    assert client.login('cong.td5').status_code == 302


def test_a_successful_login_resets_the_count(app_factory):  # noqa: ANN001
    app = app_factory('planning')
    client = Client(app)
    for _ in range(4):
        assert client.login('thao.vpt', 'nope-nope').status_code == 401
    assert client.login('thao.vpt').status_code == 302
    client.post('/logout')
    for _ in range(4):
        assert client.login('thao.vpt', 'nope-nope').status_code == 401
    assert client.login('thao.vpt').status_code == 302


def _page(r) -> str:  # noqa: ANN001
    return html.unescape(r.get_data(as_text=True))


def test_bad_input_on_each_form_shows_the_message_beside_the_field_and_keeps_what_was_typed(app_factory):  # noqa: ANN001
    app = app_factory('scheduling')
    known = ids(app)
    plan = known['plan']
    client = Client(app)
    client.login('thao.vpt')
    assert client.post(f'/plans/{plan}/schedule', {'team': str(known['team1']), 'commune': '28792',
                                                   'day': '2019-07-05', 'starts': '07:30',
                                                   'ends': '11:30'}).status_code == 302
    known = ids(app)
    cases = [
        # (path, data, field, message fragment, typed value that must come back)
        ('/plans/new', {'issuer': '1', 'subject': 'Kiểm tra giảm nghèo', 'fieldwork_start': '2020-02-10',
                        'fieldwork_end': '2020-02-01'}, 'fieldwork_end', 'Ngày kết thúc', 'Kiểm tra giảm nghèo'),
        ('/plans/new', {'issuer': '1', 'subject': 'Đợt 2', 'fieldwork_start': '31/02/2020',
                        'fieldwork_end': '2020-02-01'}, 'fieldwork_start', 'không phải ngày hợp lệ', 'Đợt 2'),
        ('/plans/new', {'issuer': '1', 'subject': 'Đợt 3', 'symbol': 'kh bad', 'fieldwork_start': '2020-02-01',
                        'fieldwork_end': '2020-02-02'}, 'symbol', 'không đúng mẫu', 'kh bad'),
        # XXX update_plan accepts an empty subject (a core gap, reported); the window rule is checked.
        (f'/plans/{plan}/edit', {'subject': 'Trích yếu', 'fieldwork_start': '2019-07-25',
                                 'fieldwork_end': '2019-07-24', 'objectives': 'Mục tiêu giữ lại'},
         'fieldwork_end', 'Ngày kết thúc', 'Mục tiêu giữ lại'),
        (f'/plans/{plan}/teams', {'number': 'abc'}, 'number', 'không phải số nguyên', 'abc'),
        (f'/plans/{plan}/teams', {'number': '5'}, 'number', 'đã có Đoàn 5', '5'),
        (f'/plans/{plan}/people', {'full_name': '  ', 'title': 'Chuyên viên giữ lại'}, 'full_name', '',
         'Chuyên viên giữ lại'),
        (f'/plans/{plan}/teams/{known["team1"]}/members', {'person': '', 'role': 'deputy'}, 'person', 'Phải chọn',
         'deputy'),
        (f'/plans/{plan}/schedule', {'team': str(known['team1']), 'commune': '28756', 'day': '2019-07-06',
                                     'starts': '11:00', 'ends': '08:00', 'place': 'Nhà văn hóa ấp 3'},
         'ends', 'Giờ kết thúc', 'Nhà văn hóa ấp 3'),
        (f'/plans/{plan}/schedule', {'team': str(known['team1']), 'commune': '', 'day': '2019-07-06',
                                     'starts': '07:00', 'ends': '08:00', 'place': 'Hội trường giữ lại'},
         'commune', 'Phải chọn xã', 'Hội trường giữ lại'),
        (f'/plans/{plan}/visits/{known["visit1"]}/move', {'day': 'hôm qua', 'starts': '08:00', 'ends': '09:00'},
         'day', 'không phải ngày hợp lệ', 'hôm qua'),
        (f'/plans/{plan}/draw', {'per_district': '0', 'seed': 'seed-giu-lai'}, 'per_district', 'từ 1 trở lên',
         'seed-giu-lai'),
    ]
    for path, data, field, message, typed in cases:
        before = snapshot(app)
        r = client.post(path, data)
        page = _page(r)
        assert r.status_code in (409, 422), (path, data, r.status_code)
        assert f'id="e-{field}"' in page or 'class="error"' in page, (path, field)
        assert message in page, (path, message)
        assert typed in page, (path, typed)
        assert snapshot(app) == before, path


def test_bad_input_on_the_account_and_report_forms(app_factory):  # noqa: ANN001
    app = app_factory('closed')
    known = ids(app)
    admin = Client(app)
    admin.login('admin')
    r = admin.post('/users', {'username': 'nguoi.moi', 'password': 'ngan', 'role': 'secretariat',
                              'full_name': 'Tên Giữ'})
    page = _page(r)
    assert r.status_code == 422 and 'ít nhất 8 ký tự' in page and 'nguoi.moi' in page and 'Tên Giữ' in page
    official = Client(app)
    official.login('huyen.mcb')
    before = snapshot(app)
    r = official.post(f'/recommendations/{known["rec_mcb"]}/report', {'text': ' ', 'report_date': '2019-13-45'})
    assert r.status_code == 422 and 'không phải ngày hợp lệ' in _page(r) and '2019-13-45' in _page(r)
    assert snapshot(app) == before


def test_the_language_switch_and_vietnamese_dates(app_factory):  # noqa: ANN001
    app = app_factory('scheduling')
    known = ids(app)
    client = Client(app)
    client.login('thao.vpt')
    page = _page(client.get(f'/plans/{known["plan"]}'))
    assert '05/07/2019' in page and 'Lịch làm việc' in page
    client.post('/language', {'lang': 'en', 'next': '/plans'})
    page = _page(client.get(f'/plans/{known["plan"]}'))
    assert 'Schedule' in page and '5 Jul 2019' in page
