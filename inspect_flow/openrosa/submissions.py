"""A submission from ODK Collect or KoboCollect becomes the visit's record.

The XML instance is read into the same answers the web form and the JSON API record (``{item: value}``, a
repeat as a list of rows), its photos are stored as evidence (re-encoded without EXIF by
:func:`inspect_flow.evidence.operations.store_evidence`), then the visit is written by the same operations:
:func:`inspect_flow.visits.operations.save_answers` (the draft, checked attachable as for the API) and
:func:`inspect_flow.visits.operations.submit_visit` (the submit guard's validation, the checklist's finding
rules). A submission whose submit the server refuses is kept as the visit's draft, its problems recorded
here and listed on the visit page: it is never lost.

``instanceID`` rules (as ODK Central): the same instance with the same bytes is answered again without a second
write (a retry, or a later part of a submission sent in several requests, which brings the attachments that
were missing); the same instance with other bytes is refused (409); ``deprecatedID`` makes it an edit of that
earlier instance (which is then ``replaced``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element

import sqlalchemy as sa
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from sqlalchemy.orm import Session

from inspect_flow.accounts import access
from inspect_flow.checklist.model import Checklist
from inspect_flow.core.errors import Conflict, DomainError, InvalidInput, NotFound
from inspect_flow.core.limits import check_json
from inspect_flow.openrosa.forms import CONTEXT_FIELDS, CONTEXT_GROUP, visit_id_of
from inspect_flow.openrosa.models import OpenRosaSubmission
from inspect_flow.plans.checklists import visit_checklist
from inspect_flow.visits.models import Visit

_INTEGER = re.compile(r'-?\d{1,15}')
_DECIMAL = re.compile(r'-?(\d{1,15}(\.\d*)?|\.\d+)')
MAX_ID = 120
#: How deep groups may nest in an instance (our forms: sections, a repeat in a section).
MAX_DEPTH = 20
JR_TEMPLATE = '{http://openrosa.org/javarosa}template'


class BadSubmission(DomainError):
    """The submission's XML cannot be read as an instance of one of our forms (400)."""

    status = 400


class NotAllowed(DomainError):
    """The token's user may not record this visit (403)."""

    status = 403


@dataclass(frozen=True)
class Instance:
    """What a submission's XML says about itself."""

    form_id: str
    version: str
    instance_id: str
    deprecated_id: str | None
    root: Element


@dataclass
class Receipt:
    """What happened to a submission (the view answers 201 with its message)."""

    outcome: str  # submitted | draft
    message_vi: str
    message_en: str
    replayed: bool = False
    problems: list[dict[str, Any]] = field(default_factory=list)

    def message(self, lang: str) -> str:
        return self.message_en if lang == 'en' else self.message_vi


def _local(tag: str) -> str:
    return tag.rsplit('}', 1)[-1]


def _child(elem: Element, name: str) -> Element | None:
    for child in elem:
        if _local(child.tag) == name:
            return child
    return None


def parse_instance(data: bytes) -> Instance:
    """Read a submission's XML (no DTD, no entities: defusedxml).

    :raise BadSubmission: not well-formed XML (naming the line and column), or without the form's id or the
        ``meta/instanceID``
    """
    if not data or not data.strip():
        raise BadSubmission('openrosa.empty', 'Tệp xml_submission_file rỗng.', 'xml_submission_file is empty.',
                            field='xml_submission_file')
    try:
        root = fromstring(data, forbid_dtd=True)
    except ParseError as exc:
        line, column = getattr(exc, 'position', (0, 0))
        raise BadSubmission('openrosa.bad_xml',
                            f'xml_submission_file không phải XML hợp lệ (dòng {line}, cột {column}): {exc}.',
                            f'xml_submission_file is not well-formed XML (line {line}, column {column}): {exc}.',
                            field='xml_submission_file') from None
    except DefusedXmlException as exc:
        raise BadSubmission('openrosa.xml_forbidden',
                            f'xml_submission_file chứa DTD hoặc thực thể, không được nhận ({type(exc).__name__}).',
                            f'xml_submission_file holds a DTD or entities, which are refused ({type(exc).__name__}).',
                            field='xml_submission_file') from None
    form = (root.get('id') or '').strip()
    if not form:
        raise BadSubmission('openrosa.no_form_id', 'Thiếu mã biểu mẫu (thuộc tính id của phần tử gốc).',
                            'The form id (the id attribute of the root element) is missing.', field='id')
    meta = _child(root, 'meta')
    instance = _child(meta, 'instanceID') if meta is not None else None
    instance_id = (instance.text or '').strip() if instance is not None else ''
    if not instance_id:
        raise BadSubmission('openrosa.no_instance_id', 'Thiếu meta/instanceID.', 'meta/instanceID is missing.',
                            field='meta/instanceID')
    if len(instance_id) > MAX_ID:
        raise BadSubmission('openrosa.long_instance_id', f'meta/instanceID dài quá {MAX_ID} ký tự.',
                            f'meta/instanceID is longer than {MAX_ID} characters.', field='meta/instanceID')
    deprecated = _child(meta, 'deprecatedID')
    deprecated_id = (deprecated.text or '').strip()[:MAX_ID] or None if deprecated is not None else None
    return Instance(form_id=form, version=(root.get('version') or '')[:80], instance_id=instance_id,
                    deprecated_id=deprecated_id, root=root)


def _value(checklist: Checklist, item_id: str, elem: Element) -> Any:  # noqa: ANN401
    """An answer as the web form records it; what cannot be read is kept as sent (drafts lose nothing)."""
    text = (elem.text or '').strip()
    if text == '':
        return None
    kind = checklist.item(item_id).type.value
    if kind == 'select_multiple':
        return text.split()
    if kind == 'integer' and _INTEGER.fullmatch(text):
        return int(text)
    if kind in ('decimal', 'percentage') and _DECIMAL.fullmatch(text):
        return float(text)
    return text


def read_answers(checklist: Checklist, root: Element) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The checklist's answers in an instance, and the attachments its evidence items name
    (``{file name: [answer paths]}``; a path is ``item`` or ``repeat.row.item``).

    Groups are walked through; ``meta``, the visit context group, notes and calculations (the server computes
    them) are not answers."""
    answers: dict[str, Any] = {}
    files: dict[str, list[str]] = {}
    skip = {'meta', CONTEXT_GROUP, *CONTEXT_FIELDS}

    def walk(elem: Element, into: dict[str, Any], prefix: str, depth: int = 0) -> None:
        if depth > MAX_DEPTH:
            raise BadSubmission('openrosa.too_deep', f'xml_submission_file lồng nhau quá {MAX_DEPTH} cấp.',
                                f'xml_submission_file is nested more than {MAX_DEPTH} levels deep.',
                                field='xml_submission_file')
        for child in elem:
            name = _local(child.tag)
            if name in skip and not checklist.has_item(name):
                continue
            if checklist.has_item(name):
                item = checklist.item(name)
                kind = item.type.value
                if kind == 'repeat':
                    if JR_TEMPLATE in child.attrib:  # a repeat's template row, not an answer
                        continue
                    rows = into.setdefault(name, [])
                    row: dict[str, Any] = {}
                    walk(child, row, f'{prefix}{name}.{len(rows)}.', depth + 1)
                    rows.append(row)
                elif kind in ('note', 'calculate'):
                    continue
                else:
                    value = _value(checklist, name, child)
                    into[name] = value
                    if kind == 'evidence' and isinstance(value, str):
                        files.setdefault(value, []).append(prefix + name)
            elif len(child):
                walk(child, into, prefix, depth + 1)  # a group (a section)

    walk(root, answers, '')
    return answers, files


def _set(answers: dict[str, Any], path: str, value: Any) -> None:  # noqa: ANN401
    parts = path.split('.')
    target: Any = answers
    for part in parts[:-1]:
        target = target[int(part)] if part.isdigit() else target[part]
    target[parts[-1]] = value


def receive(session: Session, *, user, token_id: int | None, xml: bytes,  # noqa: ANN001
            attachments: dict[str, bytes], max_file_bytes: int) -> Receipt:
    """Take one submission (one POST): the instance's XML and the attachments sent with it.

    :raise BadSubmission: unreadable XML (400)
    :raise NotFound: the form names no visit of ours (404)
    :raise NotAllowed: *user* may not record the visit (403)
    :raise Conflict: the instanceID was used for other bytes, the edit names an instance of another visit or one
        already edited, the visit's record is closed (409)
    """
    from inspect_flow.evidence.operations import store_evidence
    from inspect_flow.visits.operations import save_answers, submit_visit

    instance = parse_instance(xml)
    visit_id = visit_id_of(instance.form_id)
    visit = session.get(Visit, visit_id) if visit_id is not None else None
    if visit is None:
        raise NotFound('openrosa.no_form', f'Không có biểu mẫu "{instance.form_id}" trên máy chủ.',
                       f'There is no form "{instance.form_id}" on this server.', field='id')
    if not user.is_active or not access.can_edit_visit(user, visit):
        raise NotAllowed('openrosa.not_yours', 'Bạn không ghi kết quả cho buổi làm việc này.',
                         'You do not record this visit.', field='id')
    digest = hashlib.sha256(xml).hexdigest()
    known = session.scalar(sa.select(OpenRosaSubmission).where(OpenRosaSubmission.instance_id == instance.instance_id))
    if known is not None:
        if known.xml_sha256 != digest or known.visit_id != visit.id:
            raise Conflict('openrosa.instance_reused',
                           f'Mã bản ghi {instance.instance_id} đã được gửi với nội dung khác.',
                           f'Instance {instance.instance_id} was already sent with other content.',
                           field='meta/instanceID')
        waiting = [name for name, ref in (known.attachments or {}).items() if ref is None and name in attachments]
        if not waiting or known.outcome != 'draft':
            return _receipt(known, replayed=True)
        row = known  # a later part of the same instance: it brings attachments that were missing
    else:
        row = None
    checklist = visit_checklist(visit)
    if checklist is None:
        raise Conflict('openrosa.no_checklist', 'Buổi làm việc này không có phiếu kiểm tra để ghi.',
                       'This visit has no checklist to record.', field='id')
    previous = None
    if row is None and instance.deprecated_id:
        previous = session.scalar(sa.select(OpenRosaSubmission)
                                  .where(OpenRosaSubmission.instance_id == instance.deprecated_id))
        if previous is not None and previous.visit_id != visit.id:
            raise Conflict('openrosa.edit_other_visit',
                           f'Bản sửa thay cho {instance.deprecated_id}, là bản ghi của buổi làm việc khác.',
                           f'The edit replaces {instance.deprecated_id}, which records another visit.',
                           field='meta/deprecatedID')
        if previous is not None and previous.replaced_by:
            raise Conflict('openrosa.edited_twice',
                           f'Bản ghi {instance.deprecated_id} đã được sửa bởi {previous.replaced_by}.',
                           f'Instance {instance.deprecated_id} was already edited by {previous.replaced_by}.',
                           field='meta/deprecatedID')
    if row is None:
        # The row first: a concurrent request with the same instance meets the unique index at once.
        row = OpenRosaSubmission(instance_id=instance.instance_id, visit_id=visit.id, user_id=user.id,
                                 token_id=token_id, form_version=instance.version, deprecated_id=instance.deprecated_id,
                                 xml_sha256=digest, xml=xml, outcome='draft', problems=[], attachments={})
        session.add(row)
        session.flush()

    answers, named = read_answers(checklist, instance.root)
    check_json(answers, 'xml_submission_file')  # text lengths, numbers in 64 bits: as the API's answers
    actor = f'collect:{user.username}'
    problems: list[dict[str, Any]] = []
    stored = dict(row.attachments or {})
    for name, paths in named.items():
        ref = stored.get(name)
        if ref is None and name in attachments:
            try:
                ref = store_evidence(session, attachments[name], filename=name, actor=actor, uploaded_by=user.id,
                                     max_bytes=max_file_bytes).ref
            except InvalidInput as exc:
                problems.append({'field': paths[0], 'message': f'Tệp {name}: {exc.message_vi}',
                                 'message_en': f'File {name}: {exc.message_en}'})
        stored[name] = ref
        for path in paths:
            _set(answers, path, ref)
        if ref is None and not any(p['field'] == paths[0] for p in problems):
            problems.append({'field': paths[0], 'message': f'Chưa nhận được tệp đính kèm {name}.',
                             'message_en': f'The attachment {name} has not arrived.'})
    row.attachments = stored
    save_answers(session, visit, answers, actor=actor, by=user)
    if problems:
        # not submitted while a file is missing (it may come in a later request): what else a submit would refuse
        from inspect_flow.visits.capture import answer_errors

        named_fields = {p['field'] for p in problems}
        problems += [{'field': e['field'], 'message': e['message'], 'message_en': e['message_en']}
                     for e in answer_errors(visit) if e['field'] not in named_fields]
    else:
        try:
            with session.begin_nested():
                submit_visit(session, visit, actor=actor, by=user)
        except DomainError as exc:
            session.refresh(visit)
            problems = _problems(exc)
    row.outcome = 'draft' if problems else 'submitted'
    row.problems = problems
    if previous is not None:
        previous.replaced_by = instance.instance_id
        previous.outcome = 'replaced'
    session.flush()
    return _receipt(row)


def _problems(exc: DomainError) -> list[dict[str, Any]]:
    """Each reason the submit was refused: one per checklist item when the answers are what failed."""
    out: list[dict[str, Any]] = []
    for detail in exc.details or ():
        items = detail.get('items') if isinstance(detail, dict) else None
        if items:
            out.extend({'field': i.get('field'), 'message': i.get('message'), 'message_en': i.get('message_en')}
                       for i in items)
        elif isinstance(detail, dict) and detail.get('message'):
            out.append({'field': detail.get('field'), 'message': detail['message'],
                        'message_en': detail.get('message_en') or detail['message']})
    return out or [{'field': exc.field, 'message': exc.message_vi, 'message_en': exc.message_en}]


def _receipt(row: OpenRosaSubmission, *, replayed: bool = False) -> Receipt:
    if row.outcome == 'draft':
        n = len(row.problems or [])
        return Receipt('draft', f'Đã nhận; lưu làm bản nháp của buổi làm việc vì còn {n} vấn đề cần sửa '
                                '(xem trang buổi làm việc).',
                       f'Received; kept as the visit\'s draft: {n} problem(s) to fix (see the visit page).',
                       replayed=replayed, problems=list(row.problems or []))
    return Receipt(row.outcome, 'Đã nhận và nộp kết quả buổi làm việc.', 'Received; the visit record was submitted.',
                   replayed=replayed)


def pending_problems(session: Session, visit: Visit) -> OpenRosaSubmission | None:
    """The visit's latest Collect submission when it was kept as a draft (its problems to show), else ``None``.

    Once the visit's record is submitted some other way (the web form), the draft's problems are moot."""
    from inspect_flow.workflow.states import VisitState

    if visit.state not in (VisitState.scheduled, VisitState.in_progress, VisitState.returned):
        return None
    row = session.scalar(sa.select(OpenRosaSubmission).where(OpenRosaSubmission.visit_id == visit.id)
                         .where(OpenRosaSubmission.outcome != 'replaced')
                         .order_by(OpenRosaSubmission.id.desc()).limit(1))
    return row if row is not None and row.outcome == 'draft' else None
