"""The 2026 demo round (Tỉnh Vĩnh Long, two tiers) on both databases: its shape, and its documents read back.

The round is built once per database through ``run_demo``; every test works in a transaction that is
rolled back. The documents are the round's whole document set, rendered as drafts through the document
operations and read back from the PDFs.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import unicodedata
from datetime import date

import pdfplumber
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspect_flow.demo import round2026
from inspect_flow.demo.common import STAGES, lower_first
from inspect_flow.documents import operations as ops
from inspect_flow.documents import sources
from inspect_flow.findings.categories import DEFAULT_CATEGORIES
from inspect_flow.findings.models import Conclusion, Recommendation
from inspect_flow.units import operations as unit_ops
from inspect_flow.units.models import UnitLevel
from inspect_flow.workflow.states import PlanState, RecommendationState, VisitState

from .conftest import closed_round_engines, open_demo_session

SIGNER = sources.SignerIn(name='Lê Thanh Tùng')
COMMITTEE_KINDS = ('plan', 'team_decision', 'conclusion', 'report')


@pytest.fixture(scope='module')
def engines_2026(databases):  # noqa: ANN001, ANN201
    """``engines_2026(kind)`` → an engine on a database holding the 2026 round, closed, committed."""
    yield from closed_round_engines(databases, round2026.run_demo)


@pytest.fixture
def session_2026(engines_2026, db_kind):  # noqa: ANN001, ANN201
    session, conn, outer = open_demo_session(engines_2026(db_kind))
    yield session
    session.close()
    outer.rollback()
    conn.close()


def test_the_round_loads_stage_by_stage_and_closes(databases, db_kind):  # noqa: ANN001
    from inspect_flow.core.db import make_engine

    engine = make_engine(databases.fresh(db_kind))
    try:
        for stage in STAGES:
            with Session(engine) as session:
                plan, done = round2026.run_demo(session, stage)
                assert plan.state == PlanState(stage) and done
                session.commit()
        with Session(engine) as session:
            plan, done = round2026.run_demo(session, 'closed')
            assert plan.state == PlanState.closed and done == []
    finally:
        engine.dispose()


def test_the_round_is_two_tier(session_2026):  # noqa: ANN001
    plan = round2026.find_demo_plan(session_2026)
    assert plan.state == PlanState.closed and plan.reference == round2026.REFERENCE
    assert plan.issuer.parent_header == 'UBND TỈNH VĨNH LONG' and plan.issuer.place_name == 'Vĩnh Long'
    assert len(plan.teams) == 6 and len(plan.visits) == 8
    assert sorted(u.code for u in plan.target_units) == sorted(s.commune for s in round2026.STOPS)
    for visit in plan.visits:
        assert visit.state == VisitState.reviewed
        assert visit.district is None
        assert visit.commune.level == UnitLevel.commune and visit.commune.valid_from == date(2025, 7, 1)
        assert visit.commune.parent.code == round2026.PROVINCE
    npt = next(v for v in plan.visits if v.commune.code == '28948')
    assert npt.commune.full_name == 'Xã Nhuận Phú Tân' and npt.starts_at.date() == date(2026, 7, 7)
    visited_2019 = unit_ops.get_unit(session_2026, '28936', date(2019, 7, 12))  # the 2019 round's commune
    assert unit_ops.current_successor(session_2026, visited_2019, npt.starts_at.date()) == npt.commune


def test_each_commune_has_its_conclusion_to_its_peoples_committee(session_2026):  # noqa: ANN001
    plan = round2026.find_demo_plan(session_2026)
    conclusions = list(session_2026.scalars(sa.select(Conclusion).where(Conclusion.plan_id == plan.id)))
    assert sorted(c.unit.code for c in conclusions) == sorted(v.commune.code for v in plan.visits)
    departments = set()
    for conclusion in conclusions:
        to_commune = [r for r in conclusion.recommendations if r.addressee_unit is not None]
        to_body = [r for r in conclusion.recommendations if r.addressee_body is not None]
        assert len(to_commune) >= 2 and len(to_body) == 1
        # The general directive, then what the team found in this commune calls for, each from its own finding.
        assert to_commune[0].text == round2026.LEAD_ITEM and to_commune[0].finding is None
        assert all(r.finding is not None and r.finding.visit.commune_id == conclusion.unit.id for r in to_commune[1:])
        assert {r.addressee_label for r in to_commune} == {f'UBND {lower_first(conclusion.unit.full_name)}'}
        assert {r.addressee_unit.id for r in to_commune} == {conclusion.unit.id}
        assert to_body[0].addressee_body.unit.code == round2026.PROVINCE
        departments.add(to_body[0].addressee_label)
    assert departments == {d[1] for d in round2026.DEPARTMENTS}
    states = set(session_2026.scalars(sa.select(Recommendation.state).where(Recommendation.plan_id == plan.id)))
    assert states == {RecommendationState.open, RecommendationState.in_progress, RecommendationState.done,
                      RecommendationState.verified}


def _text_of(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return unicodedata.normalize('NFC', '\n'.join(p.extract_text() or '' for p in doc.pages))


def test_the_documents_read_back_in_two_tiers(session_2026):  # noqa: ANN001
    plan = round2026.find_demo_plan(session_2026)
    drafts = ops.render_drafts(session_2026, plan, signer=SIGNER)
    kinds = [d.target.kind for d in drafts]
    assert kinds.count('minutes') == 8 and kinds.count('conclusion') == 8 and kinds.count('team_report') == 6
    assert {'plan', 'team_decision', 'schedule', 'report'} <= set(kinds)
    problems = []
    for draft in drafts:
        text = _text_of(draft.pdf)
        flat = ' '.join(text.split())
        model = json.dumps(dataclasses.asdict(draft.view_model), ensure_ascii=False, default=str)
        where = draft.target.label
        # The committee's documents carry the province's header; a team's (minutes, team report) the team's.
        if draft.target.kind in COMMITTEE_KINDS and 'UBND TỈNH VĨNH LONG' not in text:
            problems.append((where, 'no "UBND TỈNH VĨNH LONG"'))
        if draft.target.kind in ('plan', 'report') and 'Bộ Nông nghiệp và Môi trường (báo cáo)' not in flat:
            problems.append((where, 'not reported to the ministry in charge of poverty reduction since 2025'))
        if 'Thương binh và Xã hội (báo cáo)' in flat:
            problems.append((where, 'reported to a ministry that no longer handles poverty reduction'))
        for word in ('huyện', 'Bến Tre'):
            if word.casefold() in text.casefold() or word.casefold() in model.casefold():
                problems.append((where, f'says "{word}"', _around(flat, word)))
        if 'Đề án sinh kế' in flat:  # the 2021-2025 programme's livelihood projects, worded from the 2026 form
            problems.append((where, 'says "Đề án sinh kế"', _around(flat, 'Đề án sinh kế')))
        if draft.target.kind == 'team_report':
            communes = [v.commune for v in plan.visits if v.team_id == draft.target.team.id]
            opinions = flat.split('Ý kiến của địa phương', 1)[1].split('III. ĐÁNH GIÁ CHUNG', 1)[0]
            if len(communes) > 1 and not all(f'Tại {lower_first(c.full_name)}, ' in opinions for c in communes):
                problems.append((where, 'local opinions of several communes without saying where', opinions))
        if draft.target.kind == 'conclusion':
            commune = draft.target.unit
            assert commune.level == UnitLevel.commune, where
            if f'UBND {lower_first(commune.full_name)}' not in flat:
                problems.append((where, f'not addressed to UBND {lower_first(commune.full_name)}'))
    assert problems == []


def _around(text: str, word: str) -> str:
    at = text.casefold().find(word.casefold())
    return text[max(0, at - 60):at + 60] if at >= 0 else '(in the view model)'


def test_the_round_pins_the_2026_checklist_by_its_dates(session_2026):  # noqa: ANN001
    """Nothing names a version: the round's fieldwork start (07/07/2026) chose poverty-supervision 2026.1."""
    from inspect_flow.plans.checklists import pinned_checklist, visit_checklist

    plan = round2026.find_demo_plan(session_2026)
    assert {p.checklist_id: p.version for p in plan.checklists} == {
        'poverty-supervision': '2026.1', 'household-consultation': '2026.1'}
    form = pinned_checklist(plan, 'poverty-supervision')
    assert form.applies_on(plan.fieldwork_start) and not form.has_item('level')
    for visit in plan.visits:
        assert visit_checklist(visit) == form
        assert 'level' not in visit.answers and visit.answers['poverty_officer_assigned'] == 'yes'
    for pinned in (form, pinned_checklist(plan, 'household-consultation')):
        labels = json.dumps(pinned.to_dict(), ensure_ascii=False)
        assert 'huyện' not in labels.casefold() and 'Đề án' not in labels


def test_the_visit_page_of_a_2026_visit_asks_no_district_level(engines_2026, db_kind):  # noqa: ANN001
    from inspect_flow import create_app
    from inspect_flow.accounts.operations import DEMO_PASSWORD, ensure_demo_accounts, use_fast_hashing
    from inspect_flow.core.db import make_session_factory, unit_of_work

    use_fast_hashing()
    engine = engines_2026(db_kind)
    with unit_of_work(make_session_factory(engine)) as s:
        ensure_demo_accounts(s)
        visit_ids = [v.id for v in round2026.find_demo_plan(s).visits]
    app = create_app({'DATABASE_URL': engine.url.render_as_string(hide_password=False), 'TESTING': True,
                      'SESSION_COOKIE_SECURE': False, 'REMEMBER_COOKIE_SECURE': False, 'SECRET_KEY': 'test'})
    try:
        client = app.test_client()
        page = client.get('/login').get_data(as_text=True)
        token = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
        client.post('/login', data={'username': 'admin', 'password': DEMO_PASSWORD, 'csrf_token': token})
        for visit_id in visit_ids[:2]:
            resp = client.get(f'/visits/{visit_id}')
            assert resp.status_code == 200
            html = unicodedata.normalize('NFC', resp.get_data(as_text=True))
            # the 2019 round's recommendations to check are quoted as they were written (they name the old Đề án)
            html = re.sub(r'<section class="card follow-up".*?</section>', '', html, flags=re.S)
            # and the finding categories (offered to type from, and shown by each finding) are the managed
            # vocabulary shared by every year's rounds, not the form's wording
            html = re.sub(r'<datalist.*?</datalist>', '', html, flags=re.S)
            for category in DEFAULT_CATEGORIES:
                html = html.replace(category.name, '')
            assert 'Ban Chỉ đạo các chương trình mục tiêu quốc gia xã' in html  # the 2026.1 form is shown
            for words in ('Cấp huyện', 'Cấp được kiểm tra', 'Đề án'):
                assert words not in html, (visit_id, words)
    finally:
        app.extensions['inspect_flow.engine'].dispose()
