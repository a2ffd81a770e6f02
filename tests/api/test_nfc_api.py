"""/api/v1 and text typed in NFD: people are found and not duplicated, a resend spelled in NFD is the same request,
and what is stored is NFC. Both databases; every response is checked against the OpenAPI document."""

from __future__ import annotations

import json
import unicodedata
import uuid
from urllib.parse import quote

import pytest

from tests.api.conftest import demo_api, member_visit, submission_for

PEOPLE = 'select count(*) from people'


def nfd(value):  # noqa: ANN001, ANN201
    if isinstance(value, str):
        return unicodedata.normalize('NFD', value)
    if isinstance(value, dict):
        return {k: nfd(v) for k, v in value.items()}
    if isinstance(value, list):
        return [nfd(v) for v in value]
    return value


@pytest.fixture
def api_planning(databases, db_kind):  # noqa: ANN001, ANN201
    with demo_api(databases, db_kind, 'planning') as api:
        yield api


def test_a_name_typed_in_nfd_finds_the_person_and_cannot_make_a_look_alike(api_planning) -> None:  # noqa: ANN001
    api = api_planning
    made = api.post('/api/v1/people', 'secretariat', json={'full_name': nfd('Phạm Thị Ngọc Ánh'),
                                                          'agency': nfd('Sở Tài chính')})
    assert made.status_code == 201
    person = made.get_json()
    assert person['full_name'] == 'Phạm Thị Ngọc Ánh' and person['agency'] == 'Sở Tài chính'  # NFC, as stored
    assert api.scalar('select full_name from people where id = :id', id=person['id']) == 'Phạm Thị Ngọc Ánh'
    for typed in (nfd('Phạm Thị Ngọc Ánh'), 'Phạm Thị Ngọc Ánh', 'pham thi ngoc anh', nfd('NGỌC ÁNH')):
        found = api.get(f'/api/v1/people?q={quote(typed)}', 'secretariat').get_json()['items']
        assert found == [person], typed
    before = api.scalar(PEOPLE)
    for typed in ('Phạm Thị Ngọc Ánh', nfd('phạm thị ngọc ánh'), ' Phạm  Thị Ngọc Ánh '):
        again = api.post('/api/v1/people', 'secretariat', json={'full_name': typed, 'agency': 'Sở Tài chính'})
        assert again.status_code == 409, again.get_json()
        problem = again.get_json()
        assert problem['code'] == 'person.duplicate'
        assert problem['errors'][0]['field'] == 'full_name'
        assert f"mã số {person['id']}" in problem['detail']
    english = api.post('/api/v1/people', 'secretariat', json={'full_name': nfd('Phạm Thị Ngọc Ánh'),
                                                             'agency': 'Sở Tài chính'},
                       headers={'Accept-Language': 'en'})
    assert f"already exists, id {person['id']}" in english.get_json()['detail']
    assert api.scalar(PEOPLE) == before


def test_a_resend_spelled_in_nfd_replays_the_first_response_and_stores_nfc(api) -> None:  # noqa: ANN001
    visit = member_visit(api)
    body = submission_for(api, visit)
    assert nfd(body) != body
    key = str(uuid.uuid4())
    path = f'/api/v1/visits/{visit}/submissions'
    first = api.post(path, 'member25', data=json.dumps(nfd(body), ensure_ascii=False),
                     content_type='application/json', headers={'Idempotency-Key': key})
    assert first.status_code == 201, first.get_data(as_text=True)
    again = api.post(path, 'member25', json=body, headers={'Idempotency-Key': key})  # the same record, in NFC
    assert again.status_code == 201 and again.headers['Idempotent-Replayed'] == 'true'
    assert again.get_data() == first.get_data()
    names = api.scalar("select string_agg(full_name, '|') from visit_participants where visit_id = :v", v=visit) \
        if api.app.extensions['inspect_flow.engine'].dialect.name == 'postgresql' else \
        api.scalar("select group_concat(full_name, '|') from visit_participants where visit_id = :v", v=visit)
    assert names and unicodedata.is_normalized('NFC', names) and not names.isascii()
    # the response, built from the objects the request made, already shows the text as it was stored
    shown = json.dumps(first.get_json(), ensure_ascii=False)
    assert 'Lê' in shown or not shown.isascii()
    assert unicodedata.is_normalized('NFC', shown)


def test_an_async_body_typed_in_nfd_is_queued_in_nfc_and_its_nfc_resend_replays_the_202(api) -> None:  # noqa: ANN001
    visit = member_visit(api)
    body = submission_for(api, visit)
    key = str(uuid.uuid4())
    path = f'/api/v1/visits/{visit}/submissions'
    headers = {'Prefer': 'respond-async', 'Idempotency-Key': key}
    first = api.post(path, 'member25', data=json.dumps(nfd(body), ensure_ascii=False).encode(),
                     content_type='application/json', headers=headers)
    assert first.status_code == 202, first.get_data(as_text=True)
    stored = api.scalar('select body from submission_intake where key = :k', k=key)
    assert not stored.isascii() and unicodedata.is_normalized('NFC', stored)
    assert json.loads(stored) == body
    again = api.post(path, 'member25', data=json.dumps(body, ensure_ascii=False).encode(),
                     content_type='application/json', headers=headers)
    assert again.status_code == 202 and again.headers['Idempotent-Replayed'] == 'true'
    assert again.get_data() == first.get_data()
    assert api.scalar('select count(*) from submission_intake') == 1
