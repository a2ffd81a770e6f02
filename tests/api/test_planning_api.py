"""Writing teams and checklist pins through /api/v1, on the 2019 Bến Tre round (1245/KH-BCĐCCTMTQG).

Each test runs on SQLite and on PostgreSQL (``db_url``). Every response is checked against the OpenAPI
document by the client; every refusal is checked for its status, its problem code and an unchanged database.
"""

from __future__ import annotations

import shutil
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspect_flow.core.db import make_session_factory, unit_of_work
from inspect_flow.core.errors import Conflict
from inspect_flow.paths import checklists_dir
from tests.api.conftest import ApiClient, demo_api

PROBLEM = 'application/problem+json'
ALL_TEAMS = list(range(1, 10))
USERNAMES = {'admin': 'admin', 'secretariat': 'thao.vpt'}


@pytest.fixture
def planning(databases, db_kind):  # noqa: ANN001, ANN201
    """The round as the secretariat is forming it: 9 teams with their leaders, both checklists pinned."""
    with demo_api(databases, db_kind, 'planning') as api:
        yield api


# --- reading the database directly ------------------------------------------------------------------

def engine(api: ApiClient) -> sa.Engine:
    return api.app.extensions['inspect_flow.engine']


def snapshot(api: ApiClient) -> dict:
    """Everything these endpoints could change: teams, memberships, pins, the plan row, the audit trail."""
    with engine(api).connect() as c:
        def rows(sql: str) -> list[tuple]:
            return [tuple(r) for r in c.execute(sa.text(sql))]

        return {
            'teams': rows('select plan_id, number from teams order by plan_id, number'),
            'members': rows('select t.plan_id, t.number, m.person_id, m.role from team_members m '
                            'join teams t on t.id = m.team_id order by 1, 2, 3'),
            'pins': rows('select plan_id, checklist_id, version, sha256 from plan_checklists order by 1, 2'),
            'plans': rows('select id, state, version_id from plans order by id'),
            'audit': rows('select count(*) from audit_entries'),
        }


def audit_since(api: ApiClient, before: int) -> list[tuple]:
    """The audit rows written after row count *before*: (actor, entity_type, action, changes)."""
    from inspect_flow.audit.models import AuditEntry

    with Session(engine(api)) as s:
        entries = s.scalars(sa.select(AuditEntry).order_by(AuditEntry.id).offset(before))
        return [(e.actor, e.entity_type, e.action, e.changes) for e in entries]


def plan_id(api: ApiClient) -> int:
    return api.scalar("select id from plans where number = 1245 and year = 2019 and symbol = 'KH-BCĐCCTMTQG'")


def team_id(api: ApiClient, number: int, plan: int | None = None) -> int:
    return api.scalar('select id from teams where plan_id = :p and number = :n', p=plan or plan_id(api), n=number)


def person_id(api: ApiClient, full_name: str) -> int:
    return api.scalar('select id from people where full_name = :n', n=full_name)


def members(api: ApiClient, number: int) -> dict[str, str]:
    """Team *number*'s members: {full name: role}."""
    with engine(api).connect() as c:
        return dict(c.execute(sa.text(
            'select p.full_name, m.role from team_members m join people p on p.id = m.person_id '
            'join teams t on t.id = m.team_id where t.plan_id = :p and t.number = :n'),
            {'p': plan_id(api), 'n': number}).all())


def pins(api: ApiClient) -> dict[str, tuple[str, str]]:
    """The plan's pins: {checklist id: (version, sha256)}."""
    with engine(api).connect() as c:
        return {r[0]: (r[1], r[2]) for r in c.execute(sa.text(
            'select checklist_id, version, sha256 from plan_checklists where plan_id = :p'), {'p': plan_id(api)})}


def registry_sha(checklist_id: str, version: str | None = None) -> str:
    from inspect_flow.checklist import find_checklist

    return find_checklist(checklist_id, version).sha256


def assert_problem(resp, status: int, code: str, fields: list[str] | None = None) -> dict:  # noqa: ANN001
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.headers['Content-Type'] == PROBLEM
    body = resp.get_json()
    assert body['status'] == status
    assert body['code'] == code
    assert body['type'] == f'urn:inspect-flow:problem:{code}'
    if fields is not None:
        assert [e['field'] for e in body['errors']] == fields, body
    return body


def ship_a_new_version(folder, monkeypatch) -> tuple[str, str]:  # noqa: ANN001
    """Ship household-consultation 2019.2 beside 2019.1 in a copy of the checklist folder; return both SHA-256."""
    shutil.copytree(checklists_dir(), folder)
    text = (folder / 'household-consultation.yaml').read_text(encoding='utf-8')
    assert 'version: "2019.1"' in text
    (folder / 'household-consultation-2019.2.yaml').write_text(
        text.replace('version: "2019.1"', 'version: "2019.2"', 1), encoding='utf-8')
    monkeypatch.setenv('INSPECT_FLOW_CHECKLISTS', str(folder))
    return registry_sha('household-consultation', '2019.1'), registry_sha('household-consultation', '2019.2')


# --- success paths --------------------------------------------------------------------------------

def test_the_secretariat_forms_a_team_and_it_reads_back(planning):  # noqa: ANN001
    api = planning
    plan = plan_id(api)
    audit_before = snapshot(api)['audit'][0][0]
    diem, loi = person_id(api, 'Phan Thị Diễm'), person_id(api, 'Trương Văn Lợi')

    created = api.post(f'/api/v1/plans/{plan}/teams', 'secretariat', json={'number': 10})
    assert created.status_code == 201
    team = created.get_json()
    assert (team['plan_id'], team['number'], team['members']) == (plan, 10, [])
    assert created.headers['Location'] == f'/api/v1/plans/{plan}/teams/{team["id"]}'
    assert team_id(api, 10) == team['id']

    leader = api.post(f'/api/v1/plans/{plan}/teams/{team["id"]}/members', 'secretariat',
                      json={'person_id': diem, 'role': 'leader'})
    assert leader.status_code == 201
    member = api.post(f'/api/v1/plans/{plan}/teams/{team["id"]}/members', 'secretariat', json={'person_id': loi})
    assert member.status_code == 201
    assert [(m['full_name'], m['role']) for m in member.get_json()['members']] == [
        ('Phan Thị Diễm', 'leader'), ('Trương Văn Lợi', 'member')]
    assert members(api, 10) == {'Phan Thị Diễm': 'leader', 'Trương Văn Lợi': 'member'}

    removed = api.call('DELETE', f'/api/v1/plans/{plan}/teams/{team["id"]}/members/{loi}', 'secretariat')
    assert removed.status_code == 200
    assert [m['full_name'] for m in removed.get_json()['members']] == ['Phan Thị Diễm']
    assert members(api, 10) == {'Phan Thị Diễm': 'leader'}

    read = api.get(created.headers['Location'], 'secretariat')
    assert read.status_code == 200 and read.get_json() == removed.get_json()
    listed = api.get(f'/api/v1/plans/{plan}/teams', 'secretariat').get_json()['items']
    assert [t['number'] for t in listed] == [*ALL_TEAMS, 10]
    assert api.get(f'/api/v1/plans/{plan}', 'secretariat').get_json()['state'] == 'planning'

    assert audit_since(api, audit_before) == [
        ('api:thao.vpt', 'team', 'create', {'number': [None, 10]}),
        ('api:thao.vpt', 'team', 'create', {'member': [None, 'Phan Thị Diễm'], 'role': [None, 'leader']}),
        ('api:thao.vpt', 'team', 'create', {'member': [None, 'Trương Văn Lợi'], 'role': [None, 'member']}),
        ('api:thao.vpt', 'team', 'delete', {'member': ['Trương Văn Lợi', None], 'role': ['member', None]}),
    ]


def test_team_5_changes_its_leader(planning):  # noqa: ANN001
    """Võ Thành Công hands team 5 (Xã Nhuận Phú Tân, Huyện Mỏ Cày Bắc) to Huỳnh Thị Mỹ Lệ and stays as deputy."""
    api = planning
    plan, team5 = plan_id(api), team_id(api, 5)
    cong, le = person_id(api, 'Võ Thành Công'), person_id(api, 'Huỳnh Thị Mỹ Lệ')
    before = members(api, 5)
    assert before['Võ Thành Công'] == 'leader'
    base = f'/api/v1/plans/{plan}/teams/{team5}/members'
    assert api.call('DELETE', f'{base}/{cong}', 'admin').status_code == 200
    assert api.post(base, 'admin', json={'person_id': le, 'role': 'leader'}).status_code == 201
    assert api.post(base, 'admin', json={'person_id': cong, 'role': 'deputy'}).status_code == 201
    assert members(api, 5) == {**before, 'Võ Thành Công': 'deputy', 'Huỳnh Thị Mỹ Lệ': 'leader'}
    # the team-5 leader account now holds a deputy's place: still on the team, still sees its plan
    assert api.get(f'/api/v1/plans/{plan}/teams/{team5}', 'leader5').status_code == 200


def test_pins_change_unpin_and_pin_again(planning):  # noqa: ANN001
    api = planning
    plan = plan_id(api)
    url = f'/api/v1/plans/{plan}/checklists/household-consultation'
    sha = registry_sha('household-consultation', '2019.1')
    assert pins(api) == {'household-consultation': ('2019.1', sha),
                         'poverty-supervision': ('2019.1', registry_sha('poverty-supervision', '2019.1'))}
    audit_before = snapshot(api)['audit'][0][0]

    same = api.call('PUT', url, 'secretariat', json={'version': '2019.1'}, headers={'If-Match': f'"{sha}"'})
    assert same.status_code == 200 and same.headers['ETag'] == f'"{sha}"'
    assert (same.get_json()['version'], same.get_json()['kind']) == ('2019.1', 'household_consultation')
    assert audit_since(api, audit_before) == [], 'pinning the pinned version again changes nothing'

    gone = api.call('DELETE', url, 'secretariat', headers={'If-Match': f'"{sha}"'})
    assert gone.status_code == 204 and gone.get_data() == b''
    assert 'household-consultation' not in pins(api)
    assert [c['checklist_id'] for c in api.get(f'/api/v1/plans/{plan}/checklists', 'secretariat')
            .get_json()['items']] == ['poverty-supervision']

    again = api.call('PUT', url, 'secretariat', json={})
    assert again.status_code == 201
    assert pins(api)['household-consultation'] == ('2019.1', sha)
    whole = api.get(url, 'secretariat').get_json()
    assert whole['sha256'] == sha and whole['content']['id'] == 'household-consultation'
    assert [(a, e, act) for a, e, act, _ in audit_since(api, audit_before)] == [
        ('api:thao.vpt', 'planchecklist', 'delete'), ('api:thao.vpt', 'planchecklist', 'create')]


def test_a_new_shipped_version_is_pinned_in_place_of_the_old(planning, tmp_path, monkeypatch):  # noqa: ANN001
    api = planning
    old, new = ship_a_new_version(tmp_path / 'checklists', monkeypatch)
    plan = plan_id(api)
    url = f'/api/v1/plans/{plan}/checklists/household-consultation'

    shipped = api.get('/api/v1/checklists', 'secretariat').get_json()['items']
    assert [(c['checklist_id'], c['version'], c['applies_from'], c['applies_until']) for c in shipped] == [
        ('household-consultation', '2019.1', None, None), ('household-consultation', '2019.2', None, None),
        ('household-consultation', '2026.1', '2025-07-01', None), ('poverty-supervision', '2019.1', None, None),
        ('poverty-supervision', '2026.1', '2025-07-01', None)]
    assert old != new and {c['sha256'] for c in shipped} >= {old, new}

    # the change is based on the pin the client saw; a stale base is refused and changes nothing
    before = snapshot(api)
    stale = api.call('PUT', url, 'secretariat', json={'version': '2019.2'}, headers={'If-Match': f'"{new}"'})
    assert_problem(stale, 409, 'stale_version', ['If-Match'])
    assert snapshot(api) == before

    changed = api.call('PUT', url, 'secretariat', json={'version': '2019.2'}, headers={'If-Match': f'"{old}"'})
    assert changed.status_code == 200 and changed.headers['ETag'] == f'"{new}"'
    assert pins(api)['household-consultation'] == ('2019.2', new)
    audit = audit_since(api, before['audit'][0][0])
    assert [(e, act, ch.get('version')) for _, e, act, ch in audit] == [
        ('planchecklist', 'delete', ['2019.1', None]), ('planchecklist', 'create', [None, '2019.2'])]

    back = api.call('PUT', url, 'secretariat', json={'version': '2019.1'}, headers={'If-Match': '*'})
    assert back.status_code == 200 and pins(api)['household-consultation'] == ('2019.1', old)
    newest = api.call('PUT', url, 'secretariat', json={})  # the newest that applies on 05/07/2019: not 2026.1
    assert newest.status_code == 200 and pins(api)['household-consultation'] == ('2019.2', new)


# --- who may do it -------------------------------------------------------------------------------

#: What each persona gets on a write: ``'write'`` (it happens), or the refusal's status and problem code.
ROLES = {
    'admin': 'write',
    'secretariat': 'write',
    'leader5': (403, 'access.forbidden'),        # on the plan (leads team 5): sees it, may not organise it
    'member25': (403, 'access.forbidden'),       # on teams 2 and 5
    'member36': (403, 'access.forbidden'),       # on teams 3 and 6
    'district838': (404, 'plan.not_found'),      # Huyện Mỏ Cày Bắc: not on the plan
    'commune28936': (404, 'plan.not_found'),     # Xã Nhuận Phú Tân: not on the plan
    None: (401, 'auth.required'),
}


def _writes(api: ApiClient) -> list[tuple[str, str, dict, int, tuple[str, str]]]:
    """(method, path, request kwargs, status when allowed, audit row (entity, action) it writes)."""
    plan, team5 = plan_id(api), team_id(api, 5)
    diem = person_id(api, 'Phan Thị Diễm')
    pin = f'/api/v1/plans/{plan}/checklists/household-consultation'
    return [
        ('POST', f'/api/v1/plans/{plan}/teams', {'json': {'number': 10}}, 201, ('team', 'create')),
        ('POST', f'/api/v1/plans/{plan}/teams/{team5}/members', {'json': {'person_id': diem, 'role': 'deputy'}},
         201, ('team', 'create')),
        ('DELETE', f'/api/v1/plans/{plan}/teams/{team5}/members/{diem}', {}, 200, ('team', 'delete')),
        ('DELETE', pin, {}, 204, ('planchecklist', 'delete')),
        ('PUT', pin, {'json': {'version': '2019.1'}}, 201, ('planchecklist', 'create')),
    ]


@pytest.mark.parametrize('who', list(ROLES), ids=[str(w) for w in ROLES])
def test_each_role_on_each_endpoint(planning, who):  # noqa: ANN001
    api = planning
    plan, team5 = plan_id(api), team_id(api, 5)
    expected = ROLES[who]
    read = api.get(f'/api/v1/plans/{plan}/teams/{team5}', who)
    if expected == 'write' or expected[0] == 403:
        assert read.status_code == 200 and read.get_json()['number'] == 5
    else:
        assert_problem(read, *expected)
    before = snapshot(api)
    for method, path, kw, status, (entity, action) in _writes(api):
        audit_before = snapshot(api)['audit'][0][0]
        resp = api.call(method, path, who, **kw)
        if expected == 'write':
            assert resp.status_code == status, (method, path, resp.get_data(as_text=True))
            assert [(a, e, act) for a, e, act, _ in audit_since(api, audit_before)] == [
                (f'api:{USERNAMES[who]}', entity, action)]
        else:
            assert_problem(resp, *expected)
    after = snapshot(api)
    if expected == 'write':
        assert after['teams'] == before['teams'] + [(plan, 10)]
        assert after['members'] == before['members'] and after['pins'] == before['pins']
    else:
        assert after == before


def test_the_rules_are_per_plan_and_per_team(planning):  # noqa: ANN001
    """A team member of plan 1245 is a stranger to another plan (404), and a team is addressed under its own plan."""
    from inspect_flow.plans import operations as plan_ops
    from inspect_flow.units.models import IssuingBody

    api = planning
    with unit_of_work(make_session_factory(engine(api))) as s:
        issuer = s.scalars(sa.select(IssuingBody).where(IssuingBody.slug == 'bcd-ctmtqg-ben-tre')).one()
        other = plan_ops.create_plan(s, issuer=issuer, number=1300, issue_date=date(2019, 6, 10),
                                     subject='Kiểm tra công tác giảm nghèo tại Huyện Ba Tri', actor='test',
                                     fieldwork_start=date(2019, 8, 5), fieldwork_end=date(2019, 8, 9))
        plan_ops.add_team(s, other, 1, actor='test')
        s.flush()
        other_id = other.id
    other_team = team_id(api, 1, other_id)
    before = snapshot(api)
    for who in ('member25', 'leader5'):
        assert_problem(api.get(f'/api/v1/plans/{other_id}/teams/{other_team}', who), 404, 'plan.not_found')
        assert_problem(api.post(f'/api/v1/plans/{other_id}/teams', who, json={'number': 2}), 404, 'plan.not_found')
        assert_problem(api.post(f'/api/v1/plans/{plan_id(api)}/teams', who, json={'number': 10}), 403,
                       'access.forbidden')
    wrong = api.post(f'/api/v1/plans/{plan_id(api)}/teams/{other_team}/members', 'secretariat',
                     json={'person_id': person_id(api, 'Phan Thị Diễm')})
    assert_problem(wrong, 404, 'team.not_found')
    assert_problem(api.get(f'/api/v1/plans/{plan_id(api)}/teams/{other_team}', 'secretariat'), 404, 'team.not_found')
    assert_problem(api.post('/api/v1/plans/987654/teams', 'secretariat', json={'number': 1}), 404, 'plan.not_found')
    assert snapshot(api) == before


# --- refusals ------------------------------------------------------------------------------------

BAD_BODIES = [
    # (endpoint, request kwargs, problem code, fields)
    ('teams', {'json': {}}, 'body.invalid', ['number']),
    ('teams', {'json': {'number': 0}}, 'body.invalid', ['number']),
    ('teams', {'json': {'number': 1000}}, 'body.invalid', ['number']),
    ('teams', {'json': {'number': '10'}}, 'body.invalid', ['number']),
    ('teams', {'json': {'number': True}}, 'body.invalid', ['number']),
    ('teams', {'json': {'number': 10.5}}, 'body.invalid', ['number']),
    ('teams', {'json': {'number': 10, 'leader': 'Võ Thành Công'}}, 'body.invalid', ['leader']),
    ('teams', {'json': [10]}, 'body.not_object', []),
    ('teams', {'data': b'{"number": 1', 'content_type': 'application/json'}, 'body.malformed', []),
    ('teams', {'data': b'', 'content_type': 'application/json'}, 'body.required', []),
    ('teams', {'json': {'number': 10**40}}, 'body.number_too_large', ['number']),
    ('members', {'json': {}}, 'body.invalid', ['person_id']),
    ('members', {'json': {'person_id': 0}}, 'body.invalid', ['person_id']),
    ('members', {'json': {'person_id': 'Võ Thành Công'}}, 'body.invalid', ['person_id']),
    ('members', {'json': {'person_id': 1, 'role': 'trưởng đoàn'}}, 'body.invalid', ['role']),
    ('members', {'json': {'person_id': 0, 'role': 'chief'}}, 'body.invalid', ['person_id', 'role']),
    ('members', {'json': {'person_id': 1, 'role': 'leader\x00'}}, 'body.nul', ['role']),
    ('pin', {'json': {'version': ''}}, 'body.invalid', ['version']),
    ('pin', {'json': {'version': '2019.1' * 8}}, 'body.invalid', ['version']),
    ('pin', {'json': {'version': '../2019.1'}}, 'body.invalid', ['version']),
    ('pin', {'json': {'version': 2019.1}}, 'body.invalid', ['version']),
    ('pin', {'json': {'checklist_id': 'poverty-supervision'}}, 'body.invalid', ['checklist_id']),
]


@pytest.mark.parametrize('lang', ['vi', 'en'])
def test_bad_bodies_get_field_errors_and_write_nothing(planning, lang):  # noqa: ANN001
    api = planning
    plan = plan_id(api)
    urls = {'teams': f'/api/v1/plans/{plan}/teams', 'members': f'/api/v1/plans/{plan}/teams/{team_id(api, 5)}/members',
            'pin': f'/api/v1/plans/{plan}/checklists/household-consultation'}
    before = snapshot(api)
    for endpoint, kw, code, fields in BAD_BODIES:
        method = 'PUT' if endpoint == 'pin' else 'POST'
        resp = api.call(method, urls[endpoint], 'secretariat', headers={'Accept-Language': lang}, **kw)
        body = assert_problem(resp, 422, code, fields)
        assert body['title'] == {'vi': 'Dữ liệu không hợp lệ', 'en': 'Unprocessable content'}[lang]
        if code == 'body.invalid':
            assert body['detail'].startswith({'vi': 'Dữ liệu không hợp lệ: ', 'en': 'Invalid input: '}[lang])
    assert snapshot(api) == before


def test_duplicates_and_unknown_references_are_refused(planning):  # noqa: ANN001
    api = planning
    plan, team5 = plan_id(api), team_id(api, 5)
    members_url = f'/api/v1/plans/{plan}/teams/{team5}/members'
    ngan, le = person_id(api, 'Lý Thị Kim Ngân'), person_id(api, 'Huỳnh Thị Mỹ Lệ')
    diem = person_id(api, 'Phan Thị Diễm')
    missing_person = api.scalar('select max(id) from people') + 1
    pin = f'/api/v1/plans/{plan}/checklists'
    cases = [
        ('POST', f'/api/v1/plans/{plan}/teams', {'json': {'number': 5}}, 409, 'team.duplicate_number', ['number'],
         'Kế hoạch 1245/KH-BCĐCCTMTQG đã có Đoàn 5.'),
        ('POST', members_url, {'json': {'person_id': ngan}}, 409, 'team.duplicate_member', ['person_id'],
         'Lý Thị Kim Ngân đã có trong Đoàn 5.'),
        ('POST', members_url, {'json': {'person_id': le, 'role': 'leader'}}, 409, 'team.leader_exists', ['role'],
         'Đoàn 5 đã có Trưởng đoàn (Võ Thành Công).'),
        ('POST', members_url, {'json': {'person_id': missing_person}}, 422, 'person.not_found', ['person_id'],
         f'Không tìm thấy người "{missing_person}".'),
        ('DELETE', f'{members_url}/{diem}', {}, 409, 'team.not_member', ['person_id'],
         'Phan Thị Diễm không có trong Đoàn 5.'),
        ('DELETE', f'{members_url}/{missing_person}', {}, 404, 'person.not_found', [], None),
        ('POST', f'/api/v1/plans/{plan}/teams/987654/members', {'json': {'person_id': diem}}, 404, 'team.not_found',
         [], None),
        ('PUT', f'{pin}/household-survey', {'json': {}}, 422, 'checklist.not_found', ['checklist_id'],
         'Không tìm thấy checklist household-survey'),
        ('PUT', f'{pin}/household-survey', {'json': {'version': '2019.1'}}, 422, 'checklist.not_found',
         ['checklist_id'], None),
        ('PUT', f'{pin}/poverty-supervision', {'json': {'version': '2020.1'}}, 422, 'checklist.not_found',
         ['version'], 'Không tìm thấy checklist poverty-supervision phiên bản 2020.1'),
        ('PUT', f'{pin}/poverty-supervision', {'json': {'version': '2026.1'}}, 422, 'plan.checklist_not_applicable',
         ['version'], 'Bộ câu hỏi poverty-supervision phiên bản 2026.1 chỉ áp dụng từ ngày 01/07/2025; kế hoạch bắt '
         'đầu kiểm tra ngày 05/07/2019.'),
        ('PUT', f'{pin}/poverty-supervision', {'json': {}, 'headers': {'If-Match': '"2019.1"'}}, 422,
         'if_match.invalid', ['If-Match'], None),
        ('PUT', f'{pin}/poverty-supervision', {'json': {}, 'headers': {'If-Match': '"' + '0' * 64 + '"'}}, 409,
         'stale_version', ['If-Match'], None),
        ('DELETE', f'{pin}/poverty-supervision', {'headers': {'If-Match': '"' + '0' * 64 + '"'}}, 409,
         'stale_version', ['If-Match'], None),
        ('DELETE', f'{pin}/household-survey', {}, 404, 'plan.checklist_not_pinned', ['checklist_id'],
         'Kế hoạch không áp dụng bộ câu hỏi "household-survey".'),
    ]
    before = snapshot(api)
    for method, path, kw, status, code, fields, detail in cases:
        body = assert_problem(api.call(method, path, 'secretariat', **kw), status, code, fields)
        if detail is not None:
            assert body['detail'] == detail
    # a pin based on no pin at all ("only if pinned") is stale too
    api.call('DELETE', f'{pin}/household-consultation', 'secretariat')
    after_unpin = snapshot(api)
    assert_problem(api.call('PUT', f'{pin}/household-consultation', 'secretariat', json={}, headers={'If-Match': '*'}),
                   409, 'stale_version', ['If-Match'])
    assert snapshot(api) == after_unpin
    assert after_unpin['pins'] == [p for p in before['pins'] if p[1] != 'household-consultation']


@pytest.mark.parametrize('through', ['visiting', 'closed'])
def test_after_planning_and_scheduling_teams_and_pins_are_fixed(databases, db_kind, through):  # noqa: ANN001
    with demo_api(databases, db_kind, through) as api:
        plan, team5 = plan_id(api), team_id(api, 5)
        cong, diem = person_id(api, 'Võ Thành Công'), person_id(api, 'Phan Thị Diễm')
        pin = f'/api/v1/plans/{plan}/checklists/poverty-supervision'
        label = {'visiting': 'Làm việc tại cơ sở', 'closed': 'Đã kết thúc'}[through]
        cases = [
            ('POST', f'/api/v1/plans/{plan}/teams', {'json': {'number': 10}}, 'thêm đoàn'),
            ('POST', f'/api/v1/plans/{plan}/teams/{team5}/members', {'json': {'person_id': diem}},
             'đổi thành phần đoàn'),
            ('DELETE', f'/api/v1/plans/{plan}/teams/{team5}/members/{cong}', {}, 'đổi thành phần đoàn'),
            ('PUT', pin, {'json': {}}, 'thay đổi bộ câu hỏi kiểm tra'),
            ('DELETE', pin, {}, 'thay đổi bộ câu hỏi kiểm tra'),
        ]
        before = snapshot(api)
        for method, path, kw, action in cases:
            body = assert_problem(api.call(method, path, 'secretariat', **kw), 409, 'plan.wrong_stage')
            assert body['detail'].startswith(f'Không thể {action} khi kế hoạch đang ở giai đoạn "{label}"'), body
        en = api.post(f'/api/v1/plans/{plan}/teams', 'admin', json={'number': 10}, headers={'Accept-Language': 'en'})
        assert assert_problem(en, 409, 'plan.wrong_stage')['detail'].startswith('Cannot add a team while the plan')
        assert snapshot(api) == before


def test_while_scheduling_teams_and_pins_can_still_change(databases, db_kind):  # noqa: ANN001
    with demo_api(databases, db_kind, 'scheduling') as api:
        plan = plan_id(api)
        assert api.get(f'/api/v1/plans/{plan}', 'secretariat').get_json()['state'] == 'scheduling'
        team = api.post(f'/api/v1/plans/{plan}/teams', 'secretariat', json={'number': 10})
        assert team.status_code == 201
        added = api.post(f'/api/v1/plans/{plan}/teams/{team.get_json()["id"]}/members', 'secretariat',
                         json={'person_id': person_id(api, 'Ngô Thanh Phong'), 'role': 'leader'})
        assert added.status_code == 201 and members(api, 10) == {'Ngô Thanh Phong': 'leader'}
        pin = f'/api/v1/plans/{plan}/checklists/household-consultation'
        assert api.call('DELETE', pin, 'secretariat').status_code == 204
        assert 'household-consultation' not in pins(api)


# --- one transaction -----------------------------------------------------------------------------

def test_a_refusal_after_the_first_write_leaves_nothing_behind(planning, tmp_path, monkeypatch):  # noqa: ANN001
    """The operations flush before they audit; a refusal at that point rolls the whole request back."""
    import inspect_flow.plans.checklists as pinning
    import inspect_flow.plans.operations as plan_ops

    api = planning
    plan = plan_id(api)

    def refuse(*_a, **_k) -> None:
        raise Conflict('test.refused', 'Từ chối để kiểm thử.', 'Refused for the test.')

    monkeypatch.setattr(plan_ops, 'record_create', refuse)
    monkeypatch.setattr(pinning, 'record_create', refuse)
    before = snapshot(api)
    assert_problem(api.post(f'/api/v1/plans/{plan}/teams', 'secretariat', json={'number': 10}), 409, 'test.refused')
    assert_problem(api.post(f'/api/v1/plans/{plan}/teams/{team_id(api, 5)}/members', 'secretariat',
                            json={'person_id': person_id(api, 'Phan Thị Diễm')}), 409, 'test.refused')
    # changing a pin deletes the old one first: the refusal must bring it back
    ship_a_new_version(tmp_path / 'checklists', monkeypatch)
    url = f'/api/v1/plans/{plan}/checklists/household-consultation'
    assert_problem(api.call('PUT', url, 'secretariat', json={'version': '2019.2'}), 409, 'test.refused')
    assert snapshot(api) == before


# --- the contract --------------------------------------------------------------------------------

def test_the_openapi_document_describes_the_writes(planning):  # noqa: ANN001
    doc = planning.doc
    ops = {
        ('/plans/{plan_id}/teams', 'post'): ('TeamBody', '201'),
        ('/plans/{plan_id}/teams/{team_id}', 'get'): (None, '200'),
        ('/plans/{plan_id}/teams/{team_id}/members', 'post'): ('MemberBody', '201'),
        ('/plans/{plan_id}/teams/{team_id}/members/{person_id}', 'delete'): (None, '200'),
        ('/plans/{plan_id}/checklists/{checklist_id}', 'put'): ('PinBody', '201'),
        ('/plans/{plan_id}/checklists/{checklist_id}', 'delete'): (None, '204'),
        ('/checklists', 'get'): (None, '200'),
    }
    for (path, method), (body, ok) in ops.items():
        op = doc['paths'][path][method]
        assert {ok, '401', '403', '404', '409', '422'} <= set(op['responses']), (path, method)
        if body is not None:
            assert op['requestBody']['content']['application/json']['schema']['$ref'].endswith('/' + body)
    schemas = doc['components']['schemas']
    assert {'minimum': 1, 'maximum': 999}.items() <= schemas['TeamBody']['properties']['number'].items()
    assert schemas['TeamBody']['additionalProperties'] is False
    assert schemas['MemberBody']['properties']['role']['enum'] == ['leader', 'deputy', 'member', 'secretary']
    assert schemas['MemberBody']['required'] == ['person_id']
    put = doc['paths']['/plans/{plan_id}/checklists/{checklist_id}']['put']
    assert [p['name'] for p in put['parameters']] == ['plan_id', 'checklist_id', 'If-Match']


# --- generated requests with the right to write ------------------------------------------------------

def test_generated_requests_by_the_secretariat_never_fail_the_contract(planning):  # noqa: ANN001
    """Schemathesis on the new operations with a token that may write (test_schemathesis.py uses a team member's,
    which these operations refuse), aimed at the real plan and its teams so that the writes are attempted."""
    import zlib

    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    api = planning
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    schema = schemathesis.openapi.from_wsgi('/api/v1/openapi.json', api.app)
    headers = {'Authorization': f'Bearer {api.tokens["secretariat"]}'}
    plan, teams = plan_id(api), [team_id(api, n) for n in ALL_TEAMS]
    people = api.scalar('select max(id) from people')
    ours = {'get_team', 'create_team', 'add_team_member', 'remove_team_member', 'list_registry', 'put_pin',
            'delete_pin'}
    failures, ran = [], set()
    for result in schema.get_all_operations():
        operation = result.ok()
        name = operation.definition.raw.get('operationId')
        if name not in ours:
            continue

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  database=None)
        def run(case) -> None:  # noqa: ANN001
            params = case.path_parameters or {}
            seed = zlib.crc32(repr((case.body, case.headers)).encode())
            if 'plan_id' in params:
                params['plan_id'] = plan
            if 'team_id' in params:
                params['team_id'] = teams[seed % len(teams)]
            if 'person_id' in params:
                params['person_id'] = 1 + seed % people
            if 'checklist_id' in params and seed % 2:
                params['checklist_id'] = 'household-consultation'
            case.call_and_validate(headers=headers, checks=checks)

        try:
            run()
            ran.add(name)
        except Exception as exc:  # noqa: BLE001  (collect every operation's failure, then report them all)
            failures.append(f'{operation.label}: {str(exc)[:800]}')
    assert not failures, '\n\n'.join(failures)
    assert ran == ours
