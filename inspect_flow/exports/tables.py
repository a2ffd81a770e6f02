"""The tables of a round's export: plan, teams, visits, answers by checklist item, household roster, findings,
conclusions, recommendations and their follow-up reports.

Each table is a :class:`Table`: typed columns (text, integer, number, percentage, date, datetime, boolean) with
a Vietnamese and an English header, and an iterator of rows (tuples of Python values: ``date`` stays a date,
a percentage is a fraction 0..1). What a reader may see is decided by a :class:`Sight` (every row by default,
for the command line; the web and the API pass the user's, built in :mod:`inspect_flow.accounts.access`).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from inspect_flow.findings.models import (
    FINDING_KIND_LABELS,
    Conclusion,
    Finding,
    Recommendation,
)
from inspect_flow.plans.dashboard import is_overdue
from inspect_flow.plans.models import ROLE_LABELS, Plan, Team
from inspect_flow.visits.models import HOUSEHOLD_CATEGORY_LABELS, HouseholdConsultation, Visit
from inspect_flow.workflow.states import state_label


class ColType(enum.StrEnum):
    text = 'text'
    integer = 'integer'
    number = 'number'
    percentage = 'percentage'
    date = 'date'
    datetime = 'datetime'
    boolean = 'boolean'


@dataclass(frozen=True)
class Column:
    key: str
    vi: str
    en: str
    type: ColType = ColType.text
    width: float = 16

    def header(self, lang: str) -> str:
        return self.en if lang == 'en' else self.vi


@dataclass
class Table:
    """One sheet of the workbook, one CSV file."""

    key: str
    vi: str
    en: str
    columns: list[Column]
    rows: Iterable[tuple]

    def title(self, lang: str) -> str:
        return self.en if lang == 'en' else self.vi

    def headers(self, lang: str) -> list[str]:
        return [c.header(lang) for c in self.columns]


def _all(_obj: Any) -> bool:
    return True


@dataclass(frozen=True)
class Sight:
    """What a reader of the export may see: one predicate per kind of record."""

    visit_record: Callable[[Visit], bool] = _all
    finding: Callable[[Finding], bool] = _all
    conclusion: Callable[[Conclusion], bool] = _all
    recommendation: Callable[[Recommendation], bool] = _all


EVERYTHING = Sight()

C = Column
T, INT, N, P, D, DT, B = (ColType.text, ColType.integer, ColType.number, ColType.percentage, ColType.date,
                        ColType.datetime, ColType.boolean)


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == 'en' else pair[0]


def _state(state: enum.Enum | None, lang: str) -> str:
    return state_label(state, lang) if state is not None else ''


def _naive(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=None) if value is not None and value.tzinfo is not None else value


# --- the round's tables -----------------------------------------------------------------------------------

@dataclass
class RoundExport:
    """Build the tables of *plan* in *lang* for a reader with *sight*."""

    session: Session
    plan: Plan
    lang: str = 'vi'
    sight: Sight = field(default_factory=lambda: EVERYTHING)

    def tables(self) -> list[Table]:
        return [self.plan_table(), self.teams_table(), self.visits_table(), self.answers_table(),
                self.households_table(), self.findings_table(), self.conclusions_table(),
                self.recommendations_table(), self.reports_table()]

    # plan -------------------------------------------------------------------------------------------
    def plan_table(self) -> Table:
        p, en = self.plan, self.lang == 'en'
        rows = [
            ('Số, ký hiệu' if not en else 'Reference', p.reference),
            ('Cơ quan ban hành' if not en else 'Issued by', p.issuer.name if p.issuer else ''),
            ('Năm' if not en else 'Year', p.year),
            ('Ngày ban hành' if not en else 'Issue date', p.issue_date),
            ('Trích yếu' if not en else 'Subject', p.subject),
            ('Bắt đầu làm việc tại cơ sở' if not en else 'Fieldwork starts', p.fieldwork_start),
            ('Kết thúc làm việc tại cơ sở' if not en else 'Fieldwork ends', p.fieldwork_end),
            ('Trạng thái' if not en else 'State', _state(p.state, self.lang)),
            ('Số đoàn' if not en else 'Teams', len(p.teams)),
            ('Số buổi làm việc' if not en else 'Visits', len(p.visits)),
            ('Số hộ tham vấn mỗi xã' if not en else 'Households per commune', p.households_per_commune),
            ('Đơn vị được kiểm tra' if not en else 'Target units', '; '.join(u.full_name for u in p.target_units)),
        ]
        rows += [('Căn cứ' if not en else 'Legal basis', b) for b in p.legal_bases]
        rows += [('Mục đích, yêu cầu' if not en else 'Objective', o) for o in p.objectives]
        cols = [C('field', 'Mục', 'Field', T, 30), C('value', 'Nội dung', 'Value', T, 90)]
        return Table('plan', 'Kế hoạch', 'Plan', cols, rows)

    # teams ------------------------------------------------------------------------------------------
    def teams_table(self) -> Table:
        cols = [C('team', 'Đoàn số', 'Team', INT, 9), C('name', 'Họ và tên', 'Name', T, 26),
                C('role', 'Vai trò', 'Role', T, 16), C('title', 'Chức vụ', 'Title', T, 30),
                C('agency', 'Cơ quan', 'Agency', T, 34)]

        def rows() -> Iterator[tuple]:
            teams = self.session.scalars(sa.select(Team).where(Team.plan_id == self.plan.id).order_by(Team.number)
                                         .options(selectinload(Team.members)))
            for team in teams:
                for m in team.members:
                    yield (team.number, m.person.full_name, _pick(ROLE_LABELS[m.role], self.lang), m.person.title,
                           m.person.agency)
        return Table('teams', 'Đoàn', 'Teams', cols, rows())

    # visits -----------------------------------------------------------------------------------------
    def _visits(self) -> list[Visit]:
        return list(self.session.scalars(sa.select(Visit).where(Visit.plan_id == self.plan.id)
                                         .order_by(Visit.starts_at, Visit.id)))

    def visits_table(self) -> Table:
        cols = [C('visit_id', 'Mã buổi', 'Visit id', INT, 9), C('team', 'Đoàn số', 'Team', INT, 9),
                C('district', 'Huyện', 'District', T, 22), C('commune', 'Xã, phường', 'Commune', T, 24),
                C('commune_code', 'Mã xã', 'Commune code', T, 10), C('day', 'Ngày', 'Date', D, 12),
                C('starts', 'Bắt đầu', 'Starts', DT, 17), C('ends', 'Kết thúc', 'Ends', DT, 17),
                C('place', 'Địa điểm', 'Place', T, 30), C('state', 'Trạng thái', 'State', T, 16),
                C('cancel_reason', 'Lý do hủy', 'Reason for cancelling', T, 30),
                C('households', 'Số hộ tham vấn', 'Households consulted', INT, 12),
                C('submitted', 'Ngày nộp', 'Submitted', DT, 17), C('reviewed', 'Ngày duyệt', 'Reviewed', DT, 17)]

        def rows() -> Iterator[tuple]:
            for v in self._visits():
                full = self.sight.visit_record(v)
                yield (v.id, v.team.number, v.district.full_name if v.district else '', v.commune.full_name,
                       v.commune.code, v.starts_at.date(), v.starts_at, v.ends_at, v.place, _state(v.state, self.lang),
                       v.cancel_reason or '', len(v.households) if full else None,
                       _naive(v.submitted_dt), _naive(v.reviewed_dt))
        return Table('visits', 'Buổi làm việc', 'Visits', cols, rows())

    # answers ----------------------------------------------------------------------------------------
    def _checklists(self, kind: str) -> list:
        from inspect_flow.plans.checklists import pinned_checklists

        return [c for c in pinned_checklists(self.plan) if c.kind.value == kind]

    def answers_table(self) -> Table:
        cols = [C('visit_id', 'Mã buổi', 'Visit id', INT, 9), C('team', 'Đoàn số', 'Team', INT, 9),
                C('commune', 'Xã, phường', 'Commune', T, 24), C('checklist', 'Bộ câu hỏi', 'Checklist', T, 22),
                C('section', 'Phần', 'Section', T, 30), C('item_id', 'Mã câu hỏi', 'Item id', T, 22),
                C('item', 'Câu hỏi', 'Question', T, 50), C('row', 'Dòng', 'Row', INT, 7),
                C('value', 'Trả lời', 'Answer', T, 20), C('unit', 'Đơn vị tính', 'Unit', T, 12)]

        def rows() -> Iterator[tuple]:
            checklists = self._checklists('supervision')
            for v in self._visits():
                if not v.answers or not self.sight.visit_record(v):
                    continue
                for cl in checklists:
                    for item in cl.iter_items():
                        if item.type in ('note', 'evidence') or item.id not in v.answers:
                            continue
                        head = (v.id, v.team.number, v.commune.full_name, cl.id,
                                cl.section_of(item.id).label.get(self.lang))
                        if item.type == 'repeat':
                            for n, rec in enumerate(v.answers.get(item.id) or [], start=1):
                                for sub in item.items or ():
                                    if sub.type in ('note', 'evidence') or sub.id not in rec:
                                        continue
                                    yield (*head, f'{item.id}.{sub.id}', _label(sub, self.lang), n,
                                           typed(cl, sub, rec[sub.id], self.lang), _unit(sub, self.lang))
                            continue
                        yield (*head, item.id, _label(item, self.lang), None,
                               typed(cl, item, v.answers[item.id], self.lang), _unit(item, self.lang))
        return Table('answers', 'Trả lời theo câu hỏi', 'Answers by item', cols, rows())

    # households -------------------------------------------------------------------------------------
    def households_table(self) -> Table:
        checklists = self._checklists('household_consultation')
        items = [(cl, it) for cl in checklists for it in cl.iter_items()
                 if it.type not in ('note', 'evidence', 'repeat') and cl.parent(it.id) is None
                 and it.id not in ('household_code', 'category', 'head_name')]
        seen: set[str] = set()
        items = [(cl, it) for cl, it in items if not (it.id in seen or seen.add(it.id))]
        cols = [C('visit_id', 'Mã buổi', 'Visit id', INT, 9), C('team', 'Đoàn số', 'Team', INT, 9),
                C('commune', 'Xã, phường', 'Commune', T, 24), C('code', 'Mã hộ', 'Household code', T, 14),
                C('category', 'Đối tượng', 'Category', T, 18), C('head', 'Chủ hộ', 'Head of household', T, 22)]
        cols += [C(f'a:{it.id}', _label(it, 'vi'), _label(it, 'en'), _col_type(it), 18) for _, it in items]

        def rows() -> Iterator[tuple]:
            q = (sa.select(HouseholdConsultation).join(Visit, Visit.id == HouseholdConsultation.visit_id)
                 .where(Visit.plan_id == self.plan.id).order_by(Visit.starts_at, Visit.id, HouseholdConsultation.id))
            for h in self.session.scalars(q):
                if not self.sight.visit_record(h.visit):
                    continue
                yield (h.visit.id, h.visit.team.number, h.visit.commune.full_name, h.household_code,
                       _pick(HOUSEHOLD_CATEGORY_LABELS[h.category], self.lang), h.head_name or '',
                       *(typed(cl, it, (h.answers or {}).get(it.id), self.lang) for cl, it in items))
        return Table('households', 'Hộ tham vấn', 'Households', cols, rows())

    # findings ---------------------------------------------------------------------------------------
    def findings_table(self) -> Table:
        cols = [C('finding_id', 'Mã kết quả', 'Finding id', INT, 10), C('visit_id', 'Mã buổi', 'Visit id', INT, 9),
                C('team', 'Đoàn số', 'Team', INT, 9), C('district', 'Huyện', 'District', T, 22),
                C('commune', 'Xã, phường', 'Commune', T, 24), C('kind', 'Loại', 'Kind', T, 18),
                C('category', 'Nhóm nội dung', 'Category', T, 24), C('text', 'Nội dung', 'Text', T, 70),
                C('severity', 'Mức độ', 'Severity', T, 10), C('source', 'Nguồn', 'Source', T, 12),
                C('item', 'Mã câu hỏi', 'Item id', T, 18), C('status', 'Tình trạng', 'Status', T, 12),
                C('created', 'Ngày ghi', 'Recorded', DT, 17)]

        def rows() -> Iterator[tuple]:
            q = (sa.select(Finding).where(Finding.plan_id == self.plan.id)
                 .order_by(Finding.visit_id.is_(None), Finding.visit_id, Finding.id))
            for f in self.session.scalars(q):
                if not self.sight.finding(f):
                    continue
                v = f.visit
                yield (f.id, v.id if v else None, v.team.number if v else None,
                       (v.district.full_name if v and v.district else ''), v.commune.full_name if v else '',
                       _pick(FINDING_KIND_LABELS[f.kind], self.lang), f.category, f.text,
                       _pick(SEVERITY[f.severity], self.lang) if f.severity else '',
                       _pick(SOURCE[f.source], self.lang), f.checklist_item_id or '',
                       _pick(STATUS[f.status], self.lang), _naive(f.created_dt))
        return Table('findings', 'Kết quả kiểm tra', 'Findings', cols, rows())

    # conclusions, recommendations, reports ----------------------------------------------------------
    def conclusions_table(self) -> Table:
        cols = [C('conclusion_id', 'Mã kết luận', 'Conclusion id', INT, 11), C('unit', 'Đơn vị', 'Unit', T, 24),
                C('unit_code', 'Mã đơn vị', 'Unit code', T, 10), C('team', 'Đoàn số', 'Team', INT, 9),
                C('summary', 'Đánh giá chung', 'Overall assessment', T, 80),
                C('recommendations', 'Số kiến nghị', 'Recommendations', INT, 12),
                C('created', 'Ngày ghi', 'Recorded', DT, 17)]

        def rows() -> Iterator[tuple]:
            q = (sa.select(Conclusion).where(Conclusion.plan_id == self.plan.id).order_by(Conclusion.id)
                 .options(selectinload(Conclusion.recommendations)))
            for c in self.session.scalars(q):
                if self.sight.conclusion(c):
                    yield (c.id, c.unit.full_name, c.unit.code, c.team.number if c.team else None, c.summary,
                           len(c.recommendations), _naive(c.created_dt))
        return Table('conclusions', 'Kết luận', 'Conclusions', cols, rows())

    def _recommendations(self) -> Iterator[Recommendation]:
        q = (sa.select(Recommendation).where(Recommendation.plan_id == self.plan.id)
             .order_by(Recommendation.conclusion_id, Recommendation.number, Recommendation.id))
        for r in self.session.scalars(q):
            if self.sight.recommendation(r):
                yield r

    def recommendations_table(self) -> Table:
        from inspect_flow.core.clock import today

        cols = [C('recommendation_id', 'Mã kiến nghị', 'Recommendation id', INT, 12),
                C('conclusion_id', 'Mã kết luận', 'Conclusion id', INT, 11), C('number', 'Số thứ tự', 'No.', INT, 8),
                C('addressee', 'Nơi nhận kiến nghị', 'Addressee', T, 30), C('text', 'Nội dung', 'Text', T, 70),
                C('deadline', 'Thời hạn', 'Deadline', D, 12), C('state', 'Trạng thái', 'State', T, 16),
                C('overdue', 'Quá hạn', 'Overdue', B, 9), C('days_late', 'Số ngày quá hạn', 'Days late', INT, 10),
                C('reports', 'Số báo cáo', 'Reports', INT, 10), C('finding_id', 'Mã kết quả', 'Finding id', INT, 10)]
        day = today()

        def rows() -> Iterator[tuple]:
            for r in self._recommendations():
                late = is_overdue(r, day)
                yield (r.id, r.conclusion_id, r.number, r.addressee_label, r.text, r.deadline,
                       _state(r.state, self.lang), late, (day - r.deadline).days if late and r.deadline else None,
                       len(r.reports), r.finding_id)
        return Table('recommendations', 'Kiến nghị', 'Recommendations', cols, rows())

    def reports_table(self) -> Table:
        cols = [C('report_id', 'Mã báo cáo', 'Report id', INT, 10),
                C('recommendation_id', 'Mã kiến nghị', 'Recommendation id', INT, 12),
                C('addressee', 'Nơi nhận kiến nghị', 'Addressee', T, 30),
                C('by', 'Người báo cáo', 'Reported by', T, 22),
                C('date', 'Ngày báo cáo', 'Report date', D, 12), C('text', 'Nội dung', 'Text', T, 70),
                C('completed', 'Đã hoàn thành', 'Completed', B, 12)]

        def rows() -> Iterator[tuple]:
            for r in self._recommendations():
                for rep in r.reports:
                    yield (rep.id, r.id, r.addressee_label, rep.reported_by, rep.report_date, rep.text,
                           rep.is_completed)
        return Table('reports', 'Báo cáo thực hiện', 'Follow-up reports', cols, rows())


SEVERITY = {'low': ('Thấp', 'Low'), 'medium': ('Trung bình', 'Medium'), 'high': ('Cao', 'High')}
SOURCE = {'report': ('Báo cáo', 'Report'), 'records': ('Hồ sơ', 'Records'), 'household': ('Tham vấn hộ', 'Household'),
          'observation': ('Quan sát', 'Observation'), 'checklist': ('Bộ câu hỏi', 'Checklist')}
STATUS = {'suggested': ('Đề xuất', 'Suggested'), 'accepted': ('Chấp nhận', 'Accepted'),
          'rejected': ('Không chấp nhận', 'Rejected'), 'withdrawn': ('Đã rút', 'Withdrawn')}


# --- typing answers ---------------------------------------------------------------------------------------

def _label(item, lang: str) -> str:  # noqa: ANN001
    return item.label.get(lang) if item.label else item.id


def _unit(item, lang: str) -> str:  # noqa: ANN001
    return item.unit.get(lang) if item.unit else ''


def _col_type(item) -> ColType:  # noqa: ANN001
    return {'integer': INT, 'decimal': N, 'percentage': P, 'date': D, 'calculate': N}.get(str(item.type), T)


def _number(value: Any) -> float | int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    try:
        text = str(value).strip().replace(',', '.')
        return int(text) if text.lstrip('-').isdigit() else float(text)
    except ValueError:
        return None


class Percent(float):
    """A fraction (0..1) that the writers show as a percentage."""


def typed(checklist, item, value: Any, lang: str) -> Any:  # noqa: ANN001
    """An answer as the Python value Excel should hold: numbers as numbers, a percentage as a :class:`Percent`
    fraction, a date as a date, a choice as its label."""
    if value is None or value == '':
        return None
    t = str(item.type)
    if t in ('integer', 'decimal', 'calculate'):
        n = _number(value)
        return n if n is not None else str(value)
    if t == 'percentage':
        n = _number(value)
        return Percent(n / 100) if n is not None else str(value)
    if t == 'date':
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value)[:10])
        except ValueError:
            return str(value)
    if t == 'yes_no':
        return {'yes': 'Có' if lang != 'en' else 'Yes', 'no': 'Không' if lang != 'en' else 'No'}.get(
            str(value), str(value))
    if t in ('select_one', 'select_multiple'):
        labels = {c.name: c.label.get(lang) for c in item.choices or ()}
        names = value if isinstance(value, list) else str(value).split() if t == 'select_multiple' else [value]
        return '; '.join(labels.get(str(n), str(n)) for n in names)
    if isinstance(value, list | dict):
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value)


# --- across rounds ----------------------------------------------------------------------------------------

def cross_round_tables(session: Session, *, lang: str = 'vi', from_year: int | None = None) -> list[Table]:
    """The rounds, their findings and their recommendations, every round of *from_year* and later, streamed
    in batches (for the national export)."""
    from inspect_flow.core.clock import today
    from inspect_flow.units.models import AdminUnit

    plans_q = sa.select(Plan).order_by(Plan.year, Plan.id)
    if from_year is not None:
        plans_q = plans_q.where(Plan.year >= from_year)
    plan_filter = (Plan.year >= from_year) if from_year is not None else sa.true()
    day = today()

    def rounds() -> Iterator[tuple]:
        for p in session.scalars(plans_q):
            yield (p.id, p.year, p.reference, p.subject, p.fieldwork_start, p.fieldwork_end, _state(p.state, lang))

    district = sa.orm.aliased(AdminUnit)
    commune = sa.orm.aliased(AdminUnit)

    def findings() -> Iterator[tuple]:
        q = (sa.select(Plan.year, Plan.number, Plan.symbol, district.full_name, commune.full_name, Finding.kind,
                       Finding.category, Finding.text, Finding.status)
             .join(Plan, Plan.id == Finding.plan_id).outerjoin(Visit, Visit.id == Finding.visit_id)
             .outerjoin(district, district.id == Visit.district_id).outerjoin(commune, commune.id == Visit.commune_id)
             .where(plan_filter).order_by(Plan.year, Plan.id, Finding.id)
             .execution_options(yield_per=2000))
        for year, number, symbol, d, c, kind, category, text, status in session.execute(q):
            yield (year, _ref(number, symbol), d or '', c or '', _pick(FINDING_KIND_LABELS[kind], lang), category,
                   text, _pick(STATUS[status], lang))

    def recommendations() -> Iterator[tuple]:
        # bare columns, streamed: no Recommendation object is built for the national export
        from inspect_flow.plans.dashboard import OPEN_STATES
        from inspect_flow.workflow.states import RecommendationState

        q = (sa.select(Plan.year, Plan.number, Plan.symbol, Recommendation.addressee_label, Recommendation.text,
                       Recommendation.deadline, Recommendation.state)
             .join(Plan, Plan.id == Recommendation.plan_id).where(plan_filter)
             .order_by(Plan.year, Plan.id, Recommendation.id).execution_options(yield_per=2000))
        for year, number, symbol, addressee, text, deadline, state in session.execute(q):
            late = state == RecommendationState.overdue or (  # is_overdue() on the columns
                state in OPEN_STATES and deadline is not None and day > deadline)
            yield (year, _ref(number, symbol), addressee, text, deadline, _state(state, lang), late,
                   (day - deadline).days if deadline else None)

    return [
        Table('rounds', 'Các đợt', 'Rounds',
              [C('plan_id', 'Mã kế hoạch', 'Plan id', INT, 10), C('year', 'Năm', 'Year', INT, 8),
               C('reference', 'Số, ký hiệu', 'Reference', T, 24), C('subject', 'Trích yếu', 'Subject', T, 60),
               C('start', 'Bắt đầu', 'Starts', D, 12), C('end', 'Kết thúc', 'Ends', D, 12),
               C('state', 'Trạng thái', 'State', T, 16)], rounds()),
        Table('findings', 'Kết quả kiểm tra', 'Findings',
              [C('year', 'Năm', 'Year', INT, 8), C('reference', 'Số, ký hiệu', 'Reference', T, 24),
               C('district', 'Huyện', 'District', T, 22), C('commune', 'Xã, phường', 'Commune', T, 24),
               C('kind', 'Loại', 'Kind', T, 18), C('category', 'Nhóm nội dung', 'Category', T, 24),
               C('text', 'Nội dung', 'Text', T, 70), C('status', 'Tình trạng', 'Status', T, 12)], findings()),
        Table('recommendations', 'Kiến nghị', 'Recommendations',
              [C('year', 'Năm', 'Year', INT, 8), C('reference', 'Số, ký hiệu', 'Reference', T, 24),
               C('addressee', 'Nơi nhận kiến nghị', 'Addressee', T, 30), C('text', 'Nội dung', 'Text', T, 70),
               C('deadline', 'Thời hạn', 'Deadline', D, 12), C('state', 'Trạng thái', 'State', T, 16),
               C('overdue', 'Quá hạn', 'Overdue', B, 9),
               C('age', 'Số ngày từ thời hạn', 'Days since deadline', INT, 12)],
              recommendations()),
    ]


def _ref(number: int | None, symbol: str) -> str:
    return f'{number:02d}/{symbol}' if number is not None else f'…/{symbol}'


AGE_LABELS = {'0-30': ('Đến 30 ngày', 'Up to 30 days'), '31-90': ('31–90 ngày', '31–90 days'),
              '91-180': ('91–180 ngày', '91–180 days'), '180+': ('Trên 180 ngày', 'Over 180 days')}
REC_STATE_LABELS = {'verified': ('Đã kiểm tra xác nhận', 'Verified'), 'done': ('Đã thực hiện', 'Done'),
                    'in_progress': ('Đang thực hiện', 'In progress'), 'open': ('Chưa thực hiện', 'Open'),
                    'overdue': ('Quá hạn', 'Overdue')}


def cross_dashboard_tables(d, lang: str = 'vi') -> list[Table]:  # noqa: ANN001
    """The cross-round dashboard's views (:class:`inspect_flow.plans.analytics.CrossDashboard`) as tables: the
    same figures as the page, under the same filters."""
    from inspect_flow.plans.analytics import AGE_BUCKETS, STATE_ORDER

    def share(n: int, total: int) -> Percent | None:
        return Percent(n / total) if total else None

    trends = [(int(b.key), b.counts.get('achievement', 0), b.counts.get('limitation', 0), b.counts.get('cause', 0),
               b.total) for b in d.trends]
    total = d.recommendation_total
    states = [(_pick(REC_STATE_LABELS[k], lang), d.recommendations.get(k, 0), share(d.recommendations.get(k, 0), total))
              for k in STATE_ORDER]
    ages = [(_pick(AGE_LABELS[k], lang), d.ages.get(k, 0), share(d.ages.get(k, 0), d.overdue_total))
            for k, _first, _last in AGE_BUCKETS]
    recurring = [(r.unit, r.category, r.rounds, ', '.join(str(y) for y in r.years)) for r in d.recurring]
    return [
        Table('trends', 'Kết quả theo năm', 'Findings by year',
              [C('year', 'Năm', 'Year', INT, 8), C('achievement', 'Đạt được', 'Achievements', INT, 12),
               C('limitation', 'Hạn chế', 'Limitations', INT, 12), C('cause', 'Nguyên nhân', 'Causes', INT, 12),
               C('total', 'Tổng số', 'Total', INT, 10)], trends),
        Table('states', 'Kiến nghị theo trạng thái', 'Recommendations by state',
              [C('state', 'Trạng thái', 'State', T, 22), C('count', 'Số kiến nghị', 'Recommendations', INT, 14),
               C('share', 'Tỷ lệ', 'Share', P, 10)], states),
        Table('ages', 'Quá hạn theo số ngày', 'Overdue by days late',
              [C('age', 'Số ngày quá hạn', 'Days late', T, 18), C('count', 'Số kiến nghị', 'Recommendations', INT, 14),
               C('share', 'Tỷ lệ', 'Share', P, 10)], ages),
        Table('recurring', 'Hạn chế lặp lại', 'Returning limitations',
              [C('unit', 'Đơn vị (hiện nay)', 'Unit (today)', T, 30), C('category', 'Nhóm hạn chế', 'Category', T, 26),
               C('rounds', 'Số đợt', 'Rounds', INT, 8), C('years', 'Năm', 'Years', T, 16)], recurring),
    ]
