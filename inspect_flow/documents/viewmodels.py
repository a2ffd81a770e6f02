"""View models: the plain data each document template renders.

Frozen dataclasses of plain Python values (str, int, date, datetime, time, tuples and nested view
models) and nothing else: no ORM object crosses into the templates, so a document renders the same
from the database, from a fixture or from a frozen JSON snapshot. Every field is keyword-only.

Sequences may be passed as lists; they are stored as tuples. Text is user data: the templates
escape it, never evaluate it. Paragraph fields are sequences of paragraphs (one string each,
without numbering); the templates number sections and items.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, time

from inspect_flow.documents import vnformat


class _ViewModel:
    """Mixin: store list fields as tuples and check the invariants of :meth:`_check`."""

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if isinstance(value, list):
                object.__setattr__(self, f.name, tuple(value))
        self._check()

    def _check(self) -> None:
        """Raise :class:`ValueError` when the data cannot make a valid document."""


def _require(value: str, name: str) -> None:
    if not value or not value.strip():
        raise ValueError(f'{name} must not be empty')


# --------------------------------------------------------------------------- common parts


@dataclass(frozen=True, kw_only=True)
class IssuingBody(_ViewModel):
    """The issuing body (cơ quan, tổ chức ban hành văn bản); mirrors ``units.models.IssuingBody``.

    :param name: the full name used in running text: ``Ban Chỉ đạo các Chương trình mục tiêu quốc
        gia tỉnh Bến Tre``
    :param abbreviation: the abbreviation of the symbol: ``BCĐCCTMTQG``
    :param place_name: the địa danh of the date line: ``Bến Tre``
    :param header_lines: the name as printed in the header, one entry per line (upper-cased by the
        template); defaults to *name* on one line
    :param parent_header: the parent body printed above (cơ quan chủ quản): ``UBND TỈNH BẾN TRE``
    """

    name: str
    abbreviation: str
    place_name: str
    header_lines: tuple[str, ...] = ()
    parent_header: str | None = None

    def _check(self) -> None:
        _require(self.name, 'issuer name')
        _require(self.abbreviation, 'issuer abbreviation')
        _require(self.place_name, 'issuer place name')

    @property
    def printed_lines(self) -> tuple[str, ...]:
        """The header lines in upper case."""
        return tuple(vnformat.vn_upper(line) for line in (self.header_lines or (self.name,)))

    @property
    def parent_lines(self) -> tuple[str, ...]:
        """The parent body's lines in upper case (*parent_header* may hold several, one per ``\\n``)."""
        if not self.parent_header:
            return ()
        return tuple(vnformat.vn_upper(line.strip()) for line in self.parent_header.split('\n') if line.strip())


@dataclass(frozen=True, kw_only=True)
class DocumentRef(_ViewModel):
    """A reference to another document, e.g. the plan a visit carries out.

    Renders as ``Kế hoạch số 1245/KH-BCĐCCTMTQG ngày 28/5/2019 của Ban Chỉ đạo …``. A document
    that is not issued yet (a draft plan) has no *number* and no *issued_on*; its citation leaves
    them blank.
    """

    type_code: str
    number: int | None
    issuer_abbreviation: str
    issued_on: date | None
    issuer_name: str

    def _check(self) -> None:
        vnformat.symbol(self.type_code, self.issuer_abbreviation)

    @property
    def reference(self) -> str:
        """``1245/KH-BCĐCCTMTQG``."""
        return vnformat.reference(self.number, self.type_code, self.issuer_abbreviation)

    @property
    def citation(self) -> str:
        """``Kế hoạch số 1245/KH-BCĐCCTMTQG ngày 28/5/2019 của Ban Chỉ đạo …``."""
        label = vnformat.TYPE_LABELS.get(self.type_code, self.type_code)
        when = vnformat.date_short(self.issued_on) if self.issued_on else vnformat.DRAFT_DATE_BLANK
        return f'{label} số {self.reference} ngày {when} của {self.issuer_name}'


@dataclass(frozen=True, kw_only=True)
class Signature(_ViewModel):
    """A signature block (NĐ 30 Phụ lục I, thẩm quyền ký).

    Lines, all bold and upper case: *heading* (minutes only, e.g. ``TRƯỞNG ĐOÀN KIỂM TRA``), then
    ``{prefix} {on_behalf_of}`` (``KT. TRƯỞNG BAN``) when *prefix* is set, then *title*
    (``PHÓ TRƯỞNG BAN``); the space for seal and signature; the name in bold.

    :param name: the signer's full name; ``None`` while a draft does not know who will sign
    :param prefix: one of ``TM.``, ``KT.``, ``Q.``, ``TL.``, ``TUQ.`` (:class:`vnformat.AuthorityPrefix`)
    :param caption: an italic hint under the lines, e.g. ``(Ký, ghi rõ họ tên)`` on minutes
    """

    title: str
    name: str | None
    prefix: str | None = None
    on_behalf_of: str | None = None
    heading: str | None = None
    caption: str | None = None

    def _check(self) -> None:
        if self.name is not None:
            _require(self.name, 'signer name')
        vnformat.authority_line(self.prefix, self.on_behalf_of)

    @property
    def lines(self) -> tuple[str, ...]:
        """The upper-case lines above the signature space."""
        lines = []
        if self.heading:
            lines.append(vnformat.vn_upper(self.heading))
        authority = vnformat.authority_line(self.prefix, self.on_behalf_of)
        if authority:
            lines.append(authority)
        if self.title and self.prefix != 'Q.':  # an acting head signs under "Q. TRƯỞNG BAN" alone
            lines.append(vnformat.vn_upper(self.title))
        return tuple(lines)


@dataclass(frozen=True, kw_only=True)
class DocumentMeta(_ViewModel):
    """What every numbered document has: issuer, number, date, subject and Nơi nhận.

    :param subject: the trích yếu, sentence case, no final full stop
    :param number: the allocated number; ``None`` for a draft (``Số:      /KH-…``)
    :param issued_on: the date of issue; ``None`` for a draft (day and month left blank)
    :param recipients: Nơi nhận lines without the leading ``-`` and the final ``;``
    :param archive: the ``Lưu:`` line, ``VT`` first: ``('VT', 'BTXH')`` → ``- Lưu: VT, BTXH.``
    :param replaces: the issued document this one corrects, if any
    """

    issuer: IssuingBody
    subject: str
    number: int | None = None
    issued_on: date | None = None
    recipients: tuple[str, ...] = ()
    archive: tuple[str, ...] = ('VT',)
    replaces: DocumentRef | None = None

    def _check(self) -> None:
        _require(self.subject, 'subject')
        if self.number is not None and self.number < 1:
            raise ValueError(f'document numbers start at 1: {self.number}')

    @property
    def is_draft(self) -> bool:
        """A draft has no number yet."""
        return self.number is None

    @property
    def recipient_lines(self) -> tuple[str, ...]:
        """The Nơi nhận lines as printed, ending with ``- Lưu: VT, ….``."""
        lines = [vnformat.recipient_line(r) for r in self.recipients]
        lines.append(vnformat.recipient_line(vnformat.archive_line(self.archive), last=True))
        return tuple(lines)


@dataclass(frozen=True, kw_only=True)
class Participant(_ViewModel):
    """A person in a team or at a meeting; mirrors ``units.models.Person`` plus their role.

    :param role: the role label as printed (``Trưởng đoàn``, ``Thành viên``, ``Thư ký``…), or ``''``
    """

    name: str
    title: str = ''
    agency: str = ''
    role: str = ''

    def _check(self) -> None:
        _require(self.name, 'participant name')

    @property
    def position(self) -> str:
        """``Phó Giám đốc Sở Lao động - Thương binh và Xã hội``: title and agency joined."""
        return ' '.join(p for p in (self.title, self.agency) if p)


@dataclass(frozen=True, kw_only=True)
class ScheduleEntry(_ViewModel):
    """One row of the fieldwork schedule: a team's session in one commune."""

    visit_date: date
    district: str
    commune: str
    team_no: int
    team_leader: str
    start_time: time | None = None
    venue: str = ''
    local_participants: str = ''
    note: str = ''


@dataclass(frozen=True, kw_only=True)
class Recommendation(_ViewModel):
    """A recommendation (kiến nghị) tracked after the round.

    :param addressee: who must act: ``UBND huyện Mỏ Cày Bắc``
    :param deadline: the due date, or ``None`` with *deadline_text* (``thường xuyên``) instead
    """

    text: str
    addressee: str
    deadline: date | None = None
    deadline_text: str = ''

    def _check(self) -> None:
        _require(self.text, 'recommendation text')
        _require(self.addressee, 'recommendation addressee')

    @property
    def deadline_label(self) -> str:
        """``trước ngày 30/9/2019``, the free text, or ``''``."""
        if self.deadline is not None:
            return f'trước ngày {vnformat.date_short(self.deadline)}'
        return self.deadline_text


@dataclass(frozen=True, kw_only=True)
class Section(_ViewModel):
    """A numbered sub-section of a report: heading (sentence case) and paragraphs."""

    heading: str
    paragraphs: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Assignment(_ViewModel):
    """Who does what in the plan's "Tổ chức thực hiện": a party and its duties."""

    party: str
    duties: tuple[str, ...] = ()


# --------------------------------------------------------------------------- KẾ HOẠCH


@dataclass(frozen=True, kw_only=True)
class Plan(_ViewModel):
    """The plan (KẾ HOẠCH kiểm tra, giám sát), NĐ 30 Mẫu 1.4; domain.md §2.3.

    Sections: I. Mục đích, yêu cầu; II. Nội dung; III. Đối tượng, địa bàn, thời gian (with the
    schedule table); IV. Phương pháp; V. Thành phần đoàn; VI. Tổ chức thực hiện; VII. Kinh phí
    (only when *funding* is given).
    """

    meta: DocumentMeta
    signature: Signature
    legal_bases: tuple[str, ...] = ()
    purposes: tuple[str, ...] = ()
    requirements: tuple[str, ...] = ()
    contents: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    fieldwork_start: date
    fieldwork_end: date
    schedule: tuple[ScheduleEntry, ...] = ()
    #: The communes' kind in the text and tables: ``xã`` (2019), ``xã, phường`` (two tiers).
    communes_phrase: str = 'xã'
    methods: tuple[str, ...] = ()
    households_per_commune: int = 0
    team_composition: tuple[str, ...] = ()
    assignments: tuple[Assignment, ...] = ()
    funding: tuple[str, ...] = ()
    closing: str = ''

    def _check(self) -> None:
        if self.fieldwork_end < self.fieldwork_start:
            raise ValueError('fieldwork ends before it starts')


# --------------------------------------------------------------------------- QUYẾT ĐỊNH


@dataclass(frozen=True, kw_only=True)
class TeamComposition(_ViewModel):
    """One inspection team (đoàn số …) and its members, leader first."""

    number: int
    area: str = ''
    members: tuple[Participant, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Article(_ViewModel):
    """An article (Điều) of a decision: its paragraphs; the template prints ``Điều n.``."""

    paragraphs: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class TeamDecision(_ViewModel):
    """The decision forming the teams (QUYẾT ĐỊNH thành lập Đoàn kiểm tra, giám sát).

    Article 1 is *teams_intro* followed by one composition table per team; *articles* are
    Article 2 onwards (duties, execution), the last one ending with ``./.``.

    :param decider: the competence line under the title, e.g. ``TRƯỞNG BAN CHỈ ĐẠO CÁC CHƯƠNG
        TRÌNH MỤC TIÊU QUỐC GIA TỈNH BẾN TRE``
    :param proposal: ``Xét đề nghị của Giám đốc Sở Lao động - Thương binh và Xã hội.``
    """

    meta: DocumentMeta
    signature: Signature
    decider: str
    legal_bases: tuple[str, ...] = ()
    proposal: str = ''
    teams_intro: str
    teams: tuple[TeamComposition, ...] = ()
    articles: tuple[Article, ...] = ()


# --------------------------------------------------------------------------- LỊCH LÀM VIỆC


@dataclass(frozen=True, kw_only=True)
class WorkSchedule(_ViewModel):
    """The working schedule (LỊCH LÀM VIỆC), a landscape annex; it has no number of its own.

    :param attached_to: the plan or notice it is attached to (``Kèm theo Kế hoạch số …``)
    """

    issuer: IssuingBody
    subject: str
    entries: tuple[ScheduleEntry, ...]
    attached_to: DocumentRef | None = None
    #: The communes' kind in the table's heading: ``xã`` (2019), ``xã, phường`` (two tiers).
    communes_phrase: str = 'xã'
    notes: tuple[str, ...] = ()

    def _check(self) -> None:
        _require(self.subject, 'subject')


# --------------------------------------------------------------------------- BIÊN BẢN LÀM VIỆC


@dataclass(frozen=True, kw_only=True)
class HouseholdConsulted(_ViewModel):
    """A household consulted during the visit (tham vấn hộ).

    :param head: the household head as written in the minutes: ``Hộ ông Nguyễn Văn Tám``
    :param category: ``hộ nghèo``, ``hộ cận nghèo``, ``hộ thoát nghèo năm 2018``…
    :param diary_kept: whether the household diary (sổ nhật ký) was seen up to date; ``None`` = n/a
    :param loan_as_intended: whether the NHCSXH loan is used for its purpose; ``None`` = no loan
    """

    head: str
    hamlet: str = ''
    category: str
    findings: str
    support_received: str = ''
    diary_kept: bool | None = None
    loan_as_intended: bool | None = None


@dataclass(frozen=True, kw_only=True)
class Statement(_ViewModel):
    """An opinion voiced at the meeting: who spoke, what they said."""

    speaker: str = ''
    text: str


@dataclass(frozen=True, kw_only=True)
class FollowUpRow(_ViewModel):
    """An earlier round's recommendation checked during the visit (minutes' section on earlier recommendations)."""

    addressee: str
    text: str
    from_plan: str
    deadline: date | None = None
    #: The outcome as printed (``Đã thực hiện``), empty when not checked yet.
    outcome: str = ''
    note: str = ''
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Minutes(_ViewModel):
    """The minutes of one visit (BIÊN BẢN LÀM VIỆC), NĐ 30 Mẫu 1.9; domain.md §2.5.

    The header has a number but no place-and-date line: the time is in the body.
    ``meta.issued_on`` is ignored. The signatures are the local side's (left) and the team
    leader's (right); the secretary's is optional.
    """

    meta: DocumentMeta
    plan_ref: DocumentRef
    team_no: int
    started_at: datetime
    ended_at: datetime
    venue: str
    chair: str
    secretary: str = ''
    team_members: tuple[Participant, ...]
    local_participants: tuple[Participant, ...]
    invited: tuple[Participant, ...] = ()
    #: The local steering committees that report: ``huyện, xã`` (three tiers), ``xã`` (two tiers).
    local_levels: str = 'huyện, xã'
    opening: tuple[str, ...] = ()
    local_reports: tuple[str, ...] = ()
    records_checked: tuple[str, ...] = ()
    households: tuple[HouseholdConsulted, ...] = ()
    discussion: tuple[Statement, ...] = ()
    achievements: tuple[str, ...] = ()
    limitations: tuple[str, ...] = ()
    causes: tuple[str, ...] = ()
    conclusions: tuple[str, ...] = ()
    recommendations: tuple[Recommendation, ...] = ()
    local_opinion: tuple[str, ...] = ()
    #: The earlier rounds' recommendations checked during the visit (templates/documents/_follow_up.html).
    follow_up: tuple[FollowUpRow, ...] = ()
    copies: int = 2
    local_signature: Signature
    team_signature: Signature
    secretary_signature: Signature | None = None

    def _check(self) -> None:
        if self.ended_at < self.started_at:
            raise ValueError('the meeting ends before it starts')
        if self.copies < 1:
            raise ValueError('at least one copy')


# --------------------------------------------------------------------------- THÔNG BÁO KẾT LUẬN


@dataclass(frozen=True, kw_only=True)
class ConclusionNotice(_ViewModel):
    """The conclusion notice to one unit (THÔNG BÁO KẾT LUẬN), numbered TB; domain.md §2.7: a district in
    three tiers, a commune in two tiers.

    The lead sentence is composed from the fields: "Thực hiện {plan_ref.citation}, ngày
    {visit_date}, Đoàn kiểm tra, giám sát số {team_no} do đồng chí {leader_name}, {leader_title}
    làm Trưởng đoàn đã làm việc với {worked_with}; …".

    :param district: the concluded unit as written in a sentence: ``huyện Mỏ Cày Bắc``, ``xã Nhuận Phú Tân``
    :param communes: ``('xã Nhuận Phú Tân',)``
    :param worked_with: the bodies met, as written in the lead sentence
    :param notify: who the notice is addressed to in the closing: ``UBND huyện Mỏ Cày Bắc, …``
    """

    meta: DocumentMeta
    signature: Signature
    plan_ref: DocumentRef
    visit_date: date
    team_no: int
    leader_name: str
    leader_title: str
    district: str
    communes: tuple[str, ...]
    worked_with: str
    summary: tuple[str, ...] = ()
    achievements: tuple[str, ...] = ()
    limitations: tuple[str, ...] = ()
    causes: tuple[str, ...] = ()
    recommendations: tuple[Recommendation, ...] = ()
    #: One sentence counting the earlier rounds' recommendations checked (empty: none followed).
    follow_up_sentence: str = ''
    notify: str


# --------------------------------------------------------------------------- BÁO CÁO


@dataclass(frozen=True, kw_only=True)
class RecommendationGroup(_ViewModel):
    """Recommendations of a report grouped by addressee: ``Đối với UBND các huyện, thành phố``."""

    addressee: str
    items: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class TeamReport(_ViewModel):
    """One team's report to the provincial committee (BÁO CÁO kết quả kiểm tra, giám sát).

    Sections: I. Khái quát (composed lead + *overview*); II. Kết quả kiểm tra (*results*);
    III. Đánh giá chung (ưu điểm, hạn chế, nguyên nhân); IV. Kiến nghị, đề xuất.
    """

    meta: DocumentMeta
    signature: Signature
    plan_ref: DocumentRef
    team_no: int
    visit_date: date
    district: str
    commune: str
    households_consulted: int
    overview: tuple[str, ...] = ()
    results: tuple[Section, ...] = ()
    achievements: tuple[str, ...] = ()
    limitations: tuple[str, ...] = ()
    causes: tuple[str, ...] = ()
    recommendations: tuple[RecommendationGroup, ...] = ()
    closing: str = ''


@dataclass(frozen=True, kw_only=True)
class RoundCounts(_ViewModel):
    """The round in figures."""

    teams: int
    districts: int
    communes: int
    households_consulted: int
    limitations: int
    recommendations: int


@dataclass(frozen=True, kw_only=True)
class DistrictRow(_ViewModel):
    """A row of the by-district table of the round report."""

    district: str
    commune: str
    team_no: int
    visit_date: date
    households_consulted: int
    limitations: int
    recommendations: int


@dataclass(frozen=True, kw_only=True)
class CategoryRow(_ViewModel):
    """A row of the by-category table: a category of finding, how often, and where."""

    category: str
    occurrences: int
    districts: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class FigureRow(_ViewModel):
    """Poverty figures of one commune visited, as its steering committee reported them to the team
    (the checklist's answers); ``None`` where the figure was not collected."""

    district: str
    commune: str
    households: int | None = None
    poor: int | None = None
    escaped: int | None = None
    re_poor: int | None = None
    new_poor: int | None = None
    participating: int | None = None
    escaped_sustainably: int | None = None


@dataclass(frozen=True, kw_only=True)
class RoundReport(_ViewModel):
    """The consolidated round report (BÁO CÁO kết quả kiểm tra, giám sát), rolling up all teams.

    Same sections as :class:`TeamReport`, with the figures (*counts*) in the lead and two tables in
    section I: by district and by category of finding.
    """

    meta: DocumentMeta
    signature: Signature
    plan_ref: DocumentRef
    fieldwork_start: date
    fieldwork_end: date
    counts: RoundCounts
    by_district: tuple[DistrictRow, ...] = ()
    #: The communes' kind in the text and tables: ``xã`` (2019), ``xã, phường`` (two tiers).
    communes_phrase: str = 'xã'
    by_category: tuple[CategoryRow, ...] = ()
    figures: tuple[FigureRow, ...] = ()
    overview: tuple[str, ...] = ()
    results: tuple[Section, ...] = ()
    achievements: tuple[str, ...] = ()
    limitations: tuple[str, ...] = ()
    causes: tuple[str, ...] = ()
    recommendations: tuple[RecommendationGroup, ...] = ()
    #: One sentence counting the earlier rounds' recommendations checked (empty: none followed).
    follow_up_sentence: str = ''
    closing: str = ''


ViewModel = Plan | TeamDecision | WorkSchedule | Minutes | ConclusionNotice | TeamReport | RoundReport

__all__ = [
    'Article',
    'Assignment',
    'CategoryRow',
    'ConclusionNotice',
    'DistrictRow',
    'DocumentMeta',
    'DocumentRef',
    'FigureRow',
    'FollowUpRow',
    'HouseholdConsulted',
    'IssuingBody',
    'Minutes',
    'Participant',
    'Plan',
    'Recommendation',
    'RecommendationGroup',
    'RoundCounts',
    'RoundReport',
    'ScheduleEntry',
    'Section',
    'Signature',
    'Statement',
    'TeamComposition',
    'TeamDecision',
    'TeamReport',
    'ViewModel',
]
