"""The API's request and response models. The OpenAPI document is generated from them.

The models the API shares with the domain packages (the problem document, the visit and submission results, the
intake's status resource) live there and are named here too, as ``s.Problem``, ``s.IntakeOut``…
"""

from __future__ import annotations

from datetime import date
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from inspect_flow.core.limits import MAX_ID, MAX_TEXT, limit_of
from inspect_flow.core.problems import FieldError as FieldError
from inspect_flow.core.problems import Problem as Problem
from inspect_flow.findings.models import Finding
from inspect_flow.intake.schemas import IntakeOut as IntakeOut
from inspect_flow.units.models import Person
from inspect_flow.visits.schemas import SubmissionIn, UtcDateTime, VisitOut
from inspect_flow.visits.schemas import SubmissionOut as SubmissionOut
from inspect_flow.visits.schemas import WarningOut as WarningOut

#: The text limits of the models (inspect_flow/core/limits.py), the same the pages and the CLI get.
NAME_MAX = limit_of(Person, 'full_name')
TITLE_MAX = limit_of(Person, 'title')
AGENCY_MAX = limit_of(Person, 'agency')
CATEGORY_MAX = limit_of(Finding, 'category')
Id = Field(ge=1, le=MAX_ID)
T = TypeVar('T')


class Out(BaseModel):
    model_config = ConfigDict(extra='forbid')


class In(BaseModel):
    model_config = ConfigDict(extra='forbid', str_strip_whitespace=True)


class Page(Out, Generic[T]):
    """A page of a list; pass ``next_cursor`` as ``cursor`` to get the next page."""

    items: list[T]
    next_cursor: str | None = None


class ListQuery(In):
    limit: int = Field(default=50, ge=1, le=200)
    cursor: int | None = Field(default=None, ge=0, le=MAX_ID, description='From a previous page\'s next_cursor.')


class Me(Out):
    id: int
    username: str
    full_name: str
    role: str
    person_id: int | None
    unit_id: int | None


class WorkItemOut(Out):
    kind: str = Field(description='visit, recommendation, conclusion (id: the unit), document (params: its target; '
                                  'id null) or documents (more of the plan\'s documents).')
    id: int | None
    plan_id: int
    plan_reference: str
    title: str
    detail: str
    day: date | None
    state: str | None
    state_label: str | None
    overdue: bool
    params: dict[str, Any]


class WorkSectionOut(Out):
    key: str = Field(description='today, coming, to_fix, reviews, conclusions, recommendations, verify, documents '
                                 '(more may come).')
    title: str
    empty: str
    items: list[WorkItemOut]


class WorkOut(Out):
    day: date
    sections: list[WorkSectionOut]


# --- units, plans, teams, checklists -------------------------------------------------------------------

class UnitOut(Out):
    id: int
    code: str
    name: str
    full_name: str
    level: str
    kind: str
    parent_id: int | None
    valid_from: date
    valid_to: date | None


class UnitRef(Out):
    id: int
    code: str
    name: str
    level: str


class UnitLink(UnitRef):
    """A unit a unit was formed from, or went into, on a day (2020 mergers, the 2025 reform)."""

    date: date
    is_default: bool


class UnitDetailOut(UnitOut):
    predecessors: list[UnitLink]
    successors: list[UnitLink]
    #: What took the unit over, as of today (None while the unit is valid).
    now_part_of: UnitRef | None


class UnitQuery(ListQuery):
    level: Literal['province', 'district', 'commune'] | None = None
    parent_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    code: str | None = Field(default=None, max_length=10)
    #: Only the units valid on this day: a code means the unit of its day.
    on: date | None = None


class ClusterOut(Out):
    name: str
    communes: list[str] = Field(description='GSO codes of the communes, as valid on the plan\'s dates.')


class PlanOut(Out):
    id: int
    reference: str
    number: int | None
    symbol: str
    year: int
    issue_date: date | None
    subject: str
    state: str
    state_label: str
    fieldwork_start: date
    fieldwork_end: date
    coverage_rule: str = Field(description='The stored rule: none, one_commune_per_district (per district), '
                                           'per_former_district or per_cluster.')
    coverage: Literal['none', 'per_district', 'per_former_district', 'per_cluster'] = Field(
        description='The coverage grouping: one commune per district (three tiers), per former district (two tiers, '
                    'the districts before 01/07/2025), per cluster of communes, or none.')
    clusters: list[ClusterOut] = Field(default_factory=list, description='The clusters of a per_cluster plan.')
    households_per_commune: int
    legal_bases: list[str]
    objectives: list[str]
    target_unit_ids: list[int]
    team_ids: list[int]
    version: int


class PlanQuery(ListQuery):
    state: Literal['planning', 'scheduling', 'visiting', 'findings', 'conclusions', 'closed', 'cancelled'] | None = None
    year: int | None = Field(default=None, ge=1900, le=2200)


class TeamMemberOut(Out):
    person_id: int
    full_name: str
    title: str
    agency: str
    role: str


class TeamOut(Out):
    id: int
    plan_id: int
    number: int
    members: list[TeamMemberOut]


class ChecklistOut(Out):
    plan_id: int
    checklist_id: str
    version: str
    title: str
    kind: str
    sha256: str
    pinned_dt: UtcDateTime
    content: dict[str, Any] | None = Field(default=None, description='The whole pinned checklist (single item only).')


# --- visits and submissions ----------------------------------------------------------------------------

class ParticipantOut(Out):
    side: str
    full_name: str
    title: str
    agency: str


class HouseholdOut(Out):
    code: str
    category: str
    head_name: str | None
    answers: dict[str, Any]


class FormErrorOut(Out):
    model_config = ConfigDict(extra='allow')


class HouseholdQuotaOut(Out):
    quota: int = Field(description="The plan's households per commune.")
    consulted: int = Field(description='Households in the visit\'s record (drafts included).')
    shortfall: int
    met: bool


class VisitDetailOut(VisitOut):
    answers: dict[str, Any]
    content: dict[str, Any]
    participants: list[ParticipantOut]
    households: list[HouseholdOut]
    households_quota: HouseholdQuotaOut | None = Field(description='Null when the plan sets no quota.')
    checklist_id: str | None
    form_errors: list[dict[str, Any]]
    score_percent: float | None


class VisitQuery(ListQuery):
    plan_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    team_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    state: Literal['scheduled', 'in_progress', 'submitted', 'returned', 'reviewed', 'cancelled'] | None = None


class SubmissionBody(SubmissionIn):
    """A whole visit record, submitted for the team leader's review.

    Send an ``Idempotency-Key`` header (or ``submission_id``): resending the same body with the same
    key returns the original response; a different body under the same key gets 409.
    """

    submission_id: str | None = Field(default=None, min_length=1, max_length=255,
                                      description='A client-generated id (e.g. a UUID), used when no '
                                                  'Idempotency-Key header is sent.')
    version: int | None = Field(default=None, ge=1, le=MAX_ID,
                                description='The visit version the record was based on; a stale one gets 409.')


class AnswersBody(In):
    answers: dict[str, Any]
    version: int | None = Field(default=None, ge=1, le=MAX_ID)


class AnswersOut(Out):
    visit: VisitOut
    form_errors: list[dict[str, Any]]


class EvidenceOut(Out):
    ref: str = Field(description='sha256:<hex> of the bytes as uploaded; findings and answers refer to it.')
    sha256: str
    stored_sha256: str
    media_type: str
    size: int
    width: int | None
    height: int | None
    original_name: str
    created_dt: UtcDateTime


# --- findings, recommendations ------------------------------------------------------------------------

class FindingOut(Out):
    id: int
    plan_id: int
    visit_id: int | None
    kind: str
    category: str
    text: str
    severity: str | None
    source: str
    status: str
    evidence: list[Any]
    checklist_item_id: str | None
    rule_id: str | None
    withdrawn_reason: str | None = Field(default=None, description='Why it was withdrawn (status "withdrawn").')
    created_dt: UtcDateTime
    updated_dt: UtcDateTime | None
    version: int


class FindingQuery(ListQuery):
    plan_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    visit_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    kind: Literal['achievement', 'limitation', 'cause'] | None = None
    status: Literal['suggested', 'accepted', 'rejected', 'withdrawn'] | None = None


class WithdrawBody(In):
    """Withdraw a finding or recommendation: it keeps its history and leaves the documents and counts."""

    reason: str = Field(min_length=1, max_length=MAX_TEXT, description='Why it is withdrawn (kept in the history).')
    version: int | None = Field(default=None, ge=1, le=MAX_ID,
                                description='The version the withdrawal is based on (or send If-Match).')


class ConclusionOut(Out):
    id: int
    plan_id: int
    unit_id: int = Field(description='The concluded unit: the district (three tiers) or the commune (two tiers).')
    unit: str
    summary: str = Field(description='Đánh giá chung: the overall assessment.')
    created_dt: UtcDateTime
    updated_dt: UtcDateTime | None
    version: int


class ConclusionPatch(In):
    summary: str = Field(min_length=1, max_length=MAX_TEXT, description='The overall assessment (required).')
    version: int | None = Field(default=None, ge=1, le=MAX_ID,
                                description='The version the edit is based on (or send If-Match).')


class RecommendationPatch(In):
    text: str | None = Field(default=None, min_length=1, max_length=MAX_TEXT)
    addressee_label: str | None = Field(default=None, min_length=1, max_length=250)
    deadline: date | None = None
    finding_id: int | None = Field(default=None, ge=1, le=MAX_ID,
                                   description='An accepted finding of the conclusion\'s unit; null: none.')
    version: int | None = Field(default=None, ge=1, le=MAX_ID,
                                description='The version the edit is based on (or send If-Match).')


class ReplaceBody(In):
    reason: str = Field(min_length=1, max_length=MAX_TEXT, description='Why the issued document must be replaced.')


class ReplacementOut(Out):
    id: int
    document_id: int = Field(description='The issued document being replaced.')
    reason: str
    opened_by: str
    opened_dt: UtcDateTime
    replaced_by_id: int | None
    closed_dt: UtcDateTime | None


class FindingPatch(In):
    kind: Literal['achievement', 'limitation', 'cause'] | None = None
    category: str | None = Field(default=None, min_length=1, max_length=CATEGORY_MAX)
    text: str | None = Field(default=None, min_length=1, max_length=MAX_TEXT)
    severity: Literal['low', 'medium', 'high'] | None = None
    status: Literal['suggested', 'accepted', 'rejected'] | None = None
    evidence: list[str] | None = Field(default=None, max_length=200)
    version: int | None = Field(default=None, ge=1, le=MAX_ID,
                                description='The version the edit is based on (or send If-Match).')


class ReportOut(Out):
    id: int
    recommendation_id: int
    reported_by: str
    report_date: date
    text: str
    evidence: list[Any]
    is_completed: bool
    created_dt: UtcDateTime


class RecommendationOut(Out):
    id: int
    plan_id: int
    conclusion_id: int | None
    finding_id: int | None
    number: int
    addressee_label: str
    addressee_unit_id: int | None
    text: str
    deadline: date | None
    state: str
    state_label: str
    reports: list[ReportOut]
    withdrawn_reason: str | None = Field(default=None, description='Why it was withdrawn (state "withdrawn").')
    version: int


class RecommendationQuery(ListQuery):
    plan_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    state: Literal['open', 'in_progress', 'done', 'verified', 'overdue', 'withdrawn'] | None = None
    addressee_unit_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class ReportBody(In):
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    completed: bool = False
    evidence: list[str] = Field(default_factory=list, max_length=200)
    report_date: date | None = None
    version: int | None = Field(default=None, ge=1, le=MAX_ID)


# --- documents ----------------------------------------------------------------------------------------

class DocumentOut(Out):
    id: int
    plan_id: int
    kind: str
    type_code: str
    year: int
    number: int | None
    symbol: str
    reference: str
    subject: str
    state: str
    issue_date: date | None
    visit_id: int | None
    unit_id: int | None = Field(description='The concluded unit of a conclusion notice (district or commune).')
    district_id: int | None = Field(description='unit_id when it is a district (three tiers), else null.')
    team_id: int | None
    supersedes_id: int | None
    sha256: str | None
    issued_dt: UtcDateTime | None
    pdf_url: str | None


class DocumentQuery(ListQuery):
    plan_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    state: Literal['draft', 'issued'] | None = None


# --- tokens, webhooks ---------------------------------------------------------------------------------

class TokenOut(Out):
    id: int
    name: str
    prefix: str
    created_dt: UtcDateTime
    last_used_dt: UtcDateTime | None
    revoked_dt: UtcDateTime | None


class WebhookBody(In):
    url: str = Field(min_length=1, max_length=500)
    events: list[Literal['visit.submitted', 'document.issued', 'recommendation.overdue']] = Field(min_length=1)
    secret: str | None = Field(default=None, min_length=16, max_length=128)
    description: str = Field(default='', max_length=200)


class WebhookOut(Out):
    id: int
    url: str
    events: list[str]
    description: str
    is_active: bool
    created_dt: UtcDateTime
    secret: str | None = Field(default=None, description='Shown only in the response that created or rotated it.')
    previous_secret_until: UtcDateTime | None = Field(
        default=None, description='After a rotation: until then deliveries are also signed with the previous secret.')


class RotateBody(In):
    secret: str | None = Field(default=None, min_length=16, max_length=128,
                               description='The new secret (default: a random one, returned once).')
    overlap_hours: float = Field(default=24, ge=0, le=720,
                                 description='How long deliveries also carry a signature made with the old secret.')


class AttemptOut(Out):
    attempt: int
    status_code: int | None
    error: str | None
    duration_ms: int
    created_dt: UtcDateTime


class DeliveryOut(Out):
    id: int
    delivery_id: str
    event: str
    state: str
    attempts: int
    next_attempt_dt: UtcDateTime
    delivered_dt: UtcDateTime | None
    payload: dict[str, Any]
    log: list[AttemptOut]


# --- writing teams and checklist pins (inspect_flow/api/planning.py) ------------------------------------

TeamRoleName = Literal['leader', 'deputy', 'member', 'secretary']


class TeamBody(In):
    """A new team of the plan (Đoàn kiểm tra số …)."""

    number: int = Field(strict=True, ge=1, le=999, description='The team number, unique in the plan.')


class MemberBody(In):
    """A person put on a team with a role."""

    person_id: int = Field(strict=True, ge=1, le=MAX_ID, description='The person (see the members of the teams).')
    role: TeamRoleName = Field(
        default='member', description='leader (Trưởng đoàn, one per team), deputy (Phó Trưởng đoàn), member '
                                      '(Thành viên) or secretary (Thư ký).')


class PinBody(In):
    """The checklist version a plan pins."""

    version: str | None = Field(default=None, min_length=1, max_length=40, pattern=r'^[A-Za-z0-9][A-Za-z0-9._-]*$',
                                description='A shipped version, e.g. "2019.1" (default: the newest one).')


class RegistryChecklistOut(Out):
    """A shipped checklist version that a plan can pin."""

    checklist_id: str
    version: str
    title: str
    title_en: str | None
    kind: str
    sha256: str = Field(description='The SHA-256 of the content; a plan pinning this version stores the same one.')
    applies_from: date | None = Field(None, description='The version applies to plans whose fieldwork starts on or '
                                                        'after this day (none: no lower bound).')
    applies_until: date | None = Field(None, description='The version applies to plans whose fieldwork starts '
                                                         'before this day (none: no upper bound).')


class PersonOut(Out):
    """A person who may be put on a team (an inspector, an official)."""

    id: int
    full_name: str
    title: str = Field(description='Chức vụ, e.g. "Phó Giám đốc Sở Lao động - Thương binh và Xã hội".')
    agency: str = Field(description='Cơ quan, e.g. "Ngân hàng Chính sách xã hội tỉnh".')
    unit_id: int | None = Field(description='The administrative unit the person works in (nobody inspects it).')


class PeopleQuery(ListQuery):
    q: str | None = Field(default=None, min_length=1, max_length=NAME_MAX,
                          description='Part of the full name; case and Vietnamese tone marks are ignored '
                                      '("nguyen van" finds "Nguyễn Văn …").')
    unit_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class PersonBody(In):
    """A new person (họ và tên, chức vụ, cơ quan, nơi công tác)."""

    full_name: str = Field(min_length=1, max_length=NAME_MAX)
    title: str = Field(default='', max_length=TITLE_MAX)
    agency: str = Field(default='', max_length=AGENCY_MAX)
    unit_id: int | None = Field(default=None, strict=True, ge=1, le=MAX_ID,
                                description='The administrative unit the person works in (see /units).')
