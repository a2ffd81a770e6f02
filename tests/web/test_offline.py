"""The visit form offline, server side: the service worker served from the root, the list of what it keeps for
a member (their own open visits only), and the JSON API's visit routes called by the page's session with its
CSRF header (the offline queue): refused without the header, from another site, for another team, after the
session ended; accepted once per Idempotency-Key. Both databases."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from tests.web.conftest import Client, snapshot


def _scalar(app, sql: str, **params):  # noqa: ANN001, ANN003, ANN202
    with app.extensions['inspect_flow.engine'].connect() as conn:
        return conn.execute(sa.text(sql), params).scalar()


def _visit_of_team(app, number: int) -> int:  # noqa: ANN001
    return _scalar(app, 'select v.id from visits v join teams t on t.id = v.team_id where t.number = :n', n=number)


def _body(app, visit_id: int) -> dict:  # noqa: ANN001
    """A whole record of the visit, as the demo submits it."""
    from inspect_flow.core.db import make_session_factory
    from inspect_flow.demo.common import ordered_visits
    from inspect_flow.demo.round2019 import _submission
    from inspect_flow.visits.models import Visit

    with make_session_factory(app.extensions['inspect_flow.engine'])() as s:
        visit = s.get(Visit, visit_id)
        i = [v.id for v in ordered_visits(visit.plan)].index(visit_id)
        body = _submission(i, visit)
    body.pop('findings')
    return json.loads(json.dumps(body, default=str))


@pytest.fixture
def app(app_factory):  # noqa: ANN001, ANN201
    return app_factory('visiting')


def test_the_service_worker_is_served_from_the_root_uncached(app):  # noqa: ANN001
    r = app.test_client().get('/sw.js')  # no login: the browser fetches it to check for a new version
    assert r.status_code == 200
    assert r.headers['Service-Worker-Allowed'] == '/'
    assert 'no-cache' in r.headers['Cache-Control'] and 'no-store' in r.headers['Cache-Control']
    assert r.mimetype == 'text/javascript'
    assert b"addEventListener('fetch'" in r.data


def test_the_manifest_lists_the_members_own_open_visits(app):  # noqa: ANN001
    c = Client(app)
    assert c.get('/offline/manifest', headers={'Accept': 'application/json'}).status_code == 401
    c.login('ngan.ltk')  # teams 2 and 5 (and 8 in the demo)
    m = c.get('/offline/manifest').get_json()
    own = {v for v in (_visit_of_team(app, 2), _visit_of_team(app, 5))}
    other = _visit_of_team(app, 3)
    assert own <= set(m['visits']) and other not in m['visits']
    assert m['user'] == _scalar(app, "select id from users where username = 'ngan.ltk'")
    for v in own:
        assert f'/visits/{v}' in m['pages'] and f'/visits/{v}/record' in m['pages']
    assert not any(p.startswith(f'/visits/{other}') for p in m['pages'])
    assert '/static/js/visit-form.js' in m['assets'] and '/static/css/app.css' in m['assets']
    # a submitted visit is not kept any more
    visit = _visit_of_team(app, 2)
    r = c.c.post(f'/api/v1/visits/{visit}/submissions', json=_body(app, visit),
                 headers={'X-CSRFToken': c.token, 'Idempotency-Key': 'k-manifest'})
    assert r.status_code == 201, r.get_data(as_text=True)
    assert visit not in c.get('/offline/manifest').get_json()['visits']
    # staff who are on no team keep no visit form
    admin = Client(app)
    admin.login('admin')
    assert admin.get('/offline/manifest').get_json()['visits'] == []


def test_the_csrf_endpoint_gives_a_token_for_the_session(app):  # noqa: ANN001
    c = Client(app)
    assert c.get('/offline/csrf', headers={'Accept': 'application/json'}).status_code == 401
    c.login('ngan.ltk')
    r = c.get('/offline/csrf')
    assert r.headers['Cache-Control'] == 'no-store'
    token = r.get_json()['token']
    # the fresh token is accepted where the page's is
    visit = _visit_of_team(app, 2)
    r = c.c.post(f'/visits/{visit}/autosave', json={'answers': {'level': 'commune'}}, headers={'X-CSRFToken': token})
    assert r.status_code == 200 and r.get_json()['saved'] is True


def test_a_submission_by_the_pages_session_needs_its_csrf_header_and_counts_once(app):  # noqa: ANN001, PLR0915
    c = Client(app)
    c.login('ngan.ltk')
    visit = _visit_of_team(app, 2)
    body = _body(app, visit)
    path = f'/api/v1/visits/{visit}/submissions'
    before = snapshot(app)
    # No CSRF header, a wrong one, another site's page: refused (403 csrf.invalid), nothing written.
    for headers in ({}, {'X-CSRFToken': 'not-a-token'},
                    {'X-CSRFToken': c.token, 'Origin': 'https://evil.example'},
                    {'X-CSRFToken': c.token, 'Sec-Fetch-Site': 'cross-site'}):
        r = c.c.post(path, json=body, headers={'Idempotency-Key': 'k1', **headers})
        assert r.status_code == 403, (headers, r.get_data(as_text=True))
        assert r.get_json()['code'] == 'csrf.invalid'
    assert snapshot(app) == before
    assert _scalar(app, 'select count(*) from idempotency_keys') == 0
    # The page's own call: accepted once; the same key again replays the answer, and nothing more is written.
    origin = 'http://localhost'
    headers = {'X-CSRFToken': c.token, 'Idempotency-Key': 'k1', 'Origin': origin, 'Sec-Fetch-Site': 'same-origin'}
    first = c.c.post(path, json=body, headers=headers)
    assert first.status_code == 201, first.get_data(as_text=True)
    assert first.get_json()['visit']['state'] == 'submitted'
    again = c.c.post(path, json=body, headers=headers)
    assert again.status_code == 201 and again.headers.get('Idempotent-Replayed') == 'true'
    assert again.get_json() == first.get_json()
    assert _scalar(app, "select count(*) from audit_entries where entity_type = 'visit' and entity_id = :v "
                        "and trigger = 'submit'", v=visit) == 1
    assert _scalar(app, 'select count(*) from idempotency_keys') == 1
    assert _scalar(app, "select actor from audit_entries where entity_type = 'visit' and entity_id = :v "
                        "and trigger = 'submit'", v=visit) == 'api:ngan.ltk'
    # Another body under the same key: 409, as with a token.
    other = dict(body, content={**body['content'], 'ended_at': '12:00'})
    assert c.c.post(path, json=other, headers=headers).status_code == 409


def test_the_pages_session_opens_only_the_visit_routes_and_only_while_it_lives(app):  # noqa: ANN001
    c = Client(app)
    visit = _visit_of_team(app, 2)
    # no login, no token: 401
    assert c.c.get(f'/api/v1/visits/{visit}').status_code == 401
    c.login('ngan.ltk')
    r = c.c.get(f'/api/v1/visits/{visit}')
    assert r.status_code == 200 and r.get_json()['id'] == visit
    # the other routes still want a token
    assert c.c.get('/api/v1/plans').status_code == 401
    assert c.c.get('/api/v1/me').status_code == 401
    # drafts through the API too (PUT answers), with the header
    assert c.c.put(f'/api/v1/visits/{visit}/answers', json={'answers': {'level': 'commune'}}).status_code == 403
    r = c.c.put(f'/api/v1/visits/{visit}/answers', json={'answers': {'level': 'commune'}},
                headers={'X-CSRFToken': c.token})
    assert r.status_code == 200
    # another team's member: the same per-object rule as everywhere
    other = Client(app)
    other.login('nghia.tv')
    r = other.c.post(f'/api/v1/visits/{visit}/submissions', json=_body(app, visit),
                     headers={'X-CSRFToken': other.token, 'Idempotency-Key': 'k-other'})
    assert r.status_code in (403, 404) and r.status_code != 201
    # after logout the cookie copy is dead
    cookie = c.c.get_cookie('session')
    c.post('/logout')
    stale = app.test_client()
    stale.set_cookie(cookie.key, cookie.value)
    assert stale.get(f'/api/v1/visits/{visit}').status_code == 401


def test_an_idle_session_is_not_a_login_for_the_api(app, monkeypatch):  # noqa: ANN001
    from inspect_flow.web import sessions

    c = Client(app)
    c.login('ngan.ltk')
    visit = _visit_of_team(app, 2)
    assert c.c.get(f'/api/v1/visits/{visit}').status_code == 200
    real = sessions.now()
    monkeypatch.setattr(sessions, 'now', lambda: real + 31 * 60)
    assert c.c.get(f'/api/v1/visits/{visit}').status_code == 401
