"""The asynchronous intake checks the visit, the right to submit it and its version in the intake writer, for a
whole batch in one query. Its refusals must be those of the synchronous path, in the same order (404 before
the body's 422, before 403, before the key's or If-Match's 422, before the stale version's 409), and a refused
request must write nothing, also when it shares a batch with admitted ones."""

from __future__ import annotations

import threading
import uuid

import sqlalchemy as sa

from inspect_flow.accounts.models import User, UserSnapshot
from inspect_flow.core.db import make_session_factory
from inspect_flow.core.errors import DomainError, NotFound
from inspect_flow.intake import operations as intake
from inspect_flow.intake.writer import IntakeWriter
from tests.api.conftest import submission_for
from tests.api.test_intake import scheduled

MISSING = 987_654
COUNTS = ('select (select count(*) from submission_intake) + 1000 * (select count(*) from idempotency_keys) '
          "+ 1000000 * (select count(*) from visits where state <> 'scheduled')")


def _send(api, who: str, visit: int, body, headers: dict, asynchronous: bool):  # noqa: ANN001, ANN201
    headers = dict(headers)
    if asynchronous:
        headers['Prefer'] = 'respond-async'
    kw = {'json': body} if not isinstance(body, str) else {'data': body, 'content_type': 'application/json'}
    return api.post(f'/api/v1/visits/{visit}/submissions', who, headers=headers, **kw)


def test_async_refusals_are_those_of_the_sync_path_in_the_same_order(api):  # noqa: ANN001
    visit = scheduled(api)[0]
    good = submission_for(api, visit)
    version = api.get(f'/api/v1/visits/{visit}', 'member25').get_json()['version']
    bad_body = {'participants': 'not a list'}
    bad_key = {'Idempotency-Key': 'x' * 1000}
    stale = {'If-Match': f'"{version + 7}"'}
    # who, visit, body, headers -> status, problem code
    cases = [
        ('member25', MISSING, good, {}, 404, 'visit.not_found'),
        ('member25', MISSING, '{not json', {}, 404, 'visit.not_found'),
        ('member36', visit, good, {}, 404, 'visit.not_found'),          # on another team: not theirs to see
        ('member36', visit, bad_body, bad_key, 404, 'visit.not_found'),
        ('secretariat', visit, good, {}, 403, 'access.forbidden'),      # sees every visit, submits none
        ('secretariat', visit, bad_body, {}, 422, 'body.invalid'),      # the body's 422 comes before 403
        ('secretariat', visit, '[1, 2]', {}, 422, 'body.not_object'),
        ('secretariat', visit, good, bad_key, 403, 'access.forbidden'),  # the key's 422 comes after 403
        ('secretariat', visit, good, stale, 403, 'access.forbidden'),
        ('member25', visit, bad_body, bad_key, 422, 'body.invalid'),
        ('member25', visit, good, bad_key, 422, 'idempotency.bad_key'),
        ('member25', visit, good, {'If-Match': '"v3"'}, 422, 'if_match.invalid'),
        ('member25', visit, good, {**bad_key, **stale}, 422, 'idempotency.bad_key'),
        ('member25', visit, good, stale, 409, 'stale_version'),
        ('member25', visit, {**good, 'version': version + 7}, {}, 409, 'stale_version'),
    ]
    before = api.scalar(COUNTS)
    for who, target, body, headers, status, code in cases:
        answers = {}
        for asynchronous in (False, True):
            resp = _send(api, who, target, body, {'Idempotency-Key': str(uuid.uuid4()), **headers}, asynchronous)
            answers[asynchronous] = (resp.status_code, resp.get_json()['code'])
        assert answers[False] == answers[True] == (status, code), (who, target, headers, answers)
        assert api.scalar(COUNTS) == before, f'{who} {headers}: a refused submission wrote something'
    # and the same visit, by its own team member with a sound body and version, is admitted
    ok = _send(api, 'member25', visit, good, {'Idempotency-Key': str(uuid.uuid4()), 'If-Match': f'"{version}"'},
               True)
    assert ok.status_code == 202
    assert api.scalar('select count(*) from submission_intake where visit_id = :v', v=visit) == 1


def test_a_batch_with_refused_and_admitted_requests_writes_only_the_admitted_ones(api):  # noqa: ANN001
    """Many threads send at once through one writer, so that refused and admitted requests share batches; the
    writer checks each batch with one query (counted), and writes nothing of a refused request."""
    engine = api.app.extensions['inspect_flow.engine']
    writer = IntakeWriter(engine, vet=intake.vet)
    visits = scheduled(api)[:6]
    with make_session_factory(engine)() as s:
        member = UserSnapshot.of(s.scalar(sa.select(User).where(User.username == 'ngan.ltk')))
    user_id = member.id
    checks = []

    @sa.event.listens_for(writer.engine, 'before_cursor_execute')
    def _count(_conn, _cursor, statement, *_args) -> None:  # noqa: ANN001
        if 'team_members' in statement:
            checks.append(statement)

    plan = [(v, None) for v in visits] + [(MISSING + i, None) for i in range(4)] \
        + [(visits[0], 10_000)]  # a version the visit never had: stale
    outcomes: dict[int, object] = {}
    start = threading.Barrier(len(plan))

    def send(i: int, visit: int, expected: int | None) -> None:
        admission = intake.Admission(visit, member, expected)
        start.wait()
        try:
            outcomes[i] = intake.accept(writer, user_id, visit, raw_text='{}', key=f'mix-{i}', fingerprint='f',
                                        path=f'/api/v1/visits/{visit}/submissions', if_match=expected, lang='vi',
                                        admission=admission)
        except DomainError as exc:
            outcomes[i] = exc

    threads = [threading.Thread(target=send, args=(i, v, e)) for i, (v, e) in enumerate(plan)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    assert len(outcomes) == len(plan)
    for i, (visit, expected) in enumerate(plan):
        got = outcomes[i]
        if visit >= MISSING:
            assert isinstance(got, NotFound), (visit, got)
        elif expected is not None:
            assert isinstance(got, DomainError) and got.code == 'stale_version', got
        else:
            assert got.status == 202 and not got.replayed, got
    stored = api.scalar("select count(*) from submission_intake where key like 'mix-%'")
    keys = api.scalar("select count(*) from idempotency_keys where key like 'mix-%'")
    assert stored == keys == len(visits)
    assert len(checks) == writer.batches, 'one check query per batch'
    assert writer.rows == len(visits)


def test_a_resend_after_its_submission_was_applied_gets_its_first_answer_not_a_stale_version(api):  # noqa: ANN001
    """A device that sent an edit based on version v, and never heard the answer, sends it again after the worker
    applied it (the visit is now at a later version). Like the synchronous path, the key is looked up before the
    version is compared: the resend replays the first answer; another body under the key gets 409 key reused;
    a new key gets 409 stale."""
    first, second = scheduled(api)[:2]
    for visit, asynchronous in ((first, True), (second, False)):
        body = submission_for(api, visit)
        version = api.get(f'/api/v1/visits/{visit}', 'member25').get_json()['version']
        headers = {'Idempotency-Key': str(uuid.uuid4()), 'If-Match': f'"{version}"'}
        sent = _send(api, 'member25', visit, body, headers, asynchronous)
        assert sent.status_code == (202 if asynchronous else 201)
        if asynchronous:
            assert intake.process(make_session_factory(api.app.extensions['inspect_flow.engine'])).done == 1
        assert api.get(f'/api/v1/visits/{visit}', 'member25').get_json()['version'] > version
        again = _send(api, 'member25', visit, body, headers, asynchronous)
        assert (again.status_code, again.headers.get('Idempotent-Replayed')) == (sent.status_code, 'true'), \
            (asynchronous, again.get_json())
        assert again.get_data() == sent.get_data()
        other = _send(api, 'member25', visit, {**body, 'content': {'district_report': 'Khác.'}}, headers,
                      asynchronous)
        assert (other.status_code, other.get_json()['code']) == (409, 'idempotency.key_reused'), asynchronous
        fresh = _send(api, 'member25', visit, body, {**headers, 'Idempotency-Key': str(uuid.uuid4())},
                      asynchronous)
        assert (fresh.status_code, fresh.get_json()['code']) == (409, 'stale_version'), asynchronous
    assert api.scalar('select count(*) from submission_intake') == 1
