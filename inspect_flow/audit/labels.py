"""The audit trail as people read it: names instead of ids and codes, Vietnamese dates in local time, labels
instead of stored values ("đã hoàn thành", not ``True``; "Phó Trưởng ban — Nguyễn Văn A", not a dict).

The history page and the CLI's ``history`` table show :func:`describe`; ``history --json`` keeps the raw entries.
No Flask: the language is a parameter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspect_flow.audit.models import AuditEntry
from inspect_flow.core.clock import LOCAL_TZ

EMPTY = '∅'

#: What each audited object is called.
ENTITY_LABELS = {
    'plan': ('Kế hoạch', 'Plan'), 'team': ('Đoàn', 'Team'), 'visit': ('Buổi làm việc', 'Visit'),
    'finding': ('Kết quả', 'Finding'), 'conclusion': ('Kết luận', 'Conclusion'),
    'recommendation': ('Kiến nghị', 'Recommendation'), 'issueddocument': ('Văn bản', 'Document'),
    'planchecklist': ('Bộ câu hỏi', 'Checklist'), 'user': ('Tài khoản', 'Account'),
    'issuingbody': ('Cơ quan ban hành', 'Issuing body'),
    'followupcheck': ('Kiểm tra kiến nghị trước', 'Check of an earlier recommendation'),
}
#: The names of the changed fields.
FIELD_LABELS = {
    'addressee': ('Đơn vị nhận', 'Addressee'), 'addressee_label': ('Đơn vị nhận', 'Addressee'),
    'answers': ('Câu trả lời', 'Answers'), 'category': ('Nhóm', 'Category'),
    'checklist_id': ('Bộ câu hỏi', 'Checklist'), 'commune': ('Xã', 'Commune'),
    'completed': ('Hoàn thành', 'Completed'), 'content': ('Nội dung biên bản', 'Minutes content'),
    'deadline': ('Thời hạn', 'Deadline'), 'district': ('Huyện', 'District'), 'district_id': ('Huyện', 'District'),
    'ends_at': ('Kết thúc', 'Ends'), 'households': ('Hộ tham vấn', 'Households'),
    'issue_date': ('Ngày ban hành', 'Date of issue'), 'kind': ('Loại', 'Kind'), 'member': ('Thành viên', 'Member'),
    'number': ('Số', 'Number'), 'reference': ('Số, ký hiệu', 'Reference'), 'report': ('Báo cáo', 'Report'),
    'role': ('Vai trò', 'Role'), 'sha256': ('SHA-256', 'SHA-256'), 'signer': ('Người ký', 'Signer'),
    'starts_at': ('Bắt đầu', 'Starts'), 'status': ('Trạng thái', 'Status'), 'subject': ('Trích yếu', 'Subject'),
    'summary': ('Đánh giá chung', 'Summary'), 'supersedes_id': ('Thay thế văn bản', 'Replaces'),
    'targets': ('Địa bàn', 'Targets'), 'team': ('Đoàn', 'Team'), 'team_id': ('Đoàn', 'Team'),
    'text': ('Nội dung', 'Text'), 'version': ('Phiên bản', 'Version'), 'visit_id': ('Buổi làm việc', 'Visit'),
    'unit': ('Đơn vị được kết luận', 'Concluded unit'), 'unit_id': ('Đơn vị được kết luận', 'Concluded unit'),
    'clusters': ('Cụm xã', 'Clusters'), 'coverage_rule': ('Phạm vi', 'Coverage'),
    'households_per_commune': ('Số hộ tham vấn mỗi xã', 'Households per commune'),
    'fieldwork_start': ('Bắt đầu kiểm tra', 'Fieldwork starts'),
    'fieldwork_end': ('Kết thúc kiểm tra', 'Fieldwork ends'),
    'severity': ('Mức độ', 'Severity'), 'place': ('Địa điểm', 'Place'), 'legal_bases': ('Căn cứ', 'Legal bases'),
    'objectives': ('Mục đích, yêu cầu', 'Objectives'), 'source': ('Nguồn', 'Source'),
    'evidence': ('Minh chứng', 'Evidence'), 'rule_id': ('Quy tắc', 'Rule'),
    'recipient': ('Người nhận', 'Recipient'), 'email': ('Thư điện tử', 'E-mail'), 'due_day': ('Hạn', 'Due'),
    'outcome': ('Kết quả kiểm tra', 'Outcome'), 'note': ('Nhận xét', 'Note'),
    'recommendation': ('Kiến nghị', 'Recommendation'), 'recurrence': ('Lặp lại', 'Recurrence'),
    'source_plan': ('Tạo từ kế hoạch', 'Created from'), 'next_round': ('Kỳ sau', 'Next round'),
    'state_before': ('Trạng thái trước', 'State before'), 'state_after': ('Trạng thái sau', 'State after'),
    'draw_seed': ('Mã gieo', 'Seed'), 'draw_result': ('Xã được chọn ngẫu nhiên', 'Communes drawn'),
}
#: Fields whose whole value is too long for a history line: only the field's name is shown.
BULKY = frozenset({'answers', 'content'})
#: A stored value → its label, per field.
VALUE_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    'severity': {'low': ('thấp', 'low'), 'medium': ('trung bình', 'medium'), 'high': ('cao', 'high')},
    'status': {'suggested': ('gợi ý', 'suggested'), 'accepted': ('đã chấp nhận', 'accepted'),
               'rejected': ('không chấp nhận', 'rejected')},
    'source': {'report': ('nghe báo cáo', 'reports heard'), 'records': ('kiểm tra hồ sơ', 'records checked'),
               'household': ('tham vấn hộ', 'household consultation'), 'observation': ('quan sát', 'observation'),
               'checklist': ('phiếu kiểm tra', 'checklist')},
    'role': {'leader': ('Trưởng đoàn', 'Team leader'), 'deputy': ('Phó Trưởng đoàn', 'Deputy leader'),
             'member': ('Thành viên', 'Member'), 'secretary': ('Thư ký', 'Secretary')},
    'coverage_rule': {'none': ('không ràng buộc', 'no rule'),
                      'one_commune_per_district': ('mỗi huyện một xã', 'one commune per district'),
                      'per_former_district': ('mỗi huyện cũ một xã', 'one commune per former district'),
                      'per_cluster': ('mỗi cụm một xã', 'one commune per cluster')},
}
#: Yes/no per field; ``completed`` is the addressee's report saying the recommendation is carried out.
BOOLEANS = {'completed': (('đã hoàn thành', 'completed'), ('chưa', 'not yet'))}
YES_NO = (('có', 'yes'), ('không', 'no'))
ACTIONS = {'create': ('tạo', 'created'), 'update': ('sửa', 'edited'), 'delete': ('xóa', 'deleted'),
           'reminder': ('gửi thư nhắc việc', 'reminder e-mailed')}
#: Fields holding administrative unit codes (a code is read on the plan's days), or ids when a number.
UNIT_FIELDS = frozenset({'commune', 'district', 'unit', 'targets', 'district_id', 'unit_id'})
_ISO_DATE = re.compile(r'^\d{4}-\d{2}-\d{2}$')
_ISO_DATETIME = re.compile(r'^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$')


@dataclass
class Change:
    field: str
    label: str
    old: str
    new: str
    bulky: bool = False


@dataclass
class HistoryRow:
    """One entry as people read it."""

    id: int
    when: str
    who: str
    what: str
    action: str
    transition: tuple[str, str] | None
    changes: list[Change] = field(default_factory=list)
    comment: str | None = None
    #: ``create``, ``update``, ``delete`` or ``transition``.
    kind: str = ''

    @property
    def details(self) -> list[str]:
        """One line per changed field: ``Xã: Xã Nhuận Phú Tân`` when created (or deleted: the value it had),
        ``Thời hạn: 31/10/2019 → 30/11/2019`` when edited, the field's name alone for a whole record."""
        out = []
        for c in self.changes:
            if c.bulky:
                out.append(c.label)
            elif self.kind == 'create':
                out.append(f'{c.label}: {c.new}')
            elif self.kind == 'delete':
                out.append(f'{c.label}: {c.old}')
            else:
                out.append(f'{c.label}: {c.old} → {c.new}')
        return out


def local_time(dt: datetime) -> datetime:
    """A stored timestamp (naive UTC) in Vietnam's local time, naive."""
    return dt.replace(tzinfo=UTC).astimezone(LOCAL_TZ).replace(tzinfo=None)


def when_text(dt: datetime) -> str:
    """``12/07/2019 14:05``: a stored timestamp as a Vietnamese date and time, in local time."""
    return f'{local_time(dt):%d/%m/%Y %H:%M}'


class Describer:
    """Turns the audit entries of one plan into :class:`HistoryRow`, looking names up once each.

    :param plan: the plan the entries belong to (its days say which units a code means), or None
    """

    def __init__(self, session: Session, plan=None, lang: str = 'vi'):  # noqa: ANN001
        self.session = session
        self.plan = plan
        self.lang = 'en' if lang == 'en' else 'vi'
        self._cache: dict[tuple[str, Any], str] = {}
        self._unit_names: dict[str, str] | None = None

    def t(self, pair: tuple[str, str]) -> str:
        return pair[1] if self.lang == 'en' else pair[0]

    # --- names --------------------------------------------------------------------------------------

    def _cached(self, key: tuple[str, Any], find) -> str:  # noqa: ANN001
        if key not in self._cache:
            self._cache[key] = find()
        return self._cache[key]

    def actor(self, actor: str | None) -> str:
        """``web:thao.vpt`` → the account's full name; ``cli:root`` → ``root (dòng lệnh)``; ``demo`` → labelled."""
        if not actor:
            return EMPTY

        def find() -> str:
            from inspect_flow.accounts.models import User

            channel, _, name = actor.partition(':')
            if not name:
                return self.t(('Dữ liệu mẫu', 'Demo data')) if actor == 'demo' else actor
            if channel in ('web', 'api', 'collect'):
                full = self.session.scalar(sa.select(User.full_name).where(User.username == name))
                if full:
                    return {'web': full, 'api': f'{full} (API)', 'collect': f'{full} (ODK Collect)'}[channel]
                return name
            if channel == 'cli':
                return f'{name} ({self.t(("dòng lệnh", "command line"))})'
            return actor

        return self._cached(('actor', actor), find)

    def unit(self, value: Any) -> str:  # noqa: ANN401
        """A unit named by its code (read on the plan's days) or its id (a number)."""
        from inspect_flow.units.models import AdminUnit

        if value is None:
            return EMPTY
        if isinstance(value, int) and not isinstance(value, bool):
            return self._cached(('unit_id', value), lambda: getattr(self.session.get(AdminUnit, value),
                                                                   'full_name', f'#{value}'))
        code = str(value)
        if self._unit_names is None:
            self._unit_names = {}
            if self.plan is not None:
                from inspect_flow.units.operations import units_on

                self._unit_names = {u.code: u.full_name for u in units_on(self.session, self.plan.fieldwork_start)}
        if code in self._unit_names:
            return self._unit_names[code]
        return self._cached(('unit_code', code), lambda: self.session.scalar(
            sa.select(AdminUnit.full_name).where(AdminUnit.code == code).order_by(AdminUnit.id.desc()).limit(1))
            or code)

    def team(self, value: Any) -> str:  # noqa: ANN401
        """A team by its number (``team``) or its id (``team_id``)."""
        return self.t((f'Đoàn {value}', f'Team {value}'))

    def team_by_id(self, team_id: int) -> str:
        from inspect_flow.plans.models import Team

        return self._cached(('team', team_id), lambda: self.team(getattr(self.session.get(Team, team_id), 'number',
                                                                         f'#{team_id}')))

    def visit(self, visit_id: int) -> str:
        from inspect_flow.visits.models import Visit

        def find() -> str:
            v = self.session.get(Visit, visit_id)
            if v is None:
                return f'#{visit_id}'
            return f'{v.where} ({self.team(v.team.number)}, {v.starts_at:%d/%m/%Y})'

        return self._cached(('visit', visit_id), find)

    def document(self, doc_id: int) -> str:
        from inspect_flow.documents.models import IssuedDocument

        return self._cached(('doc', doc_id), lambda: getattr(self.session.get(IssuedDocument, doc_id), 'reference',
                                                             f'#{doc_id}'))

    def entity(self, entity_type: str, entity_id: int) -> str:
        """``Buổi làm việc: Xã Nhuận Phú Tân, Huyện Mỏ Cày Bắc (Đoàn 5, 12/07/2019)``; ``Kế hoạch 1245/KH-…``."""
        label = self.t(ENTITY_LABELS.get(entity_type, (entity_type, entity_type)))
        name = self._cached(('entity', entity_type, entity_id), lambda: self._entity_name(entity_type, entity_id))
        return f'{label}: {name}' if name else f'{label} #{entity_id}'

    def _entity_name(self, entity_type: str, entity_id: int) -> str | None:
        from inspect_flow.documents.models import IssuedDocument
        from inspect_flow.findings.models import Conclusion, Finding, Recommendation
        from inspect_flow.plans.models import Plan, PlanChecklist, Team

        s = self.session
        if entity_type == 'plan':
            plan = s.get(Plan, entity_id)
            return plan.reference if plan else None
        if entity_type == 'team':
            team = s.get(Team, entity_id)
            return str(team.number) if team else None
        if entity_type == 'visit':
            name = self.visit(entity_id)
            return None if name.startswith('#') else name
        if entity_type == 'finding':
            f = s.get(Finding, entity_id)
            if f is None:
                return None
            where = f.visit.commune.full_name if f.visit is not None else self.t(('cả đợt', 'the round'))
            return f'{f.category} — {where}'
        if entity_type == 'conclusion':
            c = s.get(Conclusion, entity_id)
            return c.unit.full_name if c else None
        if entity_type == 'recommendation':
            r = s.get(Recommendation, entity_id)
            return f'{r.number}. {r.addressee_label}' if r else None
        if entity_type == 'issueddocument':
            d = s.get(IssuedDocument, entity_id)
            return d.reference if d else None
        if entity_type == 'planchecklist':
            p = s.get(PlanChecklist, entity_id)
            return f'{p.title or p.checklist_id} ({p.version})' if p else None
        return None

    # --- values -------------------------------------------------------------------------------------

    def value(self, name: str, value: Any, entity_type: str = '') -> str:  # noqa: ANN401, C901, PLR0911, PLR0912
        """One field's value as people read it."""
        if value is None or value == '' or value == []:
            return EMPTY
        if isinstance(value, bool):
            yes, no = BOOLEANS.get(name, YES_NO)
            return self.t(yes if value else no)
        if name in UNIT_FIELDS:
            if isinstance(value, list):
                return ', '.join(self.unit(v) for v in value)
            return self.unit(value)
        if name == 'team':
            return self.team(value)
        if name == 'team_id':
            return self.team_by_id(value)
        if name == 'visit_id':
            return self.visit(value)
        if name == 'supersedes_id':
            return self.document(value)
        if name == 'signer' and isinstance(value, dict):
            return signer_text(value)
        if name == 'kind':
            return self._kind(entity_type, str(value))
        if name == 'sha256' and isinstance(value, str):
            return value[:12] + '…'
        if name == 'evidence' and isinstance(value, list):
            return self.t((f'{len(value)} tệp', f'{len(value)} file(s)'))
        if name == 'draw_result' and isinstance(value, dict):
            return '; '.join(f'{self.unit(k)}: {", ".join(self.unit(c) for c in v)}' for k, v in value.items())
        if name == 'clusters' and isinstance(value, list):
            return '; '.join(f'{c.get("name")}: {", ".join(self.unit(x) for x in c.get("communes", []))}'
                             for c in value if isinstance(c, dict))
        labels = VALUE_LABELS.get(name)
        if labels and str(value) in labels:
            return self.t(labels[str(value)])
        if isinstance(value, list):
            return '; '.join(self.value(name, v, entity_type) for v in value)
        if isinstance(value, dict):
            return '; '.join(f'{k}: {self.value(k, v, entity_type)}' for k, v in value.items())
        text = str(value)
        if _ISO_DATE.match(text):
            return f'{date.fromisoformat(text):%d/%m/%Y}'
        if _ISO_DATETIME.match(text):  # a visit's wall-clock time (already local)
            return f'{datetime.fromisoformat(text):%d/%m/%Y %H:%M}'
        return text

    def _kind(self, entity_type: str, value: str) -> str:
        if entity_type == 'finding':
            from inspect_flow.findings.models import FINDING_KIND_LABELS, FindingKind

            if value in FindingKind.__members__:
                return self.t(FINDING_KIND_LABELS[FindingKind(value)])
        if entity_type == 'issueddocument':
            from inspect_flow.documents.sources import KIND_LABELS

            if value in KIND_LABELS:
                return self.t(KIND_LABELS[value])
        return value

    def state(self, entity_type: str, value: str | None) -> str:
        from inspect_flow.workflow.states import stored_state_label

        if value is None:
            return EMPTY
        return stored_state_label(entity_type, value, self.lang) or value

    # --- rows ---------------------------------------------------------------------------------------

    def row(self, e: AuditEntry) -> HistoryRow:
        changes = []
        for name, pair in (e.changes or {}).items():
            old, new = (pair if isinstance(pair, list | tuple) and len(pair) == 2 else (None, pair))
            label = self.t(FIELD_LABELS.get(name, (name, name)))
            if name in BULKY:
                changes.append(Change(name, label, '', '', bulky=True))
                continue
            changes.append(Change(name, label, self.value(name, old, e.entity_type),
                                  self.value(name, new, e.entity_type)))
        transition = None
        if e.action == 'transition':
            transition = (self.state(e.entity_type, e.from_state), self.state(e.entity_type, e.to_state))
            action = f'{transition[0]} → {transition[1]}'
        else:
            action = self.t(ACTIONS.get(e.action, (e.action, e.action)))
        return HistoryRow(e.id, when_text(e.created_dt), self.actor(e.actor), self.entity(e.entity_type, e.entity_id),
                          action, transition, changes, e.comment, e.action)

    def rows(self, entries: list[AuditEntry]) -> list[HistoryRow]:
        return [self.row(e) for e in entries]


def signer_text(signer: dict) -> str:
    """``Phó Trưởng ban — Nguyễn Văn A (KT. Trưởng ban)``: title and name, then the authority signed under."""
    title = (signer.get('title') or '').strip()
    name = (signer.get('name') or '').strip()
    head = ' — '.join(p for p in (title, name) if p) or EMPTY
    prefix = (signer.get('prefix') or '').strip()
    behalf = (signer.get('on_behalf_of') or '').strip()
    if prefix and behalf:
        return f'{head} ({prefix} {behalf})'
    return head


def describe(session: Session, entries: list[AuditEntry], *, plan=None, lang: str = 'vi') -> list[HistoryRow]:  # noqa: ANN001
    """The entries as people read them (see :class:`Describer`)."""
    return Describer(session, plan, lang).rows(entries)
