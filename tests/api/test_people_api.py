"""People through /api/v1: the secretariat finds (by name, ignoring tone marks) and adds the people it then puts
on teams. Both databases; every response is checked against the OpenAPI document by the client."""

from __future__ import annotations

import pytest

from inspect_flow.api.planning import fold
from tests.api.conftest import demo_api

PEOPLE = 'select count(*) from people'


@pytest.fixture
def api_planning(databases, db_kind):  # noqa: ANN001, ANN201
    """The round while the secretariat forms its teams."""
    with demo_api(databases, db_kind, 'planning') as api:
        yield api


@pytest.mark.parametrize(('typed', 'name'), [
    ('nguyen van', 'Nguyễn Văn An'),
    ('NGUYỄN', 'Nguyễn Văn An'),
    ('dang thi', 'Đặng Thị Hồng'),
    ('  ĐẶNG   thị ', 'Đặng Thị Hồng'),
    ('hong', 'Đặng Thị Hồng'),
])
def test_fold_ignores_case_tone_marks_and_spaces(typed: str, name: str) -> None:
    assert fold(typed) in fold(name)


def test_fold_keeps_letters_apart() -> None:
    assert fold('ha') not in fold('Hồ Văn Nam')
    assert fold('Lê') == 'le' and fold('Lệ') == 'le' and fold('Lý') == 'ly'


def test_staff_find_people_by_name_without_tone_marks(api) -> None:  # noqa: ANN001
    everyone = api.get('/api/v1/people?limit=200', 'secretariat')
    assert everyone.status_code == 200
    items = everyone.get_json()['items']
    assert len(items) == api.scalar(PEOPLE) > 9
    leader = api.get('/api/v1/plans', 'secretariat').get_json()['items'][0]['id']
    team = api.get(f'/api/v1/plans/{leader}/teams', 'secretariat').get_json()['items'][0]
    name = team['members'][0]['full_name']
    typed = fold(name).split()[-1]  # the given name, typed without marks
    found = api.get(f'/api/v1/people?q={typed}', 'secretariat').get_json()['items']
    assert name in [p['full_name'] for p in found]
    assert all(typed in fold(p['full_name']) for p in found)
    one = api.get(f"/api/v1/people/{team['members'][0]['person_id']}", 'admin')
    assert one.status_code == 200 and one.get_json()['full_name'] == name


def test_people_pages_do_not_overlap(api) -> None:  # noqa: ANN001
    seen, cursor = [], ''
    while True:
        page = api.get(f'/api/v1/people?limit=7{cursor}', 'secretariat').get_json()
        seen += [p['id'] for p in page['items']]
        if page['next_cursor'] is None:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert len(seen) == len(set(seen)) == api.scalar(PEOPLE)


@pytest.mark.parametrize('who', ['leader5', 'member25', 'district838', 'commune28936'])
def test_only_staff_see_or_add_people(api, who: str) -> None:  # noqa: ANN001
    before = api.scalar(PEOPLE)
    assert api.get('/api/v1/people', who).status_code == 403
    assert api.get('/api/v1/people/1', who).status_code == 403
    refused = api.post('/api/v1/people', who, json={'full_name': 'Trần Văn Bảy'})
    assert refused.status_code == 403 and refused.get_json()['code'] == 'access.forbidden'
    assert api.scalar(PEOPLE) == before
    assert api.get('/api/v1/people', None).status_code == 401


def test_secretariat_adds_a_person_then_puts_them_on_a_team(api_planning) -> None:  # noqa: ANN001
    api = api_planning
    commune = api.get('/api/v1/units?level=district&limit=1', 'secretariat').get_json()['items'][0]
    made = api.post('/api/v1/people', 'secretariat', json={
        'full_name': '  Phạm   Thị Ngọc Ánh ', 'title': 'Chuyên viên Sở Lao động - Thương binh và Xã hội',
        'agency': 'Sở Lao động - Thương binh và Xã hội', 'unit_id': commune['id']})
    assert made.status_code == 201
    person = made.get_json()
    assert person['full_name'] == 'Phạm Thị Ngọc Ánh' and person['unit_id'] == commune['id']
    assert made.headers['Location'] == f"/api/v1/people/{person['id']}"
    assert api.get('/api/v1/people?q=pham thi ngoc anh', 'secretariat').get_json()['items'] == [person]
    plan = api.get('/api/v1/plans', 'secretariat').get_json()['items'][0]['id']
    team = api.get(f'/api/v1/plans/{plan}/teams', 'secretariat').get_json()['items'][0]
    put = api.post(f"/api/v1/plans/{plan}/teams/{team['id']}/members", 'secretariat',
                   json={'person_id': person['id'], 'role': 'member'})
    assert put.status_code == 201
    assert person['id'] in [m['person_id'] for m in put.get_json()['members']]


@pytest.mark.parametrize(('body', 'status', 'code', 'field'), [
    ({}, 422, 'body.invalid', 'full_name'),
    ({'full_name': ''}, 422, 'body.invalid', 'full_name'),
    ({'full_name': '   '}, 422, 'body.invalid', 'full_name'),  # stripped, then empty
    ({'full_name': 'Lê Văn Tám', 'unit_id': 987654}, 422, 'unit.not_found', 'unit_id'),
    ({'full_name': 'Lê Văn Tám', 'unit_id': '5'}, 422, 'body.invalid', 'unit_id'),
    ({'full_name': 'x' * 121}, 422, 'body.invalid', 'full_name'),
    ({'full_name': 'Lê Văn Tám', 'phone': '0909'}, 422, 'body.invalid', 'phone'),
])
def test_a_bad_person_is_refused_with_its_field_and_nothing_is_written(api, body, status, code, field) -> None:  # noqa: ANN001
    before = api.scalar(PEOPLE)
    resp = api.post('/api/v1/people', 'secretariat', json=body)
    assert resp.status_code == status
    problem = resp.get_json()
    assert problem['code'] == code
    assert field in [e['field'] for e in problem['errors']] or problem.get('field') == field, problem
    assert api.scalar(PEOPLE) == before


def test_unknown_person_and_bad_query(api) -> None:  # noqa: ANN001
    assert api.get('/api/v1/people/987654', 'secretariat').get_json()['code'] == 'person.not_found'
    bad = api.get('/api/v1/people?unit_id=abc', 'secretariat')
    assert bad.status_code == 422 and bad.get_json()['errors'][0]['field'] == 'unit_id'
