"""Writes on findings, conclusions, recommendations and follow-up reports; every edit is audited.

**Corrections until issue.** Findings, conclusions and recommendations are added, edited and withdrawn (with a
reason) until the documents that carry them are issued. Which issued document locks what:

* a finding of a visit: the visit's minutes (biên bản, signed with the unit) and the conclusion notice of the
  unit the visit is concluded under (its district in three tiers, its commune in two);
* a conclusion and its recommendations: the unit's conclusion notice (thông báo kết luận).

The team reports and the round report summarise what these state; they lock nothing (a later correction shows
in their next draft, and they are replaced the same way when needed). Once a locking document is issued, the
refusal names it: it is corrected only by a new document that replaces it. Opening that replacement
(:func:`inspect_flow.documents.operations.open_replacement`) makes corrections possible again, until the
replacement is issued and locks in its turn. A round closed with its notices issued is corrected the same way.

A withdrawn finding or recommendation keeps its row and its audit trail; it drops out of documents and counts.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, object_session

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

#: The names of the required text fields, for the refusal of an empty one.
FIELD_LABELS = {
    'category': ('Nhóm', 'Category'),
    'text': ('Nội dung', 'Text'),
    'summary': ('Đánh giá chung', 'Overall assessment'),
    'addressee': ('Tên đơn vị nhận ghi trong văn bản', 'Addressee'),
    'addressee_label': ('Tên đơn vị nhận ghi trong văn bản', 'Addressee'),
    'reported_by': ('Người báo cáo', 'Reported by'),
    'reason': ('Lý do', 'Reason'),
}


def _text(value: str | None, field: str) -> str:
    value = (value or '').strip()
    if not value:
        vi, en = FIELD_LABELS.get(field, ('Nội dung', 'The text'))
        raise InvalidInput(f'{field}.required', f'Phải nhập "{vi}".', f'"{en}" is required.', field=field)
    return value


# --- what the issued documents lock -------------------------------------------------------------------

def _targets(plan: Plan, *pairs: tuple) -> list:  # noqa: ANN001
    from inspect_flow.documents.sources import Target

    return [Target(kind, plan, visit=visit, unit=unit) for kind, visit, unit in pairs]


def finding_carriers(plan: Plan, finding: Finding) -> list:
    """The documents that carry *finding*: its visit's minutes and its unit's conclusion notice (a finding of no
    visit is carried by neither)."""
    visit = finding.visit
    if visit is None:
        return []
    return _targets(plan, ('minutes', visit, None), ('conclusion', None, visit.conclusion_unit))


def conclusion_carriers(plan: Plan, unit: AdminUnit | None) -> list:
    """The documents that carry a conclusion of *unit* and its recommendations: the unit's conclusion notice."""
    return [] if unit is None else _targets(plan, ('conclusion', None, unit))


def locked_by(session: Session, targets: list) -> list:
    """The issued documents among *targets* that lock what they carry now (no replacement being prepared)."""
    from inspect_flow.documents.operations import locking_documents

    return locking_documents(session, targets)


def _replacing(session: Session, targets: list) -> bool:
    """Whether a replacement of an issued document among *targets* is being prepared."""
    from inspect_flow.documents.operations import current_issued, pending_replacement

    for target in targets:
        current = current_issued(session, target)
        if current is not None and pending_replacement(session, current) is not None:
            return True
    return False


def _locked(docs: list, what_vi: str, what_en: str) -> Conflict:
    refs = ', '.join(f'số {d.reference} (#{d.id})' for d in docs)
    refs_en = ', '.join(f'{d.reference} (#{d.id})' for d in docs)
    return Conflict('correction.issued',
                    f'Không {what_vi} được: văn bản đã ban hành {refs} ghi nội dung này. Văn bản đã ban hành chỉ '
                    f'được sửa bằng văn bản mới thay thế: hãy soạn văn bản thay thế (trang Văn bản, hoặc '
                    f'inspect-flow documents replace {docs[0].id} --reason "…"), sửa, rồi ban hành văn bản mới.',
                    f'Cannot {what_en}: the issued document {refs_en} carries it. An issued document is corrected '
                    f'only by a new document that replaces it: start a replacement (Documents page, or '
                    f'inspect-flow documents replace {docs[0].id} --reason "…"), correct, then issue it.',
                    details=[{'document_id': d.id, 'reference': d.reference, 'kind': d.kind} for d in docs])


def require_correctable(session: Session, plan: Plan, targets: list, *, stages: tuple, what_vi: str,
                        what_en: str) -> None:
    """Refuse a correction of something the issued documents *targets* carry.

    :raise Conflict: an issued document carrying it is in force with no replacement being prepared
        (``correction.issued``, naming the documents), or the round's stage allows no correction (a closed round
        is corrected only through a replacement)
    """
    docs = locked_by(session, targets)
    if docs:
        raise _locked(docs, what_vi, what_en)
    if plan.state in stages or (plan.state == PlanState.closed and _replacing(session, targets)):
        return
    require_stage(plan, *stages, action_vi=what_vi, action_en=what_en)


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
    if visit is not None:
        session = object_session(plan)
        if session is not None:
            docs = locked_by(session, _targets(plan, ('minutes', visit, None),
                                               ('conclusion', None, visit.conclusion_unit)))
            if docs:
                raise _locked(docs, 'thêm kết quả kiểm tra', 'add a finding')
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
    """Edit a finding (kind, category, text, severity, status, evidence, source); audited with from → to.

    *by*: the user attaching evidence through a page or the API; every ``sha256:`` reference in *evidence*
    must be theirs to attach (:func:`inspect_flow.evidence.operations.check_attachable`). ``None``: the command
    line (the database's operator).

    :raise Conflict: stale version, a withdrawn finding, an issued document carrying it (see the module's
        doc), or the plan's stage does not allow edits
    :raise InvalidInput: empty category or text (naming the field), an unknown field, status ``withdrawn``
        (use :func:`withdraw_finding`, which asks for the reason)
    """
    plan = session.get(Plan, finding.plan_id)
    require_correctable(session, plan, finding_carriers(plan, finding), stages=FINDING_STAGES,
                        what_vi='sửa kết quả kiểm tra', what_en='edit findings')
    _version_check(finding, expected_version)
    if finding.status == FindingStatus.withdrawn:
        raise Conflict('finding.withdrawn', f'Kết quả #{finding.id} đã rút, không sửa được.',
                       f'Finding #{finding.id} was withdrawn and cannot be edited.')
    allowed = {'kind', 'category', 'text', 'severity', 'status', 'evidence', 'source'}
    unknown = set(values) - allowed
    if unknown:
        raise InvalidInput('finding.unknown_field', f'Không sửa được trường: {", ".join(sorted(unknown))}.',
                           f'These fields cannot be edited: {", ".join(sorted(unknown))}.')
    if values.get('status') == FindingStatus.withdrawn:
        raise InvalidInput('finding.withdraw_with_reason', 'Rút kết quả bằng lệnh rút, kèm lý do.',
                           'Withdraw a finding with its own step, giving the reason.', field='status')
    for key in ('category', 'text'):
        if key in values:
            values[key] = _text(values[key], key)
    if 'category' in values:
        values['category'] = canonical_category(session, values['category'])
    if values.get('kind', finding.kind) == FindingKind.achievement and 'kind' in values:
        values['severity'] = None  # severity grades shortcomings only
    if by is not None and 'evidence' in values:
        from inspect_flow.evidence.operations import check_attachable, refs_in

        check_attachable(session, by, values['evidence'] or [], field='evidence', held=refs_in(finding.evidence))
    changes = apply_changes(finding, values, actor=actor)
    if changes:
        finding.updated_dt = utcnow()
    session.flush()
    return changes


def withdraw_finding(session: Session, finding: Finding, *, reason: str, actor: str,
                     expected_version: int | None = None) -> None:
    """Withdraw an accepted finding, with the reason: it keeps its row and history, and drops out of the
    documents and counts. A recommendation drawn from it keeps its text and loses the link.

    :raise InvalidInput: no reason (field ``reason``)
    :raise Conflict: stale version, not an accepted finding (a suggestion is rejected instead), an issued
        document carrying it, or the plan's stage
    """
    plan = session.get(Plan, finding.plan_id)
    require_correctable(session, plan, finding_carriers(plan, finding), stages=FINDING_STAGES,
                        what_vi='rút kết quả kiểm tra', what_en='withdraw findings')
    _version_check(finding, expected_version)
    reason = _text(reason, 'reason')
    if finding.status != FindingStatus.accepted:
        raise Conflict('finding.not_accepted',
                       f'Chỉ rút được kết quả đã chấp nhận; kết quả #{finding.id} đang ở trạng thái '
                       f'"{finding.status.value}" (kết quả gợi ý thì loại bỏ).',
                       f'Only an accepted finding can be withdrawn; #{finding.id} is "{finding.status.value}" '
                       '(reject a suggestion instead).', field='status')
    apply_changes(finding, {'status': FindingStatus.withdrawn, 'withdrawn_reason': reason}, actor=actor,
                  comment=reason)
    finding.updated_dt = utcnow()
    for rec in session.scalars(sa.select(Recommendation).where(Recommendation.finding_id == finding.id)):
        apply_changes(rec, {'finding_id': None}, actor=actor, comment=f'Kết quả #{finding.id} đã rút')
    session.flush()


def add_conclusion(session: Session, plan: Plan, unit: AdminUnit, *, summary: str, actor: str,
                   team: Team | None = None) -> Conclusion:
    """Record the team leader's conclusion for a visited unit: the district in a three-tier round, the
    commune in a two-tier round (:attr:`Visit.conclusion_unit`).

    :raise InvalidInput: no visit of the round is concluded under *unit* (field ``unit``), an empty overall
        assessment (field ``summary``)
    :raise Conflict: the unit already has a conclusion
    """
    require_stage(plan, *CONCLUSION_STAGES, action_vi='ghi kết luận', action_en='record a conclusion')
    _text(summary, 'summary')
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
                            summary=_text(summary, 'summary'), created_by=actor)
    session.add(conclusion)
    session.flush()
    record_create(conclusion, actor=actor, fields={'unit': unit.code, 'summary': conclusion.summary})
    return conclusion


def get_conclusion_by_id(session: Session, conclusion_id: int | str) -> Conclusion:
    """Return the conclusion with *conclusion_id*, or raise :class:`NotFound`."""
    conclusion = get_by_id(session, Conclusion, conclusion_id)
    if conclusion is None:
        raise NotFound('conclusion.not_found', f'Không tìm thấy kết luận số {conclusion_id}.',
                       f'No conclusion {conclusion_id}.')
    return conclusion


def update_conclusion(session: Session, conclusion: Conclusion, values: dict, *, actor: str,
                      expected_version: int | None = None) -> dict:
    """Edit a conclusion's overall assessment (``summary``); audited with from → to.

    :raise InvalidInput: empty summary (field ``summary``), an unknown field
    :raise Conflict: stale version, its unit's conclusion notice is issued (no replacement being prepared), or
        the plan's stage
    """
    plan = session.get(Plan, conclusion.plan_id)
    require_correctable(session, plan, conclusion_carriers(plan, conclusion.unit),
                        stages=CONCLUSION_STAGES + (PlanState.closed,), what_vi='sửa kết luận',
                        what_en='edit the conclusion')
    _version_check(conclusion, expected_version)
    unknown = set(values) - {'summary'}
    if unknown:
        raise InvalidInput('conclusion.unknown_field', f'Không sửa được trường: {", ".join(sorted(unknown))}.',
                           f'These fields cannot be edited: {", ".join(sorted(unknown))}.')
    if 'summary' in values:
        values['summary'] = _text(values['summary'], 'summary')
    changes = apply_changes(conclusion, values, actor=actor)
    if changes:
        conclusion.updated_dt = utcnow()
    session.flush()
    return changes


def unit_findings(session: Session, plan: Plan, conclusion: Conclusion) -> list[Finding]:
    """The accepted findings a recommendation of *conclusion* may be drawn from: those of the visits concluded
    under its unit (its district's communes in three tiers, the commune itself in two), by commune."""
    visit_ids = [v.id for v in active_visits(plan) if v.conclusion_unit_id == conclusion.unit_id]
    if not visit_ids:
        return []
    return list(session.scalars(sa.select(Finding).where(
        Finding.visit_id.in_(visit_ids), Finding.status == FindingStatus.accepted).order_by(Finding.visit_id,
                                                                                            Finding.id)))


def _check_finding_link(session: Session, plan: Plan, conclusion: Conclusion | None, finding: Finding | None) -> None:
    if finding is None:
        return
    if conclusion is None or finding.id not in {f.id for f in unit_findings(session, plan, conclusion)}:
        where = conclusion.unit.full_name if conclusion is not None else plan.reference
        raise InvalidInput('recommendation.bad_finding',
                           f'Kết quả #{finding.id} không phải kết quả đã chấp nhận của {where}; kiến nghị chỉ dựa '
                           'trên kết quả của chính đơn vị được kết luận.',
                           f'Finding #{finding.id} is not an accepted finding of {where}; a recommendation is drawn '
                           'only from its own unit\'s findings.', field='finding')


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
        ``addressee_unit`` or ``addressee_body``), a *finding* that is not an accepted finding of the
        conclusion's unit (field ``finding``), or a deadline before the fieldwork ended
    :raise Conflict: the conclusion notice is issued (no replacement being prepared), or the plan's stage
    """
    require_correctable(session, plan, conclusion_carriers(plan, conclusion.unit if conclusion else None),
                        stages=CONCLUSION_STAGES, what_vi='ghi kiến nghị', what_en='record a recommendation')
    text = _text(text, 'text')
    if conclusion is not None and conclusion.plan_id != plan.id:
        raise InvalidInput('recommendation.other_plan', 'Kết luận không thuộc kế hoạch này.',
                           'The conclusion belongs to another plan.', field='conclusion')
    _check_finding_link(session, plan, conclusion, finding)
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


def _rec_carriers(session: Session, rec: Recommendation) -> tuple[Plan, list]:
    plan = session.get(Plan, rec.plan_id)
    return plan, conclusion_carriers(plan, rec.conclusion.unit if rec.conclusion is not None else None)


def update_recommendation(session: Session, rec: Recommendation, values: dict, *, actor: str,
                          expected_version: int | None = None) -> dict:
    """Edit a recommendation's text, addressee label, deadline or the finding it is drawn from; audited.

    :raise InvalidInput: empty text or addressee (naming the field), a finding of another unit, a deadline
        before the fieldwork, an unknown field
    :raise Conflict: stale version; done, verified or withdrawn; its conclusion notice is issued (no
        replacement being prepared)
    """
    if rec.state in (RecommendationState.done, RecommendationState.verified):
        raise Conflict('recommendation.locked', 'Kiến nghị đã thực hiện xong, không sửa được.',
                       'The recommendation is done and can no longer be edited.')
    if rec.state == RecommendationState.withdrawn:
        raise Conflict('recommendation.withdrawn', f'Kiến nghị #{rec.id} đã rút, không sửa được.',
                       f'Recommendation #{rec.id} was withdrawn and cannot be edited.')
    plan, carriers = _rec_carriers(session, rec)
    require_correctable(session, plan, carriers, stages=CONCLUSION_STAGES + (PlanState.closed,),
                        what_vi='sửa kiến nghị', what_en='edit the recommendation')
    _version_check(rec, expected_version)
    allowed = {'text', 'addressee_label', 'deadline', 'finding'}
    unknown = set(values) - allowed
    if unknown:
        raise InvalidInput('recommendation.unknown_field', f'Không sửa được trường: {", ".join(sorted(unknown))}.',
                           f'These fields cannot be edited: {", ".join(sorted(unknown))}.')
    for key in ('text', 'addressee_label'):
        if key in values:
            values[key] = _text(values[key], key)
    if values.get('deadline') is not None and values['deadline'] < plan.fieldwork_start:
        raise InvalidInput('recommendation.bad_deadline', 'Thời hạn thực hiện phải sau ngày bắt đầu kiểm tra.',
                           'The deadline must be after the fieldwork started.', field='deadline')
    if 'finding' in values:
        finding = values.pop('finding')
        _check_finding_link(session, plan, rec.conclusion, finding)
        values['finding_id'] = finding.id if finding is not None else None
    changes = apply_changes(rec, values, actor=actor)
    session.flush()
    return changes


def withdraw_recommendation(session: Session, rec: Recommendation, *, reason: str, actor: str,
                            expected_version: int | None = None) -> None:
    """Withdraw a recommendation, with the reason: it keeps its row, reports and history, and drops out of the
    documents, counts and follow-up lists.

    :raise InvalidInput: no reason (field ``reason``)
    :raise Conflict: stale version; already done, verified or withdrawn; its conclusion notice is issued (no
        replacement being prepared)
    """
    plan, carriers = _rec_carriers(session, rec)
    require_correctable(session, plan, carriers, stages=CONCLUSION_STAGES + (PlanState.closed,),
                        what_vi='rút kiến nghị', what_en='withdraw the recommendation')
    _version_check(rec, expected_version)
    reason = _text(reason, 'reason')
    fire(rec, 'withdraw', actor=actor, reason=reason)
    rec.withdrawn_reason = reason
    session.flush()


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
    if rec.state == RecommendationState.withdrawn:
        raise Conflict('recommendation.withdrawn', f'Kiến nghị #{rec.id} đã rút; không cần báo cáo thực hiện.',
                       f'Recommendation #{rec.id} was withdrawn; it takes no follow-up report.')
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
