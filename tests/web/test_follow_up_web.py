"""Follow-up across rounds on the web and in the API: the plan page's list of earlier recommendations, the
check during a visit (CSRF, access, bad input kept and refused), create-from and the recurrence."""

from __future__ import annotations

import os
import re

import pytest
import sqlalchemy as sa

from inspect_flow import create_app
from inspect_flow.accounts.operations import ensure_demo_accounts, find_user
from inspect_flow.core.db import make_engine, make_session_factory, unit_of_work
from inspect_flow.integrations.tokens import create_token
from tests.web.conftest import Client, app_config, snapshot


def _follow_up_world(url: str) -> tuple[dict, dict]:
    """The closed 2019 round and the 2026 round at visiting, its visit to Xã Nhuận Phú Tân started, nothing
    checked yet; return the ids and the tokens."""
    from inspect_flow.demo import round2026
    from inspect_flow.demo.round2019 import run_demo
    from inspect_flow.plans.operations import advance_plan
    from inspect_flow.visits.operations import start_visit

    engine = make_engine(url, poolclass=sa.pool.NullPool)
    try:
        with unit_of_work(make_session_factory(engine)) as s:
            run_demo(s, 'closed')
            ensure_demo_accounts(s)
        with unit_of_work(make_session_factory(engine)) as s:
            plan, _ = round2026.run_demo(s, 'scheduling')
            round2026._schedule(s, plan)
            advance_plan(s, plan, 'start_visiting', actor='test')
            visit = next(v for v in plan.visits if v.commune.code == '28948')
            start_visit(s, visit, actor='test')
            ensure_demo_accounts(s)
            tokens = {u: create_token(s, find_user(s, u), name='t')[1] for u in ('tung.td1', 'thao.vpt')}
            ids = {'plan': plan.id, 'visit': visit.id}
    finally:
        engine.dispose()
    return ids, tokens


@pytest.fixture
def fu_app(databases, db_kind):  # noqa: ANN001, ANN201
    """The app on a copy of that world, built once per session (per xdist worker and clock day)."""
    seed = (f"follow-up-{os.environ.get('INSPECT_FLOW_TODAY', '')}", _follow_up_world)
    url = databases.fresh(db_kind, seed=seed)
    ids, tokens = databases.seeded(db_kind, *seed)[1]
    app = create_app(app_config(url))
    yield app, dict(ids), dict(tokens)
    app.extensions['inspect_flow.engine'].dispose()
    databases.release(url)


def _scalar(app, sql: str, **params):  # noqa: ANN001, ANN003, ANN202
    with app.extensions['inspect_flow.engine'].connect() as conn:
        return conn.execute(sa.text(sql), params).scalar()


def _rec_of(app, code: str) -> int:  # noqa: ANN001
    return _scalar(app, "select r.id from recommendations r join admin_units a on a.id = r.addressee_unit_id "
                        "where a.code = :code order by r.id limit 1", code=code)


def test_the_plan_page_lists_and_the_visit_checks_the_earlier_recommendations(fu_app):  # noqa: ANN001
    app, ids, _ = fu_app
    sec = Client(app)
    sec.login('thao.vpt')
    page = sec.get(f'/plans/{ids["plan"]}').get_data(as_text=True)
    assert 'Kiến nghị của các đợt trước' in page and 'UBND huyện Mỏ Cày Bắc' in page
    assert 'UBND huyện Ba Tri' in page and '1245/KH-BCĐCCTMTQG' in page
    assert 'Kiểm tra tại' in page and 'Tạo kế hoạch mới từ kế hoạch này' in page

    rec = _rec_of(app, '838')  # Huyện Mỏ Cày Bắc (2019) → Xã Nhuận Phú Tân (2025)
    url = f'/visits/{ids["visit"]}/follow-up/{rec}'
    # The secretariat is not on the team: it sees, but does not record.
    assert sec.post(url, {'outcome': 'done', 'evidence': 'x'}).status_code == 403

    leader = Client(app)
    leader.login('tung.td1')
    visit_page = leader.get(f'/visits/{ids["visit"]}').get_data(as_text=True)
    assert 'Kiểm tra việc thực hiện kiến nghị các đợt trước' in visit_page
    assert f'action="{url}"' in visit_page
    before = snapshot(app)
    assert leader.post(url, {'outcome': 'done', 'evidence': 'x'}, csrf=False).status_code == 400
    bad = leader.post(url, {'outcome': 'partly_done', 'note': '', 'evidence': 'Sổ theo dõi (đã xem)'})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert 'id="e-note"' in html and 'Phải ghi nhận xét' in html and 'Sổ theo dõi (đã xem)' in html
    assert snapshot(app) == before
    ok = leader.post(url, {'outcome': 'done', 'note': 'Đã duy trì tổ kiểm tra.', 'evidence': 'Quyết định số 12\n'})
    assert ok.status_code == 302
    assert _scalar(app, 'select state from recommendations where id = :id', id=rec) == 'verified'
    assert _scalar(app, 'select outcome from follow_up_checks where recommendation_id = :id', id=rec) == 'done'
    again = leader.post(url, {'outcome': 'not_done', 'note': 'x'})
    assert again.status_code == 422 and 'đã được kiểm tra' in again.get_data(as_text=True)
    page = sec.get(f'/plans/{ids["plan"]}').get_data(as_text=True)
    assert 'Đã thực hiện' in page and 'Đã duy trì tổ kiểm tra.' in page
    history = sec.get(f'/plans/{ids["plan"]}/history').get_data(as_text=True)
    assert 'Kiểm tra kiến nghị trước' in history and 'Đã duy trì tổ kiểm tra.' in history


def test_create_from_and_recurrence_on_the_web(fu_app):  # noqa: ANN001
    app, ids, _ = fu_app
    sec = Client(app)
    sec.login('thao.vpt')
    source = ids['plan']
    plans_before = _scalar(app, 'select count(*) from plans')
    bad = sec.post(f'/plans/{source}/create-from', {'fieldwork_start': '20/07/2027', 'fieldwork_end': '06/07/2027',
                                                    'subject': 'Kiểm tra năm 2027', 'recurrence': 'yearly'})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert 'id="e-fieldwork_end"' in html and 'Kiểm tra năm 2027' in html
    assert _scalar(app, 'select count(*) from plans') == plans_before
    ok = sec.post(f'/plans/{source}/create-from', {'fieldwork_start': '06/07/2027', 'fieldwork_end': '16/07/2027',
                                                   'subject': '', 'recurrence': 'yearly'})
    assert ok.status_code == 302
    new_id = int(re.search(r'/plans/(\d+)$', ok.headers['Location']).group(1))
    assert _scalar(app, 'select source_plan_id from plans where id = :id', id=new_id) == source
    assert _scalar(app, 'select state from plans where id = :id', id=new_id) == 'planning'
    assert _scalar(app, 'select count(*) from teams where plan_id = :id', id=new_id) == 6
    listing = sec.get('/plans').get_data(as_text=True)
    assert f'href="/plans/{source}">#{source}</a>' in listing and 'Tạo từ' in listing
    assert sec.post(f'/plans/{source}/recurrence', {'recurrence': 'half_yearly'}).status_code == 302
    assert _scalar(app, 'select recurrence from plans where id = :id', id=source) == 'half_yearly'
    assert sec.post(f'/plans/{source}/recurrence', {'recurrence': 'weekly'}).status_code == 302
    assert _scalar(app, 'select recurrence from plans where id = :id', id=source) == 'half_yearly'
    leader = Client(app)
    leader.login('tung.td1')
    assert leader.post(f'/plans/{source}/create-from', {'fieldwork_start': '06/07/2027',
                                                        'fieldwork_end': '16/07/2027'}).status_code == 403


def test_the_api_lists_checks_and_creates_from(fu_app):  # noqa: ANN001
    app, ids, tokens = fu_app
    c = app.test_client()
    lead = {'Authorization': f'Bearer {tokens["tung.td1"]}'}
    sec = {'Authorization': f'Bearer {tokens["thao.vpt"]}'}
    items = c.get(f'/api/v1/plans/{ids["plan"]}/follow-up', headers=sec).get_json()['items']
    assert {i['addressee'] for i in items} >= {'UBND huyện Mỏ Cày Bắc', 'UBND xã Nhuận Phú Tân'}
    rec = next(i for i in items if i['addressee'] == 'UBND xã Nhuận Phú Tân')
    url = f'/api/v1/visits/{ids["visit"]}/follow-up/{rec["recommendation_id"]}'
    bad = c.post(url, json={'outcome': 'not_done'}, headers=lead)
    assert bad.status_code == 422 and 'note' in bad.get_data(as_text=True)
    assert c.post(url, json={'outcome': 'not_done', 'note': 'x'}, headers=sec).status_code == 403
    ok = c.post(url, json={'outcome': 'not_done', 'note': 'Chưa có kế hoạch.'}, headers=lead)
    assert ok.status_code == 201, ok.get_data(as_text=True)
    body = ok.get_json()
    assert body['outcome'] == 'not_done' and body['verified_in_visit'] == ids['visit'] and body['state'] == 'overdue'
    made = c.post(f'/api/v1/plans/{ids["plan"]}/create-from', headers=sec,
                  json={'fieldwork_start': '2027-07-06', 'fieldwork_end': '2027-07-16', 'recurrence': 'yearly'})
    assert made.status_code == 201 and made.get_json()['state'] == 'planning'
    assert c.post(f'/api/v1/plans/{ids["plan"]}/create-from', headers=lead,
                  json={'fieldwork_start': '2027-07-06', 'fieldwork_end': '2027-07-16'}).status_code == 403
