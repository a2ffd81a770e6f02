"""The audit history of a plan and of a visit."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

from inspect_flow.accounts import access
from inspect_flow.web import queries
from inspect_flow.web.helpers import lang, render, require, user
from inspect_flow.web.plans import load_plan

bp = Blueprint('audit', __name__)

#: What each audited object is called on the page.
ENTITY_LABELS = {
    'plan': ('Kế hoạch', 'Plan'), 'team': ('Đoàn', 'Team'), 'visit': ('Buổi làm việc', 'Visit'),
    'finding': ('Kết quả', 'Finding'), 'conclusion': ('Kết luận', 'Conclusion'),
    'recommendation': ('Kiến nghị', 'Recommendation'), 'issueddocument': ('Văn bản', 'Document'),
    'planchecklist': ('Bộ câu hỏi', 'Checklist'), 'user': ('Tài khoản', 'Account'),
    'followupcheck': ('Kiểm tra kiến nghị trước', 'Check of an earlier recommendation'),
}
#: The names of the changed fields.
FIELD_LABELS = {
    'addressee': ('Đơn vị nhận', 'Addressee'), 'answers': ('Câu trả lời', 'Answers'),
    'category': ('Nhóm', 'Category'), 'checklist_id': ('Bộ câu hỏi', 'Checklist'), 'commune': ('Xã', 'Commune'),
    'completed': ('Đã xong', 'Completed'), 'content': ('Nội dung biên bản', 'Minutes content'),
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
    'clusters': ('Cụm xã', 'Clusters'),
    'fieldwork_start': ('Bắt đầu kiểm tra', 'Fieldwork starts'),
    'fieldwork_end': ('Kết thúc kiểm tra', 'Fieldwork ends'),
    'severity': ('Mức độ', 'Severity'), 'place': ('Địa điểm', 'Place'), 'legal_bases': ('Căn cứ', 'Legal bases'),
    'objectives': ('Mục đích, yêu cầu', 'Objectives'),
    'outcome': ('Kết quả kiểm tra', 'Outcome'), 'note': ('Nhận xét', 'Note'),
    'recommendation': ('Kiến nghị', 'Recommendation'), 'recurrence': ('Lặp lại', 'Recurrence'),
    'source_plan': ('Tạo từ kế hoạch', 'Created from'), 'next_round': ('Kỳ sau', 'Next round'),
    'state_before': ('Trạng thái trước', 'State before'), 'state_after': ('Trạng thái sau', 'State after'),
}


def entity_label(entity_type: str) -> str:
    pair = ENTITY_LABELS.get(entity_type)
    return (pair[1] if lang() == 'en' else pair[0]) if pair else entity_type


def field_label(name: str) -> str:
    pair = FIELD_LABELS.get(name)
    return (pair[1] if lang() == 'en' else pair[0]) if pair else name


def state_text(entity_type: str, value: str | None) -> str:
    """The label of a workflow state stored as text in an audit entry (``in_progress`` → ``Đang làm việc``)."""
    from inspect_flow.workflow.states import stored_state_label

    if value is None:
        return '∅'
    return stored_state_label(entity_type, value, lang()) or value


@bp.get('/plans/<int:plan_id>/history')
@login_required
def plan_history(plan_id: int):  # noqa: ANN201
    plan = load_plan(plan_id)
    require(access.can_view_plan_audit(user(), plan))
    entries = queries.history(plan.id)
    if not access.is_staff(user()):  # a visit's entries (and its findings'): only for those who see the visit
        hidden = {v.id for v in plan.visits if not access.can_view_visit(user(), v)}
        findings = {f.id: f.visit_id for f in queries.findings_of(plan)}
        entries = [e for e in entries if not (e.entity_type == 'visit' and e.entity_id in hidden
                                              or e.entity_type == 'finding' and findings.get(e.entity_id) in hidden)]
    return render('web/audit.html', plan=plan, visit=None, entries=entries, **_labels())


@bp.get('/visits/<int:visit_id>/history')
@login_required
def visit_history(visit_id: int):  # noqa: ANN201
    from inspect_flow.web.visits import load_visit

    visit = load_visit(visit_id)
    return render('web/audit.html', plan=visit.plan, visit=visit,
                  entries=queries.history(visit.plan_id, entity=('visit', visit.id)), **_labels())


def _labels() -> dict:
    return {'entity_label': entity_label, 'field_label': field_label, 'state_text': state_text}
