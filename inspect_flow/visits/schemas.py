"""The shape of a visit submission (a JSON or YAML file from the field, or the API body)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

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
