"""The intake's status resource: a queued submission and, once applied, its outcome."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from inspect_flow.core.problems import FieldError, Problem
from inspect_flow.visits.schemas import SubmissionOut, UtcDateTime


class IntakeOut(BaseModel):
    """A submission accepted for asynchronous processing (``Prefer: respond-async``) and its outcome."""

    model_config = ConfigDict(extra='forbid')

    id: str = Field(description='The id of this status resource (a UUID).')
    visit_id: int
    idempotency_key: str
    state: Literal['queued', 'done', 'failed'] = Field(
        description='queued: stored, not applied yet; done: applied (see submission); failed: refused '
                    '(see problem and errors).')
    status_url: str
    created_dt: UtcDateTime
    processed_dt: UtcDateTime | None
    response_status: int | None = Field(description='The status the synchronous request would have answered.')
    submission: SubmissionOut | None = Field(description='The result, once applied.')
    problem: Problem | None = Field(description='Why it was refused, once refused.')
    errors: list[FieldError] = Field(description='The per-field (per-item) errors of a refusal.')
