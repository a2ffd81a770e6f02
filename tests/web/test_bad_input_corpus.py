"""The bad-input corpus: every route of the Flask url map (pages and API), every id in a URL, every field of the
forms the pages render (parsed from the GET pages, as each persona sees them), every JSON body field, sent the
values a tester or an attacker would try.

It asserts, on SQLite and on PostgreSQL:

* no answer is a 5xx and nothing is logged at ERROR (no traceback);
* a refusal is a 4xx (400, 404, 422 mostly; 401/403/405/409/413 where that is the honest answer);
* a refused request writes nothing (the counts, states and versions of the round are as before).

The world: the 2019 demo round (closed: documents issued, recommendations reported on) and three small rounds in
``planning``, ``visiting`` (a checklist pinned, the demo member ``ngan.ltk`` on team 1) and ``conclusions``, so that
forms reach the operations instead of being refused for the stage.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
import sqlalchemy as sa

from inspect_flow.accounts.operations import find_user
from inspect_flow.core.db import make_session_factory, unit_of_work
from tests.web.conftest import ROLES, Client, demo_app

pytestmark = pytest.mark.slow

BIG = 'x' * 100_000
MEGA = 'y' * 1_000_000
#: name → value; a str is sent as UTF-8 (a lone surrogate as its CESU bytes, ED A0 80, through ``surrogatepass``).
#: One value of each kind: beyond 32 bits (PostgreSQL's integer), beyond 64 bits (its bigint and SQLite's integer; a
#: bigger one, 10**40, took the same paths and was dropped), negative, not a number, NUL, control characters, a lone
#: surrogate, long text, a megabyte.
BAD_VALUES = {
    'int31': str(2**31),
    'int63': str(2**63),
    'minus1': '-1',
    'abc': 'abc',
    'nul': 'a\x00b',
    'control': 'a\x01\x08\x0b\x1b\x7fb',
    'surrogate': 'a\ud800b',
    'text100k': BIG,
    'text1mb': MEGA,
}
BAD_IDS = {'int31': str(2**31), 'int63': str(2**63), 'minus1': '-1', 'abc': 'abc', 'zero': '0'}
#: What each form field and each API body field is sent on its own (a megabyte goes once per form or body).
PER_FIELD = {k: v for k, v in BAD_VALUES.items() if k != 'text1mb'}
#: The same values as JSON values (a lone surrogate as the JSON escape "\ud800").
BAD_JSON = {'int31': 2**31, 'int63': 2**63, 'minus1': -1, 'abc': 'abc', 'nul': 'a\x00b',
            'control': 'a\x01\x1bb', 'surrogate': 'a\ud800b', 'text100k': BIG, 'text1mb': MEGA}
#: Query parameters the GET pages and endpoints read.
QUERY_PARAMS = {
    'documents.draft': ('kind', 'visit', 'unit', 'district', 'team', 'format'),
    'pick.units': ('q', 'on', 'level', 'province', 'limit'),
    'pick.bodies': ('q', 'limit'),
    'pick.people': ('q', 'limit'),
    'units.unit_page': ('on',),
    'auth.login': ('next',),
}
PERSONAS = (None, 'secretariat', 'member25', 'leader5', 'district838', 'admin')
#: Who sends a POST whose form is not on any page (JSON endpoints, actions), or an API call.
POST_PERSONA = {'visits.autosave': 'member25', 'visits.upload': 'member25', 'visits.save': 'member25',
                'visits.submit': 'member25', 'visits.return_for_correction': 'leader5', 'visits.approve': 'leader5',
                'visits.accept_all_suggestions': 'leader5', 'inbox.report': 'district838', 'auth.users': 'admin',
                'auth.login': None, 'auth.set_language': None}
SKIP = {'static', 'auth.logout', 'api_v1._unknown', 'api_v1.docs_page', 'api_v1.docs_script',
        'api_v1.openapi_document'}
ALLOWED = {200, 201, 202, 204, 301, 302, 303, 400, 401, 403, 404, 405, 409, 413, 415, 422, 428, 429}


#: What a refused request must leave as it was, read in one query after each of the corpus's ~3,000 requests:
#: the rows of every table a form or an API call writes, and the sum of the row versions of the versioned ones
#: (the ORM bumps a row's version on every update, answers and states included).
COUNTED = ('plans', 'teams', 'team_members', 'visits', 'visit_participants', 'household_consultations', 'findings',
           'conclusions', 'recommendations', 'follow_up_reports', 'follow_up_checks', 'audit_entries', 'users',
           'people', 'commune_draws', 'plan_checklists', 'documents', 'number_registers', 'document_replacements',
           'reminders', 'finding_categories', 'evidence_uploads', 'api_tokens')
VERSIONED = ('plans', 'visits', 'findings', 'conclusions', 'recommendations')
FINGERPRINT = sa.text('select ' + ', '.join(
    [f'(select count(*) from {t}) as "{t}"' for t in COUNTED]
    + [f'(select coalesce(sum(version_id), 0) from {t}) as "{t}.versions"' for t in VERSIONED]))


def fingerprint(app) -> dict:  # noqa: ANN001
    with app.extensions['inspect_flow.engine'].connect() as conn:
        return dict(conn.execute(FINGERPRINT).mappings().one())


class Forms(HTMLParser):
    """The forms of a page: action, method and fields (name, value) as the browser would send them."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):  # noqa: ANN001, ANN201
        a = dict(attrs)
        if tag == 'form':
            self._form = {'action': a.get('action') or '', 'method': (a.get('method') or 'get').lower(),
                          'fields': {}}
            self.forms.append(self._form)
        elif self._form is None or not a.get('name'):
            return
        elif tag == 'input' and a.get('type') not in ('file', 'submit', 'button', 'image'):
            if a.get('type') in ('checkbox', 'radio') and a['name'] in self._form['fields']:
                return
            self._form['fields'][a['name']] = a.get('value') or ''
        elif tag in ('button',) and a.get('value') is not None:
            self._form['fields'].setdefault(a['name'], a['value'])
        elif tag == 'select':
            self._select = a['name']
            self._form['fields'].setdefault(a['name'], '')
        elif tag == 'textarea':
            self._textarea = a['name']
            self._form['fields'][a['name']] = ''
        if tag == 'option' and self._select and self._form is not None:
            if not self._form['fields'].get(self._select) or 'selected' in a:
                self._form['fields'][self._select] = a.get('value') or ''

    def handle_startendtag(self, tag, attrs):  # noqa: ANN001, ANN201
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):  # noqa: ANN001, ANN201
        if self._textarea and self._form is not None:
            self._form['fields'][self._textarea] += data

    def handle_endtag(self, tag):  # noqa: ANN001, ANN201
        if tag == 'form':
            self._form = None
        elif tag == 'select':
            self._select = None
        elif tag == 'textarea':
            self._textarea = None


def form_body(pairs: list[tuple[str, str]]) -> bytes:
    return urlencode([(k, v.encode('utf-8', 'surrogatepass')) for k, v in pairs]).encode()


def _world(app) -> dict:  # noqa: ANN001
    """The three small rounds beside the demo; return the ids the routes are walked with."""
    from inspect_flow.findings import operations as f_ops
    from inspect_flow.integrations.tokens import create_token
    from inspect_flow.openrosa.tokens import create_collect_token
    from inspect_flow.plans import operations as plan_ops
    from inspect_flow.plans.checklists import pin_default_checklists
    from inspect_flow.plans.models import TeamRole
    from tests import builders

    engine = app.extensions['inspect_flow.engine']
    with unit_of_work(make_session_factory(engine)) as s:
        member = find_user(s, ROLES['member25'])
        planning = builders.new_plan(s)
        visiting = builders.new_plan(s, targets=['833', '838'])
        pin_default_checklists(s, visiting, actor='tester')
        plan_ops.add_member(s, visiting.teams[0], member.person, TeamRole.member, actor='tester')
        plan_ops.advance_plan(s, visiting, 'schedule', actor='tester')
        builders.schedule_all(s, visiting)
        plan_ops.advance_plan(s, visiting, 'start_visiting', actor='tester')
        concluding = builders.plan_at(s, 'conclusions', complete=False)
        first = concluding.visits[0]
        f_ops.add_conclusion(s, concluding, first.conclusion_unit, summary='Đánh giá chung.', actor='tester')
        s.flush()
        tokens = {}
        for who in ('admin', 'member25', 'district838'):
            tokens[who] = create_token(s, find_user(s, ROLES[who]), name='corpus')[1]
        collect_token = create_collect_token(s, member, name='corpus')[1]  # ODK Collect's URL (/v1/key/<token>/)
        my_visit = next(v.id for v in visiting.visits if v.team_id == visiting.teams[0].id)
        world = {'planning': planning.id, 'visiting': visiting.id, 'concluding': concluding.id,
                 'my_visit': my_visit, 'tokens': tokens, 'collect_token': collect_token,
                 'planning_team': planning.teams[0].id, 'visiting_team': visiting.teams[0].id}
    with engine.connect() as conn:
        q = lambda sql, **kw: conn.execute(sa.text(sql), kw).scalar()  # noqa: E731
        world['demo'] = q("select id from plans where symbol = 'KH-BCĐCCTMTQG' and number = 1245")
        world['visit5'] = q("select v.id from visits v join admin_units a on a.id = v.commune_id "
                            "where a.code = '28936' and v.plan_id = :p", p=world['demo'])
        world['team5'] = q('select id from teams where number = 5 and plan_id = :p', p=world['demo'])
        world['person'] = q('select person_id from team_members where team_id = :t', t=world['planning_team'])
        world['conclusion'] = q('select id from conclusions where plan_id = :p', p=world['concluding'])
        world['conclusion_demo'] = q('select min(id) from conclusions where plan_id = :p', p=world['demo'])
        world['finding'] = q('select min(id) from findings where plan_id = :p', p=world['demo'])
        world['rec'] = q("select min(r.id) from recommendations r join admin_units a on a.id = r.addressee_unit_id "
                         "where a.code = '838'")
        world['doc'] = q("select coalesce(min(id), 1) from documents")
        world['user'] = q('select min(id) from users')
        world['unit_code'] = '28936'
        world['digest'] = 'a' * 64
        world['token_id'] = q('select min(id) from api_tokens')
        world['checklist_id'] = q('select checklist_id from plan_checklists where plan_id = :p', p=world['visiting'])
    return world


def arg_sets(rule, world: dict) -> list[dict]:  # noqa: ANN001
    """Real values for the rule's arguments (a few combinations that make sense together)."""
    w = world
    candidates = {
        'plan_id': [w['demo'], w['planning'], w['visiting'], w['concluding']],
        'visit_id': [w['my_visit'], w['visit5']],
        'team_id': [w['planning_team'], w['team5'], w['visiting_team']],
        'person_id': [w['person']], 'conclusion_id': [w['conclusion'], w['conclusion_demo']],
        'finding_id': [w['finding']], 'rec_id': [w['rec']], 'recommendation_id': [w['rec']],
        'doc_id': [w['doc']], 'document_id': [w['doc']], 'user_id': [w['user']], 'code': [w['unit_code']],
        'digest': [w['digest']], 'ref': ['sha256:' + w['digest']], 'token_id': [w['token_id']],
        'webhook_id': [1], 'submission_id': ['00000000-0000-0000-0000-000000000000'], 'unit_id': [1],
        'checklist_id': [w['checklist_id']],
        # OpenRosa: a member's live app token (and a made-up one), the member's own visit's form and another's
        'token': [w['collect_token'], 'x' * 43], 'form_id': [f'visit-{w["my_visit"]}', f'visit-{w["visit5"]}'],
        'name': ['photo.jpg'],
    }
    names = sorted(rule.arguments)
    combos = itertools.product(*(candidates[n] for n in names))
    return [dict(zip(names, c, strict=True)) for c in itertools.islice(combos, 8)]


class Corpus:
    def __init__(self, app, world: dict):  # noqa: ANN001
        self.app = app
        self.world = world
        self.clients: dict = {}
        self.failures: list[str] = []
        self.sent = 0
        self.statuses: dict[int, int] = {}
        self.before = fingerprint(app)
        self.adapter = app.url_map.bind('localhost')

    def client(self, who: str | None) -> Client:
        if who not in self.clients:
            c = Client(self.app)
            if who is None:
                c.refresh_token()
            else:
                c.login(ROLES[who])
            self.clients[who] = c
        return self.clients[who]

    def send(self, label: str, who: str | None, method: str, path: str, *, body: bytes | None = None,
             json_body=None, headers: dict | None = None, api: str | None = None):  # noqa: ANN001, ANN201
        c = self.client(who)
        headers = dict(headers or {})
        if api:
            headers['Authorization'] = f'Bearer {self.world["tokens"][api]}'
        if method != 'GET' and not api:
            headers.setdefault('X-CSRFToken', c.token)
        kw = {}
        if json_body is not None:
            kw['data'] = json.dumps(json_body, ensure_ascii=False).encode('utf-8', 'surrogatepass')
            kw['content_type'] = 'application/json'
        elif body is not None:
            kw['data'] = body
            kw['content_type'] = 'application/x-www-form-urlencoded'
        self.sent += 1
        self.log.clear()
        try:
            resp = c.c.open(path, method=method, headers=headers, **kw)
            status = resp.status_code
        except Exception as exc:  # noqa: BLE001  (an exception that escaped the app is a 500)
            status = 599
            self.log.append(f'raised {exc!r}'[:300])
        self.statuses[status] = self.statuses.get(status, 0) + 1
        where = f'{label}: {method} {path[:120]}'
        if status >= 500 or status not in ALLOWED:
            self.failures.append(f'{where} -> {status} {" | ".join(self.log)[:300]}')
        elif self.log:
            self.failures.append(f'{where} -> {status}, logged: {self.log[0][:300]}')
        if status >= 400:
            after = fingerprint(self.app)
            if after != self.before:
                changed = sorted(k for k in after if after[k] != self.before.get(k))
                self.failures.append(f'{where} -> {status} but wrote: {changed}')
                self.before = after
        else:
            self.before = fingerprint(self.app)
        return status

    def _endpoint(self, path: str, method: str) -> str | None:
        try:
            return self.adapter.match(urlsplit(path).path, method=method.upper())[0]
        except Exception:  # noqa: BLE001  (no route: nothing to skip)
            return None

    # --- the walk ---------------------------------------------------------------------------------------

    def crawl(self) -> dict:
        """GET every page with every persona; return the forms found, by (action, method, field names)."""
        forms = {}
        for rule in self.app.url_map.iter_rules():
            if rule.endpoint in SKIP or 'GET' not in rule.methods or rule.endpoint.startswith('api_v1.'):
                continue
            for args in arg_sets(rule, self.world):
                path = self.adapter.build(rule.endpoint, args)
                for who in PERSONAS:
                    resp = self.client(who).get(path)
                    if resp.status_code != 200 or not resp.mimetype == 'text/html':
                        continue
                    parser = Forms()
                    parser.feed(resp.get_data(as_text=True))
                    for form in parser.forms:
                        action = form['action'] or path
                        if not action.startswith('/') or self._endpoint(action, form['method']) in SKIP:
                            continue
                        key = (action.split('#')[0], form['method'], tuple(sorted(form['fields'])))
                        forms.setdefault(key, (who, form))
        return forms

    def forms(self, forms: dict) -> None:
        for (action, method, _names), (who, form) in forms.items():
            fields = {k: v for k, v in form['fields'].items() if k != 'csrf_token'}
            base = urlsplit(action)
            query = parse_qsl(base.query, keep_blank_values=True)
            names = list(fields)
            # Every field on its own (what is typed in one box), or all at once on a big form (the visit form).
            groups = [[n] for n in names] if len(names) <= 12 else [names]
            # A megabyte is sent once per form, in every field at once: what it tests is the body limit and
            # the length checks, which one request shows as well as one per field.
            cases = [(g, item) for g, item in itertools.product(groups, PER_FIELD.items())]
            cases += [(names, ('text1mb', MEGA))] if names else []
            for group, (vname, value) in cases:
                pairs = [(k, value if k in group else v) for k, v in fields.items()]
                label = f'form {action} [{",".join(group)[:60]}={vname}] as {who}'
                if method == 'post':
                    token = ('csrf_token', self.client(who).token)
                    self.send(label, who, 'POST', action, body=form_body([*pairs, token]))
                else:
                    self.send(label, who, 'GET', base.path + '?' + form_body(query + pairs).decode())
            extra = [('csrf_token', self.client(who).token), ('zz_unknown', 'x'), ('a.zz.0.x', 'y'),
                     ('add_row', 'household_roster'), ('add_row', 'not_a_repeat'), ('f.', '')]
            if method == 'post':
                self.send(f'form {action} unknown keys as {who}', who, 'POST', action,
                          body=form_body(list(fields.items()) + extra))
                self.send(f'form {action} add_row=not a repeat as {who}', who, 'POST', action,
                          body=form_body(list(fields.items()) + [('add_row', 'not_a_repeat'),
                                                                 ('csrf_token', self.client(who).token)]))

    def url_ids(self) -> None:
        for rule in self.app.url_map.iter_rules():
            if rule.endpoint in SKIP or not rule.arguments:
                continue
            api = rule.endpoint.startswith('api_v1.')
            sets = arg_sets(rule, self.world)
            for method in sorted(rule.methods - {'HEAD', 'OPTIONS'}):
                who = POST_PERSONA.get(rule.endpoint, 'secretariat') if method != 'GET' else 'secretariat'
                token = 'admin' if api else None
                for arg, (vname, value) in itertools.product(sorted(rule.arguments), BAD_IDS.items()):
                    args = {**sets[0], arg: value}
                    path = _fill(rule.rule, args)  # by hand: build() refuses a non-int for an int converter
                    self.send(f'url {rule.endpoint} {arg}={vname}', who if not api else None, method, path,
                              body=form_body([('csrf_token', self.client(who).token)]) if method == 'POST' and not api
                              else None, json_body={} if api and method in ('POST', 'PUT', 'PATCH') else None,
                              api=token)

    def queries(self) -> None:
        w = self.world
        base = {'documents.draft': ('plans/{}/documents/draft'.format(w['demo']),
                                    {'kind': 'conclusion', 'district': '838'}),
                'pick.units': ('pick/units', {'q': 'nhuan'}), 'pick.bodies': ('pick/bodies', {'q': 'ban'}),
                'pick.people': ('pick/people', {'q': 'nguyen'}), 'units.unit_page': ('units/28936', {}),
                'auth.login': ('login', {})}
        for endpoint, params in QUERY_PARAMS.items():
            path, defaults = base[endpoint]
            who = None if endpoint == 'auth.login' else 'secretariat'
            for param, (vname, value) in itertools.product(params, BAD_VALUES.items()):
                if vname == 'text1mb':
                    value = value[:60_000]  # a URL of a megabyte is the server's business, not the app's
                q = {**defaults, param: value}
                self.send(f'query {endpoint} {param}={vname}', who, 'GET',
                          '/' + path + '?' + form_body(list(q.items())).decode())

    def json_bodies(self) -> None:
        """The visit form's autosave, and every API body field."""
        from inspect_flow.api.spec import OPERATIONS

        w = self.world
        autosave = f'/visits/{w["my_visit"]}/autosave'
        for vname, value in BAD_JSON.items():
            self.send(f'autosave all answers={vname}', 'member25', 'POST', autosave,
                      json_body={'answers': {'household_roster': [{'head_name': value}], 'x': value, value
                                             if isinstance(value, str) else 'k': value}})
            for item in ('visit_date', 'total_households', 'committee_decision', 'household_roster', 'level'):
                self.send(f'autosave {item}={vname}', 'member25', 'POST', autosave,
                          json_body={'answers': {item: value}})
        sets = {}
        for rule in self.app.url_map.iter_rules():
            if rule.endpoint.startswith('api_v1.') and rule.endpoint not in SKIP:
                sets[rule.endpoint.removeprefix('api_v1.')] = arg_sets(rule, w)
        for op in OPERATIONS:
            if op.body is None or op.method not in ('POST', 'PUT', 'PATCH'):
                continue
            args = (sets.get(op.name) or [{}])[0]
            args = {**args, 'visit_id': w['my_visit']} if 'visit_id' in args else args
            path = '/api/v1' + re.sub(r'\{(\w+)\}', lambda m, a=args: str(a.get(m.group(1), 1)), op.path)
            fields = list(getattr(op.body, 'model_fields', {}) or {})
            who = 'member25' if 'visit' in op.path else 'admin'
            for field, (vname, value) in itertools.product(fields, BAD_JSON.items()):
                if vname == 'text1mb':
                    continue
                self.send(f'api {op.name} {field}={vname}', None, op.method, path, json_body={field: value}, api=who)
            if fields:
                self.send(f'api {op.name} every field=text1mb', None, op.method, path,
                          json_body=dict.fromkeys(fields, MEGA), api=who)
            self.send(f'api {op.name} unknown key', None, op.method, path, json_body={'zz_unknown': 1}, api=who)


def _fill(template: str, args: dict) -> str:
    return re.sub(r'<(?:\w+:)?(\w+)>', lambda m: str(args[m.group(1)]), template)


class _Capture(logging.Handler):
    def __init__(self, sink: list):
        super().__init__(logging.ERROR)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(f'{record.name}: {record.getMessage()} {record.exc_text or ""}'.strip())


@pytest.mark.parametrize('part', ['forms', 'ids-queries-bodies'])
def test_no_bad_input_gives_a_500(databases, db_kind, part):  # noqa: ANN001
    """In two parts, which run side by side when the suite runs on several cores."""
    with demo_app(databases, db_kind, 'closed', PROPAGATE_EXCEPTIONS=False) as app:
        _walk(app, db_kind, part)


def _walk(app, db_kind: str, part: str) -> None:  # noqa: ANN001
    world = _world(app)
    corpus = Corpus(app, world)
    corpus.log = []
    handler = _Capture(corpus.log)
    logging.getLogger().addHandler(handler)
    app.logger.addHandler(handler)
    try:
        forms = {}
        if part == 'forms':
            forms = corpus.crawl()
            assert len(forms) > 25, sorted(forms)
            corpus.forms(forms)
        else:
            corpus.url_ids()
            corpus.queries()
            corpus.json_bodies()
    finally:
        logging.getLogger().removeHandler(handler)
        app.logger.removeHandler(handler)
    five = sum(1 for f in corpus.failures if ' -> 5' in f)
    print(f'\n{db_kind} {part}: {corpus.sent} requests, {len(forms)} forms, '
          f'statuses {sorted(corpus.statuses.items())}, {five} answers of 5xx, {len(corpus.failures)} failures')
    assert corpus.sent > 1000
    assert not corpus.failures, f'{len(corpus.failures)} failures ({five} of them 5xx):\n' + '\n'.join(
        corpus.failures[:300])
