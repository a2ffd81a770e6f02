"""One rule for what a person may see of a visit, at every door (issue 18, items 3, 4 and 7).

The role × object matrix runs every demo account, and an anonymous visitor, against the documents of the 2019
round (draft and issued, each kind, for the own team's visit and another team's), the visit itself and the
evidence attached to a visit and to a recommendation, through the web pages and through the API. Both doors give
the same answer (200 or 404), the answer is the README's table, and a refusal writes nothing.

The anonymous crawl walks every GET route of the URL map: only the login page, the health check, static assets,
the language switch and the API's contract answer; everything else redirects to the login page (401 for JSON and
the API), and no answer carries plan data.
"""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
import sqlalchemy as sa

from inspect_flow.accounts.operations import find_user
from inspect_flow.core.db import make_session_factory, unit_of_work
from inspect_flow.integrations.tokens import create_token
from tests.web.conftest import ROLES, Client, ids, snapshot

STAFF = {'admin', 'secretariat'}
TEAM5 = {'leader5', 'member25'}  # team 5 visited Xã Nhuận Phú Tân (28936), Huyện Mỏ Cày Bắc (838)
ON_PLAN = STAFF | TEAM5 | {'member36'}  # member36 is on teams 3 and 6
OFFICIALS_838 = {'district838', 'commune28936'}  # the district of visit 5, and its commune
NOBODY: set[str] = set()

# Each object: (key, kind, target parameters, who reads the draft, who reads it once issued).
# Visit 1 is team 1's, in Thành phố Bến Tre (829): nobody of the demo accounts but staff is on it.
DOCUMENTS = [
    ('minutes5', 'minutes', {'visit': '{visit5}'}, STAFF | TEAM5, STAFF | TEAM5 | OFFICIALS_838),
    ('minutes1', 'minutes', {'visit': '{visit1}'}, STAFF, STAFF),
    ('conclusion838', 'conclusion', {'district': '838'}, STAFF | TEAM5, STAFF | TEAM5 | OFFICIALS_838),
    ('conclusion829', 'conclusion', {'district': '829'}, STAFF, STAFF),
    ('team_report5', 'team_report', {'team': '5'}, STAFF | TEAM5, STAFF | TEAM5),
    ('team_report1', 'team_report', {'team': '1'}, STAFF, STAFF),
    ('report', 'report', {}, ON_PLAN, ON_PLAN),
    ('team_decision', 'team_decision', {}, ON_PLAN, ON_PLAN),
]
# Stored draft rows (the application never stores one; the API must still read them as drafts): officials never.
STORED_DRAFTS = [('draft_minutes5', 'minutes', 'visit5', STAFF | TEAM5),
                 ('draft_conclusion838', 'conclusion', '838', STAFF | TEAM5)]


def _fill(text: str, known: dict) -> str:
    for key, value in known.items():
        text = text.replace('{' + key + '}', str(value))
    return text


def _png(color: tuple[int, int, int]) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new('RGB', (8, 8), color).save(buf, 'PNG')
    return buf.getvalue()


def _setup(app) -> dict:  # noqa: ANN001
    """Issue the matrix's documents, store two draft rows, attach evidence to visit 5 and to a recommendation,
    and create a token per persona. Returns the ids and tokens."""
    from inspect_flow.documents.models import DocumentState, IssuedDocument
    from inspect_flow.documents.operations import issue_document
    from inspect_flow.documents.sources import SignerIn
    from inspect_flow.evidence.operations import store_evidence
    from inspect_flow.findings.models import Recommendation
    from inspect_flow.findings.operations import report_progress
    from inspect_flow.plans.models import Plan
    from inspect_flow.units.models import AdminUnit
    from inspect_flow.visits.models import Visit

    known = ids(app)
    with unit_of_work(make_session_factory(app.extensions['inspect_flow.engine'])) as s:
        plan = s.get(Plan, known['plan'])
        for key, kind, params, _draft, _issued in DOCUMENTS:
            args = {k: _fill(v, known) for k, v in params.items()}
            day = date(2019, 6, 20) if kind == 'team_decision' else date(2019, 8, 20)  # teams formed before fieldwork
            doc = issue_document(s, plan, kind, actor='test', issue_date=day,
                                 signer=SignerIn(name='Nguyễn Văn Hiếu'), **args)
            known[key] = doc.id
        mcb = s.scalar(sa.select(AdminUnit.id).where(AdminUnit.code == '838'))
        for key, kind, about, _readers in STORED_DRAFTS:
            row = IssuedDocument(plan_id=plan.id, issuer_id=plan.issuer_id, kind=kind, type_code='BB', year=2019,
                                 symbol='BB-ĐKT', subject='Dự thảo', state=DocumentState.draft,
                                 visit_id=known['visit5'] if about == 'visit5' else None,
                                 unit_id=mcb if about == '838' else None)
            s.add(row)
            s.flush()
            known[key] = row.id
        photo = store_evidence(s, _png((200, 30, 30)), filename='so-ho.png', actor='test')
        visit = s.get(Visit, known['visit5'])
        visit.answers = {**(visit.answers or {}), 'records_photo': photo.ref}
        proof = store_evidence(s, _png((30, 30, 200)), filename='minh-chung.png', actor='test')
        report_progress(s, s.get(Recommendation, known['rec_mcb']), text='Đã rà soát.', reported_by='UBND huyện',
                        actor='test', evidence=[proof.ref])
        known['photo'] = photo.ref.split(':', 1)[1]
        known['proof'] = proof.ref.split(':', 1)[1]
        known['tokens'] = {role: create_token(s, find_user(s, username), name='matrix')[1]
                           for role, username in ROLES.items()}
    return known


def _state(app) -> tuple:  # noqa: ANN001
    """What a refused request must leave as it was: the access tests' snapshot, plus documents and evidence."""
    with app.extensions['inspect_flow.engine'].connect() as conn:
        docs = conn.execute(sa.text('select id, state, number, sha256 from documents order by id')).all()
        files = conn.execute(sa.text('select count(*) from evidence_files')).scalar()
    return snapshot(app), docs, files


def _expected(readers: set[str], role: str | None) -> int:
    return 200 if role in readers else 404


def _draft_url(known: dict, kind: str, params: dict, fmt: str | None = None) -> str:
    query = '&'.join([f'kind={kind}', *(f'{k}={_fill(v, known)}' for k, v in params.items())])
    return f'/plans/{known["plan"]}/documents/draft?{query}' + (f'&format={fmt}' if fmt else '')


@pytest.mark.slow
def test_every_role_gets_the_same_answer_from_the_web_and_the_api(app_factory):  # noqa: ANN001
    app = app_factory('closed')
    known = _setup(app)
    api = app.test_client()
    before = _state(app)
    issued_ids = {known[key] for key, *_ in DOCUMENTS}
    checked = 0
    for role in sorted(ROLES):
        web = Client(app)
        assert web.login(ROLES[role]).status_code == 302
        bearer = {'Authorization': f'Bearer {known["tokens"][role]}'}

        def both(web_path: str, api_path: str | None, expected: int, what: str, *, web: Client = web,
                 role: str = role, bearer: dict = bearer) -> None:
            nonlocal checked
            got_web = web.get(web_path).status_code
            assert got_web == expected, (role, what, 'web', got_web)
            if api_path is not None:
                got_api = api.get(api_path, headers=bearer).status_code
                assert got_api == got_web, (role, what, 'api', got_api, 'web', got_web)
            if expected == 404:
                assert _state(app) == before, (role, what)
            checked += 1

        for key, kind, params, draft_readers, issued_readers in DOCUMENTS:
            doc = known[key]
            # The draft: the web's only door (the API serves stored documents).
            both(_draft_url(known, kind, params), None, _expected(draft_readers, role), f'draft {key}')
            # The issued document: the web download, the API's metadata and PDF agree.
            both(f'/documents/{doc}.pdf', f'/api/v1/documents/{doc}', _expected(issued_readers, role), f'issued {key}')
            assert api.get(f'/api/v1/documents/{doc}/pdf', headers=bearer).status_code == _expected(
                issued_readers, role), (role, key, 'api pdf')
        # One PDF draft each: refused before anything is rendered.
        if role not in STAFF | TEAM5:
            both(_draft_url(known, 'minutes', {'visit': '{visit5}'}, 'pdf'), None, 404, 'pdf draft minutes5')
        for key, _kind, _about, readers in STORED_DRAFTS:
            doc = known[key]
            both(f'/documents/{doc}.pdf', None, 404, f'web {key}')  # a draft has nothing to download
            got = api.get(f'/api/v1/documents/{doc}', headers=bearer).status_code
            assert got == _expected(readers, role), (role, key, got)
            assert api.get(f'/api/v1/documents/{doc}/pdf', headers=bearer).status_code == 404, (role, key)
        # The visit itself, and the evidence attached to objects (today's rule for reading it).
        both(f'/visits/{known["visit5"]}', f'/api/v1/visits/{known["visit5"]}', _expected(STAFF | TEAM5, role),
             'visit 5')
        both(f'/visits/{known["visit1"]}', f'/api/v1/visits/{known["visit1"]}', _expected(STAFF, role), 'visit 1')
        both(f'/visits/{known["visit5"]}/evidence/{known["photo"]}', None, _expected(STAFF | TEAM5, role),
             'evidence of visit 5')
        both(f'/visits/{known["visit1"]}/evidence/{known["photo"]}', None, 404, 'visit 5 evidence via visit 1')
        both(f'/recommendations/{known["rec_mcb"]}/evidence/{known["proof"]}', None,
             _expected(ON_PLAN | {'district838'}, role), 'evidence of a recommendation')

        # The lists: the documents page and the inbox list exactly what the API lists.
        listed = {int(d['id']) for d in api.get('/api/v1/documents?limit=200', headers=bearer).get_json()['items']}
        readable = {known[key] for key, *_rest, readers in DOCUMENTS if role in readers}
        readable |= {known[key] for key, _k, _a, readers in STORED_DRAFTS if role in readers}
        assert listed == readable, (role, sorted(listed), sorted(readable))
        page = web.get(f'/plans/{known["plan"]}/documents')
        if role in ON_PLAN:
            links = {int(n) for n in re.findall(r'/documents/(\d+)\.pdf', page.get_data(as_text=True))}
            assert links == readable & issued_ids, (role, sorted(links))
        else:
            assert page.status_code == 404
            links = {int(n) for n in re.findall(r'/documents/(\d+)\.pdf', web.get('/inbox').get_data(as_text=True))}
            assert links == readable & issued_ids, (role, sorted(links))

        # Issuing stays the secretariat's: refused and nothing written for everybody else.
        if role not in STAFF:
            r = web.post(f'/plans/{known["plan"]}/documents/issue',
                         {'kind': 'minutes', 'visit': str(known['visit5']), 'date': '2019-08-21'})
            assert r.status_code in (403, 404), (role, r.status_code)
            assert _state(app) == before, role
    assert checked > 150

    # Nobody anonymous: the login page on the web, 401 from the API.
    anonymous = app.test_client()
    for key, kind, params, *_ in DOCUMENTS:
        r = anonymous.get(_draft_url(known, kind, params))
        assert r.status_code == 302 and '/login' in r.headers['Location'], key
        r = anonymous.get(f'/documents/{known[key]}.pdf')
        assert r.status_code == 302 and '/login' in r.headers['Location'], key
        assert anonymous.get(f'/api/v1/documents/{known[key]}').status_code == 401, key
    assert _state(app) == before


def test_a_member_of_another_team_reads_neither_the_draft_nor_the_issued_minutes(app_factory):  # noqa: ANN001
    """The finding itself: 404 on the visit, and 404 on its minutes (household heads' names), draft and issued."""
    from inspect_flow.documents.operations import issue_document
    from inspect_flow.documents.sources import SignerIn
    from inspect_flow.plans.models import Plan
    from inspect_flow.visits.models import Visit

    app = app_factory('closed')
    known = ids(app)
    with unit_of_work(make_session_factory(app.extensions['inspect_flow.engine'])) as s:
        visit = s.get(Visit, known['visit5'])
        heads = [h.head_name for h in visit.households if h.head_name]
        doc = issue_document(s, s.get(Plan, known['plan']), 'minutes', visit=known['visit5'], actor='test',
                             issue_date=date(2019, 7, 12), signer=SignerIn(name='A')).id
        token = create_token(s, find_user(s, ROLES['member36']), name='t')[1]
    assert heads, 'the demo visit records households by name'
    own, other = Client(app), Client(app)
    own.login(ROLES['member25'])
    other.login(ROLES['member36'])
    draft = f'/plans/{known["plan"]}/documents/draft?kind=minutes&visit={known["visit5"]}'
    assert heads[0] in own.get(draft).get_data(as_text=True)  # the own team reads the names

    before = _state(app)
    for path in (f'/visits/{known["visit5"]}', draft, draft + '&format=pdf', f'/documents/{doc}.pdf'):
        r = other.get(path)
        assert r.status_code == 404, path
        assert heads[0] not in r.get_data(as_text=True)
    api = app.test_client()
    for path in (f'/api/v1/visits/{known["visit5"]}', f'/api/v1/documents/{doc}', f'/api/v1/documents/{doc}/pdf'):
        assert api.get(path, headers={'Authorization': f'Bearer {token}'}).status_code == 404, path
    listed = api.get('/api/v1/documents', headers={'Authorization': f'Bearer {token}'}).get_json()['items']
    assert doc not in {d['id'] for d in listed}
    page = other.get(f'/plans/{known["plan"]}/documents').get_data(as_text=True)
    assert f'visit={known["visit5"]}' not in page and f'/documents/{doc}.pdf' not in page
    assert _state(app) == before


# --- anonymous visitors --------------------------------------------------------------------------------------

#: Endpoints an anonymous visitor may reach.
PUBLIC = {'auth.login', 'healthz', 'static', 'api_v1.openapi_document', 'api_v1.docs_page', 'api_v1.docs_script',
          'offline.service_worker'}  # the service worker's script: the browser fetches it for updates


def _url_for_rule(rule, known: dict) -> str:  # noqa: ANN001
    values = {'plan_id': known['plan'], 'visit_id': known['visit5'], 'team_id': known['team5'],
              'person_id': known['person'], 'rec_id': known['rec_mcb'], 'recommendation_id': known['rec_mcb'],
              'conclusion_id': known['conclusion_mcb'], 'finding_id': known['finding5'], 'doc_id': 1,
              'document_id': 1, 'user_id': 1, 'code': '838', 'unit_id': 1, 'digest': '0' * 64, 'ref': '0' * 64,
              'checklist_id': 'poverty-supervision', 'submission_id': '00000000-0000-0000-0000-000000000000',
              'token_id': 1, 'webhook_id': 1, '_rest': 'plans/x', 'filename': 'x.css',
              'token': 'x' * 43, 'form_id': f'visit-{known["visit5"]}', 'name': 'x.jpg'}
    path = rule.rule
    for arg in rule.arguments:
        path = re.sub(r'<(?:[^:<>]+:)?' + re.escape(arg) + '>', str(values[arg]), path)
    assert '<' not in path, path
    return path


def test_an_anonymous_visitor_gets_the_login_page_and_nothing_else(app_factory):  # noqa: ANN001
    from inspect_flow.plans.operations import create_plan
    from inspect_flow.units.models import IssuingBody

    app = app_factory('closed')
    known = ids(app)
    secret = 'Kiểm tra nguồn vốn (MẬT) năm 2026'
    with unit_of_work(make_session_factory(app.extensions['inspect_flow.engine'])) as s:
        issuer = s.scalar(sa.select(IssuingBody))
        create_plan(s, issuer=issuer, actor='test', subject=secret, fieldwork_start=date(2026, 3, 1),
                    fieldwork_end=date(2026, 3, 31))
    data = ('1245', 'MẬT', 'sinh kế', 'Nhuận Phú Tân', 'Mỏ Cày Bắc', 'Võ Thành Công')  # plan, teams, places
    client = app.test_client()
    before = _state(app)
    crawled = 0
    for rule in app.url_map.iter_rules():
        if 'GET' not in rule.methods:
            continue
        path = _url_for_rule(rule, known)
        for accept in ('text/html', 'application/json'):
            r = client.get(path, headers={'Accept': accept})
            body = r.get_data(as_text=True)
            if rule.endpoint in PUBLIC:
                assert r.status_code in (200, 404), (path, r.status_code)
            elif rule.endpoint.startswith('api_v1.'):
                assert r.status_code == 401, (path, r.status_code)
            elif rule.endpoint.startswith('openrosa.'):  # ODK Collect's token is in the path: a bad one is 403
                assert r.status_code == 403, (path, r.status_code)
            elif accept == 'application/json':
                assert r.status_code == 401, (path, r.status_code)
            else:
                assert r.status_code == 302, (path, r.status_code)
                assert r.headers['Location'].startswith('/login'), (path, r.headers['Location'])
            if rule.endpoint != 'static':
                leaked = [d for d in data if d in body]
                assert not leaked, (path, leaked)
            crawled += 1
    assert crawled > 100
    # An unknown page and the POST forms too; the login page itself names no plan.
    r = client.get('/no/such/page')
    assert r.status_code == 302 and r.headers['Location'].startswith('/login')
    login = client.get('/login').get_data(as_text=True)
    assert not [d for d in data if d in login]
    assert _state(app) == before


def test_the_plan_history_shows_a_leader_only_the_visits_they_may_see(app_factory):  # noqa: ANN001
    app = app_factory('closed')
    known = ids(app)

    def visits_in(client: Client) -> set[int]:
        page = client.get(f'/plans/{known["plan"]}/history').get_data(as_text=True)
        return {int(n) for n in re.findall(r'data-visit="(\d+)"', page)}

    staff, leader = Client(app), Client(app)
    staff.login(ROLES['secretariat'])
    leader.login(ROLES['leader5'])
    assert {known['visit1'], known['visit5']} <= visits_in(staff)
    assert visits_in(leader) == {known['visit5']}
