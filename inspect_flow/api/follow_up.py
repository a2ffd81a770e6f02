"""Follow-up across rounds in the API: create a plan from an earlier one, the earlier recommendations a round
picks up, and the team's check of one during a visit. Thin shells over :mod:`inspect_flow.plans.recurrence` and
:mod:`inspect_flow.findings.follow_up`."""

from __future__ import annotations

from datetime import date
from typing import Literal

from flask import Response
from pydantic import Field

from inspect_flow.accounts import access
from inspect_flow.api import schemas as s
from inspect_flow.api.core import commit, db, parse_body, parse_id, route, user
from inspect_flow.api.views import actor, load_plan, load_visit, out, plan_out, require
from inspect_flow.units.models import Person


class CreateFromBody(s.In):
    """A new plan at the planning stage with an earlier plan's structure."""

    fieldwork_start: date
    fieldwork_end: date
    subject: str | None = Field(default=None, max_length=1000,
                                description='Default: the earlier subject with the new year.')
    recurrence: Literal['none', 'half_yearly', 'yearly'] = 'none'


class FollowUpOut(s.Out):
    """An earlier round's recommendation picked up by this round."""

    recommendation_id: int
    from_plan: str
    addressee: str
    text: str
    deadline: date | None
    state: str
    verified_in_visit: int | None = Field(description='The visit of this round where it was checked, if it was.')
    outcome: Literal['done', 'partly_done', 'not_done'] | None
    visits: list[int] = Field(description='The visits of this round it is attached to.')


class FollowUpList(s.Out):
    items: list[FollowUpOut]


class CheckBody(s.In):
    """The team's check of an earlier recommendation during a visit."""

    outcome: Literal['done', 'partly_done', 'not_done']
    note: str = Field(default='', max_length=4000, description='Required unless done.')
    evidence: list[str] = Field(default_factory=list, max_length=50, description='Required for done.')


@route('POST', '/plans/{plan_id}/create-from', summary='Create a plan from an earlier one (secretariat)',
       tag='plans', body=CreateFromBody, responses={201: s.PlanOut},
       description='Copies legal bases, objectives, coverage rule, checklist pins and teams into a new plan at the '
                   'planning stage. `Location:` the new plan.')
def create_plan_from(plan_id: str) -> Response:
    from inspect_flow.plans.recurrence import create_from, parse_recurrence

    source = load_plan(plan_id)
    require(access.can_create_plan(user()))
    body, _raw = parse_body(CreateFromBody)
    result = create_from(db(), source, fieldwork_start=body.fieldwork_start, fieldwork_end=body.fieldwork_end,
                         subject=body.subject, recurrence=parse_recurrence(body.recurrence), actor=actor())
    payload = plan_out(result.plan)
    commit()
    return out(s.PlanOut, payload, 201, headers={'Location': f'/api/v1/plans/{payload["id"]}'})


@route('GET', '/plans/{plan_id}/follow-up', summary='The earlier recommendations a round picks up', tag='plans',
       responses={200: FollowUpList})
def list_follow_up(plan_id: str) -> Response:
    from inspect_flow.findings.follow_up import follow_up

    plan = load_plan(plan_id)
    return out(FollowUpList, {'items': [i.as_dict() for i in follow_up(db(), plan)]})


@route('POST', '/visits/{visit_id}/follow-up/{recommendation_id}',
       summary='Record the check of an earlier recommendation during a visit (its team)', tag='visits',
       body=CheckBody, responses={201: FollowUpOut},
       description='Done: verified. Partly done: in progress (overdue past the deadline). Not done: unchanged, or '
                   'overdue past the deadline. A second check in the same round gets 409 `follow_up.already_checked`.')
def check_follow_up(visit_id: str, recommendation_id: str) -> Response:
    from inspect_flow.findings.follow_up import check_recommendation, follow_up_for_visit
    from inspect_flow.findings.operations import get_recommendation

    visit = load_visit(visit_id)
    require(access.can_add_finding(user(), visit))
    body, _raw = parse_body(CheckBody)
    rec = get_recommendation(db(), parse_id(recommendation_id, 'recommendation'))
    person = db().get(Person, user().person_id) if user().person_id else None
    check_recommendation(db(), visit, rec, outcome=body.outcome, note=body.note, evidence=body.evidence,
                         checker=person, actor=actor())
    payload = next(i.as_dict() for i in follow_up_for_visit(db(), visit) if i.recommendation.id == rec.id)
    commit()
    return out(FollowUpOut, payload, 201)
