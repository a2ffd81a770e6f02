"""The documents page's batch: the secretariat starts it (CSRF), the page and its JSON show the progress (counts
without JavaScript), a team member of the round sees the counts only, a member of another round gets 404."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspect_flow import create_app
from inspect_flow.accounts.operations import DEMO_PASSWORD, create_user
from inspect_flow.core.db import make_engine
from inspect_flow.plans.models import Plan
from tests import builders
from tests.documents.batch_round import ISSUED_BY_BATCH, SET_SIZE, build_round
from tests.web.conftest import Client


def _people(url: str, plan_id: int) -> None:
    """Accounts: the secretariat, a member of the round's team 1, a member of another round."""
    engine = make_engine(url, poolclass=sa.pool.NullPool)
    with Session(engine) as s:
        plan = s.get(Plan, plan_id)
        other = builders.new_plan(s, two_tier=True)
        member = next(m.person for m in plan.teams[0].members if m.role.value == 'member')
        stranger = next(m.person for m in other.teams[0].members if m.role.value == 'member')
        create_user(s, username='thu.ky', password=DEMO_PASSWORD, role='secretariat', full_name='Trần Thu Kỳ')
        create_user(s, username='thanh.vien', password=DEMO_PASSWORD, role='team_member', full_name=member.full_name,
                    person=member)
        create_user(s, username='nguoi.ngoai', password=DEMO_PASSWORD, role='team_member',
                    full_name=stranger.full_name, person=stranger)
        s.commit()
    engine.dispose()


def _app(url: str):  # noqa: ANN202
    return create_app({'DATABASE_URL': url, 'TESTING': True, 'SESSION_COOKIE_SECURE': False,
                       'REMEMBER_COOKIE_SECURE': False, 'SECRET_KEY': 'test'})


def test_the_page_starts_a_batch_and_shows_its_progress(db_url, monkeypatch):  # noqa: ANN001
    monkeypatch.delenv('INSPECT_FLOW_BROKER_URL', raising=False)  # in process: the POST runs the items
    plan_id = build_round(db_url)
    _people(db_url, plan_id)
    app = _app(db_url)
    try:
        staff = Client(app)
        staff.login('thu.ky')
        page = staff.get(f'/plans/{plan_id}/documents').get_data(as_text=True)
        assert 'In cả bộ văn bản' in page and 'batch-progress.js' in page
        assert staff.get(f'/plans/{plan_id}/documents/batch.json').get_json() == {'batch': None}

        # no CSRF token: refused, nothing started
        url = f'/plans/{plan_id}/documents/batch'
        assert staff.post(url, {'signer': 'Nguyễn Văn An'}, csrf=False).status_code == 400
        assert staff.get(f'/plans/{plan_id}/documents/batch.json').get_json() == {'batch': None}
        # no signer: the field named, what was typed kept
        r = staff.post(f'/plans/{plan_id}/documents/batch', {'signer': ' ', 'signer_title': 'Phó Trưởng ban X'})
        assert r.status_code == 422
        assert 'Phải ghi họ tên người ký' in r.get_data(as_text=True)
        assert 'value="Phó Trưởng ban X"' in r.get_data(as_text=True)

        r = staff.post(url, {'signer': 'Nguyễn Văn An', 'signer_title': 'Phó Trưởng ban', 'authority': 'KT.'})
        assert r.status_code == 302 and r.headers['Location'].endswith('#batch')
        body = staff.get(f'/plans/{plan_id}/documents/batch.json').get_json()['batch']
        assert {k: body[k] for k in ('total', 'done', 'failed', 'pending', 'running', 'finished', 'percent')} == {
            'total': SET_SIZE, 'done': SET_SIZE, 'failed': 0, 'pending': 0, 'running': 0, 'finished': True,
            'percent': 100}
        page = staff.get(f'/plans/{plan_id}/documents').get_data(as_text=True)
        counts = re.search(r'<span data-count="done">(\d+)</span>/<span data-count="total">(\d+)</span>', page)
        assert counts and counts.groups() == (str(SET_SIZE), str(SET_SIZE))  # the no-JS counts
        with app.extensions['inspect_flow.engine'].connect() as conn:
            numbers = conn.execute(sa.text('select type_code, number from documents where plan_id = :p'),
                                   {'p': plan_id}).all()
        assert len(numbers) == len(set(numbers)) == ISSUED_BY_BATCH + 1

        member = Client(app)
        member.login('thanh.vien')
        assert member.get(f'/plans/{plan_id}/documents/batch.json').get_json()['batch']['done'] == SET_SIZE
        before = len(numbers)
        assert member.post(f'/plans/{plan_id}/documents/batch', {'signer': 'X'}).status_code == 403
        stranger = Client(app)
        stranger.login('nguoi.ngoai')
        assert stranger.get(f'/plans/{plan_id}/documents/batch.json').status_code == 404
        assert stranger.post(f'/plans/{plan_id}/documents/batch', {'signer': 'X'}).status_code in (403, 404)
        with app.extensions['inspect_flow.engine'].connect() as conn:
            assert conn.execute(sa.text('select count(*) from documents')).scalar() == before
            assert conn.execute(sa.text('select count(*) from document_batches')).scalar() == 1
    finally:
        app.extensions['inspect_flow.engine'].dispose()
