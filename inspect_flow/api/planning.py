"""Writes on a plan's teams and pinned checklists (``/api/v1``).

The same operations and per-object rules as the web's teams page and the ``teams`` and ``plans checklists``
commands: whoever may not see the plan gets 404, whoever sees it but may not organise the round (staff only,
:func:`~inspect_flow.accounts.access.can_manage_teams`) gets 403. The stage rules are the operations' own
(``plan.wrong_stage``, 409). Each request is one transaction; the operations write the audit trail with the
actor ``api:<username>``.

Teams and team members carry no version, so these writes take no ``If-Match``; concurrent duplicates are
decided by the database's unique constraints (409). A pin is identified by its SHA-256, which serves as its
ETag: a change or an unpin may be made conditional with ``If-Match: "<sha256>"``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask import Response, request

from inspect_flow.accounts import access
from inspect_flow.api import schemas as s
from inspect_flow.api.core import commit, db, parse_body, parse_id, parse_query, route, user
from inspect_flow.api.views import _page, actor, load_plan, out, page_out, require, team_out
from inspect_flow.core.errors import DomainError, InvalidInput, not_found, stale_version
from inspect_flow.core.text import fold

PIN_IF_MATCH = {'name': 'If-Match', 'in': 'header', 'required': False,
                'description': 'The SHA-256 of the pin the change is based on (the `sha256` of the pinned checklist, '
                               'also sent as the ETag), or `*` for "only if the plan pins this checklist". If the '
                               'plan now pins another version, or none, the answer is 409 `stale_version`.',
                'schema': {'type': 'string', 'pattern': '^(\\*|(W/)?"?[0-9a-f]{64}"?)$'}}


@contextmanager
def body_fields(**names: str) -> Iterator[None]:
    """Name the request's own fields in the field errors of a domain refusal (the operations name their own
    parameters, e.g. ``person`` for the request's ``person_id``)."""
    try:
        yield
    except DomainError as exc:
        if exc.field in names:
            exc.field = names[exc.field]
        raise


# --- teams --------------------------------------------------------------------------------------------

def load_team(plan, team_id: str):  # noqa: ANN001, ANN201
    """Team *team_id* of *plan* (the plan is already checked as visible)."""
    from inspect_flow.plans.models import Team

    team = db().get(Team, parse_id(team_id, 'team'))
    if team is None or team.plan_id != plan.id:
        raise not_found('team')
    return team


@route('GET', '/plans/{plan_id}/teams/{team_id}', summary='One team of a plan and its members', tag='plans',
       responses={200: s.TeamOut})
def get_team(plan_id: str, team_id: str) -> Response:
    plan = load_plan(plan_id)
    return out(s.TeamOut, team_out(load_team(plan, team_id)))


@route('POST', '/plans/{plan_id}/teams', summary='Add a team to a plan (secretariat, administrators)',
       tag='plans', body=s.TeamBody, responses={201: s.TeamOut},
       description='While the plan is being planned or scheduled (else 409 `plan.wrong_stage`). A number the plan '
                   'already has gets 409 `team.duplicate_number`. `Location:` the new team.')
def create_team(plan_id: str) -> Response:
    from inspect_flow.plans.operations import add_team

    plan = load_plan(plan_id)
    require(access.can_manage_teams(user(), plan))
    body, _raw = parse_body(s.TeamBody)
    team = add_team(db(), plan, body.number, actor=actor())
    payload = team_out(team)
    commit()
    return out(s.TeamOut, payload, 201, headers={'Location': f'/api/v1/plans/{payload["plan_id"]}/teams/'
                                                             f'{payload["id"]}'})


@route('POST', '/plans/{plan_id}/teams/{team_id}/members',
       summary='Put a person on a team with a role (secretariat, administrators)', tag='plans', body=s.MemberBody,
       responses={201: s.TeamOut},
       description='Answers the team with its members. While the plan is being planned or scheduled (else 409 '
                   '`plan.wrong_stage`). An unknown person gets 422 `person.not_found`; a person already on the '
                   'team 409 `team.duplicate_member`; a second leader 409 `team.leader_exists`.')
def add_team_member(plan_id: str, team_id: str) -> Response:
    from inspect_flow.plans.models import TeamRole
    from inspect_flow.plans.operations import add_member
    from inspect_flow.units.operations import find_person

    plan = load_plan(plan_id)
    team = load_team(plan, team_id)
    require(access.can_manage_teams(user(), plan))
    body, _raw = parse_body(s.MemberBody)
    with body_fields(person='person_id'):
        person = find_person(db(), body.person_id)
        add_member(db(), team, person, TeamRole(body.role), actor=actor())
    payload = team_out(team)
    commit()
    return out(s.TeamOut, payload, 201)


@route('DELETE', '/plans/{plan_id}/teams/{team_id}/members/{person_id}',
       summary='Take a person off a team (secretariat, administrators)', tag='plans', responses={200: s.TeamOut},
       description='Answers the team with its remaining members. While the plan is being planned or scheduled '
                   '(else 409 `plan.wrong_stage`); a person who is not on the team gets 409 `team.not_member`.')
def remove_team_member(plan_id: str, team_id: str, person_id: str) -> Response:
    from inspect_flow.plans.operations import remove_member
    from inspect_flow.units.models import Person

    plan = load_plan(plan_id)
    team = load_team(plan, team_id)
    require(access.can_manage_teams(user(), plan))
    person = db().get(Person, parse_id(person_id, 'person'))
    if person is None:
        raise not_found('person')
    with body_fields(person='person_id'):
        remove_member(db(), team, person, actor=actor())
    payload = team_out(team)
    commit()
    return out(s.TeamOut, payload)


# --- people -------------------------------------------------------------------------------------------

def person_out(p) -> dict:  # noqa: ANN001
    return {'id': p.id, 'full_name': p.full_name, 'title': p.title, 'agency': p.agency, 'unit_id': p.unit_id}


@route('GET', '/people', summary='People who may be put on teams (secretariat, administrators)', tag='plans',
       query=s.PeopleQuery, responses={200: s.Page[s.PersonOut]},
       description='`q` finds a part of the full name, ignoring case and tone marks; `unit_id` those who work in '
                   'a unit. The ids are the `person_id` of `POST /plans/{plan_id}/teams/{team_id}/members`.')
def list_people() -> Response:
    from inspect_flow.units.models import Person

    require(access.is_staff(user()))
    q = parse_query(s.PeopleQuery)
    query = sa.select(Person)
    if q.unit_id:
        query = query.where(Person.unit_id == q.unit_id)
    wanted = fold(q.q) if q.q else ''
    return page_out(s.PersonOut, _page(query, Person.id, q, lambda p: wanted in fold(p.full_name), person_out))


@route('POST', '/people', summary='Add a person (secretariat, administrators)', tag='plans', body=s.PersonBody,
       responses={201: s.PersonOut},
       description='The same as the teams page\'s "add a person". An unknown `unit_id` gets 422 `unit.not_found`; '
                   'a person with the same name and agency (case, spaces and NFC/NFD aside) gets 409 '
                   '`person.duplicate`, naming their id.')
def create_person() -> Response:
    from inspect_flow.units.models import AdminUnit
    from inspect_flow.units.operations import add_person

    require(access.is_staff(user()))
    body, _raw = parse_body(s.PersonBody)
    unit = None
    if body.unit_id is not None:
        unit = db().get(AdminUnit, body.unit_id)
        if unit is None:
            raise InvalidInput('unit.not_found', 'Không có đơn vị hành chính này.', 'No such administrative unit.',
                               field='unit_id')
    person = add_person(db(), full_name=body.full_name, title=body.title, agency=body.agency, unit=unit)
    payload = person_out(person)
    commit()
    return out(s.PersonOut, payload, 201, headers={'Location': f'/api/v1/people/{payload["id"]}'})


@route('GET', '/people/{person_id}', summary='One person (secretariat, administrators)', tag='plans',
       responses={200: s.PersonOut})
def get_person(person_id: str) -> Response:
    from inspect_flow.units.models import Person

    require(access.is_staff(user()))
    person = db().get(Person, parse_id(person_id, 'person'))
    if person is None:
        raise not_found('person')
    return out(s.PersonOut, person_out(person))


# --- checklists ---------------------------------------------------------------------------------------

def registry_out(checklist) -> dict:  # noqa: ANN001
    return {'checklist_id': checklist.id, 'version': checklist.version, 'title': checklist.title.vi,
            'title_en': checklist.title.en, 'kind': checklist.kind.value, 'sha256': checklist.sha256,
            'applies_from': checklist.applies.from_ if checklist.applies else None,
            'applies_until': checklist.applies.until if checklist.applies else None}


def pin_out(plan, pin) -> dict:  # noqa: ANN001
    from inspect_flow.plans.checklists import as_checklist

    return {'plan_id': plan.id, 'checklist_id': pin.checklist_id, 'version': pin.version, 'title': pin.title,
            'kind': as_checklist(pin).kind.value, 'sha256': pin.sha256, 'pinned_dt': pin.pinned_dt, 'content': None}


def _pinned(plan, checklist_id: str):  # noqa: ANN001, ANN202
    return next((p for p in plan.checklists if p.checklist_id == checklist_id), None)


def _check_if_match(pin) -> None:  # noqa: ANN001
    """Refuse a change based on another pin than the current one (``If-Match``)."""
    header = request.headers.get('If-Match')
    if header is None:
        return
    tag = header.strip()
    if tag != '*':
        tag = tag.removeprefix('W/').strip('"').lower()
        if len(tag) != 64 or any(ch not in '0123456789abcdef' for ch in tag):
            raise InvalidInput('if_match.invalid',
                               'If-Match phải là mã SHA-256 của bộ câu hỏi đang áp dụng (hoặc *).',
                               'If-Match must be the SHA-256 of the pinned checklist (or *).', field='If-Match')
    if pin is None or tag not in ('*', pin.sha256):
        raise stale_version(field='If-Match')


@route('GET', '/checklists', summary='The shipped checklist versions a plan can pin', tag='checklists',
       responses={200: s.Page[s.RegistryChecklistOut]},
       description='Every version of every checklist file of the server\'s checklist folder, by id then version.')
def list_registry() -> Response:
    from inspect_flow.checklist import list_checklists

    items = [registry_out(c) for c in list_checklists()]
    return out(s.Page[s.RegistryChecklistOut], {'items': items, 'next_cursor': None})


@route('PUT', '/plans/{plan_id}/checklists/{checklist_id}',
       summary='Pin a shipped checklist version to a plan, or change the pinned version (secretariat, administrators)',
       tag='checklists', body=s.PinBody, headers=[PIN_IF_MATCH],
       responses={201: s.ChecklistOut, 200: s.ChecklistOut},
       description='The whole content and its SHA-256 are stored with the plan. 201 when the plan did not pin this '
                   'checklist, 200 when the pin changed or already was this version. Only while the plan is being '
                   'planned or scheduled (else 409 `plan.wrong_stage`). An id or version that is not shipped gets '
                   '422 `checklist.not_found` naming `checklist_id` or `version`. Without `version`, the newest '
                   'version that applies on the plan\'s fieldwork start (its `applies` period) is pinned (422 '
                   '`checklist.none_applies` when none does); a `version` whose period excludes the fieldwork '
                   'start gets 422 `plan.checklist_not_applicable` naming `version`. `ETag:` the pin\'s SHA-256.')
def put_pin(plan_id: str, checklist_id: str) -> Response:
    from inspect_flow.checklist import ChecklistNotFound, find_checklist, list_checklists
    from inspect_flow.plans.checklists import pin_checklist

    plan = load_plan(plan_id)
    require(access.can_edit_plan(user(), plan))
    body, _raw = parse_body(s.PinBody)
    before = _pinned(plan, checklist_id)
    _check_if_match(before)
    try:
        checklist = find_checklist(checklist_id, body.version, on=plan.fieldwork_start)
    except ChecklistNotFound as exc:  # in the body or the path of this PUT, it names nothing to pin: 422
        shipped = body.version is not None and any(c.id == checklist_id for c in list_checklists())
        raise InvalidInput(exc.code, exc.message_vi, exc.message_en,
                           field='version' if shipped else 'checklist_id') from None
    pin = pin_checklist(db(), plan, checklist, actor=actor())
    payload = pin_out(plan, pin)
    commit()
    return out(s.ChecklistOut, payload, 201 if before is None else 200, headers={'ETag': f'"{payload["sha256"]}"'})


@route('DELETE', '/plans/{plan_id}/checklists/{checklist_id}',
       summary='Unpin a checklist from a plan (secretariat, administrators)', tag='checklists',
       headers=[PIN_IF_MATCH], responses={204: None},
       description='Only while the plan is being planned or scheduled (else 409 `plan.wrong_stage`); a checklist the '
                   'plan does not pin gets 404 `plan.checklist_not_pinned`.')
def delete_pin(plan_id: str, checklist_id: str) -> Response:
    from inspect_flow.plans.checklists import unpin_checklist

    plan = load_plan(plan_id)
    require(access.can_edit_plan(user(), plan))
    pin = _pinned(plan, checklist_id)
    if pin is not None:  # an unpinned one is the operation's 404
        _check_if_match(pin)
    unpin_checklist(db(), plan, checklist_id, actor=actor())
    commit()
    return Response(status=204)
