"""The lifecycle of a round's documents: drafts, issuing, corrections.

* A **draft** is never stored: :func:`render_draft` builds it from the data as it is now, with a
  blank number and date, every time it is asked for.
* **Issuing** (:func:`issue_document`) checks that the document may be issued, takes the next number
  of the issuer's register for the year and kind (:func:`~inspect_flow.documents.numbering.allocate_number`)
  at that moment, renders the final PDF as PDF/A (:data:`~inspect_flow.documents.render.ISSUED_PDF_VARIANT`)
  and stores its bytes and SHA-256 in an :class:`~inspect_flow.documents.models.IssuedDocument`, with
  an audit entry. It all happens in the caller's transaction: if anything fails, the number goes back
  to the register, so there is neither a gap nor a duplicate.
* An issued document never changes: later edits of findings or recommendations change the drafts,
  never the stored PDF (the model refuses updates of an issued row's content). A **correction** is a
  new document, with a new number, that ``supersedes`` the old one and says so under its title.
* **What an issued document locks** (:func:`locking_documents`): the findings, conclusion and recommendations it
  carries can no longer be added, edited or withdrawn (:mod:`inspect_flow.findings.operations` says which
  document carries what). :func:`open_replacement` records, with a reason, that a replacement is being
  prepared: the document then locks nothing until the replacement is issued, which closes it and locks again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspect_flow.accounts import access
from inspect_flow.audit.operations import apply_changes, record_create
from inspect_flow.core.clock import today
from inspect_flow.core.db import utcnow
from inspect_flow.core.errors import Conflict, DomainError, InvalidInput, NotFound
from inspect_flow.core.limits import get_by_id
from inspect_flow.documents import sources, vnformat
from inspect_flow.documents import viewmodels as vm
from inspect_flow.documents.models import DocumentReplacement, DocumentState, IssuedDocument
from inspect_flow.documents.numbering import allocate_number
from inspect_flow.documents.render import ISSUED_PDF_VARIANT, KINDS, render_pdf
from inspect_flow.documents.sources import SignerIn, Target
from inspect_flow.findings.models import Conclusion
from inspect_flow.plans.models import Plan
from inspect_flow.units.models import UnitLevel
from inspect_flow.workflow.states import PlanState, VisitState

#: Kinds that have a number of their own (the working schedule is an annex of the plan).
ISSUABLE_KINDS = tuple(k for k, spec in KINDS.items() if spec.type_code)


@dataclass(frozen=True)
class RenderedDocument:
    """A document rendered from the current data: what it is about, its view model and its PDF."""

    target: Target
    view_model: object
    pdf: bytes

    @property
    def filename(self) -> str:
        return f'{self.target.slug}-draft.pdf' if KINDS[self.target.kind].type_code else f'{self.target.slug}.pdf'


def _target(session: Session, plan: Plan, kind: str, visit, unit, team, district=None) -> Target:  # noqa: ANN001
    return sources.resolve_target(session, plan, kind, visit=visit, unit=unit, team=team, district=district)


def render_draft(session: Session, plan: Plan, kind: str, *, visit=None, unit=None, team=None,  # noqa: ANN001
                 signer: SignerIn | None = None, drafting_unit: str | None = None,
                 district=None) -> RenderedDocument:  # noqa: ANN001
    """Render the draft of one document from the current data (no number, no date).

    :param unit: the concluded unit of a conclusion notice (a district, or a commune in two tiers);
        *district* is its 2019 name
    :raise InvalidInput, NotFound, Conflict: see :func:`~inspect_flow.documents.sources.resolve_target`
    """
    target = _target(session, plan, kind, visit, unit, team, district)
    view = sources.build_view_model(session, target, signer=signer, drafting_unit=drafting_unit)
    return RenderedDocument(target, view, render_pdf(kind, view))


def render_drafts(session: Session, plan: Plan, kinds: list[str] | None = None, *, signer: SignerIn | None = None,
                  drafting_unit: str | None = None) -> list[RenderedDocument]:
    """Render the drafts of every document of *kinds* (all kinds by default) from the current data."""
    data = sources.load_round(session, plan)
    wanted = [sources.check_kind(k) for k in kinds] if kinds else None
    out = []
    for target in sources.document_set(plan):
        if wanted is not None and target.kind not in wanted:
            continue
        view = sources.build_view_model(session, target, signer=signer, drafting_unit=drafting_unit, data=data)
        out.append(RenderedDocument(target, view, render_pdf(target.kind, view)))
    return out


# --------------------------------------------------------------------------- queries


def _target_filter(target: Target) -> list:
    return [
        IssuedDocument.plan_id == target.plan.id,
        IssuedDocument.kind == target.kind,
        IssuedDocument.visit_id == target.visit.id if target.visit is not None else IssuedDocument.visit_id.is_(None),
        IssuedDocument.unit_id == target.unit.id if target.unit is not None
        else IssuedDocument.unit_id.is_(None),
        IssuedDocument.team_id == target.team.id if target.team is not None else IssuedDocument.team_id.is_(None),
    ]


def issued_for(session: Session, target: Target) -> list[IssuedDocument]:
    """The issued documents about *target*, oldest first (the first, then its corrections)."""
    return list(session.scalars(sa.select(IssuedDocument).where(
        *_target_filter(target), IssuedDocument.state == DocumentState.issued).order_by(IssuedDocument.id)))


def current_issued(session: Session, target: Target) -> IssuedDocument | None:
    """The issued document about *target* that no later document corrects, if any."""
    docs = issued_for(session, target)
    superseded = {d.supersedes_id for d in docs if d.supersedes_id is not None}
    current = [d for d in docs if d.id not in superseded]
    return current[-1] if current else None


def list_documents(session: Session, plan: Plan) -> list[IssuedDocument]:
    """Every document of *plan* in the register, in the order they were issued."""
    return list(session.scalars(sa.select(IssuedDocument).where(IssuedDocument.plan_id == plan.id)
                                .order_by(IssuedDocument.issued_dt, IssuedDocument.id)))


def get_document(session: Session, doc_id: int | str) -> IssuedDocument:
    """Return the document with id *doc_id*.

    :raise NotFound: there is none
    """
    doc = get_by_id(session, IssuedDocument, doc_id)
    if doc is None:
        raise NotFound('document.not_found', f'Không tìm thấy văn bản số {doc_id}.', f'No document {doc_id}.',
                       field='document')
    return doc


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def verify_document(doc: IssuedDocument) -> bool:
    """Whether the stored PDF still has the SHA-256 recorded when it was issued."""
    return doc.pdf is not None and doc.sha256 is not None and sha256_of(doc.pdf) == doc.sha256


def document_label(session: Session, doc: IssuedDocument) -> str:
    """``Thông báo kết luận - Huyện Mỏ Cày Bắc``: what the document is about."""
    return target_of(session, doc).label


def target_of(session: Session, doc: IssuedDocument) -> Target:
    """What an issued document is about, as a :class:`~inspect_flow.documents.sources.Target`."""
    from inspect_flow.plans.models import Team
    from inspect_flow.units.models import AdminUnit
    from inspect_flow.visits.models import Visit

    plan = session.get(Plan, doc.plan_id)
    return Target(doc.kind, plan,
                  visit=session.get(Visit, doc.visit_id) if doc.visit_id else None,
                  unit=session.get(AdminUnit, doc.unit_id) if doc.unit_id else None,
                  team=session.get(Team, doc.team_id) if doc.team_id else None)


# --------------------------------------------------------------------------- who reads what


def _conclusion_of(session: Session, target: Target) -> Conclusion | None:
    if target.kind != 'conclusion' or target.unit is None:
        return None
    return session.scalar(sa.select(Conclusion).where(Conclusion.plan_id == target.plan.id,
                                                      Conclusion.unit_id == target.unit.id))


def may_read_draft(session: Session, user, target: Target) -> bool:  # noqa: ANN001
    """Whether *user* may read the draft of *target* (:func:`inspect_flow.accounts.access.can_read_document`)."""
    return access.can_read_document(user, target, issued=False, conclusion=_conclusion_of(session, target))


def may_read(session: Session, user, doc: IssuedDocument) -> bool:  # noqa: ANN001
    """Whether *user* may read the stored document *doc*, its metadata and its PDF
    (:func:`inspect_flow.accounts.access.can_read_stored_document`: a stored draft is read as a draft)."""
    target = target_of(session, doc)
    if target.plan is None:
        return False
    return access.can_read_stored_document(user, doc, target, conclusion=_conclusion_of(session, target))


def readable(session: Session, user, docs: list[IssuedDocument]) -> list[IssuedDocument]:  # noqa: ANN001
    """The documents of *docs* that *user* may read, in their order."""
    return [d for d in docs if may_read(session, user, d)]


# --------------------------------------------------------------------------- issuing


def _refuse_issue(code: str, vi: str, en: str, field: str | None = None) -> Conflict:
    return Conflict(f'document.{code}', vi, en, field=field)


def _check_ready(session: Session, target: Target) -> None:
    """The round's data a document needs before it can be issued."""
    plan, kind = target.plan, target.kind
    if kind == 'plan':
        if plan.number is not None and not issued_for(session, target):
            raise _refuse_issue(
                'plan_numbered', f'Kế hoạch đã có số {plan.reference}'
                + (f' ngày {vnformat.date_short(plan.issue_date)}' if plan.issue_date else '')
                + '; không cấp số mới cho kế hoạch đã ban hành.',
                f'The plan already has number {plan.reference} (issued outside inspect_flow); it gets no new number.')
        return
    if plan.number is None or plan.issue_date is None:
        raise _refuse_issue('plan_not_issued', 'Kế hoạch chưa được ban hành (chưa có số và ngày); hãy ban hành kế '
                            'hoạch trước các văn bản thực hiện kế hoạch.',
                            'The plan has not been issued (no number and date); issue it before the documents that '
                            'carry it out.')
    if kind == 'team_decision':
        leaderless = [t.number for t in plan.teams if t.leader is None]
        if not plan.teams or leaderless:
            which = ', '.join(f'{n:02d}' for n in leaderless) or '-'
            raise _refuse_issue('team_without_leader', f'Chưa có Đoàn hoặc có Đoàn chưa có Trưởng đoàn ({which}).',
                                f'There are no teams, or some have no leader ({which}).')
    team = target.visit.team if target.visit is not None else target.team
    if team is not None and team.leader is None:
        raise _refuse_issue('team_without_leader', f'Đoàn số {team.number:02d} chưa có Trưởng đoàn để ký văn bản.',
                            f'Team {team.number} has no leader to sign the document.', field='team')
    if kind == 'minutes':
        if target.visit.state != VisitState.reviewed:
            raise _refuse_issue('visit_not_reviewed',
                                f'Kết quả buổi làm việc số {target.visit.id} chưa được Trưởng đoàn duyệt; chưa ban '
                                'hành được biên bản.',
                                f'The record of visit {target.visit.id} has not been reviewed by the team leader; '
                                'its minutes cannot be issued yet.', field='visit')
    elif kind == 'conclusion':
        exists = session.scalar(sa.select(Conclusion.id).where(Conclusion.plan_id == plan.id,
                                                               Conclusion.unit_id == target.unit.id))
        if exists is None:
            raise _refuse_issue('no_conclusion',
                                f'Chưa có kết luận của Trưởng đoàn đối với {target.unit.full_name}.',
                                f'There is no team-leader conclusion for {target.unit.full_name} yet.',
                                field='unit' if target.unit.level == UnitLevel.commune else 'district')
    elif kind == 'team_report':
        visits = [v for v in plan.visits if v.team_id == target.team.id and v.state != VisitState.cancelled]
        pending = [v.id for v in visits if v.state != VisitState.reviewed]
        if not visits or pending:
            raise _refuse_issue('team_not_done', f'Đoàn số {target.team.number:02d} còn buổi làm việc chưa được duyệt '
                                f'({", ".join(map(str, pending)) or "chưa có buổi nào"}).',
                                f'Team {target.team.number} has visits not reviewed yet '
                                f'({", ".join(map(str, pending)) or "no visit at all"}).', field='team')
    elif kind == 'report' and plan.state not in (PlanState.conclusions, PlanState.closed):
        raise _refuse_issue('round_not_concluded', 'Vòng kiểm tra chưa đến giai đoạn kết luận; chưa ban hành được '
                            'báo cáo kết quả.', 'The round has not reached its conclusions; its report cannot be '
                            'issued yet.')


def is_ready(session: Session, target: Target) -> bool:
    """Whether the round's data *target* needs is there, so it could be issued now (the "my work" list)."""
    try:
        _check_ready(session, target)
    except DomainError:
        return False
    return True


def target_params(target: Target) -> dict:
    """The parameters naming *target* as the documents page, its forms and its drafts take them:
    ``{'kind', 'visit'}``, ``{'kind', 'district' | 'unit'}`` (a district, or a commune), ``{'kind', 'team'}``."""
    out: dict = {'kind': target.kind}
    if target.visit is not None:
        out['visit'] = target.visit.id
    if target.unit is not None:
        out['district' if target.unit.level == UnitLevel.district else 'unit'] = target.unit.code
    if target.team is not None:
        out['team'] = target.team.number
    return out


def _earliest_date(target: Target) -> date | None:
    """The first day a document about *target* can bear: not before what it reports."""
    plan = target.plan
    visits = [v for v in plan.visits if v.state != VisitState.cancelled]
    if target.kind == 'minutes':
        return target.visit.starts_at.date()
    if target.kind == 'conclusion':
        return max(v.starts_at.date() for v in visits if v.conclusion_unit_id == target.unit.id)
    if target.kind == 'team_report':
        return max(v.starts_at.date() for v in visits if v.team_id == target.team.id)
    if target.kind == 'report':
        return max((v.starts_at.date() for v in visits), default=plan.fieldwork_end)
    if target.kind == 'team_decision':
        return plan.issue_date
    return None


def _check_date(session: Session, target: Target, issue_date: date) -> None:
    """The date of issue against today, the plan's dates, what the document reports and its deadlines."""
    plan, when = target.plan, vnformat.date_short(issue_date)
    if issue_date > today():
        raise InvalidInput('document.date_in_future', f'Ngày ban hành {when} chưa đến.',
                           f'The date of issue {issue_date.isoformat()} is in the future.', field='date')
    if target.kind != 'plan' and plan.issue_date is not None and issue_date < plan.issue_date:
        raise InvalidInput('document.date_before_plan',
                           f'Ngày ban hành {when} sớm hơn ngày ban hành Kế hoạch số {plan.reference} '
                           f'({vnformat.date_short(plan.issue_date)}) mà văn bản thực hiện.',
                           f'The date of issue {issue_date.isoformat()} is before the plan {plan.reference} it carries '
                           f'out was issued ({plan.issue_date.isoformat()}).', field='date')
    if target.kind in ('plan', 'team_decision') and plan.fieldwork_start and issue_date > plan.fieldwork_start:
        what = ('Kế hoạch', 'plan') if target.kind == 'plan' else ('Quyết định thành lập Đoàn', 'decision forming the '
                                                                    'teams')
        raise InvalidInput('document.date_after_fieldwork',
                           f'Ngày ban hành {when} muộn hơn ngày bắt đầu kiểm tra, giám sát '
                           f'({vnformat.date_short(plan.fieldwork_start)}): {what[0]} phải được ban hành trước khi '
                           'các Đoàn làm việc.',
                           f'The date of issue {issue_date.isoformat()} is after fieldwork starts '
                           f'({plan.fieldwork_start.isoformat()}): the {what[1]} must be issued before the teams go '
                           'out.',
                           field='date')
    earliest = _earliest_date(target)
    if earliest is not None and issue_date < earliest:
        raise InvalidInput('document.date_too_early',
                           f'Ngày ban hành {when} sớm hơn ngày '
                           f'{vnformat.date_short(earliest)} mà văn bản ghi nhận.',
                           f'The date of issue {issue_date.isoformat()} is before {earliest.isoformat()}, '
                           'which the document reports on.', field='date')
    passed = [(k, d) for k, d in sources.document_deadlines(session, target) if d < issue_date]
    if passed:
        vi = '; '.join(f'kiến nghị {k}: {vnformat.date_short(d)}' for k, d in passed)
        en = '; '.join(f'recommendation {k}: {d.isoformat()}' for k, d in passed)
        raise InvalidInput('document.date_after_deadline',
                           f'Ngày ban hành {when} muộn hơn thời hạn văn bản đặt ra ({vi}); không giao được một thời '
                           'hạn đã qua. Hãy sửa thời hạn hoặc ngày ban hành.',
                           f'The date of issue {issue_date.isoformat()} is after deadlines the document sets ({en}); '
                           'a deadline already past cannot be set. Correct the deadline or the date of issue.',
                           field='date')


def _check_supersedes(session: Session, target: Target, supersedes: IssuedDocument | int | str | None
                      ) -> IssuedDocument | None:
    current = current_issued(session, target)
    if supersedes is None:
        if current is not None:
            raise Conflict('document.already_issued',
                           f'{sources.KIND_LABELS[target.kind][0]} này đã được ban hành: số {current.reference} ngày '
                           f'{vnformat.date_short(current.issue_date)} (văn bản #{current.id}). Văn bản đã ban hành '
                           f'không sửa được; để đính chính, ban hành văn bản mới thay thế (--supersedes {current.id}).',
                           f'This document was already issued as {current.reference} on '
                           f'{current.issue_date.isoformat()} (document #{current.id}). An issued document cannot '
                           f'change; to correct it, issue a new one that replaces it (--supersedes {current.id}).')
        return None
    old = supersedes if isinstance(supersedes, IssuedDocument) else get_document(session, supersedes)
    if old.state != DocumentState.issued or old not in issued_for(session, target):
        raise InvalidInput('document.supersedes_mismatch',
                           f'Văn bản #{old.id} không phải {sources.KIND_LABELS[target.kind][0].lower()} đã ban hành '
                           'về cùng nội dung; không thay thế được.',
                           f'Document #{old.id} is not an issued {sources.KIND_LABELS[target.kind][1].lower()} about '
                           'the same subject; it cannot be replaced by this one.', field='supersedes')
    if current is not None and old.id != current.id:
        raise Conflict('document.already_superseded',
                       f'Văn bản #{old.id} đã được thay thế; văn bản hiện hành là số {current.reference} '
                       f'(#{current.id}).',
                       f'Document #{old.id} has already been replaced; the one in force is {current.reference} '
                       f'(#{current.id}).', field='supersedes')
    return old


def _ref_of(doc: IssuedDocument, issuer_name: str) -> vm.DocumentRef:
    return vm.DocumentRef(type_code=doc.type_code, number=doc.number, issuer_abbreviation=doc.symbol.split('-', 1)[1],
                          issued_on=doc.issue_date, issuer_name=issuer_name)


def check_issuable(session: Session, target: Target, *, issue_date: date, signer: SignerIn) -> None:
    """Everything :func:`issue_document` checks before it takes a number (not whether it was issued already).

    :raise InvalidInput: an annex, no signer or a signature against the rules of authority, a bad date
    :raise Conflict: not ready to be issued (visit not reviewed, no conclusion…)
    """
    kind = target.kind
    spec = KINDS[kind]
    if spec.type_code is None:
        raise InvalidInput('document.not_issuable',
                           f'{sources.KIND_LABELS[kind][0]} là phụ lục kèm theo Kế hoạch, không có số riêng; hãy ban '
                           'hành Kế hoạch.',
                           f'The {sources.KIND_LABELS[kind][1].lower()} is an annex of the plan and has no number of '
                           'its own; issue the plan.', field='kind')
    if kind in sources.COMMITTEE_KINDS and not (signer.name and signer.name.strip()):
        raise InvalidInput('document.signer_required',
                           'Cần ghi họ tên người ký văn bản của Ban Chỉ đạo (--signer).',
                           "The name of the committee's signer is required (--signer).", field='signer')
    signer.signature()  # refuse a bad authority prefix before a number is taken
    if kind in sources.COMMITTEE_KINDS:
        signer.check_authority()
    _check_ready(session, target)
    _check_date(session, target, issue_date)


def issue_document(session: Session, plan: Plan, kind: str, *, actor: str, visit=None, unit=None,  # noqa: ANN001
                   team=None, issue_date: date | None = None, signer: SignerIn | None = None,
                   drafting_unit: str | None = None,
                   supersedes: IssuedDocument | int | str | None = None, district=None) -> IssuedDocument:  # noqa: ANN001
    """Issue one document: allocate its number now, freeze its PDF/A and SHA-256, audit it.

    :param unit: the concluded unit of a conclusion notice (a district, or a commune in two tiers); *district*
        is its 2019 name, still accepted
    :param issue_date: the date printed in the document (default: today); its year picks the register
    :param signer: who signs for the committee; required for the committee's documents (plan,
        decision, conclusion notice, round report); the team leader signs a team's documents
    :param drafting_unit: the drafting unit's code for ``Lưu: VT, …``
    :param supersedes: the issued document (or its id) this one corrects
    :raise InvalidInput: unknown kind, bad target, no signer, a signature against NĐ 30's rules of authority
        (:meth:`~inspect_flow.documents.sources.SignerIn.check_authority`), a date before the facts or the plan,
        in the future, after the fieldwork began (plan, decision) or after a deadline the document sets,
        a *supersedes* that is not the same document
    :raise NotFound: no such visit, team or document
    :raise Conflict: already issued, not ready to be issued (visit not reviewed, no conclusion…)
    """
    target = _target(session, plan, kind, visit, unit, team, district)
    signer = signer or SignerIn()
    issue_date = issue_date or today()
    check_issuable(session, target, issue_date=issue_date, signer=signer)
    spec = KINDS[kind]
    _check_supersedes(session, target, supersedes)  # refuse early, before waiting for the register

    issuer = plan.issuer
    # Everything from the number on happens in a savepoint: a failure gives the number back even when
    # the caller's transaction goes on (the register has no gap).
    with session.begin_nested():
        number = allocate_number(session, issuer, issue_date.year, spec.type_code)
        # Checked again now that the register is held: an officer who issued the same document a moment
        # ago has committed by now (PostgreSQL row lock, SQLite write lock), so it is never issued twice.
        old = _check_supersedes(session, target, supersedes)
        doc = _freeze(session, target, spec.type_code, number, issue_date, signer, drafting_unit, old, actor)
        if old is not None:
            _close_replacement(session, old, doc, actor)
    return doc


def _freeze(session: Session, target: Target, type_code: str, number: int, issue_date: date, signer: SignerIn,
            drafting_unit: str | None, old: IssuedDocument | None, actor: str) -> IssuedDocument:
    """Render the final PDF/A with *number* and store it, frozen, with its SHA-256 and an audit entry."""
    view, pdf = render_issued(session, target, number, issue_date, signer, drafting_unit, old)
    return store_issued(session, target, type_code, number, issue_date, signer, view, pdf, old, actor)


def render_issued(session: Session, target: Target, number: int, issue_date: date, signer: SignerIn,
                  drafting_unit: str | None, old: IssuedDocument | None = None, data=None):  # noqa: ANN001, ANN201
    """The view model and PDF/A of *target* issued with *number* on *issue_date* (nothing stored).

    The view model is built from the session; the PDF is laid out from it alone, so a caller may close its
    transaction first (a batch renders outside any transaction)."""
    issuer = target.plan.issuer
    replaces = _ref_of(old, issuer.name) if old is not None else None
    view = sources.build_view_model(session, target, number=number, issued_on=issue_date, signer=signer,
                                    drafting_unit=drafting_unit, replaces=replaces, data=data)
    return view, render_pdf(target.kind, view, pdf_variant=ISSUED_PDF_VARIANT)


def store_issued(session: Session, target: Target, type_code: str, number: int, issue_date: date, signer: SignerIn,
                 view, pdf: bytes, old: IssuedDocument | None, actor: str) -> IssuedDocument:  # noqa: ANN001
    """Store the issued document *target* with its *number* and rendered *pdf*, frozen, with an audit entry."""
    plan, kind, issuer = target.plan, target.kind, target.plan.issuer
    doc = IssuedDocument(
        plan_id=plan.id, issuer_id=issuer.id, kind=kind, type_code=type_code, year=issue_date.year,
        number=number, symbol=vnformat.symbol(type_code, issuer.abbreviation), subject=view.meta.subject,
        state=DocumentState.issued, issue_date=issue_date,
        visit_id=target.visit.id if target.visit is not None else None,
        unit_id=target.unit.id if target.unit is not None else None,
        team_id=target.team.id if target.team is not None else None,
        supersedes_id=old.id if old is not None else None,
        pdf=pdf, sha256=sha256_of(pdf), issued_by=actor, issued_dt=utcnow(),
    )
    session.add(doc)
    session.flush()
    record_create(doc, actor=actor, comment=f'Ban hành {doc.reference}', fields={
        'kind': kind, 'reference': doc.reference, 'issue_date': issue_date, 'sha256': doc.sha256,
        'signer': signer.as_dict() if kind in sources.COMMITTEE_KINDS else None,
        'supersedes_id': doc.supersedes_id, 'visit_id': doc.visit_id, 'unit_id': doc.unit_id,
        'team_id': doc.team_id,
    })
    if kind == 'plan':
        apply_changes(plan, {'number': number, 'issue_date': issue_date}, actor=actor,
                      comment=f'Ban hành kế hoạch số {doc.reference}')
        session.flush()
    return doc


# --------------------------------------------------------------------------- locks and replacements


def pending_replacement(session: Session, doc: IssuedDocument) -> DocumentReplacement | None:
    """The replacement of *doc* being prepared, if one is open."""
    return session.scalar(sa.select(DocumentReplacement).where(DocumentReplacement.document_id == doc.id,
                                                               DocumentReplacement.closed_dt.is_(None)))


def locking_documents(session: Session, targets: list[Target]) -> list[IssuedDocument]:
    """The issued documents in force about *targets* that lock what they carry: those with no replacement being
    prepared (:func:`open_replacement`)."""
    out = []
    for target in targets:
        current = current_issued(session, target)
        if current is not None and pending_replacement(session, current) is None:
            out.append(current)
    return out


def open_replacement(session: Session, doc: IssuedDocument, *, reason: str, actor: str) -> DocumentReplacement:
    """Start preparing a replacement of the issued document *doc*: what it carries can be corrected again
    until the replacement is issued (``issue_document(..., supersedes=doc)``); audited with *reason*.

    :raise InvalidInput: no reason (field ``reason``)
    :raise Conflict: *doc* is not an issued document in force, or a replacement is already being prepared
    """
    reason = (reason or '').strip()
    if not reason:
        raise InvalidInput('replacement.reason_required', 'Phải nêu lý do thay thế văn bản.',
                           'A reason for replacing the document is required.', field='reason')
    if doc.state != DocumentState.issued or current_issued(session, target_of(session, doc)) is not doc:
        raise Conflict('replacement.not_in_force', f'Văn bản #{doc.id} không phải văn bản đang có hiệu lực; '
                       'chỉ thay thế được văn bản hiện hành.',
                       f'Document #{doc.id} is not the document in force; only that one can be replaced.',
                       field='document')
    if pending_replacement(session, doc) is not None:
        raise Conflict('replacement.already_open', f'Đang soạn văn bản thay thế số {doc.reference}.',
                       f'A replacement of {doc.reference} is already being prepared.', field='document')
    rep = DocumentReplacement(document=doc, document_id=doc.id, reason=reason, opened_by=actor, opened_dt=utcnow())
    session.add(rep)
    session.flush()
    record_create(rep, actor=actor, comment=reason, fields={'document_id': doc.id, 'reference': doc.reference})
    return rep


def _close_replacement(session: Session, old: IssuedDocument, new: IssuedDocument, actor: str) -> None:
    rep = pending_replacement(session, old)
    if rep is not None:
        apply_changes(rep, {'replaced_by_id': new.id, 'closed_dt': utcnow()}, actor=actor,
                      comment=f'Ban hành {new.reference} thay thế {old.reference}')
        session.flush()
