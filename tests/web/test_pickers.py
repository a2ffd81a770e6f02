"""The pickers' JSON endpoints (/pick/…), the forms that use them without JavaScript, and the issuing-body page."""

from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa

from tests.web.conftest import ROLES, Client, ids, snapshot

JSON = {'Accept': 'application/json'}
STAFF = {'admin', 'secretariat'}

# (path, roles allowed)
ENDPOINTS = [
    ('/pick/units?q=nhuan+phu+tan&on=2019-07-05', STAFF | {'leader5'}),
    ('/pick/bodies?q=ban+chi+dao', STAFF),
    ('/pick/people?q=vo+thanh', STAFF),
    ('/bodies', STAFF),
]


def _page(r) -> str:  # noqa: ANN001
    return html.unescape(r.get_data(as_text=True))


def _scalar(app, sql: str, **params):  # noqa: ANN001, ANN003, ANN202
    with app.extensions['inspect_flow.engine'].connect() as conn:
        return conn.execute(sa.text(sql), params).scalar()


@pytest.fixture
def app(app_factory):  # noqa: ANN001, ANN201
    return app_factory('conclusions')


def test_who_may_search_and_see_the_bodies_page(app):  # noqa: ANN001
    anonymous = app.test_client()
    for path, _allowed in ENDPOINTS[:3]:
        assert anonymous.get(path, headers=JSON).status_code == 401, path
    assert anonymous.get('/bodies').status_code == 302
    for role, username in ROLES.items():
        client = Client(app)
        client.login(username)
        for path, allowed in ENDPOINTS:
            r = client.get(path, headers=JSON if path.startswith('/pick') else {})
            assert r.status_code == (200 if role in allowed else 403), (role, path, r.status_code)
            if r.status_code == 200 and path.startswith('/pick'):
                assert r.get_json()['results'], (role, path)


def test_the_endpoints_answer_labels_best_first(app):  # noqa: ANN001
    client = Client(app)
    client.login('thao.vpt')
    units = client.get('/pick/units?q=NHU%E1%BA%ACN%20PH%C3%9A&on=05/07/2019', headers=JSON).get_json()['results']
    assert units[0] == {'id': units[0]['id'], 'code': '28936', 'name': 'Xã Nhuận Phú Tân', 'level': 'commune',
                        'label': 'Xã Nhuận Phú Tân — Huyện Mỏ Cày Bắc, Tỉnh Bến Tre'}
    districts = client.get('/pick/units?q=mo+cay&on=2019-07-05&level=district&province=83', headers=JSON).get_json()
    assert [u['label'] for u in districts['results']] == ['Huyện Mỏ Cày Bắc — Tỉnh Bến Tre',
                                                          'Huyện Mỏ Cày Nam — Tỉnh Bến Tre']
    assert len(client.get('/pick/units?q=xa&on=2019-07-05&limit=3', headers=JSON).get_json()['results']) == 3
    assert client.get('/pick/units?q=&on=2019-07-05', headers=JSON).get_json() == {'results': []}
    people = client.get('/pick/people?q=VO%20THANH%20CONG', headers=JSON).get_json()['results']
    assert [p['name'] for p in people] == ['Võ Thành Công']
    bodies = client.get('/pick/bodies?q=bcdcc', headers=JSON).get_json()['results']
    assert bodies and bodies[0]['label'].endswith('(BCĐCCTMTQG)')


BAD = [
    ('/pick/units?q=an&on=2019-13-45', 'on'),
    ('/pick/units?q=an&on=hom-nay', 'on'),
    ('/pick/units?q=an&level=huyen', 'level'),
    ('/pick/units?q=an&province=99&on=2019-07-05', 'province'),
    ('/pick/units?q=an&province=838&on=2019-07-05', 'province'),
    ('/pick/units?q=an&limit=abc', 'limit'),
    ('/pick/units?q=an&limit=0', 'limit'),
    ('/pick/units?q=' + 'a' * 120, 'q'),
    ('/pick/people?q=an&limit=1000', 'limit'),
    ('/pick/bodies?q=an&limit=-1', 'limit'),
]


def test_bad_parameters_get_400_naming_the_field(app):  # noqa: ANN001
    client = Client(app)
    client.login('admin')
    for query, field in BAD:
        r = client.get(query, headers=JSON)
        assert r.status_code == 400, (query, r.status_code, r.get_data(as_text=True)[:300])
        body = r.get_json()
        assert body['field'] == field and body['message'], (query, body)


# --- the forms without JavaScript: the typed text is searched when the form is sent ----------------------

def _person_unit(app, name: str):  # noqa: ANN001, ANN202
    return _scalar(app, 'select a.code from people p join admin_units a on a.id = p.unit_id where p.full_name = :n',
                   n=name)


def test_a_persons_unit_is_chosen_by_name_without_javascript(app_factory):  # noqa: ANN001
    app = app_factory('planning')  # the teams page shows its forms while the plan is planned or scheduled
    plan = ids(app)['plan']
    sec = Client(app)
    sec.login('thao.vpt')
    # one match: taken
    r = sec.post(f'/plans/{plan}/people', {'full_name': 'Trần Văn Một', 'unit_q': 'NHUẬN phu tan'})
    assert r.status_code == 302, _page(r)[:2000]
    assert _person_unit(app, 'Trần Văn Một') == '28936'
    # several: listed to choose, what was typed kept, nothing written
    before = snapshot(app)
    r = sec.post(f'/plans/{plan}/people', {'full_name': 'Trần Văn Hai', 'title': 'Chuyên viên', 'unit_q': 'mo cay'})
    page = _page(r)
    assert r.status_code == 422 and snapshot(app) == before
    assert 'hãy chọn một' in page and 'value="Trần Văn Hai"' in page and 'value="mo cay"' in page
    choices = re.findall(r'<input type="radio" name="unit" value="(\d+)"> <span>([^<]+)</span>', page)
    assert ('838', 'Huyện Mỏ Cày Bắc — Tỉnh Bến Tre') in choices and len(choices) >= 2
    # the user picks one and sends again (the box still holds the text they typed)
    r = sec.post(f'/plans/{plan}/people', {'full_name': 'Trần Văn Hai', 'unit': '838', 'unit_q': 'mo cay',
                                           'unit_searched': 'mo cay'})
    assert r.status_code == 302 and _person_unit(app, 'Trần Văn Hai') == '838'
    # the script's choice: the code and its label
    r = sec.post(f'/plans/{plan}/people', {'full_name': 'Trần Văn Ba', 'unit': '28930',
                                           'unit_q': 'Xã Định Thủy — Huyện Mỏ Cày Nam, Tỉnh Bến Tre'})
    assert r.status_code == 302 and _person_unit(app, 'Trần Văn Ba') == '28930'
    # nothing found
    before = snapshot(app)
    r = sec.post(f'/plans/{plan}/people', {'full_name': 'Trần Văn Bốn', 'unit_q': 'khong co xa nay'})
    assert r.status_code == 422 and 'Không tìm thấy "khong co xa nay"' in _page(r) and snapshot(app) == before


def test_a_new_plan_picks_its_body_and_targets_by_name(app):  # noqa: ANN001
    sec = Client(app)
    sec.login('thao.vpt')
    form = {'issuer_q': 'ban chi dao', 'subject': 'Giám sát giảm nghèo', 'fieldwork_start': '2019-09-03',
            'fieldwork_end': '2019-09-20', 'coverage_rule': 'none', 'targets_q': 'nhuan phu tan'}
    r = sec.post('/plans/new', form)
    assert r.status_code == 302, re.findall(r'class="(?:error|form-errors)"[^>]*>(.*?)</', _page(r), re.S)
    plan_id = int(r.headers['Location'].rsplit('/', 1)[1])
    assert _scalar(app, 'select b.abbreviation from plans p join issuing_bodies b on b.id = p.issuer_id '
                        'where p.id = :p', p=plan_id) == 'BCĐCCTMTQG'
    editor = _page(sec.get(f'/plans/{plan_id}/edit'))
    assert re.search(r'name="targets" value="28936" checked> <span>Xã Nhuận Phú Tân — Huyện Mỏ Cày Bắc', editor)
    # add a district by name (several matches: choose), keep the commune, then untick the commune
    values = {'subject': 'Giám sát giảm nghèo', 'fieldwork_start': '2019-09-03', 'fieldwork_end': '2019-09-20',
              'coverage_rule': 'none', 'targets': ['28936'], 'targets_q': 'mo cay'}
    r = sec.post(f'/plans/{plan_id}/edit', values)
    page = _page(r)
    assert r.status_code == 422 and 'value="mo cay"' in page
    assert re.search(r'<input type="checkbox" name="targets" value="838"> <span>Huyện Mỏ Cày Bắc', page)
    r = sec.post(f'/plans/{plan_id}/edit', {**values, 'targets': ['28936', '838'], 'targets_searched': 'mo cay'})
    assert r.status_code == 302, _page(r)[:3000]
    codes = lambda: sorted(row[0] for row in _rows(app, 'select a.code from plan_target_units t join admin_units a '  # noqa: E731
                                                   'on a.id = t.unit_id where t.plan_id = :p', p=plan_id))
    assert codes() == ['28936', '838']
    r = sec.post(f'/plans/{plan_id}/edit', {**values, 'targets': ['838'], 'targets_q': ''})
    assert r.status_code == 302 and codes() == ['838']


def _rows(app, sql: str, **params):  # noqa: ANN001, ANN003, ANN202
    with app.extensions['inspect_flow.engine'].connect() as conn:
        return conn.execute(sa.text(sql), params).all()


def test_an_account_picks_its_person_and_unit_by_name(app, monkeypatch):  # noqa: ANN001
    monkeypatch.setenv('INSPECT_FLOW_TODAY', '2019-07-05')
    admin = Client(app)
    admin.login('admin')
    r = admin.post('/users', {'username': 'xa.dinhthuy', 'password': 'matkhau-dai', 'role': 'local_official',
                              'full_name': 'UBND xã Định Thủy', 'unit_q': 'dinh thuy', 'person_q': ''})
    assert r.status_code == 302, re.findall(r'class="(?:error|form-errors)"[^>]*>(.*?)</', _page(r), re.S)
    assert _scalar(app, "select a.code from users u join admin_units a on a.id = u.unit_id "
                        "where u.username = 'xa.dinhthuy'") == '28930'
    r = admin.post('/users', {'username': 'cong.moi', 'password': 'matkhau-dai', 'role': 'team_leader',
                              'full_name': 'Võ Thành Công', 'person_q': 'VÕ THÀNH CÔNG'})
    assert r.status_code == 302, _page(r)[:2000]
    assert _scalar(app, "select p.full_name from users u join people p on p.id = u.person_id "
                        "where u.username = 'cong.moi'") == 'Võ Thành Công'


def test_a_recommendation_is_addressed_to_a_unit_chosen_by_name(app):  # noqa: ANN001
    sec = Client(app)
    sec.login('thao.vpt')
    district = _scalar(app, "select id from admin_units where code = '838'")
    r = sec.post(f'/plans/{ids(app)["plan"]}/conclusions', {'district': district, 'summary': 'Kết luận.'})
    assert r.status_code == 302
    conclusion = _scalar(app, 'select id from conclusions where unit_id = :d', d=district)
    page = _page(sec.get(f'/plans/{ids(app)["plan"]}/conclusions'))
    # the conclusion's district is offered by default, with its label
    assert re.search(r'name="addressee_unit" value="\d+" data-picker-value>', page)
    r = sec.post(f'/conclusions/{conclusion}/recommendations', {'text': 'Rà soát hộ nghèo.', 'addressee_unit': '',
                                                                'addressee_unit_q': 'nhuan phu tan'})
    assert r.status_code == 302, _page(r)[:2000]
    assert _scalar(app, "select a.code from recommendations r join admin_units a on a.id = r.addressee_unit_id "
                        "where r.text = 'Rà soát hộ nghèo.'") == '28936'


# --- issuing bodies -------------------------------------------------------------------------------------

BODY = {'name': 'Ban Chỉ đạo các Chương trình mục tiêu quốc gia tỉnh Vĩnh Long', 'abbreviation': 'BCĐCCTMTQG',
        'header_lines': 'BAN CHỈ ĐẠO CÁC CHƯƠNG TRÌNH\nMỤC TIÊU QUỐC GIA', 'parent_header': 'UBND TỈNH VĨNH LONG',
        'place_name': 'Vĩnh Long', 'unit_q': 'tinh vinh long'}


BAD_BODIES = [
    ({'name': ''}, 'name', 'Phải nhập tên cơ quan.'),
    ({'abbreviation': 'BCĐ CT/X'}, 'abbreviation', 'chỉ gồm chữ, chữ số'),
    ({'place_name': 'V' * 90}, 'place_name', 'Địa danh: tối đa 80 ký tự'),
    ({'header_lines': 'A\nB\nC\nD\nE'}, 'header_lines', 'tối đa 4 dòng'),
    ({'slug': 'test bcd'}, 'slug', 'chỉ gồm chữ thường không dấu'),
    ({'unit_q': 'khong co tinh nay'}, 'unit', 'Không tìm thấy'),
]


def test_a_bad_issuing_body_is_refused_beside_its_field_keeping_what_was_typed(app, monkeypatch):  # noqa: ANN001
    monkeypatch.setenv('INSPECT_FLOW_TODAY', '2026-03-02')
    sec = Client(app)
    sec.login('thao.vpt')
    before = snapshot(app)
    bodies = _scalar(app, 'select count(*) from issuing_bodies')
    for changes, field, message in BAD_BODIES:
        r = sec.post('/bodies', {**BODY, **changes})
        page = _page(r)
        assert r.status_code == 422, changes
        assert re.search(rf'id="e-{field}">[^<]*{re.escape(message)}', page), (changes, re.findall(
            r'class="(?:error|form-errors)"[^>]*>(.*?)</', page, re.S))
        assert 'value="UBND TỈNH VĨNH LONG"' in page and 'value="Vĩnh Long"' in page or field == 'place_name'
        assert snapshot(app) == before and _scalar(app, 'select count(*) from issuing_bodies') == bodies


def test_the_secretariat_creates_an_issuing_body_audited_and_others_cannot(app, monkeypatch):  # noqa: ANN001
    monkeypatch.setenv('INSPECT_FLOW_TODAY', '2026-03-02')
    sec = Client(app)
    sec.login('thao.vpt')
    r = sec.post('/bodies', BODY, csrf=False)
    assert r.status_code == 400  # no CSRF token
    leader = Client(app)
    leader.login('cong.td5')
    assert leader.post('/bodies', BODY).status_code == 403
    assert _scalar(app, "select count(*) from issuing_bodies where place_name = 'Vĩnh Long'") == 0
    r = sec.post('/bodies', BODY)
    assert r.status_code == 302, _page(r)[:3000]
    row = _rows(app, "select slug, abbreviation, header_lines, parent_header, unit_id from issuing_bodies "
                     "where place_name = 'Vĩnh Long'")[0]
    assert row[0] == 'ban-chi-dao-cac-chuong-trinh-muc-tieu-quoc-gia-tinh-vinh' and row[1] == 'BCĐCCTMTQG'
    assert row[3] == 'UBND TỈNH VĨNH LONG'
    assert _scalar(app, 'select code from admin_units where id = :u', u=row[4]) == '86'  # Tỉnh Vĩnh Long, 2025
    audit = _rows(app, "select actor, action from audit_entries where entity_type = 'issuingbody'")
    assert audit == [('web:thao.vpt', 'create')]
    listed = _page(sec.get('/bodies'))
    assert 'Ban Chỉ đạo các Chương trình mục tiêu quốc gia tỉnh Vĩnh Long' in listed
    # the same name again gets its own slug; a taken slug given by hand is refused beside its field
    assert sec.post('/bodies', BODY).status_code == 302
    r = sec.post('/bodies', {**BODY, 'slug': 'ban-chi-dao-cac-chuong-trinh-muc-tieu-quoc-gia-tinh-vinh'})
    assert r.status_code == 422 and 'id="e-slug">Mã ngắn' in _page(r)


def test_a_team_member_is_chosen_by_name_without_javascript(app_factory):  # noqa: ANN001
    app = app_factory('planning')
    known = ids(app)
    sec = Client(app)
    sec.login('thao.vpt')
    team = _scalar(app, 'select id from teams where number = 1')
    before = _scalar(app, 'select count(*) from team_members where team_id = :t', t=team)
    r = sec.post(f'/plans/{known["plan"]}/teams/{team}/members', {'person_q': 'do huu nghia', 'role': 'member'})
    assert r.status_code == 302, re.findall(r'class="(?:error|form-errors)"[^>]*>(.*?)</', _page(r), re.S)
    assert _scalar(app, 'select count(*) from team_members m join people p on p.id = m.person_id '
                        "where m.team_id = :t and p.full_name = 'Đỗ Hữu Nghĩa'", t=team) == 1
    r = sec.post(f'/plans/{known["plan"]}/teams/{team}/members', {'person_q': 'nguyen', 'role': 'member'})
    page = _page(r)
    assert r.status_code == 422 and 'id="team-1"' in page and 'value="nguyen"' in page
    assert re.search(r'<input type="radio" name="person" value="\d+"> <span>Nguyễn', page)
    assert _scalar(app, 'select count(*) from team_members where team_id = :t', t=team) == before + 1
