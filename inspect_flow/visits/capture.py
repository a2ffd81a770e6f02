"""A visit's answers to its pinned checklist: validation on submit, households, suggested findings, scores.

The checklist engine (:mod:`inspect_flow.checklist`) is pure; this module binds it to the visit rows:

* :func:`answer_problems` is the submit guard: every required, relevant item answered and every
  constraint met, each failure named per item (``visit.answers_valid``);
* :func:`apply_submitted_answers` runs after a submit: the household roster becomes the visit's
  household-consultation rows, and the checklist's finding rules become *suggested* findings that the
  team accepts, edits or rejects (:func:`decide_suggestion`);
* :func:`form_status` and :func:`visit_score` / :func:`plan_scores` are what pages and the API show.

A plan that pins no supervision checklist records visits free-form: nothing here applies to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspect_flow.audit.operations import record_delete
from inspect_flow.core.clock import today
from inspect_flow.core.errors import Conflict, InvalidInput
from inspect_flow.findings.models import Finding, FindingKind, FindingSource, FindingStatus, Severity
from inspect_flow.plans.checklists import visit_checklist
from inspect_flow.plans.models import Plan
from inspect_flow.visits.models import HouseholdCategory, HouseholdConsultation, Visit
from inspect_flow.workflow.rules import Problem
from inspect_flow.workflow.states import VisitState

#: How many item errors the one-line refusal names before it says "and N more".
LISTED_ERRORS = 3


def answer_field(error: Any) -> str:  # noqa: ANN401
    """The form field of an answer error: ``item`` or ``roster.2.item`` (row index from 0)."""
    if error.repeat_id is not None and error.index is not None and error.item_id != error.repeat_id:
        return f'{error.repeat_id}.{error.index}.{error.item_id}'
    return error.item_id


def _error_dict(error: Any) -> dict[str, Any]:  # noqa: ANN401
    return {'field': answer_field(error), 'code': error.code, 'message': error.message_vi,
            'message_en': error.message_en}


def answer_errors(visit: Visit) -> list[dict[str, Any]]:
    """What a submit would refuse in the visit's current answers, per item (empty without a checklist)."""
    from inspect_flow.checklist import validate_for_submit

    checklist = visit_checklist(visit)
    if checklist is None:
        return []
    return [_error_dict(e) for e in validate_for_submit(checklist, visit.answers or {}, today=today())]


def answer_problems(visit: Visit, _kw: Any = None) -> list[Problem]:  # noqa: ANN401
    """The submit guard: what is missing or wrong in the visit's answers (empty: it may be submitted)."""
    from inspect_flow.checklist import validate_for_submit

    checklist = visit_checklist(visit)
    if checklist is None:
        return []
    errors = validate_for_submit(checklist, visit.answers or {}, today=today())
    if not errors:
        return []
    n = len(errors)
    shown_vi = '; '.join(e.message_vi for e in errors[:LISTED_ERRORS])
    shown_en = '; '.join(e.message_en for e in errors[:LISTED_ERRORS])
    more_vi = f' và {n - LISTED_ERRORS} mục khác' if n > LISTED_ERRORS else ''
    more_en = f' and {n - LISTED_ERRORS} more' if n > LISTED_ERRORS else ''
    items = tuple(_error_dict(e) for e in errors)
    return [Problem('visit.answers_valid',
                    f'Phiếu kiểm tra còn {n} mục chưa đạt: {shown_vi}{more_vi}.',
                    f'The checklist has {n} problem(s): {shown_en}{more_en}.', items)]


def roster_from_households(visit: Visit, answers: dict, households: list) -> dict:
    """Put households given apart from the answers (the record file's ``households:``) into the roster.

    :raise InvalidInput: both the roster and a separate household list were given
    """
    checklist = visit_checklist(visit)
    roster = checklist.roster if checklist is not None else None
    if roster is None or not households:
        return answers
    if answers.get(roster.id):
        raise InvalidInput('submission.households_twice',
                           f'Danh sách hộ được ghi hai lần (trong "answers.{roster.id}" và trong "households"); '
                           'chỉ ghi một nơi.',
                           f'Households are given twice (in "answers.{roster.id}" and in "households"); '
                           'give them once.',
                           field='households')
    rows = []
    for h in households:
        row = {'household_code': h.code, 'category': h.category}
        if h.head_name:
            row['head_name'] = h.head_name
        row.update(h.answers)
        rows.append(row)
    return {**answers, roster.id: rows}


def sync_households(session: Session, visit: Visit) -> None:
    """Make the visit's household-consultation rows those of its roster (written by the caller's next flush)."""
    from inspect_flow.checklist import household_rows

    checklist = visit_checklist(visit)
    if checklist is None or checklist.roster is None:
        return
    rows = household_rows(checklist, visit.answers or {})

    def category_of(row) -> str:  # noqa: ANN001
        return row.category if row.category in HouseholdCategory.__members__ else 'poor'

    wanted = [(r.household_code, category_of(r), r.head_name, r.answers) for r in rows]
    have = [(h.household_code, h.category.value, h.head_name, h.answers) for h in visit.households]
    if wanted == have:
        return  # already in step (e.g. recorded just before the submit): no delete and re-insert
    if have:
        visit.households.clear()
        session.flush()  # the removals first: re-used household codes must not meet their old rows
    for row in rows:
        visit.households.append(HouseholdConsultation(household_code=row.household_code,
                                                      category=HouseholdCategory(category_of(row)),
                                                      head_name=row.head_name, answers=row.answers))


def visit_findings(session: Session, visit: Visit) -> list[Finding]:
    """The visit's findings, oldest first."""
    return list(session.scalars(sa.select(Finding).where(Finding.visit_id == visit.id).order_by(Finding.id)))


def sync_suggestions(session: Session, visit: Visit, *, actor: str,
                     findings: list[Finding] | None = None) -> list[Finding]:
    """Turn the checklist's finding rules into suggested findings of *visit*.

    A rule that holds gets one finding per visit (``rule_id``). A finding the team already accepted or
    rejected is left as it is; a still-undecided suggestion whose rule no longer holds is withdrawn.
    *findings* are the visit's findings, oldest first, when the caller has them (they are read otherwise);
    the list is kept up to date.

    :return: the visit's undecided suggestions
    """
    from inspect_flow.checklist import suggest_findings
    from inspect_flow.findings.operations import add_findings

    checklist = visit_checklist(visit)
    if checklist is None:
        return []
    suggested = suggest_findings(checklist, visit.answers or {}, today=today())
    if findings is None:
        findings = visit_findings(session, visit)
    by_rule = {f.rule_id: f for f in findings if f.rule_id}
    holding = {s.rule_id for s in suggested}
    for rule_id, finding in by_rule.items():
        if rule_id not in holding and finding.status == FindingStatus.suggested:
            record_delete(finding, actor=actor, fields={'rule_id': rule_id, 'text': finding.text},
                          comment='rule no longer holds')
            session.delete(finding)
            findings.remove(finding)
    new = []
    for s in suggested:
        finding = by_rule.get(s.rule_id)
        if finding is None:
            new.append(dict(visit=visit, kind=FindingKind(s.kind), category=s.category_vi, text=s.text_vi,
                            severity=Severity(s.severity) if s.severity else None, source=FindingSource.checklist,
                            status=FindingStatus.suggested, checklist_item_id=s.item_id, rule_id=s.rule_id))
        elif finding.status == FindingStatus.suggested and finding.text != s.text_vi:
            finding.text = s.text_vi  # the figures it quotes changed with the answers
    findings.extend(add_findings(session, visit.plan, new, actor=actor))
    session.flush()
    return [f for f in findings if f.status == FindingStatus.suggested]


def apply_submitted_answers(session: Session, visit: Visit, *, actor: str,
                            findings: list[Finding] | None = None) -> None:
    """After a submit: households from the roster, suggestions from the rules (*findings*: see
    :func:`sync_suggestions`)."""
    sync_households(session, visit)
    sync_suggestions(session, visit, actor=actor, findings=findings)


def decide_suggestion(session: Session, finding: Finding, decision: str, *, actor: str,
                      values: dict | None = None, expected_version: int | None = None) -> Finding:
    """Accept (optionally with edits: category, text, severity, kind) or reject a finding.

    :raise InvalidInput: *decision* is neither ``accept`` nor ``reject``
    :raise Conflict: the finding's visit is already reviewed, or a stale version
    """
    from inspect_flow.findings.operations import update_finding

    if decision not in ('accept', 'reject'):
        raise InvalidInput('finding.bad_decision', 'Chỉ chọn "chấp nhận" hoặc "loại bỏ".',
                           'Choose "accept" or "reject".', field='decision')
    visit = finding.visit
    if visit is not None and visit.state in (VisitState.reviewed, VisitState.cancelled):
        raise Conflict('finding.visit_locked', 'Kết quả của buổi làm việc đã được duyệt; không sửa được nữa.',
                       "The visit's findings are already reviewed; they can no longer change.")
    changes = dict(values or {}) if decision == 'accept' else {}
    changes['status'] = FindingStatus.accepted if decision == 'accept' else FindingStatus.rejected
    update_finding(session, finding, changes, actor=actor, expected_version=expected_version)
    return finding


def decide_all_suggestions(session: Session, visit: Visit, decision: str, *, actor: str) -> list[Finding]:
    """Accept (or reject) every still-undecided suggestion of *visit* as it stands.

    :return: the findings decided (empty when none was waiting)
    """
    pending = [f for f in visit_findings(session, visit) if f.status == FindingStatus.suggested]
    for finding in pending:
        decide_suggestion(session, finding, decision, actor=actor)
    return pending


@dataclass
class FormStatus:
    """What a visit form shows: which items are relevant, computed values, what blocks a submit."""

    checklist_id: str
    version: str
    relevant: list[str]
    values: dict[str, Any]
    errors: list[dict[str, Any]] = field(default_factory=list)
    suggestions: list[dict[str, Any]] = field(default_factory=list)
    score_percent: float | None = None

    @property
    def complete(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {'checklist_id': self.checklist_id, 'version': self.version, 'complete': self.complete,
                'relevant': self.relevant, 'values': self.values, 'errors': self.errors,
                'suggestions': self.suggestions, 'score_percent': self.score_percent}


def form_status(visit: Visit) -> FormStatus | None:
    """Evaluate the visit's current answers (drafts included) against its checklist."""
    from inspect_flow.checklist import evaluate, score, suggest_findings, validate_for_submit

    checklist = visit_checklist(visit)
    if checklist is None:
        return None
    answers = visit.answers or {}
    day = today()
    ev = evaluate(checklist, answers, today=day)
    errors = validate_for_submit(checklist, answers, today=day)
    result = score(checklist, answers, today=day, evaluation=ev)
    return FormStatus(
        checklist_id=checklist.id, version=checklist.version,
        relevant=sorted(ev.relevant), values=dict(ev.values),
        errors=[_error_dict(e) for e in errors],
        suggestions=[s.to_dict() for s in suggest_findings(checklist, answers, today=day, evaluation=ev)],
        score_percent=result.percent,
    )


def visit_score(visit: Visit):  # noqa: ANN201
    """The visit's score (:class:`inspect_flow.checklist.Score`), or ``None`` without a checklist."""
    from inspect_flow.checklist import score

    checklist = visit_checklist(visit)
    if checklist is None:
        return None
    return score(checklist, visit.answers or {}, today=today())


def plan_scores(plan: Plan):  # noqa: ANN201
    """The round's score summary over its submitted and reviewed visits."""
    from inspect_flow.checklist import aggregate_scores

    scores = [visit_score(v) for v in plan.visits if v.state in (VisitState.submitted, VisitState.reviewed)]
    return aggregate_scores(s for s in scores if s is not None)
