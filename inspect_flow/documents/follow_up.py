"""What the documents say about the earlier rounds' recommendations a round followed up
(:mod:`inspect_flow.findings.follow_up`): the minutes' section, one sentence in the notice and the round report."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import object_session

from inspect_flow.documents import viewmodels as vm
from inspect_flow.findings.follow_up import FollowUpItem, counts, follow_up, outcome_label
from inspect_flow.plans.models import Plan
from inspect_flow.visits.models import Visit


def items_of(plan: Plan) -> list[FollowUpItem]:
    return follow_up(object_session(plan), plan)


def rows_for_visit(items: Iterable[FollowUpItem], visit: Visit) -> list[vm.FollowUpRow]:
    """The minutes' rows: the earlier recommendations attached to *visit* (checked there, or still unchecked)."""
    rows = []
    for i in items:
        if not any(v.id == visit.id for v in i.visits):
            continue
        if i.check is not None and i.check.visit_id != visit.id:
            continue  # checked at another visit of the round: its minutes carry it
        rec = i.recommendation
        rows.append(vm.FollowUpRow(
            addressee=rec.addressee_label, text=rec.text, from_plan=i.from_plan.reference, deadline=rec.deadline,
            outcome=outcome_label(i.check.outcome) if i.check is not None else '',
            note=i.check.note if i.check is not None else '',
            evidence=list(i.check.evidence or []) if i.check is not None else []))
    return rows


def sentence(items: list[FollowUpItem], subject: str = 'Đoàn') -> str:
    """"Đoàn đã kiểm tra việc thực hiện 05 kiến nghị của các đợt kiểm tra trước: 02 đã thực hiện, …" (empty
    when the round followed none)."""
    if not items:
        return ''
    c = counts(items)
    if not c['checked']:
        return (f'{subject} chưa kiểm tra được kiến nghị nào trong {c["total"]:02d} kiến nghị của các đợt kiểm tra '
                'trước.')
    parts = [f'{c[key]:02d} {label}' for key, label in (('done', 'đã thực hiện'),
                                                          ('partly_done', 'thực hiện một phần'),
                                                          ('not_done', 'chưa thực hiện')) if c[key]]
    return (f'{subject} đã kiểm tra việc thực hiện {c["checked"]:02d}/{c["total"]:02d} kiến nghị của các đợt kiểm tra '
            f'trước: {", ".join(parts)}.')


def items_for_unit(items: Iterable[FollowUpItem], visits: Iterable[Visit]) -> list[FollowUpItem]:
    """The items attached to any of *visits* (a notice's unit)."""
    ids = {v.id for v in visits}
    return [i for i in items if any(v.id in ids for v in i.visits)]
