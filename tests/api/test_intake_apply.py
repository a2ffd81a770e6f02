"""Applying queued submissions in batches stores exactly what applying them one at a time stores (same visits,
versions, households, findings, audit rows in the same order, same outcomes), also against audit rows written
as they are recorded; several workers apply each submission once, and the submissions of one visit in the order
they arrived, with the outcomes one worker gives."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from inspect_flow.accounts.models import User
from inspect_flow.core.db import make_session_factory, unit_of_work
from inspect_flow.intake import operations as intake
from inspect_flow.intake.models import SubmissionIntake
from inspect_flow.intake.writer import IntakeWriter
from inspect_flow.integrations.idempotency import request_fingerprint
from inspect_flow.integrations.tokens import create_token, revoke_token
from inspect_flow.integrations.webhooks import create_subscription
from inspect_flow.plans import operations as plan_ops
from inspect_flow.plans.models import TeamRole
from inspect_flow.visits import operations as visit_ops
from inspect_flow.visits.models import Visit
from tests import builders
from tests.api.conftest import build

SUBMIT_AUDIT = ("select count(*) from audit_entries where entity_type = 'visit' and entity_id = :v "
                "and trigger = 'submit'")


# --- a queue with a bit of everything ----------------------------------------------------------------------

def _record(session, visit: Visit) -> dict:  # noqa: ANN001
    """The demo's whole record for *visit* (checklist answers, households) as the API receives it."""
    from inspect_flow.demo.round2019 import _submission

    return json.loads(json.dumps(_submission(visit.team.number - 1, visit), default=str))


def _scheduled_of(session, user: User) -> list[Visit]:  # noqa: ANN001
    visits = session.scalars(sa.select(Visit).where(Visit.state == 'scheduled').order_by(Visit.id)).all()
    return [v for v in visits if any(m.person_id == user.person_id for m in v.team.members)]


def _free_form_visits(session, user: User) -> list[int]:  # noqa: ANN001
    """Two scheduled visits of a plan that pins no checklist, on teams *user* is a member of."""
    plan = builders.new_plan(session)
    for team in plan.teams:
        plan_ops.add_member(session, team, user.person, TeamRole.member, actor=builders.ACTOR)
    plan_ops.advance_plan(session, plan, 'schedule', actor=builders.ACTOR)
    visits = builders.schedule_all(session, plan)
    plan_ops.advance_plan(session, plan, 'start_visiting', actor=builders.ACTOR)
    session.flush()
    return [v.id for v in visits]


@pytest.fixture(autouse=True)
def _local_receiver(monkeypatch):  # noqa: ANN001, ANN202
    from inspect_flow.integrations import webhooks

    monkeypatch.setenv(webhooks.ALLOWED_HOSTS_ENV, '127.0.0.1')


def queue_scenario(url: str) -> list[str]:
    """Build the demo round on *url* and queue submissions as the intake does; return their keys in arrival order.

    Outcomes with one worker, in order: done; refused (already submitted); refused (an answer breaks a rule);
    done (the corrected record); refused (a household code twice in the roster); done; refused (stale
    version: the visit changed after the intake); refused (token revoked before it was sent); done (a
    finding sent twice is stored once); refused (already submitted); and on plans without a checklist:
    done, refused, done, done (a returned visit recorded again, a household code re-used), done (a visit
    already started).
    """
    app, _tokens = build(url)
    engine = app.extensions['inspect_flow.engine']
    factory = make_session_factory(engine)
    rows: list[tuple[User, int, dict, int | None, int | None]] = []  # user, visit, body, If-Match, token id
    with unit_of_work(factory) as s:
        m25 = s.scalar(sa.select(User).where(User.username == 'ngan.ltk'))
        m36 = s.scalar(sa.select(User).where(User.username == 'nghia.tv'))
        token25 = create_token(s, m25, name='scenario')[0]
        token36 = create_token(s, m36, name='scenario')[0]
        gone = create_token(s, m36, name='revoked')[0]
        s.flush()
        revoke_token(s, gone)
        create_subscription(s, url='http://127.0.0.1:9/hook', events=['visit.submitted'], actor='test')
        a, b, c = _scheduled_of(s, m25)[:3]
        d, e, f = _scheduled_of(s, m36)[:3]
        bad = _record(s, b)
        bad['answers']['directive_documents'] = -5
        twice = _record(s, d)
        twice['answers']['household_roster'][1]['household_code'] = twice['answers']['household_roster'][0][
            'household_code']
        doubled = _record(s, c)
        doubled['findings'] = doubled['findings'] + doubled['findings'][-1:]
        other = _record(s, c)
        other['content']['local_opinion'] = 'Một bản khác.'
        free = _free_form_visits(s, m25)
        more = _free_form_visits(s, m25)
        returned, started = s.get(Visit, more[0]), s.get(Visit, more[1])
        visit_ops.submit_visit(s, returned, actor='web:ngan.ltk', data=builders.SUBMISSION)
        visit_ops.return_visit(s, returned, reviewer=returned.team.leader, comment='Bổ sung hộ.', actor='web:leader')
        visit_ops.start_visit(s, started, actor='web:ngan.ltk')
        corrected = {**builders.SUBMISSION, 'households': [{'code': 'H-01', 'category': 'near_poor'},
                                                           {'code': 'H-03', 'category': 'poor'}],
                     'content': {'district_report': 'Báo cáo đã bổ sung.'}}
        rows += [(m25, a.id, _record(s, a), None, token25.id), (m25, a.id, _record(s, a), None, token25.id),
                 (m25, b.id, bad, None, token25.id), (m25, b.id, _record(s, b), None, token25.id),
                 (m36, d.id, twice, None, token36.id), (m36, d.id, _record(s, d), None, token36.id),
                 (m36, e.id, _record(s, e), e.version_id, token36.id), (m36, f.id, _record(s, f), None, gone.id),
                 (m25, c.id, doubled, None, token25.id), (m25, c.id, other, None, token25.id),
                 (m25, free[0], builders.SUBMISSION, None, token25.id),
                 (m25, free[0], builders.SUBMISSION, None, token25.id),
                 (m25, free[1], {**builders.SUBMISSION, 'households': []}, None, token25.id),
                 (m25, more[0], corrected, None, token25.id), (m25, more[1], builders.SUBMISSION, None, token25.id)]
        rows = [(u.id, v, body, if_match, token) for u, v, body, if_match, token in rows]
        stale_visit = e.id
    writer = IntakeWriter(engine)
    keys = []
    for n, (user_id, visit_id, body, if_match, token_id) in enumerate(rows):
        key = f'scenario-{n:02d}'
        path = f'/api/v1/visits/{visit_id}/submissions'
        written = intake.accept(writer, user_id, visit_id, raw_text=json.dumps(body, ensure_ascii=False), key=key,
                                fingerprint=request_fingerprint('POST', path, body), path=path, if_match=if_match,
                                lang='vi' if n % 2 else 'en', token_id=token_id)
        assert written.status == 202
        keys.append(key)
    with unit_of_work(factory) as s:  # the visit changes after its submission was acknowledged
        visit_ops.save_answers(s, s.get(Visit, stale_visit), {'level': 'commune'}, actor='web:nghia.tv')
    with contextlib.suppress(Exception):
        writer._conn.close()
    writer.engine.dispose()
    engine.dispose()
    return keys


# --- what was stored ---------------------------------------------------------------------------------------

def _json(value):  # noqa: ANN001, ANN202
    return json.loads(value) if isinstance(value, str) else value


def _by_visit(rows: list[tuple], visit_of=lambda row: row[0]) -> dict:  # noqa: ANN001
    """Rows grouped by visit, in the order they were written within each visit (a batch applies the oldest
    submission of each visit first, so the order across visits is not that of one-at-a-time)."""
    out: dict = {}
    for row in rows:
        out.setdefault(visit_of(row), []).append(row)
    return out


def stored(url: str) -> dict:
    """Everything the submissions wrote, per visit, without ids that depend on the order of inserts, nor times."""
    from inspect_flow.core.db import make_engine

    engine = make_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        def rows(sql: str) -> list[tuple]:
            return [tuple(r) for r in conn.execute(sa.text(sql))]

        findings = {r[0]: r[1:] for r in rows(
            'select id, visit_id, kind, category, text from findings order by id')}

        def visit_of_audit(row: tuple) -> object:
            kind, entity = row[2], row[3]
            return entity[0] if kind == 'finding' else entity if kind == 'visit' else kind

        out = {
            'visits': [(i, state, version, _json(content), _json(answers), submitted is not None)
                       for i, state, version, content, answers, submitted in rows(
                           'select id, state, version_id, content, answers, submitted_dt from visits order by id')],
            'participants': _by_visit(rows(
                'select visit_id, side, full_name, title, agency from visit_participants order by id')),
            'households': _by_visit([(v, code, cat, head, _json(answers)) for v, code, cat, head, answers in rows(
                'select visit_id, household_code, category, head_name, answers from household_consultations '
                'order by id')]),
            'findings': _by_visit([(*r[:9], _json(r[9]), *r[10:]) for r in rows(
                'select visit_id, kind, category, text, severity, source, status, checklist_item_id, rule_id, '
                'evidence, created_by, version_id from findings order by id')]),
            # what the worker wrote (actor api:…), in the order written; a finding is named by what it says (its id
            # depends on rolled-back inserts)
            'audit': _by_visit([(actor, plan, kind, findings.get(entity, entity) if kind == 'finding' else entity,
                                 action, trigger, a, b, _json(changes), comment)
                                for actor, plan, kind, entity, action, trigger, a, b, changes, comment in rows(
                                    'select actor, plan_id, entity_type, entity_id, action, trigger, from_state, '
                                    "to_state, changes, comment from audit_entries where actor like 'api:%' "
                                    'order by id')], visit_of_audit),
            'outbox': sorted((event, _json(payload)['data']['visit_id']) for event, payload in rows(
                'select event, payload from webhook_outbox')),
            'outcomes': {key: _outcome(state, status, result) for key, state, status, result in rows(
                'select key, state, response_status, result from submission_intake')},
        }
    engine.dispose()
    return out


def _outcome(state: str, status: int | None, result: str | None) -> tuple:
    body = json.loads(result) if result else {}
    if state == 'done':
        visit = body['submission']['visit'] if 'submission' in body else body['visit']
        return state, status, visit['state'], visit['version'], body['findings'], body['idempotency_key']
    return state, status, body.get('code'), body.get('title'), sorted(e['field'] for e in body.get('errors', []))


def apply_one_by_one_unbatched(url: str) -> None:
    """The unbatched path: each row on its own, read as it is applied, audit rows added to the session as recorded."""
    from inspect_flow.core.db import make_engine

    engine = make_engine(url)
    factory = make_session_factory(engine)
    while True:
        with factory() as session:
            row = session.scalars(sa.select(SubmissionIntake).where(SubmissionIntake.state == 'queued')
                                  .order_by(SubmissionIntake.id).limit(1)).first()
            if row is None:
                break
            intake._apply_row(session, row)  # no batch in session.info: reads what it needs, outcome on the row
            session.commit()
    engine.dispose()


def _process(url: str, **kw) -> intake.ProcessResult:  # noqa: ANN003
    from inspect_flow.core.db import make_engine

    engine = make_engine(url)
    try:
        return intake.process(make_session_factory(engine), **kw)
    finally:
        engine.dispose()


# --- the tests ---------------------------------------------------------------------------------------------

def test_a_batch_stores_what_one_at_a_time_and_unbatched_audit_store(databases, db_kind, monkeypatch):  # noqa: ANN001
    urls = [databases.fresh(db_kind) for _ in range(3)]
    keys = [queue_scenario(url) for url in urls]
    assert keys[0] == keys[1] == keys[2]
    versions_before = {v[0]: v[2] for v in stored(urls[0])['visits']}

    batched = _process(urls[0], batch=50, max_batch_ms=60_000)
    one_by_one = _process(urls[1], batch=1)
    with monkeypatch.context() as m:  # the audit rows go into the session as they are recorded
        m.setattr(visit_ops, 'batched', lambda _session: contextlib.nullcontext())
        apply_one_by_one_unbatched(urls[2])
    assert (batched.done, batched.failed) == (one_by_one.done, one_by_one.failed) == (8, 7)
    assert batched.batches < one_by_one.batches

    results = [stored(url) for url in urls]
    outcomes = results[0]['outcomes']
    assert [outcomes[k][:3] for k in keys[0]] == [
        ('done', 201, 'submitted'), ('failed', 409, 'visit.not_editable'),
        ('failed', 409, 'workflow.guard_failed'), ('done', 201, 'submitted'),
        ('failed', 409, 'db.conflict'), ('done', 201, 'submitted'),
        ('failed', 409, 'stale_version'), ('failed', 401, 'auth.revoked'),
        ('done', 201, 'submitted'), ('failed', 409, 'visit.not_editable'),
        ('done', 201, 'submitted'), ('failed', 409, 'visit.not_editable'), ('done', 201, 'submitted'),
        ('done', 201, 'submitted'), ('done', 201, 'submitted')]
    for name in results[0]:
        assert results[1][name] == results[0][name], f'one at a time: {name} differs'
        assert results[2][name] == results[0][name], f'unbatched audit: {name} differs'
    # the visit row is written once per step, as it always was: same versions (scheduled: started, recorded,
    # submitted; returned: recorded, submitted; started: recorded, submitted)
    submitted = {v[0]: v[2] - versions_before[v[0]] for v in results[0]['visits'] if v[1] == 'submitted'}
    assert sorted(submitted.values()) == [2, 2] + [3] * 6
    assert sum(1 for rows in results[0]['audit'].values() for a in rows if a[5] == 'submit') == 8
    # one visit.submitted event per applied submission, and the one of the first submit of the returned visit
    assert len(results[0]['outbox']) == 9


def test_audit_rows_of_a_refused_submission_are_rolled_back_with_it(session):  # noqa: ANN001
    from inspect_flow.audit.models import AuditEntry
    from inspect_flow.audit.operations import batched, record_update
    from inspect_flow.core.errors import Conflict

    plan = builders.plan_at(session, 'visiting', complete=False)
    visit = plan.visits[0]
    before = session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    with pytest.raises(Conflict), session.begin_nested(), batched(session):
        record_update(visit, actor='t', changes={'place': ['a', 'b']})
        raise Conflict('x', 'x', 'x')
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == before
    with batched(session):
        record_update(visit, actor='t', changes={'place': ['a', 'b']})
        record_update(visit, actor='t', changes={'place': ['b', 'c']})
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == before, 'held back'
    rows = session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(2)).all()
    assert [r.changes for r in reversed(rows)] == [{'place': ['a', 'b']}, {'place': ['b', 'c']}]
    assert all(r.entity_id == visit.id and r.plan_id == plan.id and r.created_dt is not None for r in rows)


def test_a_second_worker_leaves_a_visit_alone_while_its_older_submission_is_applied(databases, monkeypatch):  # noqa: ANN001
    """Worker A holds a visit's first submission (applied, not committed); worker B, meanwhile, must neither
    take the visit's second submission (it would fail as a stale version, or overtake the first) nor wait: it
    applies the other visit's and returns. Then A commits and applies the second one, refused as one worker
    refuses it (the visit is already submitted)."""
    url = databases.fresh('postgresql')
    keys = queue_scenario(url)
    from inspect_flow.core.db import make_engine

    engine = make_engine(url)
    factory = make_session_factory(engine)
    with engine.connect() as conn:
        ids = dict(conn.execute(sa.text('select key, id from submission_intake')).all())
    first, second, other = ids[keys[0]], ids[keys[1]], ids[keys[2]]
    holding, release = threading.Event(), threading.Event()
    real = intake._apply_row

    def slow(session, row):  # noqa: ANN001, ANN202
        real(session, row)
        if row.id == first:
            holding.set()
            release.wait(10)

    monkeypatch.setattr(intake, '_apply_row', slow)
    results: dict[str, intake.ProcessResult] = {}

    def worker_a() -> None:
        results['a'] = intake.process(factory, batch=1, max_batch_ms=60_000)

    a = threading.Thread(target=worker_a)
    a.start()
    try:
        assert holding.wait(30), 'worker A did not start'
        results['b'] = intake.process(factory, batch=5, max_batch_ms=60_000)
        with engine.connect() as conn:
            states = dict(conn.execute(sa.text('select id, state from submission_intake')).all())
    finally:
        release.set()
        a.join(60)
    assert results['b'].processed == len(keys) - 2, 'B applied every other submission, without waiting for A'
    assert states[first] == states[second] == 'queued' and states[other] == 'failed'
    assert (results['a'].done, results['a'].failed) == (1, 1), 'A then applied the first, and the second after it'
    assert intake.process(factory).processed == 0
    engine.dispose()
    outcomes = stored(url)['outcomes']
    assert outcomes[keys[0]][:3] == ('done', 201, 'submitted')
    assert outcomes[keys[1]][:3] == ('failed', 409, 'visit.not_editable')


@pytest.mark.parametrize('workers', [3])
def test_worker_processes_apply_each_submission_once_with_one_workers_outcomes(databases, db_kind, workers):  # noqa: ANN001
    reference, subject = databases.fresh(db_kind), databases.fresh(db_kind)
    keys = queue_scenario(reference)
    assert queue_scenario(subject) == keys
    one = _process(reference, batch=1)
    assert one.processed == len(keys)
    command = [str(Path(sys.executable).parent / 'inspect-flow'), '--db', subject, 'submissions', 'process',
               '--workers', str(workers), '--batch', '1']
    run = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    lines = [line for line in run.stdout.splitlines() if line.startswith('done=')]
    assert sorted(line.rsplit(' ', 1)[1] for line in lines) == [f'worker={i + 1}' for i in range(workers)]
    assert sum(int(line.split()[0].split('=')[1]) + int(line.split()[1].split('=')[1]) for line in lines) == len(keys)
    if db_kind == 'sqlite':
        assert 'SQLite' in run.stderr
    expected, got = stored(reference), stored(subject)
    assert got['outcomes'] == expected['outcomes']  # the same answer for every submission, in every language
    for name in ('visits', 'households', 'findings', 'participants', 'audit', 'outbox'):
        assert got[name] == expected[name], f'{name} differs'  # each submission applied once, in its visit's order
    assert _submits(subject) == _submits(reference)
    assert all(state != 'queued' for state, *_ in got['outcomes'].values())


def _submits(url: str) -> dict[int, int]:
    """Submit audit rows per visit (a returned visit recorded again has two)."""
    from inspect_flow.core.db import make_engine

    engine = make_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        visits = conn.execute(sa.text('select id from visits order by id')).scalars().all()
        counts = {v: conn.execute(sa.text(SUBMIT_AUDIT), {'v': v}).scalar() for v in visits}
    engine.dispose()
    return counts


def _failing_work(tag: str, parent: int, marker: Path) -> None:
    """Worker 1 fails at once; worker 2 would sleep, then leave *marker*, unless it is stopped first."""
    import time

    from inspect_flow.core.errors import Unavailable

    if tag.endswith('=1'):
        raise Unavailable('db.gone', 'Không dùng được cơ sở dữ liệu.', 'The database is gone.')
    time.sleep(60)
    marker.write_text(f'worker {tag} of {parent} was not stopped')


def test_a_failing_worker_stops_the_others_and_the_command_fails(tmp_path, capsys):  # noqa: ANN001
    import functools

    import click

    from inspect_flow.cli.integrations import _run_workers

    marker = tmp_path / 'slept'
    with pytest.raises(click.exceptions.Exit) as exc:
        _run_workers(2, functools.partial(_failing_work, marker=marker))
    assert exc.value.exit_code == 1
    assert not marker.exists(), 'the other worker was stopped when the first one failed'
