"""Visit submissions: the synchronous path, and the asynchronous intake (``Prefer: respond-async``).

Asynchronous intake works as in ODK Central: the request is authenticated, parsed and checked
(the visit exists, the user may edit it, the version is not already stale), then its raw body is stored
under its idempotency key in one short transaction (the ``idempotency_keys`` row, carrying the 202
response, and the ``submission_intake`` row) and answered ``202 Accepted`` with a status URL.

:func:`process` (``inspect-flow submissions process [--loop]``) applies queued submissions oldest first
with :func:`apply_submission`, the very code the synchronous path runs. The outcome (the submission,
or the problem document with the per-item errors) is written on the intake row *in the transaction that
makes the domain change*, so a row is either still queued (nothing happened; it is tried again) or done
(it happened once). ``kill -9`` of the server or the worker at any moment therefore neither loses nor
repeats a submission. On PostgreSQL several workers may run (rows are taken with ``FOR UPDATE SKIP
LOCKED``); on SQLite the write lock serializes them. Each row is applied inside a SAVEPOINT, so a refused
submission does not undo the others of its batch.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from inspect_flow.core.db import utcnow, writer_lock
from inspect_flow.core.errors import LANGUAGE, Conflict, DomainError
from inspect_flow.integrations.intake_writer import IntakeWriter, PendingIntake, Written
from inspect_flow.integrations.models import SubmissionIntake

STATUS_PATH = '/api/v1/submissions/{uid}'
#: The body fields that steer the request rather than form the record.
CONTROL_FIELDS = ('submission_id', 'version')


def stale() -> Conflict:
    return Conflict('stale_version', 'Dữ liệu đã được người khác sửa; hãy tải lại rồi sửa tiếp.',
                    'Someone else changed this in the meantime; reload and edit again.', field='version')


def apply_submission(session: Session, user, visit, raw: dict, key: str | None,  # noqa: ANN001
                     expected: int | None) -> str:
    """Check access and version, record and submit the visit; return the JSON of the 201 response.

    :raise DomainError: refused (nothing of it should be committed)
    """
    from inspect_flow.accounts import access
    from inspect_flow.api import schemas as s
    from inspect_flow.api.core import forbidden
    from inspect_flow.api.views import visit_out
    from inspect_flow.findings.models import Finding
    from inspect_flow.visits.operations import submit_visit

    if not user.is_active or not access.can_edit_visit(user, visit):
        raise forbidden()
    if expected is not None and expected != visit.version_id:
        raise stale()
    data = {k: v for k, v in raw.items() if k not in CONTROL_FIELDS}
    submit_visit(session, visit, actor=f'api:{user.username}', data=data)
    findings = session.scalar(sa.select(sa.func.count()).select_from(Finding).where(Finding.visit_id == visit.id))
    payload = s.SubmissionOut.model_validate({'visit': visit_out(visit), 'idempotency_key': key,
                                              'findings': findings}).model_dump(mode='json')
    return json.dumps(payload, ensure_ascii=False)


# --- the status resource ----------------------------------------------------------------------------------

def status_out(row: SubmissionIntake) -> dict:
    return _status(row.uid, row.visit_id, row.key, row.state, row.created_dt, row.processed_dt, row.response_status,
                   row.result)


def _status(uid: str, visit_id: int, key: str, state: str, created_dt, processed_dt, response_status: int | None,  # noqa: ANN001
            result_text: str | None) -> dict:
    result = json.loads(result_text) if result_text else None
    failed = state == 'failed'
    return {'id': uid, 'visit_id': visit_id, 'idempotency_key': key, 'state': state,
            'status_url': STATUS_PATH.format(uid=uid), 'created_dt': created_dt,
            'processed_dt': processed_dt, 'response_status': response_status,
            'submission': result if state == 'done' else None,
            'problem': result if failed else None,
            'errors': (result or {}).get('errors', []) if failed else []}


@dataclass(frozen=True)
class VisitFacts:
    """What the intake checks before it stores a submission, read in one statement."""

    id: int
    version: int
    #: The user's person is a member of the visit's team.
    on_team: bool


@functools.cache
def _visit_facts_statement() -> sa.Select:
    from inspect_flow.plans.models import TeamMember
    from inspect_flow.visits.models import Visit

    member = sa.and_(TeamMember.team_id == Visit.team_id,
                     TeamMember.person_id.in_(sa.bindparam('persons', expanding=True)))
    return (sa.select(Visit.id, Visit.version_id, TeamMember.person_id).outerjoin(TeamMember, member)
            .where(Visit.id.in_(sa.bindparam('visits', expanding=True))))


def visit_facts_many(conn: sa.Connection, pairs: Iterable[tuple[int, int | None]]) \
        -> dict[tuple[int, int | None], VisitFacts]:
    """For each ``(visit id, person id)``: the visit's version and whether the person is on its team, in one
    statement; a visit that does not exist has no entry. A user without a person passes ``None``, which is on no
    team."""
    pairs = set(pairs)
    versions: dict[int, int] = {}
    members: set[tuple[int, int]] = set()
    params = {'visits': sorted({v for v, _ in pairs}), 'persons': sorted({p for _, p in pairs if p is not None})}
    for visit_id, version, person_id in conn.execute(_visit_facts_statement(), params):
        versions[visit_id] = version
        if person_id is not None:
            members.add((visit_id, person_id))
    return {(v, p): VisitFacts(v, versions[v], (v, p) in members) for v, p in pairs if v in versions}


def visit_facts(conn: sa.Connection, user, visit_id: int) -> VisitFacts | None:  # noqa: ANN001
    """The visit's version and whether *user*'s person is on its team, or ``None`` if there is no such visit.

    The rules themselves stay in :mod:`inspect_flow.accounts.access` (``can_view_visit_as``,
    ``can_edit_visit_as``); this only answers the membership question.
    """
    return visit_facts_many(conn, [(visit_id, user.person_id)]).get((visit_id, user.person_id))


def refusal(user, facts: VisitFacts | None, *, expected: int | None, invalid_body: DomainError | None = None,  # noqa: ANN001
            invalid_other: DomainError | None = None) -> DomainError | None:
    """Why a submission by *user* must be refused, given its visit's *facts*, or ``None`` if it may be stored.

    In the order of the synchronous path: 404 (no such visit, or not the user's to see), the body's 422, 403
    (not the user's to submit), the other 422s (the key, If-Match), 409 (*expected* is not the version).
    """
    from inspect_flow.accounts import access
    from inspect_flow.api.core import forbidden, not_found

    if facts is None or not access.can_view_visit_as(user, on_visit_team=facts.on_team):
        return not_found('visit')
    if invalid_body is not None:
        return invalid_body
    if not access.can_edit_visit_as(user, on_visit_team=facts.on_team):
        return forbidden()
    if invalid_other is not None:
        return invalid_other
    if expected is not None and expected != facts.version:
        return stale()
    return None


@dataclass(frozen=True)
class Admission:
    """What a queued submission claims, checked by the intake writer in the transaction that stores it."""

    visit_id: int
    person_id: int | None
    #: ``refuse(facts)``: the error refusing it, or ``None`` (a :func:`refusal` with the user and version bound).
    refuse: Callable[[VisitFacts | None], DomainError | None]


def vet(conn: sa.Connection, batch: Sequence[PendingIntake]) -> list[DomainError | None]:
    """The intake writer's check of a batch: one :func:`visit_facts_many` for all of it, then each request's rules."""
    claims = [item.admission for item in batch]
    facts = visit_facts_many(conn, [(a.visit_id, a.person_id) for a in claims if a is not None])
    return [None if a is None else a.refuse(facts.get((a.visit_id, a.person_id))) for a in claims]


def accept(writer: IntakeWriter, user_id: int, visit_id: int, *, raw_text: str, key: str | None,
           fingerprint: str | None, path: str, if_match: int | None, lang: str, token_id: int | None = None,
           touch_token: bool = False, admission: Admission | None = None) -> Written:
    """Store the submission for the worker and return what to answer (202, or the replay of the key's response).

    The rows are written by *writer*, batched with other requests of this process, and this returns only
    once they are committed. *token_id* is checked again when the submission is applied; with
    *touch_token* its ``last_used_dt`` is recorded with the write. An *admission* is checked by the writer
    (its :func:`vet`) in the same transaction.

    :raise Conflict: the key was used with a different body
    :raise DomainError: the *admission* was refused (404, 403, 409 …)
    """
    from inspect_flow.api import schemas as s

    uid = str(uuid.uuid4())
    values = {'uid': uid, 'user_id': user_id, 'token_id': token_id, 'visit_id': visit_id,
              'key': key or f'intake:{uid}', 'body': raw_text, 'if_match': if_match, 'lang': lang, 'state': 'queued',
              'created_dt': utcnow()}
    queued = _status(uid, visit_id, values['key'], 'queued', values['created_dt'], None, None, None)
    text = json.dumps(s.IntakeOut.model_validate(queued).model_dump(mode='json'), ensure_ascii=False)
    key_row = None
    if key is not None:  # the 202 is stored with the key, so that a resend replays it
        key_row = {'user_id': user_id, 'key': key, 'scope': f'POST {path}'[:300], 'request_hash': fingerprint,
                   'created_dt': values['created_dt'], 'response_status': 202, 'response_body': text}
    written = writer.write(PendingIntake(intake=values, response=text, key=key_row,
                                         touch_token_id=token_id if touch_token else None, admission=admission))
    return written if written.replayed else dataclasses.replace(written, location=STATUS_PATH.format(uid=uid))


def find(session: Session, uid: str) -> SubmissionIntake | None:
    return session.scalar(sa.select(SubmissionIntake).where(SubmissionIntake.uid == uid))


# --- the worker ---------------------------------------------------------------------------------------------

@dataclass
class ProcessResult:
    done: int = 0
    failed: int = 0
    batches: int = 0
    deferred: bool = False
    errors: list[str] = field(default_factory=list)

    @property
    def processed(self) -> int:
        return self.done + self.failed


def _apply_row(session: Session, row: SubmissionIntake) -> None:
    """Apply one queued submission inside a SAVEPOINT and write the outcome on the row."""
    from inspect_flow.accounts.models import User
    from inspect_flow.api.core import Unauthorized, domain_problem, problem_body, t
    from inspect_flow.integrations.tokens import revoked_before
    from inspect_flow.visits.models import Visit

    instance = STATUS_PATH.format(uid=row.uid)
    token = LANGUAGE.set(row.lang)
    try:
        try:
            with session.begin_nested():
                if revoked_before(session, row.token_id, row.created_dt):
                    raise Unauthorized('auth.revoked', 'Mã truy cập đã bị thu hồi trước khi gửi bản này.',
                                       'The API token was revoked before this was sent.')
                user = session.get(User, row.user_id)
                visit = session.get(Visit, row.visit_id)
                raw = json.loads(row.body)
                key = None if row.key.startswith('intake:') else row.key
                text = apply_submission(session, user, visit, raw, key, row.if_match)
            row.state, row.response_status, row.result = 'done', 201, text
        except DomainError as exc:
            body = domain_problem(exc, instance)
            row.state, row.response_status, row.result = 'failed', exc.status, json.dumps(body, ensure_ascii=False)
        except StaleDataError:
            body = problem_body(409, 'stale_version', t('Dữ liệu đã được người khác sửa; hãy tải lại rồi sửa tiếp.',
                                                        'Someone else changed this in the meantime; reload and edit '
                                                        'again.'), instance=instance)
            row.state, row.response_status, row.result = 'failed', 409, json.dumps(body, ensure_ascii=False)
        except IntegrityError:
            body = problem_body(409, 'db.conflict', t('Dữ liệu xung đột với dữ liệu đã có.',
                                                      'The change conflicts with existing data.'), instance=instance)
            row.state, row.response_status, row.result = 'failed', 409, json.dumps(body, ensure_ascii=False)
        row.processed_dt = utcnow()
    finally:
        LANGUAGE.reset(token)


def _should_wait(factory: sessionmaker[Session], idle_ms: float, max_lag_s: float) -> bool:
    """Submissions are still arriving (the newest is younger than *idle_ms*) and none has waited *max_lag_s*."""
    with factory() as session:
        session.connection(execution_options={'sqlite_begin': 'DEFERRED'})
        newest, oldest = session.execute(sa.select(sa.func.max(SubmissionIntake.created_dt),
                                                   sa.func.min(SubmissionIntake.created_dt))
                                         .where(SubmissionIntake.state == 'queued')).one()
        session.rollback()
    if newest is None:
        return False
    now = utcnow()
    return (now - newest).total_seconds() * 1000 < idle_ms and (now - oldest).total_seconds() < max_lag_s


def process(factory: sessionmaker[Session], *, limit: int = 0, batch: int = 50, max_batch_ms: float = 25.0,
            idle_ms: float = 0.0, max_lag_s: float = 30.0) -> ProcessResult:
    """Apply queued submissions oldest first until none is left (or *limit* are done).

    Each batch is one transaction: its rows' domain changes and their outcomes commit together. A batch
    ends after *batch* rows or *max_batch_ms* milliseconds, whichever comes first, so that on SQLite the
    intake (which needs the same write lock) never waits long.

    With *idle_ms*, acknowledgments come first: while submissions keep arriving (the newest queued one
    is younger than *idle_ms*) the worker steps aside and returns (``deferred`` is set), unless the
    oldest queued one has waited *max_lag_s* seconds. This is checked before every batch, so new
    arrivals get the SQLite write lock within one batch.
    """
    result = ProcessResult()
    while not limit or result.processed < limit:
        if idle_ms and _should_wait(factory, idle_ms, max_lag_s):  # checked before every batch
            result.deferred = True
            return result
        with factory() as session, contextlib.ExitStack() as stack:
            postgres = session.get_bind().dialect.name == 'postgresql'
            lock = writer_lock(session)
            if lock is not None:  # on SQLite, queue with the API's writers rather than in the busy handler
                stack.enter_context(lock)
            q = (sa.select(SubmissionIntake).where(SubmissionIntake.state == 'queued')
                 .order_by(SubmissionIntake.id).limit(batch if not limit else min(batch, limit - result.processed)))
            if postgres:
                q = q.with_for_update(skip_locked=True)
            rows = list(session.scalars(q))
            if not rows:
                session.rollback()
                return result
            started = time.monotonic()
            for row in rows:
                _apply_row(session, row)
                if row.state == 'done':
                    result.done += 1
                else:
                    result.failed += 1
                if (time.monotonic() - started) * 1000 >= max_batch_ms:
                    break
            session.flush()
            session.commit()
            result.batches += 1
    return result


def prune_processed(session: Session, older_than: timedelta) -> int:
    """Delete applied or refused intake rows processed more than *older_than* ago (queued ones are kept)."""
    cutoff = utcnow() - older_than
    result = session.execute(sa.delete(SubmissionIntake).where(SubmissionIntake.state != 'queued',
                                                               SubmissionIntake.processed_dt < cutoff))
    return result.rowcount or 0


def queued_count(session: Session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(SubmissionIntake)
                          .where(SubmissionIntake.state == 'queued')) or 0
