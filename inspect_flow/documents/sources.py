"""Build each document's view model from the database: the round as it stands now.

This is the only module of the documents package that reads the round's tables. It turns a plan,
its teams, visits, participants, households, findings, conclusions and recommendations into the
plain view models of :mod:`inspect_flow.documents.viewmodels`, which the templates render.

* :func:`resolve_target` checks what a document is about (a visit for minutes, the concluded unit for
  a conclusion notice: a district in three tiers, a commune in two tiers; a team for a team report,
  the plan otherwise) and refuses what does not belong to the plan, with a bilingual
  :class:`~inspect_flow.core.errors.DomainError`;
* :func:`build_view_model` builds the view model of that document, as a draft (no number, no
  date) or with the number and date given at issue time;
* :func:`document_set` lists every document of a round.

Who signs a document issued by the committee is not in the round's data: the caller passes a
:class:`SignerIn` (the committee's head or deputy); until then a draft leaves the name blank.
Documents of a team (minutes, team report) are signed by the team leader, from the data.

Only *accepted* findings are printed: a rule-suggested finding the team has not yet accepted, or
one it rejected, is not the team's finding.
"""

from __future__ import annotations

import re
from collections import Counter, OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspect_flow.core.errors import Conflict, InvalidInput, NotFound
from inspect_flow.documents import follow_up as follow_up_docs
from inspect_flow.documents import viewmodels as vm
from inspect_flow.documents import vnformat
from inspect_flow.documents.render import KINDS
from inspect_flow.findings.models import Conclusion, Finding, FindingKind, FindingStatus, Recommendation
from inspect_flow.plans.models import ROLE_LABELS, Plan, Team, TeamRole
from inspect_flow.units.models import AdminUnit, IssuingBody, Person, UnitLevel
from inspect_flow.visits.models import HOUSEHOLD_CATEGORY_LABELS, HouseholdConsultation, ParticipantSide, Visit
from inspect_flow.workflow.states import RecommendationState, VisitState

#: What each kind of document is about.
TARGET_OF_KIND: dict[str, str | None] = {
    'plan': None,
    'team_decision': None,
    'schedule': None,
    'minutes': 'visit',
    'conclusion': 'unit',
    'team_report': 'team',
    'report': None,
}

#: Kinds issued by the committee itself (its header, its signer); the others are a team's.
COMMITTEE_KINDS = frozenset({'plan', 'team_decision', 'schedule', 'conclusion', 'report'})

#: Where an unknown checklist item has no label: the items of the free-form household record.
FALLBACK_LABELS = {
    'support_received': 'Chính sách, hỗ trợ đã nhận',
    'perceived_benefit': 'Mức độ hữu ích của hỗ trợ theo ý kiến hộ',
    'in_project': 'Hộ tham gia Đề án sinh kế',
    'right_target': 'Hộ thuộc đúng đối tượng của Đề án',
    'has_livelihood_plan': 'Hộ có kế hoạch sinh kế',
    'diary_seen': 'Đoàn đã xem Sổ nhật ký hộ gia đình',
    'diary_up_to_date': 'Sổ nhật ký được ghi chép thường xuyên, cập nhật',
    'received_loan': 'Hộ có vay vốn ưu đãi',
    'loan_used_as_intended': 'Hộ sử dụng vốn vay đúng mục đích',
    'loan_use_matches': 'Hộ sử dụng vốn vay đúng mục đích',
    'loan_purpose': 'Mục đích vay theo hồ sơ',
    'opinion': 'Ý kiến, nguyện vọng của hộ',
}
FALLBACK_CHOICES = {
    'health_insurance': 'thẻ bảo hiểm y tế',
    'education': 'hỗ trợ giáo dục',
    'housing': 'hỗ trợ nhà ở',
    'clean_water': 'nước sạch, nhà tiêu hợp vệ sinh',
    'loan': 'vốn vay ưu đãi',
    'livelihood': 'con giống, cây giống, tập huấn',
    'none': 'chưa nhận hỗ trợ',
    'high': 'rất hữu ích',
    'some': 'có ích một phần',
    'little': 'ít tác dụng',
}
#: Household answers that identify the household or are printed elsewhere, never in the summary.
HOUSEHOLD_SKIP = frozenset({'household_code', 'head_name', 'category', 'consultation_date', 'records_photo',
                            'photo', 'photos'})
YES = frozenset({'yes', 'co', 'có', True})
NO = frozenset({'no', 'khong', 'không', False})

#: Words that end a title naming a unit's level (``Chủ tịch UBND xã``).
UNIT_WORDS = frozenset({'xã', 'huyện', 'tỉnh', 'phố', 'phường', 'trấn', 'quận'})
#: Long names shortened in the Nơi nhận list, as offices write them.
SHORT_NAMES = (
    ('Ban Chỉ đạo', 'BCĐ'),
    ('Chương trình mục tiêu quốc gia', 'CTMTQG'),
    ('Ủy ban nhân dân', 'UBND'),
    ('Lao động - Thương binh và Xã hội', 'LĐTBXH'),
)

#: GSO unit kinds as written in a sentence, in the order a list names them.
UNIT_KIND_WORDS = OrderedDict([('huyen', 'huyện'), ('quan', 'quận'), ('thi-xa', 'thị xã'), ('thanh-pho', 'thành phố'),
                               ('xa', 'xã'), ('phuong', 'phường'), ('thi-tran', 'thị trấn'), ('dac-khu', 'đặc khu')])


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class SignerIn:
    """Who signs a document of the committee, and with which authority (NĐ 30 Phụ lục I).

    The default is a deputy head signing for the head: ``KT. TRƯỞNG BAN`` / ``PHÓ TRƯỞNG BAN``.

    :param name: the signer's full name; ``None`` leaves the name blank (a draft)
    :param prefix: ``TM.``, ``KT.``, ``Q.``, ``TL.``, ``TUQ.``, or ``None`` to sign in one's own right
    """

    name: str | None = None
    title: str = 'Phó Trưởng ban'
    prefix: str | None = 'KT.'
    on_behalf_of: str | None = 'Trưởng ban'

    def signature(self) -> vm.Signature:
        try:
            return vm.Signature(title=self.title, name=self.name, prefix=self.prefix,
                                on_behalf_of=self.on_behalf_of if self.prefix else None)
        except ValueError as exc:
            raise InvalidInput('document.bad_signer', f'Thông tin người ký không hợp lệ: {exc}.',
                               f'The signer is not valid: {exc}.', field='signer') from None

    def as_dict(self) -> dict[str, str | None]:
        return {'name': self.name, 'title': self.title, 'prefix': self.prefix, 'on_behalf_of': self.on_behalf_of}

    def check_authority(self) -> None:
        """Refuse a signature that breaks NĐ 30's rules of authority (thẩm quyền ký).

        * ``TM.`` (thay mặt) stands for a collective body and is followed by its name (``TM. BAN CHỈ ĐẠO``);
          its head signs (``TRƯỞNG BAN``), not a deputy.
        * ``KT.`` (ký thay): a deputy (``PHÓ …``) signs for the head (``KT. TRƯỞNG BAN``).
        * ``Q.`` (quyền): an acting head (``Q. TRƯỞNG BAN``).
        * ``TL.`` (thừa lệnh) and ``TUQ.`` (thừa ủy quyền): an official other than the head or a deputy
          (``CHÁNH VĂN PHÒNG``) signs for the head (``TL. TRƯỞNG BAN``).
        * Without a prefix, the signer signs in their own right: not a deputy.

        :raise InvalidInput: naming the field: ``signer_for`` (what the prefix acts for), ``signer_title``
            or ``authority``
        """
        check_authority(self.prefix, self.on_behalf_of, self.title)


def default_signer_for(prefix: str | None) -> str | None:
    """What *prefix* acts for when the user names nothing: the committee for ``TM.``, its head for the others."""
    if prefix is None:
        return None
    return 'Ban Chỉ đạo' if prefix == 'TM.' else 'Trưởng ban'


#: How the name of a collective body (which ``TM.`` stands for) begins, upper case.
COLLECTIVE_BODY_WORDS = ('BAN', 'BCĐ', 'ỦY BAN', 'UỶ BAN', 'UBND', 'HĐND', 'HỘI ĐỒNG', 'ĐOÀN', 'TỔ', 'THƯỜNG TRỰC',
                         'THƯỜNG VỤ', 'HỘI')
#: The first word of a deputy's title.
_DEPUTY = 'PHÓ'


def is_collective_body(text: str | None) -> bool:
    """Whether *text* names a collective body (``Ban Chỉ đạo``, ``UBND tỉnh``, ``Đoàn kiểm tra``), not a person's
    title (``Trưởng ban``, ``Trưởng đoàn``)."""
    words = vnformat.vn_upper(text or '').split()
    return any(words[:len(w.split())] == w.split() for w in COLLECTIVE_BODY_WORDS)


def is_deputy(title: str | None) -> bool:
    """Whether *title* is a deputy's (``Phó Trưởng ban``, ``Phó Chủ tịch``)."""
    return vnformat.vn_upper(title or '').split()[:1] == [_DEPUTY]


def _authority_error(code: str, vi: str, en: str, field: str) -> InvalidInput:
    return InvalidInput(f'document.{code}', vi, en, field=field)


def check_authority(prefix: str | None, on_behalf_of: str | None, title: str | None) -> None:
    """The rules of :meth:`SignerIn.check_authority`, for any signature.

    :raise InvalidInput: naming the field (``authority``, ``signer_for`` or ``signer_title``)
    """
    up = vnformat.vn_upper
    if prefix is not None and prefix not in vnformat.AUTHORITY_PREFIXES:
        raise _authority_error('bad_authority', f'Thẩm quyền ký "{prefix}" không hợp lệ (TM., KT., Q., TL., TUQ.).',
                               f'Unknown signing authority "{prefix}" (TM., KT., Q., TL., TUQ.).', 'authority')
    if prefix is not None and not (on_behalf_of and on_behalf_of.strip()):
        raise _authority_error('authority_without_head', f'"{prefix}" phải có chức danh hoặc tập thể được ký thay '
                               f'(ví dụ: {prefix} TRƯỞNG BAN).',
                               f'"{prefix}" needs the title or body it signs for (e.g. {prefix} TRƯỞNG BAN).',
                               'signer_for')
    if not (title and title.strip()) and prefix != 'Q.':
        raise _authority_error('signer_title_required', 'Phải ghi chức vụ của người ký.',
                               "The signer's title is required.", 'signer_title')
    line = f'{prefix} {up(on_behalf_of or "")}'
    if prefix == 'TM.':
        if not is_collective_body(on_behalf_of):
            raise _authority_error(
                'tm_needs_body', f'"{line}" sai thẩm quyền: TM. (thay mặt) đứng trước tên tập thể lãnh đạo (Ban Chỉ '
                'đạo, UBND, Đoàn…), không đứng trước chức danh của một người; viết "TM. BAN CHỈ ĐẠO" / '
                '"TRƯỞNG BAN", hoặc "KT. TRƯỞNG BAN" / "PHÓ TRƯỞNG BAN" khi cấp phó ký.',
                f'"{line}" is the wrong authority: TM. (on behalf of) precedes the name of a collective body (a '
                'Steering Committee, People’s Committee, team…), not a person’s title; write "TM. BAN CHỈ ĐẠO" / '
                '"TRƯỞNG BAN", or "KT. TRƯỞNG BAN" / "PHÓ TRƯỞNG BAN" when a deputy signs.', 'signer_for')
        if is_deputy(title):
            raise _authority_error(
                'tm_signed_by_deputy', f'Người đứng đầu ký thay mặt tập thể ("{line}" / "{up(title)}" sai): cấp phó '
                'ký với thẩm quyền KT. (ký thay) người đứng đầu.',
                f'The head signs on behalf of the collective body ("{line}" / "{up(title)}" is wrong): a deputy signs '
                'KT. (for) the head.', 'signer_title')
        return
    if prefix is not None and is_collective_body(on_behalf_of):
        raise _authority_error(
            'body_needs_tm', f'"{line}" sai thẩm quyền: {prefix} đứng trước chức danh người đứng đầu (ví dụ '
            f'"{prefix} TRƯỞNG BAN"); chỉ TM. đứng trước tên một tập thể.',
            f'"{line}" is the wrong authority: {prefix} precedes the head’s title (e.g. "{prefix} TRƯỞNG BAN"); only '
            'TM. precedes the name of a collective body.', 'signer_for')
    if prefix is not None and is_deputy(on_behalf_of):
        raise _authority_error(
            'signs_for_deputy', f'"{line}" sai thẩm quyền: {prefix} ký thay người đứng đầu, không ký thay cấp phó.',
            f'"{line}" is the wrong authority: {prefix} signs for the head, not for a deputy.', 'signer_for')
    if prefix == 'KT.' and not is_deputy(title):
        raise _authority_error(
            'kt_needs_deputy', f'KT. (ký thay) là cấp phó ký thay người đứng đầu: chức vụ người ký phải là cấp phó '
            f'(ví dụ "PHÓ {up(on_behalf_of)}"), không phải "{up(title)}".',
            f'KT. (signing for) is a deputy signing for the head: the signer’s title must be a deputy’s (e.g. '
            f'"PHÓ {up(on_behalf_of)}"), not "{up(title)}".', 'signer_title')
    if prefix in ('TL.', 'TUQ.') and (is_deputy(title) or up(title) == up(on_behalf_of)):
        what = 'thừa lệnh' if prefix == 'TL.' else 'thừa ủy quyền'
        raise _authority_error(
            'delegate_title', f'{prefix} ({what}) là người được giao (Chánh Văn phòng, Trưởng phòng…) ký thay người '
            f'đứng đầu; "{up(title)}" không ký {prefix}: người đứng đầu ký theo thẩm quyền của mình, cấp phó ký KT.',
            f'{prefix} is a delegated official (office chief, head of division…) signing for the head; '
            f'"{up(title)}" does not sign {prefix}: the head signs in their own right, a deputy signs KT.',
            'signer_title')
    if prefix is None and is_deputy(title):
        raise _authority_error(
            'deputy_needs_kt', f'Cấp phó ("{up(title)}") không ký theo thẩm quyền của mình trên văn bản của tập thể: '
            'chọn thẩm quyền KT. (ký thay) người đứng đầu.',
            f'A deputy ("{up(title)}") does not sign the body’s document in their own right: choose KT. (signing '
            'for) the head.', 'authority')


@dataclass(frozen=True)
class Target:
    """What one document is about: the plan, and one visit, concluded unit or team when the kind needs it.

    ``unit`` is the unit of a conclusion notice: a district in three tiers, a commune in two tiers.
    """

    kind: str
    plan: Plan
    visit: Visit | None = None
    unit: AdminUnit | None = None
    team: Team | None = None

    @property
    def label(self) -> str:
        """A short Vietnamese label: ``Biên bản - Xã Nhuận Phú Tân``."""
        what = KIND_LABELS[self.kind][0]
        if self.visit is not None:
            return f'{what} - {self.visit.where}'
        if self.unit is not None:
            return f'{what} - {self.unit.full_name}'
        if self.team is not None:
            return f'{what} - Đoàn số {self.team.number:02d}'
        return what

    @property
    def slug(self) -> str:
        """A file-name part: ``minutes-visit5``, ``conclusion-838``, ``team_report-team05``, ``plan``."""
        if self.visit is not None:
            return f'{self.kind}-visit{self.visit.id}'
        if self.unit is not None:
            return f'{self.kind}-{self.unit.code}'
        if self.team is not None:
            return f'{self.kind}-team{self.team.number:02d}'
        return self.kind


#: (Vietnamese, English) names of each kind.
KIND_LABELS = {
    'plan': ('Kế hoạch kiểm tra, giám sát', 'Inspection plan'),
    'team_decision': ('Quyết định thành lập Đoàn', 'Decision forming the teams'),
    'schedule': ('Lịch làm việc', 'Working schedule'),
    'minutes': ('Biên bản làm việc', 'Minutes of a visit'),
    'conclusion': ('Thông báo kết luận', 'Conclusion notice'),
    'team_report': ('Báo cáo của Đoàn', "Team's report"),
    'report': ('Báo cáo kết quả kiểm tra, giám sát', 'Round report'),
}


# --------------------------------------------------------------------------- target resolution


def check_kind(kind: str) -> str:
    """Return *kind* if it is a document kind.

    :raise InvalidInput: an unknown kind
    """
    if kind not in KINDS:
        names = ', '.join(KINDS)
        raise InvalidInput('document.unknown_kind', f'Không có loại văn bản "{kind}". Chọn một trong: {names}.',
                           f'There is no document kind "{kind}". Choose one of: {names}.', field='kind')
    return kind


def _active_visits(plan: Plan) -> list[Visit]:
    return sorted((v for v in plan.visits if v.state != VisitState.cancelled),
                  key=lambda v: (v.starts_at, v.team.number, v.id))


def _get_visit(session: Session, plan: Plan, visit: Visit | int | str) -> Visit:
    from inspect_flow.visits.operations import get_visit

    if not isinstance(visit, Visit):
        visit = get_visit(session, visit)
    if visit.plan_id != plan.id:
        raise InvalidInput('document.visit_not_in_plan',
                           f'Buổi làm việc số {visit.id} không thuộc Kế hoạch {plan.reference}.',
                           f'Visit {visit.id} does not belong to plan {plan.reference}.', field='visit')
    if visit.state == VisitState.cancelled:
        raise Conflict('document.visit_cancelled', f'Buổi làm việc số {visit.id} đã bị hủy; không có biên bản.',
                       f'Visit {visit.id} was cancelled; it has no minutes.', field='visit')
    return visit


def _get_unit(plan: Plan, unit: AdminUnit | str, field: str) -> AdminUnit:
    """The concluded unit named by *unit* (a code or a unit): a district in three tiers, a commune in two."""
    code = unit.code if isinstance(unit, AdminUnit) else str(unit).strip()
    visited = {v.conclusion_unit.code: v.conclusion_unit for v in _active_visits(plan)}
    if code in visited:
        return visited[code]
    names = ', '.join(f'{d.full_name} ({c})' for c, d in sorted(visited.items())) or '-'
    if any(u.level == UnitLevel.district for u in visited.values()) or not visited:
        raise InvalidInput('document.district_not_visited',
                           f'Kế hoạch {plan.reference} không có buổi làm việc tại huyện mã "{code}". '
                           f'Các huyện đã làm việc: {names}.',
                           f'Plan {plan.reference} has no visit in the district with code "{code}". '
                           f'Districts visited: {names}.', field=field)
    raise InvalidInput('document.unit_not_visited',
                       f'Kế hoạch {plan.reference} không có buổi làm việc tại đơn vị mã "{code}". '
                       f'Các xã, phường đã làm việc: {names}.',
                       f'Plan {plan.reference} has no visit in the unit with code "{code}". '
                       f'Communes visited: {names}.', field=field)


def _get_team(plan: Plan, team: Team | int | str) -> Team:
    if isinstance(team, Team):
        if team.plan_id == plan.id:
            return team
        number = team.number
    else:
        text = str(team).strip()
        number = int(text) if text.isascii() and text.isdigit() and len(text) <= 6 else None
    found = next((t for t in plan.teams if t.number == number), None)
    if found is None:
        raise NotFound('document.team_not_in_plan', f'Kế hoạch {plan.reference} không có Đoàn số {team}.',
                       f'Plan {plan.reference} has no team {team}.', field='team')
    return found


def resolve_target(session: Session, plan: Plan, kind: str, *, visit: Visit | int | str | None = None,
                   unit: AdminUnit | str | None = None, team: Team | int | str | None = None,
                   district: AdminUnit | str | None = None) -> Target:
    """Check what a document of *kind* is about and return it.

    :param visit: the visit of a ``minutes`` (id or object)
    :param unit: the concluded unit of a ``conclusion`` (GSO code or unit): a district in three tiers, a
        commune in two tiers
    :param team: the team of a ``team_report`` (number or object)
    :param district: the 2019 name of *unit* (either may be given)
    :raise InvalidInput: an unknown kind, a missing or superfluous target, a visit of another plan,
        a unit the plan did not visit
    :raise NotFound: no such visit or team
    :raise Conflict: the visit was cancelled
    """
    check_kind(kind)
    needed = TARGET_OF_KIND[kind]
    unit_field = 'district' if district is not None and unit is None else 'unit'
    given = {'visit': visit, unit_field: unit if unit is not None else district, 'team': team}
    for name, value in given.items():
        if value is not None and name != needed and not (needed == 'unit' and name == unit_field):
            raise InvalidInput('document.target_not_allowed',
                               f'Văn bản loại "{kind}" không nhận tham số --{name}.',
                               f'A "{kind}" document does not take --{name}.', field=name)
    if needed == 'unit':
        needed = unit_field
    if needed is not None and given[needed] is None:
        raise InvalidInput('document.target_required', f'Văn bản loại "{kind}" cần tham số --{needed}.',
                           f'A "{kind}" document needs --{needed}.', field=needed)
    if needed == 'visit':
        return Target(kind, plan, visit=_get_visit(session, plan, visit))
    if needed == unit_field:
        return Target(kind, plan, unit=_get_unit(plan, given[unit_field], unit_field))
    if needed == 'team':
        found = _get_team(plan, team)
        if not any(v.team_id == found.id for v in _active_visits(plan)):
            raise Conflict('document.team_no_visits', f'Đoàn số {found.number:02d} chưa có buổi làm việc nào.',
                           f'Team {found.number} has no visit.', field='team')
        return Target(kind, plan, team=found)
    return Target(kind, plan)


def targets_of(plan: Plan, kind: str) -> list[Target]:
    """Every document of *kind* the round has now: one minutes per visit, one notice per concluded unit…"""
    check_kind(kind)
    visits = _active_visits(plan)
    needed = TARGET_OF_KIND[kind]
    if needed == 'visit':
        return [Target(kind, plan, visit=v) for v in sorted(visits, key=lambda v: (v.team.number, v.starts_at))]
    if needed == 'unit':
        units: dict[str, AdminUnit] = {}
        for v in sorted(visits, key=lambda v: (v.team.number, v.starts_at)):
            units.setdefault(v.conclusion_unit.code, v.conclusion_unit)
        return [Target(kind, plan, unit=u) for u in units.values()]
    if needed == 'team':
        teams = {v.team.number: v.team for v in visits}
        return [Target(kind, plan, team=teams[n]) for n in sorted(teams)]
    return [Target(kind, plan)]


def document_set(plan: Plan) -> list[Target]:
    """The round's whole document set: plan, decision, schedule; per team its minutes, conclusion
    notice and report; then the round report (only the plan and the decision before any visit)."""
    out = [Target('plan', plan), Target('team_decision', plan)]
    minutes = targets_of(plan, 'minutes')
    if not minutes:  # nothing scheduled yet: no schedule, no minutes, no report
        return out
    out.append(Target('schedule', plan))
    conclusions = {t.unit.code: t for t in targets_of(plan, 'conclusion')}
    reports = {t.team.number: t for t in targets_of(plan, 'team_report')}
    seen: set[str] = set()
    for m in minutes:
        out.append(m)
        code = m.visit.conclusion_unit.code
        if code not in seen:
            seen.add(code)
            out.append(conclusions[code])
        report = reports.pop(m.visit.team.number, None)
        if report is not None:
            out.append(report)
    out.append(Target('report', plan))
    return out


# --------------------------------------------------------------------------- text helpers


def lower_first(text: str) -> str:
    """``Huyện Mỏ Cày Bắc`` → ``huyện Mỏ Cày Bắc``: a unit's name inside a sentence."""
    return text[:1].lower() + text[1:]


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _strip_end(text: str) -> str:
    return text.strip().rstrip('.;,:').strip()


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith(('.', '!', '?', ':')) else text + '.'


def _join_names(names: Sequence[str]) -> str:
    """``a``, ``a và b``, ``a, b và c``."""
    names = [n for n in names if n]
    if len(names) <= 1:
        return ''.join(names)
    return ', '.join(names[:-1]) + ' và ' + names[-1]


def _unique(items: Iterable[str]) -> list[str]:
    return list(OrderedDict.fromkeys(i for i in items if i))


def short_name(text: str) -> str:
    """``Ban Chỉ đạo các Chương trình mục tiêu quốc gia tỉnh Bến Tre`` → ``BCĐ các CTMTQG tỉnh Bến Tre``."""
    for long, short in SHORT_NAMES:
        text = text.replace(long, short)
    return text


def _short_unit(unit: AdminUnit) -> str:
    """``Mỏ Cày Bắc``, ``TP. Bến Tre``: a district in a table cell."""
    if unit.kind == 'thanh-pho':
        return f'TP. {unit.name}'
    if unit.kind == 'thi-xa':
        return f'TX. {unit.name}'
    return unit.name


def _unit_kinds_phrase(kinds: Iterable[str], *, level: UnitLevel) -> str:
    """``huyện, thành phố`` from the kinds of the units named; the level's default when unknown."""
    present = set(kinds)
    words = [w for k, w in UNIT_KIND_WORDS.items() if k in present]
    if not words:
        return 'huyện' if level == UnitLevel.district else 'xã'
    return ', '.join(words)


#: From 01/03/2025 the state management of poverty reduction passed from the Ministry of Labour, Invalids and
#: Social Affairs (merged into the Ministry of Home Affairs) to the Ministry of Agriculture and Environment
#: (Resolution 176/2025/QH15 on the Government's structure).
POVERTY_MINISTRY_CHANGED = date(2025, 3, 1)


def poverty_ministry(day: date) -> str:
    """The ministry a poverty-reduction round reports to, as it was on *day*."""
    if day < POVERTY_MINISTRY_CHANGED:
        return 'Bộ Lao động - Thương binh và Xã hội'
    return 'Bộ Nông nghiệp và Môi trường'


def person_position(title: str, agency: str) -> str:
    """A person's position as printed: ``Phó Chủ tịch Hội Nông dân tỉnh Bến Tre``.

    The agency is left out when the title already names its place, completes a title that ends with
    a bare unit word (``… Việt Nam xã`` + ``… xã Nhuận Phú Tân`` → ``… Việt Nam xã Nhuận Phú Tân``),
    and is set off by a comma after a title that is already a full phrase.
    """
    title, agency = (title or '').strip(), (agency or '').strip()
    if not agency:
        return title
    if not title:
        return agency
    place = agency
    for body in ('UBND ', 'Ủy ban nhân dân ', 'Ủy ban MTTQ Việt Nam ', 'Ủy ban Mặt trận Tổ quốc Việt Nam '):
        if place.startswith(body):
            place = place[len(body):]
    if place.lower() in title.lower():
        return title
    last = title.split()[-1].lower()
    if last in UNIT_WORDS:
        marker = f' {last} '
        at = f' {agency.lower()}'.rfind(marker)
        if at >= 0:
            return f'{title} {agency[at + len(marker) - 1:].strip()}'
    if ',' in title or last in UNIT_WORDS:
        return f'{title}, {agency}'
    return f'{title} {agency}'


def _person_title(person: Person) -> str:
    return person_position(person.title, person.agency)


def _plan_type_and_abbreviation(plan: Plan) -> tuple[str, str]:
    code, _, rest = (plan.symbol or '').partition('-')
    if code in vnformat.TYPE_CODES and rest:
        return code, rest
    return vnformat.TypeCode.KH.value, plan.issuer.abbreviation


def plan_ref(plan: Plan) -> vm.DocumentRef:
    """The plan as cited by the other documents: ``Kế hoạch số 1245/KH-BCĐCCTMTQG ngày 28/5/2019 của …``."""
    code, abbreviation = _plan_type_and_abbreviation(plan)
    return vm.DocumentRef(type_code=code, number=plan.number, issuer_abbreviation=abbreviation,
                          issued_on=plan.issue_date, issuer_name=plan.issuer.name)


def issuer_view(body: IssuingBody) -> vm.IssuingBody:
    """The committee as printed in the header."""
    return vm.IssuingBody(name=body.name, abbreviation=body.abbreviation, place_name=body.place_name,
                          header_lines=tuple(body.header_lines or ()), parent_header=body.parent_header)


def team_issuer_view(body: IssuingBody, team: Team) -> vm.IssuingBody:
    """An inspection team as the author of its minutes and report: the committee's lines above,
    ``ĐOÀN KIỂM TRA, GIÁM SÁT SỐ 05`` below, numbered in the committee's register."""
    parent = '\n'.join(body.header_lines or (body.name,))
    return vm.IssuingBody(name=f'Đoàn kiểm tra, giám sát số {team.number:02d}', abbreviation=body.abbreviation,
                          place_name=body.place_name, header_lines=('Đoàn kiểm tra, giám sát', f'số {team.number:02d}'),
                          parent_header=parent)


def _archive(drafting_unit: str | None) -> tuple[str, ...]:
    return ('VT', drafting_unit.strip()) if drafting_unit and drafting_unit.strip() else ('VT',)


def _members(team: Team) -> list:
    order = {TeamRole.leader: 0, TeamRole.deputy: 1, TeamRole.member: 2, TeamRole.secretary: 3}
    return sorted(team.members, key=lambda m: (order[m.role], m.id))


def _participant(member) -> vm.Participant:  # noqa: ANN001
    return vm.Participant(name=member.person.full_name, title=_person_title(member.person),
                          role=ROLE_LABELS[member.role][0])


def _leader(team: Team) -> Person | None:
    return team.leader


def _secretary(team: Team) -> Person | None:
    return next((m.person for m in team.members if m.role == TeamRole.secretary), None)


def _leader_line(team: Team) -> str:
    leader = _leader(team)
    if leader is None:
        return ''
    title = _person_title(leader)
    return f'{leader.full_name}, {title}' if title else leader.full_name


# --------------------------------------------------------------------------- round data


@dataclass
class RoundData:
    """The round's rows, read once: visits, accepted findings, conclusions and recommendations."""

    plan: Plan
    visits: list[Visit]
    findings: list[Finding]
    conclusions: dict[int, Conclusion]
    recommendations: list[Recommendation]
    labels: dict[str, str]
    choices: dict[str, str]

    def ordered(self, answers: dict) -> list[tuple[str, Any]]:
        """*answers* in the checklist's item order (a JSONB column does not keep the order they were sent in)."""
        order = {key: i for i, key in enumerate(self.labels)}
        return sorted(answers.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))

    def findings_of(self, visits: Iterable[Visit], kind: FindingKind) -> list[Finding]:
        ids = {v.id for v in visits}
        return [f for f in self.findings if f.visit_id in ids and f.kind == kind]

    def texts(self, visits: Iterable[Visit], kind: FindingKind) -> list[str]:
        by_id = {v.id: v for v in self.visits}
        return _unique(_attributed(_strip_end(f.text), by_id.get(f.visit_id)) for f in self.findings_of(visits, kind))

    def recommendations_for(self, unit_ids: Iterable[int]) -> list[Recommendation]:
        """The recommendations of the conclusions of *unit_ids* (concluded units: districts or communes)."""
        ids = set(unit_ids)
        conclusion_ids = {c.id for d, c in self.conclusions.items() if d in ids}
        return [r for r in self.recommendations if r.conclusion_id in conclusion_ids]


_BARE_FIGURE = re.compile(r'^Có \d')


def _attributed(text: str, visit: Visit | None) -> str:
    """A finding that states a commune's figure without saying whose (``Có 105 hộ tham gia Đề án…``, a checklist
    rule's wording) names the commune it measures: ``Xã An Thạnh có 105 hộ tham gia Đề án…``."""
    if visit is None or not _BARE_FIGURE.match(text):
        return text
    return f'{visit.commune.full_name} {lower_first(text)}'


def _checklist_labels(plan: Plan) -> tuple[dict[str, str], dict[str, str]]:
    """Item and choice labels (Vietnamese) of the plan's pinned checklists, from their stored content."""
    labels: dict[str, str] = {}
    choices = dict(FALLBACK_CHOICES)

    def walk(items: list) -> None:
        for item in items or []:
            if not isinstance(item, dict):
                continue
            label = item.get('label')
            if isinstance(label, dict) and label.get('vi') and item.get('id'):
                labels[item['id']] = label['vi']
            for choice in item.get('choices') or []:
                if isinstance(choice, dict) and isinstance(choice.get('label'), dict) and choice.get('name'):
                    choices.setdefault(str(choice['name']), lower_first(choice['label'].get('vi', choice['name'])))
            walk(item.get('items') or [])

    for pin in sorted(getattr(plan, 'checklists', []) or [], key=lambda p: p.checklist_id):
        content = pin.content if isinstance(pin.content, dict) else {}
        for section in content.get('sections') or []:
            if isinstance(section, dict):
                walk(section.get('items') or [])
    for key, label in FALLBACK_LABELS.items():  # after the checklist's items, in this order
        labels.setdefault(key, label)
    return labels, choices


def load_round(session: Session, plan: Plan, *, units: set[int] | None = None) -> RoundData:
    """Read the round's rows once (findings accepted by the team only; withdrawn recommendations left out).

    :param units: only what concerns these concluded units (districts, or communes in two tiers): their visits,
        those visits' findings, their conclusions and recommendations; what a minutes or a conclusion notice about
        them reads, without reading a national round's thousands of other visits (a document batch's items)
    """
    if units is None:
        visits = _active_visits(plan)
    else:
        rows = session.scalars(sa.select(Visit).where(
            Visit.plan_id == plan.id, Visit.state != VisitState.cancelled,
            sa.or_(Visit.commune_id.in_(units), Visit.district_id.in_(units))))
        visits = sorted((v for v in rows if v.conclusion_unit_id in units),
                        key=lambda v: (v.starts_at, v.team.number, v.id))
    findings_q = sa.select(Finding).where(Finding.plan_id == plan.id, Finding.status == FindingStatus.accepted)
    conclusions_q = sa.select(Conclusion).where(Conclusion.plan_id == plan.id)
    if units is not None:
        findings_q = findings_q.where(Finding.visit_id.in_([v.id for v in visits]))
        conclusions_q = conclusions_q.where(Conclusion.unit_id.in_(units))
    findings = list(session.scalars(findings_q.order_by(Finding.id)))
    conclusions = {c.unit_id: c for c in session.scalars(conclusions_q.order_by(Conclusion.id))}
    recs_q = sa.select(Recommendation).where(Recommendation.plan_id == plan.id,
                                             Recommendation.state != RecommendationState.withdrawn)
    if units is not None:
        recs_q = recs_q.where(Recommendation.conclusion_id.in_([c.id for c in conclusions.values()]))
    recommendations = list(session.scalars(
        recs_q.order_by(Recommendation.conclusion_id, Recommendation.number, Recommendation.id)))
    labels, choices = _checklist_labels(plan)
    return RoundData(plan, visits, findings, conclusions, recommendations, labels, choices)


def document_deadlines(session: Session, target: Target) -> list[tuple[int, date]]:
    """``(number, deadline)`` of each recommendation a minutes or a conclusion notice sets, in its order."""
    if target.kind == 'minutes':
        unit_ids = [target.visit.conclusion_unit_id]
    elif target.kind == 'conclusion':
        unit_ids = [target.unit.id]
    else:
        return []
    recs = load_round(session, target.plan).recommendations_for(unit_ids)
    return [(k, r.deadline) for k, r in enumerate(recs, 1) if r.deadline is not None]


def _recommendation_view(rec: Recommendation) -> vm.Recommendation:
    return vm.Recommendation(text=_strip_end(rec.text), addressee=rec.addressee_label, deadline=rec.deadline)


# --------------------------------------------------------------------------- households


def _yes_no(value: Any) -> bool | None:  # noqa: ANN401
    if isinstance(value, str):
        value = value.strip().lower()
    elif not isinstance(value, bool):
        return None
    if value in YES:
        return True
    if value in NO:
        return False
    return None


def _choice_list(value: Any, choices: dict[str, str]) -> list[str]:  # noqa: ANN401
    values = value if isinstance(value, list | tuple) else [value]
    return [choices.get(str(v), str(v)) for v in values if v not in (None, '')]


def _negate(statement: str) -> str:
    """The negative of a yes/no item's statement: ``Hộ có kế hoạch sinh kế`` → ``Hộ chưa có kế hoạch sinh kế``."""
    for positive, negative in ((' đã ', ' chưa '), (' được ', ' chưa được '), (' có ', ' chưa có ')):
        if positive in f' {statement} ':
            padded = f' {statement} '.replace(positive, negative, 1)
            return padded.strip()
    if statement.startswith('Hộ '):
        return 'Hộ không ' + statement[3:]
    return f'{statement}: không'


#: The household items :func:`_household_prose` words as sentences; any other item is listed after them.
HOUSEHOLD_PROSE_KEYS = frozenset({'support_received', 'perceived_benefit', 'in_project', 'right_target',
                                  'has_livelihood_plan', 'diary_seen', 'diary_up_to_date', 'received_loan',
                                  'loan_purpose', 'loan_use_matches', 'opinion'})


def _project_name(data: RoundData) -> str:
    """What the households take part in, from the checklist's wording: ``Đề án sinh kế`` (2019),
    ``dự án, mô hình hỗ trợ sinh kế`` (2026)."""
    label = _strip_end(data.labels.get('in_project') or '')
    return label.removeprefix('Hộ tham gia ').strip() if label.startswith('Hộ tham gia ') else 'Đề án sinh kế'


def _household_prose(answers: dict, data: RoundData) -> list[str]:
    """The sentences an official writes about one household from its usual answers."""
    flag = {k: _yes_no(answers.get(k)) for k in HOUSEHOLD_PROSE_KEYS}
    project = _project_name(data)
    out: list[str] = []
    support = [lower_first(c) for c in _choice_list(answers.get('support_received'), data.choices)
               if answers.get('support_received') != 'none']
    benefit = answers.get('perceived_benefit')
    benefit = lower_first(data.choices.get(str(benefit), str(benefit))) if benefit else ''
    if support:
        out.append(f'Hộ đã được hỗ trợ {_join_names(support)}'
                   + (f'; theo hộ, các hỗ trợ này {benefit}' if benefit else ''))
    if flag['in_project'] is True:
        parts = [f'Hộ tham gia {project}']
        if flag['right_target'] is False:
            parts.append('nhưng không thuộc đối tượng được hỗ trợ')
        elif flag['right_target'] is True:
            parts.append('đúng đối tượng')
        if flag['has_livelihood_plan'] is True:
            parts.append('đã có kế hoạch sinh kế')
        elif flag['has_livelihood_plan'] is False:
            parts.append('nhưng chưa có kế hoạch sinh kế' if flag['right_target'] is not False
                         else 'chưa có kế hoạch sinh kế')
        out.append(', '.join(parts))
    elif flag['in_project'] is False:
        out.append(f'Hộ không tham gia {project}')
    if flag['diary_seen'] is True:
        kept = {True: 'sổ được ghi chép thường xuyên, cập nhật',
                False: 'sổ chưa được ghi chép thường xuyên, cập nhật'}.get(flag['diary_up_to_date'])
        out.append('Đoàn đã xem Sổ nhật ký hộ gia đình' + (f': {kept}' if kept else ''))
    elif flag['diary_seen'] is False:
        out.append('Hộ chưa xuất trình được Sổ nhật ký hộ gia đình')
    if flag['received_loan'] is True:
        purpose = _strip_end(str(answers.get('loan_purpose') or ''))
        loan = f'Hộ vay vốn ưu đãi để {lower_first(purpose)}' if purpose else 'Hộ có vay vốn ưu đãi'
        use = {True: ' và sử dụng vốn đúng mục đích', False: ', nhưng sử dụng vốn không đúng mục đích'}
        out.append(loan + use.get(flag['loan_use_matches'], ''))
    opinion = _strip_end(str(answers.get('opinion') or ''))
    if opinion:
        wish = opinion.split(' ', 1)[0].lower() in ('mong', 'đề', 'kiến', 'xin', 'muốn')
        out.append(f'Hộ {lower_first(opinion)}' if wish else f'Ý kiến của hộ: {opinion}')
    return [_sentence(s) for s in out]


def household_text(h: HouseholdConsultation, data: RoundData) -> tuple[str, str]:
    """(support received, what the team noted) for one consulted household, in sentences: the usual answers
    as an official writes them (:func:`_household_prose`), any other answer after them."""
    answers = h.answers or {}
    support = _strip_end(', '.join(_choice_list(answers.get('support_received'), data.choices)))
    prose = _household_prose(answers, data)
    notes: list[str] = []
    for key, value in data.ordered(answers):
        if key in HOUSEHOLD_SKIP or key in HOUSEHOLD_PROSE_KEYS or value in (None, '', [], {}):
            continue
        label = data.labels.get(key)
        if label is None:
            continue  # an answer the documents do not know how to word is not printed
        label = _strip_end(label)
        flag = _yes_no(value)
        if flag is not None:
            notes.append(label if flag else _negate(label))
        elif isinstance(value, list | tuple):
            notes.append(f'{label}: {", ".join(_choice_list(value, data.choices))}')
        elif isinstance(value, str | int | float):
            notes.append(f'{label}: {data.choices.get(str(value), str(value))}')
    text = '; '.join([upper_first(notes[0]), *(lower_first(n) for n in notes[1:])]) if notes else ''
    sentences = [*prose, _sentence(text)] if text else prose
    return support, ' '.join(sentences) if sentences else 'Đoàn không ghi nhận thêm ý kiến.'


def _category_label(h: HouseholdConsultation) -> str:
    return HOUSEHOLD_CATEGORY_LABELS[h.category][0].lower()


def households_summary(households: Sequence[HouseholdConsultation], data: RoundData) -> list[str]:
    """Paragraphs summing up the households consulted: counts by category, support, yes/no answers."""
    if not households:
        return ['Chưa ghi nhận hộ được tham vấn.']
    by_category = Counter(_category_label(h) for h in households)
    parts = [f'{n:02d} {label}' for label, n in by_category.items()]
    out = [f'Trong {len(households):02d} hộ được tham vấn có {_join_names(parts)}.']
    support: Counter[str] = Counter()
    flags: dict[str, list[int]] = OrderedDict()
    for h in households:
        answers = h.answers or {}
        for choice in _choice_list(answers.get('support_received'), data.choices):
            support[choice] += 1
        for key, value in data.ordered(answers):
            if key in HOUSEHOLD_SKIP or key not in data.labels:
                continue
            flag = _yes_no(value)
            if flag is not None:
                counts = flags.setdefault(key, [0, 0])
                counts[0] += flag
                counts[1] += 1
    if support:
        listed = _join_names([f'{lower_first(label)} ({n:02d} hộ)' for label, n in support.items()])
        out.append(f'Các hộ đã được hỗ trợ {listed}.')
    out.extend(_household_counts_prose(flags, _project_name(data)))
    rest = [(k, c) for k, c in flags.items() if k not in HOUSEHOLD_PROSE_KEYS]
    if rest:
        listed = '; '.join(f'{lower_first(_strip_end(data.labels[k]))}: {yes:02d}/{total:02d} hộ'
                           for k, (yes, total) in rest)
        out.append(f'Ngoài ra, {listed}.')
    return out


def _household_counts_prose(flags: dict[str, list[int]], project: str) -> list[str]:
    """The yes/no answers :func:`_household_prose` words, counted over the households, as sentences."""
    def count(key: str) -> tuple[int, int] | None:
        c = flags.get(key)
        return (c[0], c[1]) if c and c[1] else None

    out = []
    joined, target, plan = count('in_project'), count('right_target'), count('has_livelihood_plan')
    if joined:
        text = f'Có {joined[0]:02d}/{joined[1]:02d} hộ tham gia {project}'
        if target and joined[0]:
            text += (', đều đúng đối tượng' if target[0] == target[1]
                     else f', trong đó {target[1] - target[0]:02d} hộ không thuộc đối tượng được hỗ trợ')
        if plan and joined[0]:
            text += ('; tất cả đã có kế hoạch sinh kế' if plan[0] == plan[1]
                     else f'; {plan[0]:02d} hộ đã có kế hoạch sinh kế, {plan[1] - plan[0]:02d} hộ chưa có')
        out.append(text + '.')
    seen, kept = count('diary_seen'), count('diary_up_to_date')
    if seen:
        text = (f'Đoàn đã xem Sổ nhật ký hộ gia đình của {seen[0]:02d}/{seen[1]:02d} hộ'
                if seen[0] else 'Đoàn chưa được xem Sổ nhật ký hộ gia đình của hộ nào')
        if kept and seen[0]:
            text += ('; các sổ đều được ghi chép thường xuyên, cập nhật' if kept[0] == kept[1]
                     else f'; {kept[1] - kept[0]:02d} sổ chưa được ghi chép thường xuyên, cập nhật')
        out.append(text + '.')
    loan, used = count('received_loan'), count('loan_use_matches')
    if loan:
        text = f'Có {loan[0]:02d}/{loan[1]:02d} hộ vay vốn ưu đãi'
        if used and loan[0]:
            text += (', đều sử dụng vốn đúng mục đích' if used[0] == used[1]
                     else f', trong đó {used[1] - used[0]:02d} hộ sử dụng vốn không đúng mục đích')
        out.append(text + '.')
    return out


# --------------------------------------------------------------------------- builders


def _meta(issuer: vm.IssuingBody, subject: str, number: int | None, issued_on: date | None,
          recipients: Sequence[str], drafting_unit: str | None, replaces: vm.DocumentRef | None) -> vm.DocumentMeta:
    return vm.DocumentMeta(issuer=issuer, subject=subject, number=number, issued_on=issued_on,
                           recipients=tuple(short_name(r) for r in recipients), archive=_archive(drafting_unit),
                           replaces=replaces)


def _legal_bases(plan: Plan) -> list[str]:
    out = []
    for basis in plan.legal_bases or []:
        text = _strip_end(basis)
        if not text:
            continue
        if not text.startswith(('Căn cứ', 'Thực hiện')):
            text = f'Căn cứ {text}'
        out.append(text + ';')
    return out


def _three_tier(visits: Sequence[Visit]) -> bool:
    """Whether the round's communes sit in districts (before 01/07/2025)."""
    return any(v.district is not None for v in visits)


def _communes_phrase(visits: Sequence[Visit]) -> str:
    """``xã, phường`` from the kinds of the communes visited."""
    return _unit_kinds_phrase((v.commune.kind for v in visits), level=UnitLevel.commune)


def _districts_phrase(visits: Sequence[Visit]) -> str:
    """The local units a round's documents address: ``huyện, thành phố`` in three tiers, ``xã, phường`` in
    two tiers (no district)."""
    if not _three_tier(visits) and visits:
        return _communes_phrase(visits)
    return _unit_kinds_phrase((v.district.kind for v in visits if v.district is not None), level=UnitLevel.district)


def _local_levels(visits: Sequence[Visit]) -> str:
    """The local steering committees met: ``huyện, xã`` in three tiers, ``xã, phường`` in two."""
    return 'huyện, xã' if _three_tier(visits) or not visits else _communes_phrase(visits)


def _where(v: Visit) -> str:
    """``xã Nhuận Phú Tân, huyện Mỏ Cày Bắc`` (three tiers) or ``xã Nhuận Phú Tân`` (two tiers)."""
    commune = lower_first(v.commune.full_name)
    return f'{commune}, {lower_first(v.district.full_name)}' if v.district is not None else commune


def _subject_core(plan: Plan) -> str:
    """The plan's subject without its leading ``Kiểm tra, giám sát``: ``công tác giảm nghèo … năm 2019``."""
    subject = _strip_end(plan.subject)
    for lead in ('Kiểm tra, giám sát ', 'Kiểm tra và giám sát ', 'Kiểm tra '):
        if subject.startswith(lead):
            return subject[len(lead):]
    return lower_first(subject)


def build_plan(data: RoundData, *, signer: SignerIn, drafting_unit: str | None,
               replaces: vm.DocumentRef | None = None, number: int | None = None,
               issued_on: date | None = None) -> vm.Plan:
    plan = data.plan
    issuer = issuer_view(plan.issuer)
    visits = data.visits
    communes = len({v.commune_id for v in visits})
    kinds = _districts_phrase(visits)
    communes_word = 'xã' if _three_tier(visits) or not visits else _communes_phrase(visits)
    meta = _meta(issuer, _strip_end(plan.subject), number if number is not None else plan.number,
                 issued_on if issued_on is not None else plan.issue_date,
                 ['Ban Chỉ đạo Trung ương các Chương trình mục tiêu quốc gia (báo cáo)',
                  f'{poverty_ministry(plan.fieldwork_start)} (báo cáo)', 'TT. UBND tỉnh (báo cáo)',
                  f'Thành viên {plan.issuer.name}', f'UBND các {kinds}',
                  f'Ban Chỉ đạo các Chương trình mục tiêu quốc gia các {kinds}'],
                 drafting_unit, replaces)
    bases = _legal_bases(plan)
    if bases:
        bases[-1] = bases[-1].rstrip(';') + f', {plan.issuer.name} ban hành Kế hoạch kiểm tra, giám sát như sau:'
    schedule = [_schedule_entry(v) for v in visits]
    teams = len({v.team_id for v in visits}) or len(plan.teams)
    return vm.Plan(
        meta=meta,
        signature=signer.signature(),
        legal_bases=bases,
        purposes=[_strip_end(o) for o in plan.objectives or []] or [
            f'Đánh giá tình hình triển khai, kết quả thực hiện {_subject_core(plan)}'],
        requirements=[
            'Kiểm tra, giám sát đúng nội dung, đúng đối tượng, khách quan, không gây khó khăn cho cơ sở',
            'Các địa phương chuẩn bị báo cáo theo đề cương và gửi về Đoàn trước ngày làm việc 03 ngày',
            'Kết thúc buổi làm việc, Đoàn lập biên bản; Trưởng đoàn thông báo kết luận và kiến nghị đối với địa phương',
        ],
        contents=_plan_contents(plan),
        targets=[f'Ban Chỉ đạo các Chương trình mục tiêu quốc gia các {kinds} và các xã được chọn kiểm tra'
                 if _three_tier(visits) or not visits else
                 f'Ban Chỉ đạo các Chương trình mục tiêu quốc gia các {kinds} được chọn kiểm tra',
                 'Hộ nghèo, hộ cận nghèo, hộ thoát nghèo tham gia Đề án sinh kế' if not plan.two_tier else
                 'Hộ nghèo, hộ cận nghèo, hộ thoát nghèo trên địa bàn các xã được chọn kiểm tra'],
        fieldwork_start=plan.fieldwork_start,
        fieldwork_end=plan.fieldwork_end,
        schedule=schedule,
        communes_phrase=communes_word,
        methods=[f'Nghe Ban Chỉ đạo {_local_levels(visits)} báo cáo tình hình thực hiện',
                 'Kiểm tra hồ sơ, sổ sách: danh sách hộ nghèo, hồ sơ rà soát, hồ sơ vay vốn, Sổ nhật ký hộ gia đình',
                 'Tham vấn trực tiếp hộ nghèo, hộ cận nghèo, hộ thoát nghèo trên địa bàn'],
        households_per_commune=plan.households_per_commune or 0,
        team_composition=[
            f'Thành lập {teams:02d} Đoàn kiểm tra, giám sát tại {communes:02d} {communes_word} do lãnh đạo các sở, '
            'ngành thành viên '
            f'Ban Chỉ đạo làm Trưởng đoàn; thành phần cụ thể theo Quyết định của Trưởng {plan.issuer.name}.'],
        assignments=[
            vm.Assignment(party='Cơ quan thường trực Ban Chỉ đạo', duties=[
                'Tham mưu Quyết định thành lập các Đoàn, thông báo lịch làm việc đến các địa phương',
                'Tổng hợp kết quả kiểm tra, giám sát, báo cáo Ban Chỉ đạo tỉnh sau khi kết thúc đợt kiểm tra',
            ]),
            vm.Assignment(party='Các sở, ngành thành viên Ban Chỉ đạo', duties=[
                'Cử lãnh đạo, chuyên viên tham gia Đoàn theo phân công',
            ]),
            vm.Assignment(party=f'Ủy ban nhân dân các {kinds}', duties=[
                f'Chỉ đạo Ban Chỉ đạo {_local_levels(visits)} chuẩn bị báo cáo, hồ sơ và bố trí thành phần làm việc '
                'với Đoàn' if not _three_tier(visits) and visits else
                'Chỉ đạo Ban Chỉ đạo huyện, xã chuẩn bị báo cáo, hồ sơ và bố trí thành phần làm việc với Đoàn',
                'Tổ chức thực hiện các kết luận, kiến nghị của Đoàn và báo cáo kết quả về cơ quan thường trực Ban '
                'Chỉ đạo tỉnh',
            ]),
        ],
        closing=f'Trên đây là Kế hoạch {lower_first(_strip_end(plan.subject))}, đề nghị các sở, ngành, địa phương '
                'triển khai thực hiện',
    )


def _plan_contents(plan: Plan) -> list[str]:
    """The plan's section II: the section names of its pinned supervision checklist, or the usual list."""
    out = []
    for pin in sorted(getattr(plan, 'checklists', []) or [], key=lambda p: p.checklist_id):
        content = pin.content if isinstance(pin.content, dict) else {}
        if content.get('kind') == 'household_consultation':
            continue
        for section in content.get('sections') or []:
            label = section.get('label') if isinstance(section, dict) else None
            if isinstance(label, dict) and label.get('vi'):
                out.append(_strip_end(label['vi']))
    return _unique(out) or [
        'Công tác chỉ đạo, điều hành; củng cố, kiện toàn Ban Chỉ đạo các cấp; phân công thành viên phụ trách địa bàn',
        'Công tác tuyên truyền, đối thoại chính sách với người nghèo, người cận nghèo',
        'Kết quả thực hiện các chính sách giảm nghèo: y tế, giáo dục, nhà ở, nước sạch, tín dụng ưu đãi, dạy nghề',
        'Kết quả thực hiện Đề án sinh kế: hộ tham gia, kế hoạch sinh kế hộ, hỗ trợ, ghi chép Sổ nhật ký hộ gia đình',
        'Việc quản lý, sử dụng nguồn vốn vay ưu đãi và kinh phí hỗ trợ',
    ]


def _schedule_entry(v: Visit) -> vm.ScheduleEntry:
    return vm.ScheduleEntry(
        visit_date=v.starts_at.date(), district=v.district.full_name if v.district is not None else '',
        commune=v.commune.full_name,
        team_no=v.team.number, team_leader=_leader_line(v.team) or '-', start_time=v.starts_at.time(),
        venue=v.place or f'Trụ sở UBND {lower_first(v.commune.full_name)}',
        local_participants='; '.join(f'Ban Chỉ đạo {lower_first(u.full_name)}' for u in (v.district, v.commune)
                                     if u is not None))


def build_team_decision(data: RoundData, *, signer: SignerIn, drafting_unit: str | None,
                        replaces: vm.DocumentRef | None = None, number: int | None = None,
                        issued_on: date | None = None) -> vm.TeamDecision:
    plan = data.plan
    issuer = issuer_view(plan.issuer)
    core = _subject_core(plan)
    kinds = _districts_phrase(data.visits)
    areas: dict[int, list[str]] = {}
    for v in data.visits:
        where = _where(v)
        areas.setdefault(v.team_id, []).append(where)
    teams = [t for t in plan.teams if t.members]
    ref = plan_ref(plan)
    bases = ['Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;', *_legal_bases(plan)]
    bases.append(f'Căn cứ {ref.citation} về {lower_first(_strip_end(plan.subject))};')
    return vm.TeamDecision(
        meta=_meta(issuer, f'Về việc thành lập các Đoàn kiểm tra, giám sát {core}', number, issued_on,
                   ['Như Điều 3', 'TT. UBND tỉnh (báo cáo)', f'UBND các {kinds}'], drafting_unit, replaces),
        signature=signer.signature(),
        decider=f'Trưởng {plan.issuer.name}',
        legal_bases=bases,
        proposal='Xét đề nghị của cơ quan thường trực Ban Chỉ đạo.',
        teams_intro=f'Thành lập {len(teams):02d} Đoàn kiểm tra, giám sát {core}, thành phần gồm:',
        teams=[vm.TeamComposition(number=t.number, area='; '.join(areas.get(t.id, [])),
                                  members=[_participant(m) for m in _members(t)]) for t in teams],
        articles=[
            vm.Article(paragraphs=[
                f'Các Đoàn kiểm tra, giám sát có nhiệm vụ kiểm tra, giám sát theo nội dung {ref.citation}; lập biên '
                'bản làm việc, thông báo kết luận và báo cáo kết quả về Ban Chỉ đạo tỉnh (qua cơ quan thường trực) '
                'chậm nhất 05 ngày làm việc sau khi kết thúc buổi làm việc. Các Đoàn tự giải thể sau khi hoàn thành '
                'nhiệm vụ.',
            ]),
            vm.Article(paragraphs=[
                f'Thủ trưởng cơ quan thường trực Ban Chỉ đạo, thủ trưởng các sở, ngành có liên quan, Chủ tịch Ủy ban '
                f'nhân dân các {kinds} và các thành viên có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này.',
                'Quyết định này có hiệu lực kể từ ngày ký.',
            ]),
        ],
    )


def build_schedule(data: RoundData, **_: Any) -> vm.WorkSchedule:  # noqa: ANN401
    plan = data.plan
    return vm.WorkSchedule(
        issuer=issuer_view(plan.issuer),
        subject=_strip_end(plan.subject),
        entries=[_schedule_entry(v) for v in data.visits],
        attached_to=plan_ref(plan),
        communes_phrase='xã' if _three_tier(data.visits) else _communes_phrase(data.visits),
        notes=[
            f'Đoàn làm việc với Ban Chỉ đạo {_local_levels(data.visits)} theo giờ ghi trong lịch; sau buổi làm việc, '
            'Đoàn tham vấn '
            'trực tiếp hộ trên địa bàn.',
            'Địa phương chuẩn bị báo cáo theo đề cương, gửi về cơ quan thường trực Ban Chỉ đạo tỉnh trước ngày làm '
            'việc 03 ngày.',
        ],
    )


def _ended_at(v: Visit) -> datetime:
    text = (v.content or {}).get('ended_at')
    if isinstance(text, str) and ':' in text:
        hh, _, mm = text.partition(':')
        try:
            ended = datetime.combine(v.starts_at.date(), time(int(hh), int(mm)))
        except ValueError:
            ended = v.ends_at
        if ended >= v.starts_at:
            return ended
    return v.ends_at


def _local_people(v: Visit, *sides: ParticipantSide) -> list[vm.Participant]:
    return [vm.Participant(name=p.full_name, title=person_position(p.title, p.agency))
            for p in v.participants if p.side in sides]


def build_minutes(data: RoundData, visit: Visit, *, drafting_unit: str | None,
                  replaces: vm.DocumentRef | None = None, number: int | None = None,
                  issued_on: date | None = None, **_: Any) -> vm.Minutes:  # noqa: ANN401
    plan = data.plan
    team = visit.team
    content = visit.content or {}
    commune = lower_first(visit.commune.full_name)
    district = lower_first(visit.district.full_name) if visit.district is not None else None
    province = visit.commune.province
    place = visit.place or f'Trụ sở UBND {commune}'
    venue = f'{place}, {commune}' if commune.lower() not in place.lower() else place
    venue += (f', {district}' if district else '') + (f', {lower_first(province.full_name)}' if province else '')
    leader, secretary = _leader(team), _secretary(team)
    local = _local_people(visit, ParticipantSide.district, ParticipantSide.commune)
    # the inspected unit is represented by its own side first: the commune's, else the district's
    local_rep = next((p.name for p in _local_people(visit, ParticipantSide.commune)), local[0].name if local else None)
    conclusion = data.conclusions.get(visit.conclusion_unit_id)
    households = []
    for h in visit.households:
        support, noted = household_text(h, data)
        head = f'Hộ {h.head_name}, mã hộ {h.household_code}' if h.head_name else f'Hộ mã {h.household_code}'
        households.append(vm.HouseholdConsulted(head=head, category=_category_label(h), support_received=support,
                                                findings=noted))
    reports = [_sentence(content[k]) for k in ('district_report', 'commune_report') if content.get(k)]
    return vm.Minutes(
        meta=_meta(team_issuer_view(plan.issuer, team),
                   f'{upper_first(_strip_end(plan.subject))} tại {_where(visit)}', number, issued_on, (),
                   drafting_unit, replaces),
        plan_ref=plan_ref(plan),
        team_no=team.number,
        started_at=visit.starts_at,
        ended_at=_ended_at(visit),
        venue=venue,
        chair=f'{leader.full_name}, Trưởng đoàn' if leader else 'Trưởng đoàn',
        secretary=f'{secretary.full_name}, thư ký Đoàn' if secretary else '',
        team_members=[_participant(m) for m in _members(team)],
        local_participants=local,
        invited=_local_people(visit, ParticipantSide.invited),
        opening=[_sentence(content['purpose'])] if content.get('purpose') else [
            f'Trưởng đoàn thông qua mục đích, yêu cầu, nội dung kiểm tra, giám sát theo {plan_ref(plan).citation}.'],
        local_levels=_local_levels([visit]),
        local_reports=reports,  # nothing assumed: no report recorded, room left to write it in
        records_checked=[_strip_end(r) for r in content.get('records_checked') or [] if _strip_end(r)],
        households=households,
        discussion=[vm.Statement(text=_sentence(d)) for d in content.get('discussion') or [] if str(d).strip()],
        achievements=data.texts([visit], FindingKind.achievement),
        limitations=data.texts([visit], FindingKind.limitation),
        causes=data.texts([visit], FindingKind.cause),
        conclusions=[_sentence(conclusion.summary)] if conclusion is not None and conclusion.summary else [],
        recommendations=[_recommendation_view(r) for r in data.recommendations_for([visit.conclusion_unit_id])],
        # Nothing assumed: no opinion recorded, none printed (the minutes leave room to write it by hand).
        local_opinion=[_sentence(content['local_opinion'])] if str(content.get('local_opinion') or '').strip() else [],
        follow_up=follow_up_docs.rows_for_visit(follow_up_docs.items_of(plan), visit),
        local_signature=vm.Signature(heading='Đại diện đơn vị được kiểm tra', title='', name=local_rep,
                                     caption='(Ký, ghi rõ họ tên)'),
        team_signature=vm.Signature(heading='Trưởng đoàn kiểm tra', title='',
                                    name=leader.full_name if leader else None, caption='(Ký, ghi rõ họ tên)'),
        secretary_signature=vm.Signature(heading='Thư ký', title='', name=secretary.full_name,
                                         caption='(Ký, ghi rõ họ tên)') if secretary else None,
    )


def build_conclusion(data: RoundData, unit: AdminUnit, *, signer: SignerIn, drafting_unit: str | None,
                     replaces: vm.DocumentRef | None = None, number: int | None = None,
                     issued_on: date | None = None) -> vm.ConclusionNotice:
    """The conclusion notice for one concluded unit: a district and its visited communes (three tiers), or
    one commune (two tiers); the Nơi nhận lists the units' People's Committees and the bodies addressed."""
    plan = data.plan
    visits = [v for v in data.visits if v.conclusion_unit_id == unit.id]
    conclusion = data.conclusions.get(unit.id)
    team = conclusion.team if conclusion is not None and conclusion.team is not None else visits[0].team
    leader = _leader(team)
    dist = lower_first(unit.full_name)
    communes = _unique(lower_first(v.commune.full_name) for v in visits)
    recs = data.recommendations_for([unit.id])
    local = _unique([dist, *communes])
    others = [c for c in communes if c != dist]  # the communes of a district (none in two tiers)
    addressees = _unique(r.addressee_label for r in recs) or [f'UBND {u}' for u in local]
    bodies = _unique(r.addressee_label for r in recs if r.addressee_body_id is not None)
    return vm.ConclusionNotice(
        meta=_meta(issuer_view(plan.issuer),
                   f'Kết luận của Trưởng đoàn kiểm tra, giám sát {_subject_core(plan)} tại {dist}', number,
                   issued_on,
                   _unique([f'Trưởng ban {plan.issuer.name} (báo cáo)', f'UBND {dist}',
                            f'Ban Chỉ đạo các Chương trình mục tiêu quốc gia {dist}', *[f'UBND {c}' for c in communes],
                            *bodies, f'Thành viên Đoàn kiểm tra, giám sát số {team.number:02d}']),
                   drafting_unit, replaces),
        signature=signer.signature(),
        plan_ref=plan_ref(plan),
        visit_date=visits[0].starts_at.date(),
        team_no=team.number,
        leader_name=leader.full_name if leader else '…',
        leader_title=_person_title(leader) if leader else '',
        district=dist,
        communes=communes,
        worked_with=f'Ban Chỉ đạo các Chương trình mục tiêu quốc gia {dist}'
                    + (f' và {_join_names([f"Ban Chỉ đạo {c}" for c in others])}' if others else ''),
        follow_up_sentence=follow_up_docs.sentence(follow_up_docs.items_for_unit(follow_up_docs.items_of(plan),
                                                                                  visits)),
        summary=[_sentence(conclusion.summary)] if conclusion is not None and conclusion.summary else [],
        achievements=data.texts(visits, FindingKind.achievement),
        limitations=data.texts(visits, FindingKind.limitation),
        causes=data.texts(visits, FindingKind.cause),
        recommendations=[_recommendation_view(r) for r in recs],
        notify=_join_names(addressees),
    )


def _group_by_addressee(recs: Sequence[Recommendation]) -> list[vm.RecommendationGroup]:
    """Recommendations to many units grouped by the kind of addressee: ``Đối với UBND các huyện, thành phố``."""
    groups: OrderedDict[tuple[int, str], dict] = OrderedDict()
    for rec in recs:
        unit = rec.addressee_unit
        label = rec.addressee_label.strip()
        key: tuple[int, str]
        if unit is not None and label.lower().endswith(lower_first(unit.full_name).lower()):
            prefix = label[: len(label) - len(unit.full_name)].strip()
            key = (0 if unit.level == UnitLevel.district else 1, f'{prefix}|{unit.level.value}')
        else:
            key = (2, label)
        group = groups.setdefault(key, {'kinds': [], 'items': [], 'level': unit.level if unit else None})
        if unit is not None:
            group['kinds'].append(unit.kind)
        group['items'].append(_strip_end(rec.text))
    out = []
    for (rank, key), group in sorted(groups.items(), key=lambda kv: kv[0][0]):
        if rank == 2:
            addressee = f'Đối với {key}'
        else:
            prefix = key.split('|')[0]
            addressee = f'Đối với {prefix} các {_unit_kinds_phrase(group["kinds"], level=group["level"])}'
        out.append(vm.RecommendationGroup(addressee=addressee, items=_unique(group['items'])))
    return out


def _team_visits(data: RoundData, team: Team) -> list[Visit]:
    return [v for v in data.visits if v.team_id == team.id]


def _records_sentence(visits: Sequence[Visit], who: str = 'Đoàn') -> str:
    records = _unique(_strip_end(r) for v in visits for r in (v.content or {}).get('records_checked') or [])
    if not records:
        return ''
    return f'{who} đã kiểm tra: ' + '; '.join(lower_first(r) for r in records) + '.'


def build_team_report(data: RoundData, team: Team, *, drafting_unit: str | None,
                      replaces: vm.DocumentRef | None = None, number: int | None = None,
                      issued_on: date | None = None, **_: Any) -> vm.TeamReport:  # noqa: ANN401
    plan = data.plan
    visits = _team_visits(data, team)
    leader = _leader(team)
    communes = _join_names(_unique(lower_first(v.commune.full_name) for v in visits))
    districts = _join_names(_unique(lower_first(v.district.full_name) for v in visits if v.district is not None))
    households = [h for v in visits for h in v.households]
    results = []
    reports = [_sentence(c[k]) for v in visits for c in [v.content or {}] for k in ('district_report', 'commune_report')
               if c.get(k)]
    if reports:
        results.append(vm.Section(heading=f'Báo cáo của Ban Chỉ đạo {_local_levels(visits)}', paragraphs=reports))
    numbers = [_figures_sentence(r) for r in figures(data) if any(r.commune == v.commune.name for v in visits)]
    if any(numbers):
        results.append(vm.Section(heading='Số liệu giảm nghèo của xã', paragraphs=[n for n in numbers if n]))
    records = _records_sentence(visits)
    if records:
        results.append(vm.Section(heading='Kiểm tra hồ sơ, sổ sách', paragraphs=[records]))
    results.append(vm.Section(heading='Kết quả tham vấn hộ', paragraphs=households_summary(households, data)))
    opinions = []
    for v in visits:  # a team that visited several communes says where each opinion was given
        said = [str(d) for d in (v.content or {}).get('discussion') or [] if str(d).strip()]
        said += [str(v.content['local_opinion'])] if (v.content or {}).get('local_opinion') else []
        where = f'Tại {lower_first(v.commune.full_name)}, ' if len(visits) > 1 else ''
        opinions += [_sentence(f'{where}{lower_first(t.strip()) if where else t}') for t in said]
    if opinions:
        results.append(vm.Section(heading='Ý kiến của địa phương', paragraphs=opinions))
    recs = data.recommendations_for({v.conclusion_unit_id for v in visits})
    groups = OrderedDict()
    for r in recs:
        groups.setdefault(r.addressee_label.strip(), []).append(_strip_end(r.text))
    first = visits[0] if visits else None
    return vm.TeamReport(
        meta=_meta(team_issuer_view(plan.issuer, team),
                   f'Kết quả kiểm tra, giám sát {_subject_core(plan)} tại {communes}'
                   + (f', {districts}' if districts else ''), number, issued_on,
                   [f'{plan.issuer.name} (báo cáo)', 'Cơ quan thường trực Ban Chỉ đạo tỉnh',
                    'Thành viên Đoàn'], drafting_unit, replaces),
        signature=vm.Signature(title='Trưởng đoàn', name=leader.full_name if leader else None),
        plan_ref=plan_ref(plan),
        team_no=team.number,
        visit_date=first.starts_at.date() if first else plan.fieldwork_start,
        district=districts,
        commune=communes,
        households_consulted=len(households),
        overview=[f'Đoàn nghe Ban Chỉ đạo {_local_levels(visits)} báo cáo tình hình thực hiện, kiểm tra hồ sơ, sổ sách '
                  'và tham vấn '
                  'trực tiếp hộ nghèo, hộ thoát nghèo trên địa bàn.'],
        results=results,
        achievements=data.texts(visits, FindingKind.achievement),
        limitations=data.texts(visits, FindingKind.limitation),
        causes=data.texts(visits, FindingKind.cause),
        recommendations=[vm.RecommendationGroup(addressee=f'Đối với {a}', items=_unique(items))
                         for a, items in groups.items()],
        closing=f'Trên đây là báo cáo kết quả kiểm tra, giám sát của Đoàn kiểm tra, giám sát số {team.number:02d}, '
                f'kính '
                f'báo cáo {plan.issuer.name}',
    )


_FIGURE_ASIDE = re.compile(r'\s*\([^()]*\d[^()]*\)')


def _without_figures(text: str) -> str:
    """*text* without an aside that gives a figure: ``… bền vững (2 hộ tái nghèo).`` → ``… bền vững.``"""
    return _FIGURE_ASIDE.sub('', text)


def _counted(texts_per_visit: list[list[str]], total: int, *, rest: str) -> list[str]:
    """The round's findings of one kind: those noted in several communes, each with how many
    (``… (05/09 xã)``), most frequent first; those noted in one commune only are not repeated one by
    one (the teams' reports and notices carry them) but counted in a last item built from *rest*."""
    if total <= 1:
        return _unique(t for texts in texts_per_visit for t in texts)
    # The same finding with each commune's own figure ("(1 hộ tái nghèo)", "(2 hộ tái nghèo)") is one finding
    # of the round: counted once per commune, without the figures, which the teams' reports give.
    texts_per_visit = [[_without_figures(t) for t in texts] for texts in texts_per_visit]
    counts: Counter[str] = Counter()
    for texts in texts_per_visit:
        counts.update(set(texts))
    order = _unique(t for texts in texts_per_visit for t in texts)
    shared = sorted((t for t in order if counts[t] > 1), key=lambda t: -counts[t])
    out = [f'{t} ({counts[t]:02d}/{total:02d} xã)' for t in shared]
    single = [t for t in order if counts[t] == 1]
    if single:
        out.append(rest.format(n=f'{len(single):02d}'))
    return out


def by_category(data: RoundData, kind: FindingKind = FindingKind.limitation) -> list[vm.CategoryRow]:
    """Findings of *kind* by category: in how many visits, and in which districts (most frequent first)."""
    places: OrderedDict[str, list[Visit]] = OrderedDict()
    visits = {v.id: v for v in data.visits}
    for f in data.findings:
        if f.kind != kind or f.visit_id not in visits:
            continue
        seen = places.setdefault(f.category.strip(), [])
        if visits[f.visit_id] not in seen:
            seen.append(visits[f.visit_id])
    everywhere = f'Cả {len(visits):02d} {_districts_phrase(data.visits)}'
    rows = [vm.CategoryRow(category=cat, occurrences=len(vs),
                           districts=[everywhere] if len(vs) == len(visits) > 1 else
                           _unique(_short_unit(v.district or v.commune)
                                   for v in sorted(vs, key=lambda v: v.team.number)))
            for cat, vs in places.items()]
    return sorted(rows, key=lambda r: -r.occurrences)


#: Checklist items of the supervision checklist that hold a commune's poverty figures.
FIGURE_ITEMS = {
    'households': 'total_households', 'poor': 'poor_start', 'escaped': 'escaped_poor', 're_poor': 're_impoverished',
    'new_poor': 'newly_poor', 'participating': 'project_households_participating',
    'escaped_sustainably': 'escaped_sustainably',
}


def _count(value: Any) -> int | None:  # noqa: ANN401
    if isinstance(value, bool) or value in (None, ''):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number == int(number) and number >= 0 else None


def figures(data: RoundData) -> list[vm.FigureRow]:
    """Each visited commune's poverty figures from the visit's checklist answers (none when not collected)."""
    rows = []
    for v in sorted(data.visits, key=lambda v: (v.team.number, v.starts_at)):
        answers = v.answers or {}
        values = {field: _count(answers.get(item)) for field, item in FIGURE_ITEMS.items()}
        if all(x is None for x in values.values()):
            continue
        rows.append(vm.FigureRow(district=_short_unit(v.district) if v.district is not None else '',
                                 commune=v.commune.name if v.district is not None else v.commune.full_name, **values))
    return rows


def _figures_sentence(row: vm.FigureRow) -> str:
    """``Xã Nhuận Phú Tân có 2.948 hộ; đầu năm có 118 hộ nghèo (4,00%); …`` from a commune's figures."""
    parts = []
    if row.households is not None:
        parts.append(f'tổng số {vnformat.format_int(row.households)} hộ')
    if row.poor is not None:
        rate = f' ({vnformat.format_percent(row.poor, row.households)})' if row.households else ''
        parts.append(f'đầu năm có {vnformat.format_int(row.poor)} hộ nghèo{rate}')
    moves = [(row.escaped, 'thoát nghèo'), (row.re_poor, 'tái nghèo'), (row.new_poor, 'nghèo phát sinh')]
    moved = [f'{vnformat.format_int(n)} hộ {what}' for n, what in moves if n is not None]
    if moved:
        parts.append('trong kỳ có ' + ', '.join(moved))
    if row.participating is not None:
        # Three tiers (2019): the province's Đề án sinh kế; two tiers: the programme's livelihood projects.
        project = 'Đề án sinh kế' if row.district else 'dự án, mô hình hỗ trợ sinh kế'
        text = f'{vnformat.format_int(row.participating)} hộ tham gia {project}'
        if row.escaped_sustainably is not None:
            text += (f', trong đó {vnformat.format_int(row.escaped_sustainably)} hộ thoát nghèo bền vững '
                     f'({vnformat.format_percent(row.escaped_sustainably, row.participating)})')
        parts.append(text)
    return f'Theo báo cáo của xã: {"; ".join(parts)}.' if parts else ''


def build_report(data: RoundData, *, signer: SignerIn, drafting_unit: str | None,
                 replaces: vm.DocumentRef | None = None, number: int | None = None,
                 issued_on: date | None = None) -> vm.RoundReport:
    plan = data.plan
    visits = data.visits
    kinds = _districts_phrase(visits)
    three_tier = _three_tier(visits)
    communes_word = 'xã' if three_tier else _communes_phrase(visits)
    limitation_count = {v.id: len(data.findings_of([v], FindingKind.limitation)) for v in visits}
    rows = [vm.DistrictRow(district=_short_unit(v.district) if v.district is not None else '',
                           commune=v.commune.name if three_tier else v.commune.full_name, team_no=v.team.number,
                           visit_date=v.starts_at.date(), households_consulted=len(v.households),
                           limitations=limitation_count[v.id],
                           recommendations=len(data.recommendations_for([v.conclusion_unit_id])))
            for v in sorted(visits, key=lambda v: (v.team.number, v.starts_at))]
    rows_by_district: dict[int, int] = {}
    for v in visits:  # a unit visited twice counts its recommendations once
        rows_by_district[v.conclusion_unit_id] = len(data.recommendations_for([v.conclusion_unit_id]))
    households = [h for v in visits for h in v.households]
    counts = vm.RoundCounts(
        teams=len({v.team_id for v in visits}), districts=len({v.district_id for v in visits if v.district_id}),
        communes=len({v.commune_id for v in visits}), households_consulted=len(households),
        limitations=sum(limitation_count.values()),
        recommendations=len(data.recommendations_for(rows_by_district)))
    results = [
        vm.Section(heading=f'Làm việc với Ban Chỉ đạo {_local_levels(visits)}', paragraphs=[
            f'Các Đoàn đã nghe Ban Chỉ đạo {counts.districts:02d} {kinds} và {counts.communes:02d} xã báo cáo '
            'tình hình '
            'triển khai thực hiện; kiểm tra hồ sơ, sổ sách tại xã.' if three_tier else
            f'Các Đoàn đã nghe Ban Chỉ đạo {counts.communes:02d} {communes_word} báo cáo tình hình triển khai thực '
            f'hiện; kiểm tra hồ sơ, sổ sách tại {communes_word}.',
            *([_records_sentence(visits, 'Các Đoàn')] if _records_sentence(visits) else []),
        ]),
        vm.Section(heading='Kết quả tham vấn hộ', paragraphs=households_summary(households, data)),
    ]
    cats = by_category(data, FindingKind.achievement)
    if cats:
        results.append(vm.Section(heading='Kết quả đạt được theo nhóm nội dung', paragraphs=[
            'Các Đoàn ghi nhận kết quả đạt được ở các nhóm nội dung: '
            + _join_names([f'“{c.category}” ({c.occurrences:02d}/{counts.communes:02d} {communes_word})'
                           for c in cats]) + '.']))
    per_visit = {k: [data.texts([v], k) for v in visits] for k in FindingKind}
    round_recs = [r for r in data.recommendations if r.conclusion_id is None]
    return vm.RoundReport(
        meta=_meta(issuer_view(plan.issuer), f'Kết quả kiểm tra, giám sát {_subject_core(plan)}', number, issued_on,
                   [f'{poverty_ministry(plan.fieldwork_start)} (báo cáo)', 'TT. UBND tỉnh (báo cáo)',
                    f'Thành viên {plan.issuer.name}', f'UBND các {kinds}'], drafting_unit, replaces),
        signature=signer.signature(),
        plan_ref=plan_ref(plan),
        fieldwork_start=plan.fieldwork_start,
        fieldwork_end=plan.fieldwork_end,
        counts=counts,
        by_district=rows,
        communes_phrase=communes_word,
        by_category=by_category(data),
        figures=figures(data),
        overview=[f'Tại mỗi địa phương, Đoàn nghe Ban Chỉ đạo {_local_levels(visits)} báo cáo tình hình triển khai '
                  'thực hiện, kiểm tra '
                  'hồ sơ, sổ sách và tham vấn trực tiếp một số hộ nghèo, hộ thoát nghèo trên địa bàn.'],
        results=results,
        achievements=_counted(per_visit[FindingKind.achievement], counts.communes,
                              rest='Ngoài ra, {n} kết quả riêng của từng xã được nêu tại Bảng 3 và báo cáo '
                                   'của các Đoàn'),
        limitations=_counted(per_visit[FindingKind.limitation], counts.communes,
                             rest='Ngoài ra, {n} hạn chế riêng của từng xã được nêu tại thông báo kết luận gửi các '
                                  + ('huyện, thành phố' if three_tier else communes_word)),
        causes=_counted(per_visit[FindingKind.cause], counts.communes,
                        rest='Ngoài ra, {n} nguyên nhân riêng của từng xã được nêu tại báo cáo của các Đoàn'),
        recommendations=_group_by_addressee(data.recommendations_for(rows_by_district) + round_recs),
        follow_up_sentence=follow_up_docs.sentence(follow_up_docs.items_of(plan), 'Các Đoàn'),
        closing=f'Trên đây là báo cáo kết quả kiểm tra, giám sát {_subject_core(plan)} của {plan.issuer.name}',
    )


# --------------------------------------------------------------------------- entry point


def build_view_model(session: Session, target: Target, *, number: int | None = None, issued_on: date | None = None,
                     signer: SignerIn | None = None, drafting_unit: str | None = None,
                     replaces: vm.DocumentRef | None = None, data: RoundData | None = None):  # noqa: ANN201
    """Build the view model of the document *target* names, from the data as it is now.

    A draft has no *number* and no *issued_on*; issuing passes both. The plan itself keeps the
    number and date it was signed with, if it has them.

    :param signer: who signs for the committee (plan, decision, notice, round report)
    :param drafting_unit: the drafting unit's code in ``Lưu: VT, …`` (e.g. ``BTXH``)
    :param replaces: the issued document this one corrects
    :param data: the round's rows when already read (:func:`load_round`), to build many documents
    """
    data = data if data is not None else load_round(session, target.plan)
    signer = signer or SignerIn()
    common = {'drafting_unit': drafting_unit, 'replaces': replaces, 'number': number, 'issued_on': issued_on}
    if not data.visits and target.kind not in ('plan', 'team_decision'):
        raise Conflict('document.no_visits', f'Kế hoạch {target.plan.reference} chưa có buổi làm việc nào.',
                       f'Plan {target.plan.reference} has no visit yet.')
    if target.kind == 'plan':
        return build_plan(data, signer=signer, **common)
    if target.kind == 'team_decision':
        return build_team_decision(data, signer=signer, **common)
    if target.kind == 'schedule':
        return build_schedule(data)
    if target.kind == 'minutes':
        return build_minutes(data, target.visit, **common)
    if target.kind == 'conclusion':
        return build_conclusion(data, target.unit, signer=signer, **common)
    if target.kind == 'team_report':
        return build_team_report(data, target.team, **common)
    return build_report(data, signer=signer, **common)
