"""The asynchronous intake decides access from one query (``intake.visit_facts``) and the ``*_as`` rules; they must
agree with ``can_view_visit`` / ``can_edit_visit`` on the loaded visit for every kind of account, and the async
path must refuse whom the synchronous path refuses, with the same status."""

from __future__ import annotations

import itertools
import uuid

import sqlalchemy as sa

from inspect_flow.accounts import access
from inspect_flow.accounts.models import Role, User
from inspect_flow.core.db import make_session_factory
from inspect_flow.intake import operations as intake
from inspect_flow.visits.models import Visit
from tests.api.conftest import submission_for

PERSON = ('member of the team', 'person on no team of the visit', 'no person')


def test_the_one_query_rules_agree_with_the_loaded_rules_for_every_account(api):  # noqa: ANN001
    engine = api.app.extensions['inspect_flow.engine']
    with make_session_factory(engine)() as session, engine.connect() as conn:
        # both only read (on SQLite two write transactions would wait for each other)
        session.connection(execution_options={'sqlite_begin': 'DEFERRED'})
        conn = conn.execution_options(sqlite_begin='DEFERRED')
        visits = list(session.scalars(sa.select(Visit).order_by(Visit.id)))
        assert len(visits) >= 3
        people = set(session.scalars(sa.text('select distinct person_id from team_members')))
        checked = 0
        for visit in visits:
            members = {m.person_id for m in visit.team.members}
            outsider = min(people - members)
            facts = intake.visit_facts(conn, User(person_id=None), visit.id)
            assert facts is not None and facts.version == visit.version_id and facts.id == visit.id
            for role, kind, active in itertools.product(Role, PERSON, (True, False)):
                person = {PERSON[0]: min(members), PERSON[1]: outsider, PERSON[2]: None}[kind]
                user = User(username=f'{role}-{kind}', role=role, is_active=active, person_id=person)
                facts = intake.visit_facts(conn, user, visit.id)
                case = f'visit {visit.id}, {role.value}, {kind}, {"active" if active else "disabled"}'
                assert facts.on_team == (kind == PERSON[0]), f'membership found by the query: {case}'
                assert access.can_view_visit_as(user, on_visit_team=facts.on_team) == \
                    access.can_view_visit(user, visit), f'view: {case}'
                assert access.can_edit_visit_as(user, on_visit_team=facts.on_team) == \
                    access.can_edit_visit(user, visit), f'edit: {case}'
                checked += 1
        assert checked == len(visits) * len(Role) * len(PERSON) * 2
        assert intake.visit_facts(conn, User(person_id=min(people)), 987_654) is None, 'no such visit'


def test_the_table_covers_every_outcome(api):  # noqa: ANN001
    """The comparison above is not vacuous: each rule says yes for some accounts and no for others."""
    engine = api.app.extensions['inspect_flow.engine']
    with make_session_factory(engine)() as session:
        visit = session.scalars(sa.select(Visit).order_by(Visit.id)).first()
        member = min(m.person_id for m in visit.team.members)
        cases = {
            (Role.admin, None, True): (True, False),
            (Role.secretariat, None, True): (True, False),
            (Role.secretariat, None, False): (False, False),
            (Role.team_member, member, True): (True, True),
            (Role.team_leader, member, True): (True, True),
            (Role.team_member, member, False): (False, False),
            (Role.team_member, None, True): (False, False),
            (Role.local_official, member, True): (False, False),
        }
        for (role, person, active), expected in cases.items():
            user = User(username='x', role=role, is_active=active, person_id=person)
            got = (access.can_view_visit(user, visit), access.can_edit_visit(user, visit))
            assert got == expected, (role, person, active)


def test_the_async_path_refuses_whom_the_sync_path_refuses(api):  # noqa: ANN001
    visits = api.get('/api/v1/visits?state=scheduled', 'member25').get_json()['items']
    visit = next(v['id'] for v in visits if v['team_number'] == 2)
    body = submission_for(api, visit)
    path = f'/api/v1/visits/{visit}/submissions'
    codes = {}
    for who in ('admin', 'secretariat', 'leader5', 'member36', 'district838', 'commune28936'):
        sync = api.post(path, who, json=body, headers={'Idempotency-Key': str(uuid.uuid4())})
        asynchronous = api.post(path, who, json=body, headers={'Prefer': 'respond-async',
                                                               'Idempotency-Key': str(uuid.uuid4())})
        assert (asynchronous.status_code, asynchronous.get_json()['code']) == \
            (sync.status_code, sync.get_json()['code']), who
        codes[who] = sync.status_code
    # staff see the visit but do not record it; the others do not see it
    assert codes == {'admin': 403, 'secretariat': 403, 'leader5': 404, 'member36': 404, 'district838': 404,
                     'commune28936': 404}
    assert api.scalar('select count(*) from submission_intake') == 0
    assert api.get(f'/api/v1/visits/{visit}', 'member25').get_json()['state'] == 'scheduled'
    # the team's own member is accepted
    assert api.post(path, 'member25', json=body, headers={'Prefer': 'respond-async'}).status_code == 202
