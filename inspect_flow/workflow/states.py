"""The states of every workflow. Values are stored in the database; never rename a value without a migration."""

from __future__ import annotations

import enum


class PlanState(enum.StrEnum):
    """Lifecycle of an inspection plan (kế hoạch kiểm tra, giám sát)."""

    planning = 'planning'  # lập kế hoạch
    scheduling = 'scheduling'  # xếp lịch
    visiting = 'visiting'  # làm việc tại cơ sở
    findings = 'findings'  # tổng hợp kết quả
    conclusions = 'conclusions'  # kết luận
    closed = 'closed'  # kết thúc
    cancelled = 'cancelled'  # đã hủy


class VisitState(enum.StrEnum):
    """Lifecycle of one team's working session in one commune (buổi làm việc)."""

    scheduled = 'scheduled'  # đã xếp lịch
    in_progress = 'in_progress'  # đang làm việc
    submitted = 'submitted'  # đã nộp
    returned = 'returned'  # trả lại để sửa
    reviewed = 'reviewed'  # trưởng đoàn đã duyệt
    cancelled = 'cancelled'  # đã hủy


class RecommendationState(enum.StrEnum):
    """Lifecycle of a recommendation (kiến nghị) addressed to a unit or body."""

    open = 'open'  # chưa thực hiện
    in_progress = 'in_progress'  # đang thực hiện
    overdue = 'overdue'  # quá hạn
    done = 'done'  # đã thực hiện
    verified = 'verified'  # đã kiểm tra xác nhận
    withdrawn = 'withdrawn'  # đã rút (before its notice is issued, or while a replacement is prepared)


#: Keyed by ``(state class, value)``: the states are ``StrEnum`` members, and ``VisitState.in_progress``
#: equals ``RecommendationState.in_progress`` (both are the string ``'in_progress'``).
STATE_LABELS: dict[tuple[type, str], tuple[str, str]] = {(type(k), k.value): v for k, v in (
    (PlanState.planning, ('Lập kế hoạch', 'Planning')),
    (PlanState.scheduling, ('Xếp lịch', 'Scheduling')),
    (PlanState.visiting, ('Làm việc tại cơ sở', 'Visiting')),
    (PlanState.findings, ('Tổng hợp kết quả', 'Findings')),
    (PlanState.conclusions, ('Kết luận', 'Conclusions')),
    (PlanState.closed, ('Đã kết thúc', 'Closed')),
    (PlanState.cancelled, ('Đã hủy', 'Cancelled')),
    (VisitState.scheduled, ('Đã xếp lịch', 'Scheduled')),
    (VisitState.in_progress, ('Đang làm việc', 'In progress')),
    (VisitState.submitted, ('Đã nộp', 'Submitted')),
    (VisitState.returned, ('Trả lại để sửa', 'Returned for correction')),
    (VisitState.reviewed, ('Trưởng đoàn đã duyệt', 'Reviewed')),
    (VisitState.cancelled, ('Đã hủy', 'Cancelled')),
    (RecommendationState.open, ('Chưa thực hiện', 'Open')),
    (RecommendationState.in_progress, ('Đang thực hiện', 'In progress')),
    (RecommendationState.overdue, ('Quá hạn', 'Overdue')),
    (RecommendationState.done, ('Đã thực hiện', 'Done')),
    (RecommendationState.verified, ('Đã xác nhận', 'Verified')),
    (RecommendationState.withdrawn, ('Đã rút', 'Withdrawn')),
)}


def state_label(state: enum.Enum, lang: str = 'vi') -> str:
    """Return the human label of *state* in *lang*."""
    vi, en = STATE_LABELS[(type(state), state.value)]
    return en if lang == 'en' else vi


#: The state class of each workflow, by the entity type the audit trail records.
STATE_CLASSES: dict[str, type] = {'plan': PlanState, 'visit': VisitState, 'recommendation': RecommendationState}


def stored_state_label(entity_type: str, value: str | None, lang: str = 'vi') -> str | None:
    """The label of a state stored as text (e.g. in an audit entry), or ``None`` when it is not one."""
    cls = STATE_CLASSES.get(entity_type)
    if cls is None or value is None or value not in cls.__members__:
        return None
    return state_label(cls(value), lang)
