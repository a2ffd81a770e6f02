"""Visit submissions: the operation both paths run, and the asynchronous intake (``Prefer: respond-async``).

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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from inspect_flow.core.db import utcnow, writer_lock
from inspect_flow.core.errors import (
    DB_CONFLICT,
    LANGUAGE,
    DomainError,
    Unauthorized,
    current_language,
    forbidden,
    not_found,
    stale_version,
)
from inspect_flow.core.problems import domain_problem, problem_body
from inspect_flow.core.text import nfc_text
from inspect_flow.intake.models import SubmissionIntake
from inspect_flow.intake.schemas import IntakeOut
from inspect_flow.intake.writer import IntakeWriter, PendingIntake, Refusal, Written

STATUS_PATH = '/api/v1/submissions/{uid}'
#: The body fields that steer the request rather than form the record.
CONTROL_FIELDS = ('submission_id', 'version')


def apply_submission(session: Session, user, visit, raw: dict, key: str | None,  # noqa: ANN001
                     expected: int | None, *, findings: list | None = None, lang: str | None = None) -> str:
    """Check access and version, record and submit the visit; return the JSON of the 201 response.

    *lang*: the language of the labels in the response (by default the current one, :func:`current_language`).

    *findings*: the visit's findings, oldest first, if the caller has read them already (the worker reads
    those of a whole batch at once); they are read here otherwise. The list is kept up to date.

    :raise DomainError: refused (nothing of it should be committed)
    """
    from inspect_flow.accounts import access
    from inspect_flow.visits.capture import visit_findings
    from inspect_flow.visits.operations import submit_visit
    from inspect_flow.visits.schemas import SubmissionOut, visit_out

    if not user.is_active or not access.can_edit_visit(user, visit):
        raise forbidden()
    if expected is not None and expected != visit.version_id:
        raise stale_version()
    data = {k: v for k, v in raw.items() if k not in CONTROL_FIELDS}
    if findings is None:
        findings = visit_findings(session, visit)
    from inspect_flow.visits.quota import quota_warnings

    submit_visit(session, visit, actor=f'api:{user.username}', data=data, findings=findings, by=user)
    payload = SubmissionOut.model_validate({'visit': visit_out(visit, lang or current_language()),
                                            'idempotency_key': key, 'findings': len(findings),
                                            'warnings': [w.as_dict() for w in quota_warnings(visit)],
                                            }).model_dump(mode='json')
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


def refusal(user, facts: VisitFacts | None, *, invalid_body: DomainError | None = None,  # noqa: ANN001
            invalid_other: DomainError | None = None) -> DomainError | None:
    """Why a submission by *user* must be refused, given its visit's *facts*, or ``None`` if it may be stored.

    In the order of the synchronous path: 404 (no such visit, or not the user's to see), the body's 422, 403
    (not the user's to submit), the other 422s (the key, If-Match). A stale version (409) comes after the
    key's lookup (:func:`vet`).
    """
    from inspect_flow.accounts import access

    if facts is None or not access.can_view_visit_as(user, on_visit_team=facts.on_team):
        return not_found('visit')
    if invalid_body is not None:
        return invalid_body
    if not access.can_edit_visit_as(user, on_visit_team=facts.on_team):
        return forbidden()
    return invalid_other


@dataclass(frozen=True)
class Admission:
    """What a queued submission claims, checked by the intake writer in the transaction that stores it."""

    visit_id: int
    #: The sender (a :class:`~inspect_flow.accounts.models.UserSnapshot` from the token cache, or a ``User``).
    user: Any
    #: The version the edit is based on (``If-Match``), if any.
    expected: int | None


def vet(conn: sa.Connection, batch: Sequence[PendingIntake]) -> list[Refusal | None]:
    """The intake writer's check of a batch: one :func:`visit_facts_many` for all of it, then each request's rules
    (:func:`refusal`). A stale version is decided after the key: a resend of a request whose first copy was
    applied meanwhile gets the first answer."""
    claims = [item.admission for item in batch]
    facts = visit_facts_many(conn, [(a.visit_id, a.user.person_id) for a in claims if a is not None])
    refusals: list[Refusal | None] = []
    for a in claims:
        found = None if a is None else facts.get((a.visit_id, a.user.person_id))
        error = None if a is None else refusal(a.user, found)
        if error is not None:
            refusals.append(Refusal(error))
        elif a is not None and a.expected is not None and a.expected != found.version:
            refusals.append(Refusal(stale_version(), after_key=True))
        else:
            refusals.append(None)
    return refusals


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
    uid = str(uuid.uuid4())
    values = {'uid': uid, 'user_id': user_id, 'token_id': token_id, 'visit_id': visit_id,
              'key': key or f'intake:{uid}', 'body': nfc_text(raw_text), 'if_match': if_match, 'lang': lang,
              'state': 'queued', 'created_dt': utcnow()}
    queued = _status(uid, visit_id, values['key'], 'queued', values['created_dt'], None, None, None)
    text = json.dumps(IntakeOut.model_validate(queued).model_dump(mode='json'), ensure_ascii=False)
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


@dataclass
class _Batch:
    """What :func:`process` reads for a whole batch before applying it, so that :func:`_apply_row` reads nothing.

    Kept in ``session.info`` (:data:`_BATCH`) for the batch's transaction. The users and visits (with their
    team members, plan and pinned checklists, participants and households) are in the session's identity map.
    """

    #: token id → when it was revoked (``None``: it is not); a token that is gone has no entry.
    revoked: dict[int, object]
    #: visit id → its findings, oldest first (taken by the row that applies it).
    findings: dict[int, list]
    #: The users and visits read for the batch, held here: the session's identity map keeps only weak references.
    loaded: list = field(default_factory=list)
    #: (row, outcome) in the order applied; :func:`process` writes them on the rows together.
    outcomes: list[tuple[SubmissionIntake, dict]] = field(default_factory=list)


_BATCH = 'inspect_flow.intake.batch'


def _load_batch(session: Session, rows: list[SubmissionIntake]) -> _Batch:
    """Read what applying *rows* needs with one statement per kind of row, instead of several per submission."""
    from sqlalchemy.orm import defaultload, selectinload

    from inspect_flow.accounts.models import User
    from inspect_flow.findings.models import Finding
    from inspect_flow.integrations.models import ApiToken
    from inspect_flow.plans.models import Plan, Team
    from inspect_flow.visits.models import Visit

    visit_ids = sorted({r.visit_id for r in rows})
    loaded = [*session.scalars(sa.select(User).where(User.id.in_({r.user_id for r in rows}))),
              *session.scalars(sa.select(Visit).where(Visit.id.in_(visit_ids)).options(
                  defaultload(Visit.team).selectinload(Team.members),
                  selectinload(Visit.plan).selectinload(Plan.checklists),
                  selectinload(Visit.participants), selectinload(Visit.households)))]
    tokens = {r.token_id for r in rows if r.token_id is not None}
    revoked = dict(session.execute(sa.select(ApiToken.id, ApiToken.revoked_dt).where(ApiToken.id.in_(tokens))).all()
                   if tokens else ())
    findings: dict[int, list] = {v: [] for v in visit_ids}
    for finding in session.scalars(sa.select(Finding).where(Finding.visit_id.in_(visit_ids)).order_by(Finding.id)):
        findings[finding.visit_id].append(finding)
    return _Batch(revoked=revoked, findings=findings, loaded=loaded)


def _revoked(session: Session, row: SubmissionIntake, batch: _Batch | None) -> bool:
    """The row's token is gone or was revoked at or before the row was acknowledged."""
    from inspect_flow.integrations.tokens import revoked_before, revoked_by

    if batch is None or row.token_id is None:
        return revoked_before(session, row.token_id, row.created_dt)
    return revoked_by(row.token_id in batch.revoked, batch.revoked.get(row.token_id), row.created_dt)


def _apply_row(session: Session, row: SubmissionIntake) -> None:
    """Apply one queued submission inside a SAVEPOINT and write the outcome on the row.

    Inside :func:`process` the outcome is kept with the batch (``session.info``) and written on all its
    rows at once before the commit; the rows the batch needs were read by :func:`_load_batch`.
    """
    from inspect_flow.accounts.models import User
    from inspect_flow.visits.models import Visit

    batch: _Batch | None = session.info.get(_BATCH)
    instance = STATUS_PATH.format(uid=row.uid)
    lang = 'en' if row.lang == 'en' else 'vi'
    token = LANGUAGE.set(lang)
    try:
        # the visit's findings as read for the batch: a copy, so that a refused row leaves them as they were
        known = batch.findings.pop(row.visit_id, None) if batch is not None else None
        findings = list(known) if known is not None else None
        try:
            with session.begin_nested():
                if _revoked(session, row, batch):
                    raise Unauthorized('auth.revoked', 'Mã truy cập đã bị thu hồi trước khi gửi bản này.',
                                       'The API token was revoked before this was sent.')
                user = session.get(User, row.user_id)
                visit = session.get(Visit, row.visit_id)
                raw = json.loads(row.body)
                key = None if row.key.startswith('intake:') else row.key
                text = apply_submission(session, user, visit, raw, key, row.if_match, findings=findings)
            outcome = {'state': 'done', 'response_status': 201, 'result': text}
            if batch is not None and findings is not None:
                batch.findings[row.visit_id] = findings
        except DomainError as exc:
            body = domain_problem(exc, instance=instance, lang=lang)
            outcome = _failed(exc.status, body)
        except StaleDataError:
            body = problem_body(409, 'stale_version', stale_version().localized(lang), instance=instance, lang=lang)
            outcome = _failed(409, body)
        except IntegrityError:
            detail = DB_CONFLICT[1] if lang == 'en' else DB_CONFLICT[0]
            body = problem_body(409, 'db.conflict', detail, instance=instance, lang=lang)
            outcome = _failed(409, body)
        outcome['processed_dt'] = utcnow()
        if batch is not None:
            batch.outcomes.append((row, outcome))
        else:
            _write_outcome(row, outcome)
    finally:
        LANGUAGE.reset(token)


def _failed(status: int, problem: dict) -> dict:
    """The outcome of a refused submission: its status and problem document."""
    return {'state': 'failed', 'response_status': status, 'result': json.dumps(problem, ensure_ascii=False)}


def _write_outcome(row: SubmissionIntake, outcome: dict) -> None:
    for name, value in outcome.items():
        setattr(row, name, value)


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


@functools.cache
def _next_rows_statement() -> sa.Select:
    """The oldest queued rows whose visit has no older queued row (``limit`` bound at execution).

    A visit's second submission waits until its first is applied: two workers never apply submissions of
    one visit at once, and each visit's submissions are applied in the order they arrived, as with one
    worker (the second does not fail as a stale version because of the first one still being applied).
    """
    older = aliased(SubmissionIntake)
    waits = sa.exists().where(older.visit_id == SubmissionIntake.visit_id, older.state == 'queued',
                              older.id < SubmissionIntake.id)
    return (sa.select(SubmissionIntake).where(SubmissionIntake.state == 'queued', ~waits)
            .order_by(SubmissionIntake.id).limit(sa.bindparam('limit')))


#: How long a batch may run by default (``max_batch_ms``): on SQLite it holds the one write lock, which the
#: intake needs too; on PostgreSQL it holds only its own rows, and longer batches share the cost of starting one
#: (taking the rows, reading what they need, committing) among more submissions.
MAX_BATCH_MS = {'sqlite': 25.0, 'postgresql': 500.0}


def process(factory: sessionmaker[Session], *, limit: int = 0, batch: int = 50, max_batch_ms: float | None = None,
            idle_ms: float = 0.0, max_lag_s: float = 30.0) -> ProcessResult:
    """Apply queued submissions oldest first until none is left (or *limit* are done).

    Each batch is one transaction: its rows' domain changes and their outcomes commit together. A batch
    ends after *batch* rows or *max_batch_ms* milliseconds (by default :data:`MAX_BATCH_MS` of the
    database), whichever comes first, so that on SQLite the intake (which needs the same write lock) never
    waits long. What the batch's rows need (users, visits
    with their team, plan, participants, households and findings, token revocations) is read once for the
    batch, and the outcomes are written on the rows together.

    A batch takes only the oldest queued submission of each visit (:func:`_next_rows_statement`); on
    PostgreSQL it locks its rows ``FOR UPDATE SKIP LOCKED``, so that several workers share the queue, each
    row applied by one of them, and the submissions of one visit in the order they arrived.

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
            dialect = session.get_bind().dialect.name
            postgres = dialect == 'postgresql'
            budget_ms = max_batch_ms if max_batch_ms is not None else MAX_BATCH_MS.get(dialect, 25.0)
            lock = writer_lock(session)
            if lock is not None:  # on SQLite, queue with the API's writers rather than in the busy handler
                stack.enter_context(lock)
            q = _next_rows_statement()
            if postgres:
                q = q.with_for_update(skip_locked=True)
            size = batch if not limit else min(batch, limit - result.processed)
            rows = list(session.scalars(q, {'limit': size}))
            if not rows:
                session.rollback()
                return result
            work = session.info[_BATCH] = _load_batch(session, rows)
            started = time.monotonic()
            for row in rows:
                _apply_row(session, row)
                if (time.monotonic() - started) * 1000 >= budget_ms:
                    break
            del session.info[_BATCH]
            for row, outcome in work.outcomes:
                _write_outcome(row, outcome)
                if outcome['state'] == 'done':
                    result.done += 1
                else:
                    result.failed += 1
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
