"""The shape of a visit submission (a JSON or YAML file from the field, or the API body)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, ValidationError, WithJsonSchema, field_validator

from inspect_flow.core.errors import InvalidInput
from inspect_flow.core.limits import MAX_TEXT, limit_of
from inspect_flow.findings.models import Finding
from inspect_flow.visits.models import HouseholdConsultation, VisitParticipant


class _Strict(BaseModel):
    model_config = ConfigDict(extra='forbid', str_strip_whitespace=True)


class ParticipantIn(_Strict):
    """A local participant of the working session."""

    side: Literal['district', 'commune', 'invited']
    full_name: str = Field(min_length=1, max_length=limit_of(VisitParticipant, 'full_name'))
    title: str = Field(default='', max_length=limit_of(VisitParticipant, 'title'))
    agency: str = Field(default='', max_length=limit_of(VisitParticipant, 'agency'))


class HouseholdIn(_Strict):
    """A consulted household."""

    code: str = Field(min_length=1, max_length=limit_of(HouseholdConsultation, 'household_code'))
    category: Literal['poor', 'near_poor', 'escaped']
    head_name: str | None = Field(default=None, max_length=limit_of(HouseholdConsultation, 'head_name'))
    answers: dict[str, Any] = Field(default_factory=dict)


class FindingIn(_Strict):
    """A finding recorded at the visit."""

    kind: Literal['achievement', 'limitation', 'cause']
    category: str = Field(min_length=1, max_length=limit_of(Finding, 'category'))
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    severity: Literal['low', 'medium', 'high'] | None = None
    source: Literal['report', 'records', 'household', 'observation', 'checklist'] = 'observation'
    evidence: list[str] = Field(default_factory=list)


class ContentIn(_Strict):
    """What happened at the session (sections III and VI of the minutes)."""

    purpose: str = ''
    district_report: str = ''
    commune_report: str = ''
    records_checked: list[str] = Field(default_factory=list)
    discussion: list[str] = Field(default_factory=list)
    local_opinion: str = ''
    ended_at: str | None = None

    @field_validator('ended_at')
    @classmethod
    def _hhmm(cls, v: str | None) -> str | None:
        if v is None:
            return v
        hh, _, mm = v.partition(':')
        if not (hh.isdigit() and mm.isdigit() and 0 <= int(hh) < 24 and 0 <= int(mm) < 60):
            raise ValueError('expected HH:MM')
        return f'{int(hh):02d}:{int(mm):02d}'


class SubmissionIn(_Strict):
    """A whole visit record, as a field team sends it."""

    participants: list[ParticipantIn] = Field(default_factory=list)
    content: ContentIn = Field(default_factory=ContentIn)
    answers: dict[str, Any] = Field(default_factory=dict)
    households: list[HouseholdIn] = Field(default_factory=list)
    findings: list[FindingIn] = Field(default_factory=list)

    @field_validator('households')
    @classmethod
    def _unique_codes(cls, v: list[HouseholdIn]) -> list[HouseholdIn]:
        seen = set()
        for h in v:
            if h.code in seen:
                raise ValueError(f'household code {h.code!r} appears twice')
            seen.add(h.code)
        return v


def parse_submission(data: Any) -> SubmissionIn:  # noqa: ANN401
    """Validate *data* as a submission.

    :raise InvalidInput: one message per bad field, e.g. ``households.1.category: ...``
    """
    if not isinstance(data, dict):
        raise InvalidInput('submission.not_object', 'Tệp kết quả phải là một đối tượng (JSON object / YAML mapping).',
                           'A submission must be an object (JSON object / YAML mapping).')
    try:
        return SubmissionIn.model_validate(data)
    except ValidationError as exc:
        errors = [{'field': '.'.join(str(p) for p in e['loc']), 'message': e['msg']} for e in exc.errors()]
        listing = '; '.join(f"{e['field']}: {e['message']}" for e in errors[:5])
        raise InvalidInput('submission.invalid', f'Tệp kết quả không hợp lệ: {listing}.',
                           f'The submission is invalid: {listing}.', details=errors) from None


class RecordIn(_Strict):
    """The record part of a visit (participants and what was heard, checked and said), as a page saves it.

    The same parts, under the same rules, as in :class:`SubmissionIn`.
    """

    participants: list[ParticipantIn] = Field(default_factory=list)
    content: ContentIn = Field(default_factory=ContentIn)


#: What each field of a record is called on the page and in messages (Vietnamese, English).
RECORD_LABELS = {
    'side': ('Thành phần', 'Side'),
    'full_name': ('Họ và tên', 'Full name'),
    'title': ('Chức vụ', 'Title'),
    'agency': ('Cơ quan, đơn vị', 'Agency'),
    'purpose': ('Mục đích, nội dung làm việc', 'Purpose of the session'),
    'district_report': ('Báo cáo của Ban Chỉ đạo huyện', 'Report of the district committee'),
    'commune_report': ('Báo cáo của Ban Chỉ đạo xã', 'Report of the commune committee'),
    'records_checked': ('Hồ sơ, sổ sách đã kiểm tra', 'Records checked'),
    'discussion': ('Ý kiến trao đổi', 'Discussion'),
    'local_opinion': ('Ý kiến của đơn vị được kiểm tra', 'Opinion of the unit inspected'),
    'ended_at': ('Giờ kết thúc', 'End time'),
}


def _record_problem(error: dict) -> tuple[str, str, str]:
    """``(field, vi, en)`` of one pydantic error, the field named as the page names it."""
    loc = [str(p) for p in error['loc']]
    field = '.'.join(loc)
    name = loc[-1] if loc else ''
    vi_label, en_label = RECORD_LABELS.get(name, (name, name))
    if loc[:1] == ['participants'] and len(loc) >= 2 and loc[1].isdigit():
        vi_label = f'Người tham dự {int(loc[1]) + 1}, {vi_label.lower()}'
        en_label = f'Participant {int(loc[1]) + 1}, {en_label.lower()}'
    kind = error.get('type', '')
    ctx = error.get('ctx') or {}
    if kind == 'string_too_short':
        vi, en = 'phải nhập', 'is required'
    elif kind == 'string_too_long':
        vi, en = f'dài quá {ctx.get("max_length")} ký tự', f'is longer than {ctx.get("max_length")} characters'
    elif name == 'ended_at':
        vi, en = 'không phải giờ hợp lệ (giờ:phút, ví dụ 11:15)', 'is not a valid time (hh:mm, e.g. 11:15)'
    else:
        vi, en = 'không hợp lệ', 'is not valid'
    return field, f'{vi_label}: {vi}.', f'{en_label}: {en}.'


def parse_record(data: Any) -> RecordIn:  # noqa: ANN401
    """Validate *data* as the record part of a visit.

    :raise InvalidInput: naming each bad field (``participants.1.full_name``, ``content.ended_at``) in
        ``details[0]['items']``, and the first one as the error's field
    """
    if not isinstance(data, dict):
        raise InvalidInput('record.not_object', 'Biên bản phải là một đối tượng.', 'A record must be an object.')
    try:
        return RecordIn.model_validate(data)
    except ValidationError as exc:
        items = []
        for error in exc.errors():
            field, vi, en = _record_problem(error)
            items.append({'field': field, 'message': vi, 'message_en': en})
        raise InvalidInput('record.invalid', 'Biên bản chưa lưu được: ' + ' '.join(i['message'] for i in items[:5]),
                           'The record is not saved: ' + ' '.join(i['message_en'] for i in items[:5]),
                           field=items[0]['field'], details=[{'items': items}]) from None


# --- what a submission answers (the API's 201, the asynchronous intake's stored result) -----------------------

VN = timezone(timedelta(hours=7), 'Asia/Ho_Chi_Minh')


def _rfc3339(tz):  # noqa: ANN001, ANN202
    def serialize(value: datetime) -> str:
        return (value if value.tzinfo else value.replace(tzinfo=tz)).isoformat().replace('+00:00', 'Z')

    return serialize


#: A UTC timestamp (stored naive in UTC), sent as RFC 3339 with ``Z``.
UtcDateTime = Annotated[datetime, PlainSerializer(_rfc3339(UTC), return_type=str),
                        WithJsonSchema({'type': 'string', 'format': 'date-time'})]
#: A local wall-clock time of the round (Asia/Ho_Chi_Minh, UTC+7), sent with its offset.
LocalDateTime = Annotated[datetime, PlainSerializer(_rfc3339(VN), return_type=str),
                          WithJsonSchema({'type': 'string', 'format': 'date-time'})]


class _Out(BaseModel):
    model_config = ConfigDict(extra='forbid')


class VisitOut(_Out):
    id: int
    plan_id: int
    team_id: int
    team_number: int
    commune_id: int
    commune: str
    district_id: int | None = Field(description='The commune\'s district; null in two tiers (from 01/07/2025).')
    district: str | None
    conclusion_unit_id: int = Field(description='The unit the visit is concluded under: the district (three tiers) '
                                                'or the commune itself (two tiers).')
    conclusion_unit: str
    starts_at: LocalDateTime
    ends_at: LocalDateTime
    place: str
    state: str
    state_label: str
    submitted_dt: UtcDateTime | None
    reviewed_dt: UtcDateTime | None
    return_comment: str | None
    version: int = Field(description='The version to send back in If-Match (or "version") with an edit.')


class WarningOut(_Out):
    rule: str
    message: str
    message_en: str
    field: str | None = None


class SubmissionOut(_Out):
    visit: VisitOut
    idempotency_key: str | None
    findings: int = Field(description='Findings of the visit after the submission.')
    warnings: list[WarningOut] = Field(default_factory=list, description=(
        'What was accepted but needs a look, e.g. fewer households than the plan\'s quota '
        '(rule "visit.households_quota", field "households"); the team leader sees it in the review.'))


def visit_out(v, lang: str) -> dict:  # noqa: ANN001
    """A visit as the API shows it (:class:`VisitOut`), its state labelled in *lang*."""
    from inspect_flow.workflow.states import state_label

    return {'id': v.id, 'plan_id': v.plan_id, 'team_id': v.team_id, 'team_number': v.team.number,
            'commune_id': v.commune_id, 'commune': v.commune.full_name, 'district_id': v.district_id,
            'district': v.district.full_name if v.district is not None else None,
            'conclusion_unit_id': v.conclusion_unit_id, 'conclusion_unit': v.conclusion_unit.full_name,
            'starts_at': v.starts_at, 'ends_at': v.ends_at, 'place': v.place,
            'state': v.state.value, 'state_label': state_label(v.state, 'en' if lang == 'en' else 'vi'),
            'submitted_dt': v.submitted_dt, 'reviewed_dt': v.reviewed_dt, 'return_comment': v.return_comment,
            'version': v.version_id}
