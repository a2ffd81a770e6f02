"""Writes on findings, conclusions, recommendations and follow-up reports; every edit is audited."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspect_flow.audit.operations import apply_changes, record_create
from inspect_flow.core.clock import today as clock_today
from inspect_flow.core.db import utcnow
from inspect_flow.core.errors import Conflict, InvalidInput, NotFound, stale_version
from inspect_flow.core.limits import get_by_id
from inspect_flow.findings.categories import canonical_category
from inspect_flow.findings.models import (
    Conclusion,
    Finding,
    FindingKind,
    FindingSource,
    FindingStatus,
    FollowUpReport,
    Recommendation,
    Severity,
)
from inspect_flow.plans.models import Plan, Team
from inspect_flow.plans.operations import require_stage
from inspect_flow.plans.scheduling import active_visits
from inspect_flow.units.models import AdminUnit, IssuingBody, Person
from inspect_flow.visits.models import Visit
from inspect_flow.workflow.machines import fire
from inspect_flow.workflow.states import PlanState, RecommendationState, VisitState, state_label

FINDING_STAGES = (PlanState.visiting, PlanState.findings, PlanState.conclusions)
CONCLUSION_STAGES = (PlanState.findings, PlanState.conclusions)


def _text(value: str | None, field: str) -> str:
    value = (value or '').strip()
    if not value:
        raise InvalidInput(f'{field}.required', 'Phải nhập nội dung.', 'The text is required.', field=field)
    return value


def _version_check(obj, expected_version: int | None) -> None:  # noqa: ANN001
    if expected_version is not None and expected_version != obj.version_id:
        raise stale_version(field=None)


def _new_finding(plan: Plan, *, kind: FindingKind, category: str, text: str, actor: str,
                 visit: Visit | None = None, severity: Severity | None = None,
                 source: FindingSource = FindingSource.observation, evidence: list | None = None,
                 status: FindingStatus = FindingStatus.accepted, checklist_item_id: str | None = None,
                 rule_id: str | None = None) -> Finding:
    """Check and build a finding (not yet added to the session)."""
    require_stage(plan, *FINDING_STAGES, action_vi='ghi nhận kết quả kiểm tra', action_en='record findings')
    if visit is not None and visit.state not in (VisitState.in_progress, VisitState.returned, VisitState.submitted):
        raise Conflict('finding.visit_locked',
                       f'Buổi làm việc đang ở trạng thái "{state_label(visit.state)}", không thêm kết quả được.',
                       f'The visit is "{state_label(visit.state, "en")}"; findings cannot be added to it.')
    if kind == FindingKind.achievement:
        severity = None  # severity grades shortcomings only
    category = canonical_category(plan, _text(category, 'category'))  # a synonym becomes its category
    return Finding(plan_id=plan.id, visit=visit, kind=kind, category=category,
                   text=_text(text, 'text'), severity=severity, source=source, evidence=list(evidence or []),
                   status=status, checklist_item_id=checklist_item_id, rule_id=rule_id, created_by=actor)


def add_findings(session: Session, plan: Plan, specs: list[dict], *, actor: str, by=None) -> list[Finding]:  # noqa: ANN001
    """Record several findings at once (one flush): each *spec* holds :func:`add_finding`'s keywords.

    Every finding is checked before any is added, so a bad one leaves none behind.

    *by*: the user attaching evidence through a page or the API; every ``sha256:`` reference in *evidence*
    must be theirs to attach (:func:`inspect_flow.evidence.operations.check_attachable`). ``None``: the command
    line (the database's operator).
    """
    if by is not None:
        from inspect_flow.evidence.operations import check_attachable

        for index, spec in enumerate(specs):
            check_attachable(session, by, spec.get('evidence') or [], field=f'findings.{index}.evidence')
    findings = [_new_finding(plan, actor=actor, **spec) for spec in specs]
    if not findings:
        return []
    session.add_all(findings)
    session.flush()
    for finding in findings:
        record_create(finding, actor=actor, fields={'kind': finding.kind, 'category': finding.category,
                                                    'text': finding.text, 'status': finding.status})
    return findings


def add_finding(session: Session, plan: Plan, *, kind: FindingKind, category: str, text: str, actor: str,
                visit: Visit | None = None, severity: Severity | None = None,
                source: FindingSource = FindingSource.observation, evidence: list | None = None,
                status: FindingStatus = FindingStatus.accepted, checklist_item_id: str | None = None,
                rule_id: str | None = None, by=None) -> Finding:  # noqa: ANN001
    """Record a finding of the round, usually from one visit (*by*: see :func:`add_findings`).

    :raise Conflict: the plan's stage or the visit's state does not allow it
    :raise InvalidInput: empty category or text
    """
    return add_findings(session, plan, [dict(
        kind=kind, category=category, text=text, visit=visit, severity=severity, source=source, evidence=evidence,
        status=status, checklist_item_id=checklist_item_id, rule_id=rule_id)], actor=actor, by=by)[0]


def get_finding(session: Session, finding_id: int | str) -> Finding:
    """Return the finding with *finding_id*, or raise :class:`NotFound`."""
    finding = get_by_id(session, Finding, finding_id)
    if finding is None:
        raise NotFound('finding.not_found', f'Không tìm thấy kết quả số {finding_id}.', f'No finding {finding_id}.')
    return finding


def update_finding(session: Session, finding: Finding, values: dict, *, actor: str,
                   expected_version: int | None = None, by=None) -> dict:  # noqa: ANN001
    """Edit a finding (kind, category, text, severity, status, evidence); audited with from → to.

    *by*: the user attaching evidence through a page or the API; every ``sha256:`` reference in *evidence*
    must be theirs to attach (:func:`inspect_flow.evidence.operations.check_attachable`). ``None``: the command
    line (the database's operator).

    :raise Conflict: stale version, or the plan's stage does not allow edits
    """
    plan = session.get(Plan, finding.plan_id)
    require_stage(plan, *FINDING_STAGES, action_vi='sửa kết quả kiểm tra', action_en='edit findings')
    _version_check(finding, expected_version)
    allowed = {'kind', 'category', 'text', 'severity', 'status', 'evidence', 'source'}
    unknown = set(values) - allowed
    if unknown:
        raise InvalidInput('finding.unknown_field', f'Không sửa được trường: {", ".join(sorted(unknown))}.',
                           f'These fields cannot be edited: {", ".join(sorted(unknown))}.')
    for key in ('category', 'text'):
        if key in values:
            values[key] = _text(values[key], key)
    if 'category' in values:
        values['category'] = canonical_category(session, values['category'])
    if by is not None and 'evidence' in values:
        from inspect_flow.evidence.operations import check_attachable, refs_in

        check_attachable(session, by, values['evidence'] or [], field='evidence', held=refs_in(finding.evidence))
    changes = apply_changes(finding, values, actor=actor)
    if changes:
        finding.updated_dt = utcnow()
    session.flush()
    return changes


def add_conclusion(session: Session, plan: Plan, unit: AdminUnit, *, summary: str, actor: str,
                   team: Team | None = None) -> Conclusion:
    """Record the team leader's conclusion for a visited unit: the district in a three-tier round, the
    commune in a two-tier round (:attr:`Visit.conclusion_unit`).

    :raise InvalidInput: no visit of the round is concluded under *unit* (field ``unit``)
    :raise Conflict: the unit already has a conclusion
    """
    require_stage(plan, *CONCLUSION_STAGES, action_vi='ghi kết luận', action_en='record a conclusion')
    visits = [v for v in active_visits(plan) if v.conclusion_unit_id == unit.id]
    if not visits:
        raise InvalidInput('conclusion.not_visited', f'{unit.full_name} không có buổi làm việc nào trong đợt này.',
                           f'{unit.full_name} was not visited in this round.', field='unit')
    exists = session.scalars(sa.select(Conclusion).where(Conclusion.plan_id == plan.id,
                                                         Conclusion.unit_id == unit.id)).first()
    if exists is not None:
        raise Conflict('conclusion.exists', f'{unit.full_name} đã có kết luận.',
                       f'{unit.full_name} already has a conclusion.', field='unit')
    conclusion = Conclusion(plan_id=plan.id, unit=unit, team=team or visits[0].team,
                            summary=(summary or '').strip(), created_by=actor)
    session.add(conclusion)
    session.flush()
    record_create(conclusion, actor=actor, fields={'unit': unit.code, 'summary': conclusion.summary})
    return conclusion


def conclusion_units(plan: Plan) -> list[AdminUnit]:
    """The units the round's visits are concluded under (districts in three tiers, communes in two), in
    code order."""
    units = {v.conclusion_unit_id: v.conclusion_unit for v in active_visits(plan)}
    return sorted(units.values(), key=lambda u: u.code)


def get_conclusion(session: Session, plan: Plan, unit: AdminUnit) -> Conclusion | None:
    """Return *plan*'s conclusion for *unit*, if it has one."""
    return session.scalars(sa.select(Conclusion).where(Conclusion.plan_id == plan.id,
                                                       Conclusion.unit_id == unit.id)).first()


def _province_of(plan: Plan, units: list[AdminUnit]) -> AdminUnit | None:
    for unit in units:
        if unit.province is not None:
            return unit.province
    return plan.issuer.unit.province if plan.issuer.unit is not None else None


def addressee_units(plan: Plan, conclusion: Conclusion | None) -> list[AdminUnit]:
    """The units a recommendation may be addressed to: the conclusion's unit and the communes visited under
    it; without a conclusion (a round-level recommendation), every unit concluded in the round and its
    visited communes."""
    visits = [v for v in active_visits(plan) if conclusion is None or v.conclusion_unit_id == conclusion.unit_id]
    units = {} if conclusion is None else {conclusion.unit.id: conclusion.unit}
    for v in visits:
        units.setdefault(v.conclusion_unit_id, v.conclusion_unit)
        units.setdefault(v.commune_id, v.commune)
    return list(units.values())


def addressee_bodies(session: Session, plan: Plan, conclusion: Conclusion | None) -> list[IssuingBody]:
    """The bodies a recommendation may be addressed to: the bodies of the province of the round (a body
    whose unit is that province or lies in it, e.g. Sở Nông nghiệp và Môi trường tỉnh Vĩnh Long)."""
    province = _province_of(plan, addressee_units(plan, conclusion))
    if province is None:
        return []
    bodies = session.scalars(sa.select(IssuingBody).where(IssuingBody.unit_id.is_not(None)).order_by(IssuingBody.name))
    return [b for b in bodies if b.unit.province is not None and b.unit.province.id == province.id]


def _check_addressee(session: Session, plan: Plan, conclusion: Conclusion | None, unit: AdminUnit | None,
                     body: IssuingBody | None) -> None:
    """Refuse an addressee outside the conclusion's reach (issue 18: a leader could address any unit in
    the country, which then saw the notice)."""
    if unit is not None and unit.id not in {u.id for u in addressee_units(plan, conclusion)}:
        where = conclusion.unit.full_name if conclusion is not None else plan.reference
        raise InvalidInput('recommendation.bad_addressee_unit',
                           f'Không gửi kiến nghị cho {unit.full_name} được: chỉ gửi cho đơn vị được kết luận '
                           f'({where}), các xã, phường đã làm việc thuộc đơn vị đó, hoặc cơ quan cấp tỉnh.',
                           f'The recommendation cannot be addressed to {unit.full_name}: only to the concluded unit '
                           f'({where}), the communes visited under it, or a body of the province.',
                           field='addressee_unit')
    if body is not None and body.id not in {b.id for b in addressee_bodies(session, plan, conclusion)}:
        raise InvalidInput('recommendation.bad_addressee_body',
                           f'Không gửi kiến nghị cho {body.name} được: chỉ gửi cho cơ quan của tỉnh nơi kiểm tra.',
                           f'The recommendation cannot be addressed to {body.name}: only to a body of the province '
                           f'inspected.', field='addressee_body')


def default_addressee_label(unit: AdminUnit | None = None, body: IssuingBody | None = None) -> str:
    """The name printed for an addressee: "UBND xã Nhuận Phú Tân", "UBND huyện Mỏ Cày Bắc", or the body's name."""
    if body is not None:
        return body.name
    if unit is not None:
        return f'UBND {unit.full_name[:1].lower()}{unit.full_name[1:]}'
    return ''


def add_recommendation(session: Session, plan: Plan, *, text: str, addressee_label: str, actor: str,
                       deadline: date | None = None, conclusion: Conclusion | None = None,
                       finding: Finding | None = None, addressee_unit: AdminUnit | None = None,
                       addressee_body: IssuingBody | None = None) -> Recommendation:
    """Record a recommendation to a unit or body, with its deadline; it starts ``open``.

    The addressee is the conclusion's unit or a commune visited under it (through ``addressee_unit``:
    "UBND huyện …", "UBND xã …") or a body of the province (``addressee_body``: "Sở …"); an empty
    *addressee_label* is the addressee's name (:func:`default_addressee_label`).

    :raise InvalidInput: empty text or addressee, an addressee outside the conclusion's reach (field
        ``addressee_unit`` or ``addressee_body``), or a deadline before the fieldwork ended
    """
    require_stage(plan, *CONCLUSION_STAGES, action_vi='ghi kiến nghị', action_en='record a recommendation')
    text = _text(text, 'text')
    if conclusion is not None and conclusion.plan_id != plan.id:
        raise InvalidInput('recommendation.other_plan', 'Kết luận không thuộc kế hoạch này.',
                           'The conclusion belongs to another plan.', field='conclusion')
    _check_addressee(session, plan, conclusion, addressee_unit, addressee_body)
    addressee_label = _text(addressee_label or default_addressee_label(addressee_unit, addressee_body), 'addressee')
    if deadline is not None and deadline < plan.fieldwork_start:
        raise InvalidInput('recommendation.bad_deadline', 'Thời hạn thực hiện phải sau ngày bắt đầu kiểm tra.',
                           'The deadline must be after the fieldwork started.', field='deadline')
    number = 1
    if conclusion is not None:
        number = len(conclusion.recommendations) + 1
    rec = Recommendation(plan_id=plan.id, conclusion=conclusion, finding=finding, number=number, text=text,
                         addressee_label=addressee_label, addressee_unit=addressee_unit, addressee_body=addressee_body,
                         deadline=deadline, state=RecommendationState.open, created_by=actor)
    session.add(rec)
    session.flush()
    record_create(rec, actor=actor, fields={'text': text, 'addressee': addressee_label, 'deadline': deadline})
    return rec


def get_recommendation(session: Session, rec_id: int | str) -> Recommendation:
    """Return the recommendation with *rec_id*, or raise :class:`NotFound`."""
    rec = get_by_id(session, Recommendation, rec_id)
    if rec is None:
        raise NotFound('recommendation.not_found', f'Không tìm thấy kiến nghị số {rec_id}.',
                       f'No recommendation {rec_id}.')
    return rec


def update_recommendation(session: Session, rec: Recommendation, values: dict, *, actor: str,
                          expected_version: int | None = None) -> dict:
    """Edit a recommendation's text, addressee or deadline; audited with from → to."""
    if rec.state in (RecommendationState.done, RecommendationState.verified):
        raise Conflict('recommendation.locked', 'Kiến nghị đã thực hiện xong, không sửa được.',
                       'The recommendation is done and can no longer be edited.')
    _version_check(rec, expected_version)
    allowed = {'text', 'addressee_label', 'deadline'}
    unknown = set(values) - allowed
    if unknown:
        raise InvalidInput('recommendation.unknown_field', f'Không sửa được trường: {", ".join(sorted(unknown))}.',
                           f'These fields cannot be edited: {", ".join(sorted(unknown))}.')
    for key in ('text', 'addressee_label'):
        if key in values:
            values[key] = _text(values[key], key)
    changes = apply_changes(rec, values, actor=actor)
    session.flush()
    return changes


def report_progress(session: Session, rec: Recommendation, *, text: str, reported_by: str, actor: str,
                    completed: bool = False, evidence: list | None = None,
                    report_date: date | None = None, by=None) -> FollowUpReport:  # noqa: ANN001
    """Record the addressee's report on a recommendation; a first report starts it, a completion report
    marks it done (the secretariat then verifies it).

    *by*: the user attaching evidence through a page or the API; every ``sha256:`` reference in *evidence*
    must be theirs to attach (:func:`inspect_flow.evidence.operations.check_attachable`). ``None``: the command
    line (the database's operator).
    """
    if rec.state == RecommendationState.verified:
        raise Conflict('recommendation.verified', 'Kiến nghị đã được xác nhận hoàn thành.',
                       'The recommendation has already been verified.')
    if by is not None:
        from inspect_flow.evidence.operations import check_attachable

        check_attachable(session, by, list(evidence or []), field='evidence')
    report = FollowUpReport(recommendation=rec, text=_text(text, 'text'), reported_by=_text(reported_by, 'reported_by'),
                            is_completed=completed, evidence=list(evidence or []),
                            report_date=report_date or clock_today())
    session.add(report)
    session.flush()
    record_create(rec, actor=actor, fields={'report': report.text, 'completed': completed}, comment='follow-up')
    if rec.state == RecommendationState.open and not completed:
        fire(rec, 'start', actor=actor)
    if completed:
        fire(rec, 'report_done', actor=actor)
    session.flush()
    return report


def verify_recommendation(session: Session, rec: Recommendation, *, verifier: Person | None, actor: str) -> None:
    """The secretariat accepts the evidence: the recommendation is verified."""
    fire(rec, 'verify', actor=actor)
    rec.verified_by = verifier
    session.flush()


def reject_recommendation(session: Session, rec: Recommendation, *, comment: str, actor: str,
                          today: date | None = None) -> None:
    """The secretariat does not accept the evidence: back to work (overdue if past the deadline)."""
    if not (comment or '').strip():
        raise InvalidInput('comment.required', 'Phải ghi lý do không chấp nhận.', 'A reason is required.',
                           field='comment')
    fire(rec, 'reject', actor=actor, comment=comment, today=today or clock_today())
    session.flush()


def mark_overdue(session: Session, *, actor: str = 'system', today: date | None = None) -> list[Recommendation]:
    """Mark every open or in-progress recommendation whose deadline has passed as overdue; return them."""
    day = today or clock_today()
    candidates = session.scalars(sa.select(Recommendation).where(
        Recommendation.state.in_([RecommendationState.open, RecommendationState.in_progress]),
        Recommendation.deadline < day,
    ).order_by(Recommendation.id))
    marked = []
    for rec in candidates:
        fire(rec, 'mark_overdue', actor=actor, today=day)
        marked.append(rec)
    session.flush()
    return marked
