"""The forms the OpenRosa server offers: one XForm per visit, made by pyxform from the visit's pinned checklist.

A user's form list holds one form per visit assigned to them (their person is on the visit's team) that is
still open for recording and whose plan pins a supervision checklist. The form's id names the visit
(``visit-<id>``), so a submission says which visit it records without anyone choosing.

The XForm is the checklist exported as an XLSForm (:func:`inspect_flow.checklist.xlsform.xlsform_workbook`)
with the visit's context added — a read-only group "Buổi làm việc" (commune, team, day) and the visit's day as
the default of a ``visit_date`` item — and converted by pyxform. The bytes are the same for the same checklist
and context, and the form list's ``md5:`` hash is taken over exactly the bytes served.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from pyxform.errors import PyXFormError
from pyxform.xls2xform import convert
from sqlalchemy.orm import Session

from inspect_flow.checklist.model import Checklist
from inspect_flow.checklist.xlsform import xlsform_workbook
from inspect_flow.core.errors import Conflict
from inspect_flow.plans.checklists import visit_checklist
from inspect_flow.visits.models import Visit
from inspect_flow.workflow.states import PlanState, VisitState

#: The root element of every served form's instance (what a submission's XML starts with).
ROOT = 'data'
FORM_ID = 'visit-{id}'
_FORM_ID_RE = re.compile(r'visit-([1-9][0-9]{0,9})')
#: The read-only group carrying the visit's context (its answers are not the checklist's).
CONTEXT_GROUP = 'if_visit'
CONTEXT_FIELDS = ('if_commune', 'if_team', 'if_day')
#: Checklist items whose default is the visit's context when the checklist has them.
DAY_ITEMS = ('visit_date',)


def form_id(visit_id: int) -> str:
    return FORM_ID.format(id=visit_id)


def visit_id_of(form: str | None) -> int | None:
    """The visit a form id names (``visit-12`` → 12), or ``None`` when it names none."""
    match = _FORM_ID_RE.fullmatch(form or '')
    return int(match.group(1)) if match else None


@dataclass(frozen=True)
class VisitContext:
    """What of a visit goes into its form (defaults and the title)."""

    visit_id: int
    where: str
    team: str
    day: date


@dataclass(frozen=True)
class XForm:
    """A served form: its id, version, name and the exact bytes served."""

    form_id: str
    version: str
    name: str
    xml: bytes
    #: ``(file name, bytes)`` of the form's media (none from today's checklists: then no manifest is listed).
    media: tuple[tuple[str, bytes], ...] = ()

    @property
    def hash(self) -> str:
        """``md5:<hex>`` over the bytes served, as the OpenRosa form list carries it."""
        return md5_hash(self.xml)


def md5_hash(data: bytes) -> str:
    return 'md5:' + hashlib.md5(data, usedforsecurity=False).hexdigest()


def is_open(visit: Visit) -> bool:
    """Still open for recording: the visit's record may be written (as :mod:`inspect_flow.visits.operations`
    allows it)."""
    return visit.state in (VisitState.in_progress, VisitState.returned) or (
        visit.state == VisitState.scheduled and visit.plan.state == PlanState.visiting)


def context_of(visit: Visit) -> VisitContext:
    return VisitContext(visit_id=visit.id, where=visit.where, team=f'Đoàn {visit.team.number}',
                        day=visit.starts_at.date())


def assigned_visits(session: Session, user) -> list[Visit]:  # noqa: ANN001
    """The visits *user* records (their person is on the visit's team), still open, whose plan pins a form."""
    from inspect_flow.plans.models import TeamMember

    if user is None or not user.is_active or user.person_id is None:
        return []
    visits = session.scalars(
        sa.select(Visit).join(TeamMember, TeamMember.team_id == Visit.team_id)
        .where(TeamMember.person_id == user.person_id)
        .where(Visit.state.in_((VisitState.scheduled, VisitState.in_progress, VisitState.returned)))
        .order_by(Visit.starts_at, Visit.id)).unique().all()
    return [v for v in visits if is_open(v) and visit_checklist(v) is not None]


def visit_form(visit: Visit) -> XForm | None:
    """The visit's form, or ``None`` when its plan pins no supervision checklist.

    :raise Conflict: pyxform cannot convert the checklist (its message named)
    """
    checklist = visit_checklist(visit)
    if checklist is None:
        return None
    try:
        return build_xform(checklist, context_of(visit))
    except PyXFormError as exc:
        raise Conflict('openrosa.form_unconvertible',
                       f'Phiếu kiểm tra {checklist.id} không chuyển được thành biểu mẫu ODK (pyxform): {exc}',
                       f'The checklist {checklist.id} cannot be converted to an ODK form (pyxform): {exc}') from None


@functools.lru_cache(maxsize=128)
def build_xform(checklist: Checklist, context: VisitContext) -> XForm:
    """Convert *checklist* with the visit's *context* into an XForm (cached: same inputs, same bytes)."""
    wb = xlsform_workbook(checklist)
    survey, settings = wb['survey'], wb['settings']
    header = [cell.value for cell in survey[1]]
    for column in ('default', 'read_only'):
        if column not in header:
            survey.cell(row=1, column=len(header) + 1, value=column)
            header.append(column)
    col = {name: n + 1 for n, name in enumerate(header)}
    taken = set(checklist.item_ids) | {s.id for s in checklist.sections}
    group, fields = _free(CONTEXT_GROUP, taken), [_free(f, taken) for f in CONTEXT_FIELDS]
    day = context.day.isoformat()
    # the visit's day as the default of the checklist's own day item
    for row in survey.iter_rows(min_row=2):
        name = row[col['name'] - 1].value
        if name in DAY_ITEMS and str(row[col['type'] - 1].value) == 'date':
            survey.cell(row=row[0].row, column=col['default'], value=day)
    rows = [
        {'type': 'begin group', 'name': group, 'label::Vietnamese (vi)': 'Buổi làm việc',
         'label::English (en)': 'Visit'},
        {'type': 'text', 'name': fields[0], 'label::Vietnamese (vi)': 'Địa bàn', 'label::English (en)': 'Where',
         'default': context.where, 'read_only': 'yes'},
        {'type': 'text', 'name': fields[1], 'label::Vietnamese (vi)': 'Đoàn kiểm tra', 'label::English (en)': 'Team',
         'default': context.team, 'read_only': 'yes'},
        {'type': 'date', 'name': fields[2], 'label::Vietnamese (vi)': 'Ngày làm việc',
         'label::English (en)': 'Day', 'default': day, 'read_only': 'yes'},
        {'type': 'end group', 'name': group},
    ]
    survey.insert_rows(2, amount=len(rows))
    for n, cells in enumerate(rows, start=2):
        for key, value in cells.items():
            survey.cell(row=n, column=col[key], value=value)
    fid = form_id(context.visit_id)
    digest = hashlib.sha256(f'{checklist.sha256}|{context.where}|{context.team}|{day}'.encode()).hexdigest()
    version = f'{checklist.version}-{digest[:10]}'[:80]
    name = f'{checklist.title.vi} — {context.where} ({context.team}, {context.day:%d/%m/%Y})'
    settings_header = [cell.value for cell in settings[1]]
    values = {'form_id': fid, 'version': version, 'form_title': name}
    for key, value in values.items():
        settings.cell(row=2, column=settings_header.index(key) + 1, value=value)
    buffer = io.BytesIO()
    wb.save(buffer)
    result = convert(buffer.getvalue(), form_name=ROOT, file_type='.xlsx')
    return XForm(form_id=fid, version=version, name=name, xml=result.xform.encode('utf-8'))


def _free(name: str, taken: set[str]) -> str:
    out, n = name, 2
    while out in taken:
        out, n = f'{name}_{n}', n + 1
    taken.add(out)
    return out
