"""Writes on visits: starting, recording, submitting, returning, reviewing, cancelling."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspect_flow.audit.operations import batched, record_update
from inspect_flow.checklist.capture import normalize_answers
from inspect_flow.core.db import utcnow
from inspect_flow.core.errors import Conflict, InvalidInput, NotFound
from inspect_flow.core.limits import get_by_id
from inspect_flow.findings.categories import category_matcher
from inspect_flow.findings.models import Finding, FindingKind, FindingSource, Severity
from inspect_flow.plans.checklists import visit_checklist
from inspect_flow.units.models import Person
from inspect_flow.visits.capture import (
    answer_errors,
    apply_submitted_answers,
    roster_from_households,
    sync_households,
    visit_findings,
)
from inspect_flow.visits.models import (
    HouseholdCategory,
    HouseholdConsultation,
    ParticipantSide,
    Visit,
    VisitParticipant,
)
from inspect_flow.visits.quota import quota_warnings
from inspect_flow.visits.schemas import ContentIn, ParticipantIn, RecordIn, SubmissionIn, parse_record, parse_submission
from inspect_flow.workflow.machines import fire
from inspect_flow.workflow.states import PlanState, VisitState, state_label

EDITABLE = (VisitState.in_progress, VisitState.returned)


def get_visit(session: Session, visit_id: int | str) -> Visit:
    """Return the visit with *visit_id*.

    :raise NotFound: there is none
    """
    visit = get_by_id(session, Visit, visit_id)
    if visit is None:
        raise NotFound('visit.not_found', f'Không tìm thấy buổi làm việc số {visit_id}.', f'No visit {visit_id}.',
                       field='visit')
    return visit


def start_visit(session: Session, visit: Visit, *, actor: str) -> None:
    """Open the visit record (the team is on site)."""
    fire(visit, 'start', actor=actor)
    session.flush()


def _require_editable(visit: Visit) -> None:
    if visit.state == VisitState.scheduled and visit.plan.state == PlanState.visiting:
        return
    if visit.state not in EDITABLE:
        raise Conflict('visit.not_editable',
                       f'Buổi làm việc đang ở trạng thái "{state_label(visit.state)}", không sửa được kết quả.',
                       f'The visit is "{state_label(visit.state, "en")}"; its record cannot be edited.')


def _ensure_started(session: Session, visit: Visit, actor: str) -> None:
    """The first thing recorded on a scheduled visit opens it: the team is evidently on site."""
    if visit.state == VisitState.scheduled:
        fire(visit, 'start', actor=actor)


def record_submission(session: Session, visit: Visit, submission: SubmissionIn, *, actor: str,
                      findings: list[Finding] | None = None) -> list[Finding]:
    """Store a whole visit record (participants, content, answers, households, findings) as a draft.

    *findings* are the visit's findings, oldest first, when the caller has them (they are read otherwise).

    :return: the visit's findings, oldest first (*findings* itself, with the new ones appended)
    """
    from inspect_flow.findings.operations import add_findings

    _require_editable(visit)
    _ensure_started(session, visit, actor)
    old_households = sorted(h.household_code for h in visit.households)
    old_row = (visit.content, visit.answers)
    removals = bool(visit.participants) or bool(visit.households)
    visit.participants.clear()
    visit.households.clear()
    if removals:
        # The record replaces the previous one; flush the removals first (this writes the start too) so
        # that re-used household codes do not meet their old rows in the unique index.
        session.flush()
    _check_content(visit, submission.content)
    visit.participants.extend(
        VisitParticipant(side=ParticipantSide(p.side), full_name=p.full_name, title=p.title, agency=p.agency)
        for p in submission.participants
    )
    answers = roster_from_households(visit, normalize_answers(submission.answers), submission.households)
    if visit_checklist(visit) is None:
        # Free-form record (the plan pins no checklist): households come as given.
        visit.households.extend(
            HouseholdConsultation(household_code=h.code, category=HouseholdCategory(h.category),
                                  head_name=h.head_name, answers=h.answers)
            for h in submission.households
        )
    visit.content = submission.content.model_dump()
    visit.answers = answers
    if (visit.content, visit.answers) != old_row and sa.inspect(visit).attrs.state.history.has_changes():
        # Started by this record and not written yet: the start and the record are written by one UPDATE,
        # and the version moves by two, as when they are written one after the other.
        visit.version_id = visit.version_id + 2
    sync_households(session, visit)
    record_update(visit, actor=actor, changes={
        'content': [None, visit.content],
        'answers': [None, answers],
        'households': [old_households, sorted(h.household_code for h in visit.households)],
    })
    # Findings merge: sending the same record again (a resend, or a corrected record) adds no duplicate.
    if findings is None:
        findings = visit_findings(session, visit)
    known = {(f.kind.value, f.category, f.text) for f in findings}
    same_category = category_matcher(session)  # a synonym is its category ("Phối hợp" → "Phối hợp thực hiện")
    new = []
    for f in submission.findings:
        if (f.kind, same_category(f.category), f.text) in known:
            continue
        known.add((f.kind, same_category(f.category), f.text))
        new.append(dict(visit=visit, kind=FindingKind(f.kind), category=f.category, text=f.text,
                        severity=Severity(f.severity) if f.severity else None, source=FindingSource(f.source),
                        evidence=f.evidence))
    # One flush writes the record: the visit, its participants and households, and the new findings.
    findings.extend(add_findings(session, visit.plan, new, actor=actor))
    session.flush()
    return findings


def save_answers(session: Session, visit: Visit, answers: dict, *, actor: str, by=None) -> list[dict]:  # noqa: ANN001
    """Save draft answers as they are: partial or invalid answers are kept, nothing is dropped.

    *answers* are merged into what is saved (a page may send only the items it changed).

    *by*: the user saving through a page or the API; every ``sha256:`` reference must be theirs to attach
    (:func:`inspect_flow.evidence.operations.check_attachable`), else nothing is saved. ``None``: the command
    line (the database's operator).

    :return: what a submit would still refuse, per item (for display; nothing is refused here)
    :raise InvalidInput: *answers* is not a mapping
    """
    if not isinstance(answers, dict):
        raise InvalidInput('answers.not_object', 'Câu trả lời phải là một đối tượng {mã mục: giá trị}.',
                           'Answers must be an object {item id: value}.', field='answers')
    _require_editable(visit)
    if by is not None:
        from inspect_flow.evidence.operations import check_attachable, refs_in

        check_attachable(session, by, answers, held=refs_in(visit.answers or {}))
    _ensure_started(session, visit, actor)
    merged = dict(visit.answers or {})
    merged.update(normalize_answers(answers))
    visit.answers = merged
    session.flush()
    return answer_errors(visit)


def submit_visit(session: Session, visit: Visit, *, actor: str, data: dict | None = None,
                 findings: list[Finding] | None = None, by=None) -> Visit:  # noqa: ANN001
    """Submit the visit's record for the team leader's review, optionally recording *data* first.

    *findings* are the visit's findings, oldest first, when the caller has them (they are read otherwise);
    the list is kept up to date (findings added, suggestions withdrawn).

    The visit row is written once per step (the start, the record, the submit), so its version moves as
    it always has; the audit entries of all the steps are inserted together by the last flush.

    *by*: the user submitting through the API (or its asynchronous intake); every ``sha256:`` reference in the
    answers, the households' answers and the findings' evidence must be theirs to attach
    (:func:`inspect_flow.evidence.operations.check_attachable`). ``None``: the command line.

    Fewer households than the plan's quota is not refused: see :func:`inspect_flow.visits.quota.quota_warnings`.

    :raise InvalidInput: *data* is malformed, or refers to evidence *by* may not attach (nothing is stored)
    :raise TransitionRefused: the visit cannot be submitted now (each reason named)
    """
    submission = parse_submission(data) if data is not None else None
    if submission is not None and by is not None:
        from inspect_flow.evidence.operations import check_attachable, refs_in

        held = refs_in(visit.answers or {}) | refs_in([h.answers for h in visit.households])
        check_attachable(session, by, submission.answers, field='answers', held=held)
        for index, household in enumerate(submission.households):
            check_attachable(session, by, household.answers, field=f'households.{index}.answers', held=held)
        for index, finding in enumerate(submission.findings):
            check_attachable(session, by, finding.evidence, field=f'findings.{index}.evidence')
    with batched(session):
        if submission is not None:
            findings = record_submission(session, visit, submission, actor=actor, findings=findings)
        elif visit.state == VisitState.scheduled:
            _ensure_started(session, visit, actor)
        # A households shortfall does not refuse the submit: it is noted on it (the history shows it, the
        # leader's review shows it), and the caller answers it from quota_warnings().
        shortfall = quota_warnings(visit)
        fire(visit, 'submit', actor=actor, comment=shortfall[0].vi if shortfall else None)
        visit.submitted_dt = utcnow()
        session.flush()
        apply_submitted_answers(session, visit, actor=actor, findings=findings)
    session.flush()
    return visit


def return_visit(session: Session, visit: Visit, *, reviewer: Person, comment: str, actor: str) -> Visit:
    """Return a submitted record to the team for correction, with the leader's comment."""
    fire(visit, 'return_for_correction', actor=actor, reviewer=reviewer, comment=comment)
    visit.return_comment = comment.strip()
    session.flush()
    return visit


def review_visit(session: Session, visit: Visit, *, reviewer: Person, actor: str) -> Visit:
    """Approve a submitted record: the team leader has reviewed the visit's findings."""
    fire(visit, 'review', actor=actor, reviewer=reviewer)
    visit.reviewed_dt = utcnow()
    visit.reviewed_by = reviewer
    session.flush()
    return visit


def cancel_visit(session: Session, visit: Visit, *, reason: str, actor: str) -> Visit:
    """Cancel a visit that will not take place, with the reason (shown on the visit and on the schedule).

    :raise InvalidInput: no reason given (``reason``)
    """
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidInput('visit.cancel_reason_required',
                           'Lý do hủy: chưa ghi. Hãy ghi vì sao buổi làm việc không diễn ra.',
                           'Reason for cancelling: missing. Say why the visit will not take place.', field='reason')
    fire(visit, 'cancel', actor=actor, reason=reason)
    visit.cancel_reason = reason.strip()
    session.flush()
    return visit


# --- the record part of a visit (participants, reports heard, records checked, discussion, opinion) -------------

#: Records a team commonly checks at a commune, offered as a list on the record page (any other is typed).
COMMON_RECORDS = (
    'Quyết định kiện toàn Ban Chỉ đạo xã',
    'Kế hoạch giảm nghèo năm của xã',
    'Danh sách hộ nghèo, hộ cận nghèo',
    'Hồ sơ rà soát hộ nghèo, hộ cận nghèo',
    'Hồ sơ vay vốn Ngân hàng Chính sách xã hội',
    'Hồ sơ hỗ trợ phát triển sản xuất, đa dạng hóa sinh kế',
    'Hồ sơ hỗ trợ xóa nhà tạm, nhà dột nát',
    'Sổ nhật ký hộ gia đình',
)


def _check_content(visit: Visit, content: ContentIn) -> None:
    """Rules on the content beyond its shape: the session ends after it starts.

    :raise InvalidInput: naming ``content.ended_at``
    """
    if content.ended_at is not None:
        hh, mm = (int(x) for x in content.ended_at.split(':'))
        if (hh, mm) <= (visit.starts_at.hour, visit.starts_at.minute):
            start = visit.starts_at.strftime('%H:%M')
            raise InvalidInput('record.ends_before_start',
                               f'Giờ kết thúc ({content.ended_at}) phải sau giờ bắt đầu ({start}).',
                               f'The end time ({content.ended_at}) must be after the start ({start}).',
                               field='content.ended_at')


def _blank_none(value):  # noqa: ANN001, ANN202
    return None if value in (None, '', []) else value


def _participant_line(p: VisitParticipant | ParticipantIn) -> str:
    side = p.side.value if isinstance(p.side, ParticipantSide) else p.side
    return ', '.join(x for x in (f'[{side}] {p.full_name}', p.title, p.agency) if x)


def save_record(session: Session, visit: Visit, data: RecordIn | dict, *, actor: str) -> dict:
    """Save the record part of a visit as a draft: its local participants (added, edited, removed: the list given
    is the list kept, in its order) and its content (purpose, the reports heard, the records checked, the
    discussion, the local side's opinion, the end time). Checked by the same schema as a whole submission.

    Answers, households and findings are left as they are. Nothing changed, nothing written.

    :return: ``{field: [old, new]}`` of what changed (audited as one entry on the visit)
    :raise InvalidInput: naming each bad field (nothing is stored)
    :raise Conflict: the visit's record cannot be edited now
    """
    _require_editable(visit)
    record = data if isinstance(data, RecordIn) else parse_record(data)
    _check_content(visit, record.content)
    old_people = [_participant_line(p) for p in visit.participants]
    new_people = [_participant_line(p) for p in record.participants]
    old_content = dict(visit.content or {})
    new_content = record.content.model_dump()
    changes = {key: [old_content.get(key), value] for key, value in new_content.items()
               if _blank_none(old_content.get(key)) != _blank_none(value)}
    if old_people != new_people:
        changes['participants'] = [old_people, new_people]
    if not changes:
        return {}
    _ensure_started(session, visit, actor)
    # Rows are kept in place (edited), added at the end, or removed from the end: a correction keeps its row.
    rows = list(visit.participants)
    for row, p in zip(rows, record.participants, strict=False):
        row.side, row.full_name, row.title, row.agency = ParticipantSide(p.side), p.full_name, p.title, p.agency
    for row in rows[len(record.participants):]:
        visit.participants.remove(row)
    visit.participants.extend(
        VisitParticipant(side=ParticipantSide(p.side), full_name=p.full_name, title=p.title, agency=p.agency)
        for p in record.participants[len(rows):]
    )
    if new_content != old_content:
        visit.content = {**old_content, **new_content}
    _audit_record(session, visit, changes, actor=actor)
    session.flush()
    return changes


#: The comment on the audit entries of :func:`save_record`.
RECORD_AUDIT_COMMENT = 'Biên bản làm việc'
#: Saves by the same person this close together (a page saves as it is typed) make one audit entry.
RECORD_AUDIT_WINDOW = timedelta(minutes=10)


def _audit_record(session: Session, visit: Visit, changes: dict, *, actor: str) -> None:
    """Audit a save of the record: one entry per sitting, not per keystroke. When the visit's last entry is this
    person's save of the record within :data:`RECORD_AUDIT_WINDOW`, it is extended (each field keeps its first old
    value and takes the new one; a field back where it started drops out); otherwise a new entry is written."""
    from inspect_flow.audit.models import AuditEntry

    last = session.scalars(sa.select(AuditEntry).where(AuditEntry.entity_type == 'visit',
                                                       AuditEntry.entity_id == visit.id)
                           .order_by(AuditEntry.id.desc()).limit(1)).first()
    now = utcnow()
    if last is None or last.action != 'update' or last.actor != actor or last.comment != RECORD_AUDIT_COMMENT \
            or last.created_dt is None or now - last.created_dt > RECORD_AUDIT_WINDOW:
        record_update(visit, actor=actor, changes=changes, comment=RECORD_AUDIT_COMMENT)
        return
    merged = dict(last.changes or {})
    for key, (old, new) in changes.items():
        first = merged[key][0] if key in merged else old  # record values are plain: text, lists of text
        merged[key] = [first, new]
        if _blank_none(first) == _blank_none(merged[key][1]):
            del merged[key]
    last.changes = merged
    last.created_dt = now


def add_visit_finding(session: Session, visit: Visit, *, kind: str, category: str, text: str, actor: str,
                      severity: str | None = None, source: str = 'observation', by=None) -> Finding:  # noqa: ANN001
    """Record a finding heard or seen during the visit, by its team, while its record is editable
    (through :func:`inspect_flow.findings.operations.add_finding`, which audits it).

    :raise InvalidInput: an unknown kind, severity or source, or empty category or text (naming the field)
    :raise Conflict: the visit's record cannot be edited now
    """
    from inspect_flow.findings.operations import add_finding

    def pick(enum, value, field: str, vi: str, en: str):  # noqa: ANN001, ANN202
        try:
            return enum(value)
        except ValueError:
            raise InvalidInput(f'finding.bad_{field}', vi, en, field=field) from None

    _require_editable(visit)
    kind_ = pick(FindingKind, kind, 'kind', 'Chọn loại kết quả.', 'Choose the kind of finding.')
    source_ = pick(FindingSource, source or 'observation', 'source', 'Chọn nguồn của kết quả.',
                   'Choose where the finding comes from.')
    severity_ = pick(Severity, severity, 'severity', 'Mức độ không hợp lệ.', 'Unknown severity.') if severity else None
    _ensure_started(session, visit, actor)
    return add_finding(session, visit.plan, kind=kind_, category=category, text=text, visit=visit,
                       severity=severity_, source=source_, actor=actor, by=by)
