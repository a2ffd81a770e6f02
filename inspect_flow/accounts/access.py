"""Who may see and do what, checked per object. Pure functions of a user and an object: no Flask.

The rules:

* administrators and the secretariat (staff) see every plan and run the round: plans, teams, the
  schedule, conclusions, recommendations, documents, verification;
* team leaders and members see the plans they are on; a member records only the visits of a team
  they belong to (``TeamMember`` links their person to the team); the leader or deputy leader of
  that team reviews, returns and approves its visits and writes the conclusion for its unit (the
  district in a three-tier round, the commune in a two-tier round);
* a local official sees only the conclusions and recommendations addressed to their own unit (a
  district official: their district; a commune official: their commune) and reports progress on them;
* what a person may see of a visit is one rule, :func:`visit_sight`: the whole record (staff, the visit's own
  team), the issued minutes only (the officials of the visited commune and of its district), or nothing. Pages,
  evidence, findings, drafts, issued documents, the register, the API and the downloads all ask it, through
  :func:`can_view_visit` and :func:`can_read_document`.

Views answer 404 when the user may not even see the object, 403 when they see it but may not act.
"""

from __future__ import annotations

import enum

from inspect_flow.accounts.models import Role, User
from inspect_flow.plans.models import TeamRole

STAFF = (Role.admin, Role.secretariat)
TEAM = (Role.team_leader, Role.team_member)
LEADING = (TeamRole.leader, TeamRole.deputy)


def is_staff(user: User | None) -> bool:
    """Administrator or secretariat."""
    return user is not None and user.is_active and user.role in STAFF


def is_admin(user: User | None) -> bool:
    return user is not None and user.is_active and user.role == Role.admin


def has_team_account(user: User | None) -> bool:
    """An active team leader or member account linked to a person (team membership comes from the person)."""
    return user is not None and user.is_active and user.role in TEAM and user.person_id is not None


def _membership(user: User | None, team):  # noqa: ANN001, ANN202
    if not has_team_account(user):
        return None
    return next((m for m in team.members if m.person_id == user.person_id), None)


def on_team(user: User | None, team) -> bool:  # noqa: ANN001
    """The user is a member of *team* (any team role)."""
    return _membership(user, team) is not None


def leads_team(user: User | None, team) -> bool:  # noqa: ANN001
    """The user is the leader or deputy leader of *team* and holds a team-leader account."""
    m = _membership(user, team)
    return m is not None and m.role in LEADING and user.role == Role.team_leader


def on_plan(user: User | None, plan) -> bool:  # noqa: ANN001
    return any(on_team(user, t) for t in plan.teams)


# --- plans, teams, schedule --------------------------------------------------------------------------

def can_view_plan(user: User | None, plan) -> bool:  # noqa: ANN001
    """Staff, or a member of one of the plan's teams."""
    return is_staff(user) or on_plan(user, plan)


def can_create_plan(user: User | None) -> bool:
    return is_staff(user)


def can_edit_plan(user: User | None, plan) -> bool:  # noqa: ANN001
    """Edit, advance, pin checklists, form teams, schedule, draw communes: staff only."""
    return is_staff(user)


can_manage_teams = can_edit_plan
can_schedule = can_edit_plan


def can_view_plan_audit(user: User | None, plan) -> bool:  # noqa: ANN001
    return is_staff(user) or any(leads_team(user, t) for t in plan.teams)


def can_view_dashboard(user: User | None, plan) -> bool:  # noqa: ANN001
    return can_view_plan(user, plan)


def can_view_cross_dashboard(user: User | None) -> bool:
    """The cross-round dashboard (``/dashboard``): the secretariat, administrators and team leaders."""
    return is_staff(user) or (user is not None and user.is_active and user.role == Role.team_leader)


# --- visits ------------------------------------------------------------------------------------------

class VisitSight(enum.IntEnum):
    """How much of one visit a person may see."""

    #: nothing: the visit answers 404, and so does every document that carries its record
    none = 0
    #: the issued minutes only (the signed record, household heads' names included), never the working record
    #: nor a draft: the officials of the visited commune and, in three tiers, of its district
    issued_minutes = 1
    #: the whole record (answers, participants, households and their heads' names, evidence, findings) and the
    #: drafts: staff and the members of the visit's own team
    full = 2


def _official(user: User | None) -> bool:
    return (user is not None and user.is_active and user.role == Role.local_official
            and user.unit_id is not None)


def visit_sight(user: User | None, visit) -> VisitSight:  # noqa: ANN001
    """What *user* may see of *visit*: the one rule behind every door to a visit's record."""
    if is_staff(user) or on_team(user, visit.team):
        return VisitSight.full
    if _official(user) and user.unit_id in (visit.commune_id, visit.district_id):  # district_id: None in two tiers
        return VisitSight.issued_minutes
    return VisitSight.none


def can_view_visit(user: User | None, visit) -> bool:  # noqa: ANN001
    """The visit's whole record (its pages, evidence, findings, history): staff, or a member of its own team."""
    return visit_sight(user, visit) == VisitSight.full


def can_edit_visit(user: User | None, visit) -> bool:  # noqa: ANN001
    """Record answers, photos, households and submit: members of the visit's own team only."""
    return on_team(user, visit.team)


def can_view_visit_as(user: User | None, *, on_visit_team: bool) -> bool:
    """:func:`can_view_visit` when the person's membership of the visit's team was found by a query."""
    return is_staff(user) or (has_team_account(user) and on_visit_team)


def can_edit_visit_as(user: User | None, *, on_visit_team: bool) -> bool:
    """:func:`can_edit_visit` when the person's membership of the visit's team was found by a query
    (the asynchronous intake checks it in one statement instead of loading the team)."""
    return has_team_account(user) and on_visit_team


def can_review_visit(user: User | None, visit) -> bool:  # noqa: ANN001
    """Return for correction or approve: the leader or deputy leader of the visit's team."""
    return leads_team(user, visit.team)


def can_cancel_visit(user: User | None, visit) -> bool:  # noqa: ANN001
    return is_staff(user)


def can_decide_finding(user: User | None, finding) -> bool:  # noqa: ANN001
    """Accept, edit or reject a finding of a visit: its team's leader; round-level findings: staff."""
    if finding.visit is None:
        return is_staff(user)
    return leads_team(user, finding.visit.team)


def can_add_finding(user: User | None, visit) -> bool:  # noqa: ANN001
    return on_team(user, visit.team)


def can_view_finding(user: User | None, finding, plan) -> bool:  # noqa: ANN001
    """A visit's finding: as its visit (:func:`can_view_visit`); a round-level finding: as its plan."""
    if finding.visit is not None:
        return can_view_visit(user, finding.visit)
    return can_view_plan(user, plan)


# --- conclusions, recommendations --------------------------------------------------------------------

def can_conclude(user: User | None, plan, unit_id: int) -> bool:  # noqa: ANN001
    """Write a unit's conclusion and its recommendations: staff, or the leader of a team that visited the
    unit (a district in three tiers, a commune in two tiers: the visits' ``conclusion_unit``)."""
    if is_staff(user):
        return True
    return any(leads_team(user, v.team) for v in plan.visits if v.conclusion_unit_id == unit_id)


def can_edit_conclusion(user: User | None, conclusion, plan) -> bool:  # noqa: ANN001
    return can_conclude(user, plan, conclusion.unit_id)


def _addressed_to(user: User | None, rec) -> bool:  # noqa: ANN001
    return (user is not None and user.is_active and user.role == Role.local_official and user.unit_id is not None
            and rec.addressee_unit_id == user.unit_id)


def can_view_recommendation(user: User | None, rec, plan=None) -> bool:  # noqa: ANN001
    """Staff, the plan's team people, or the local official it is addressed to."""
    if is_staff(user) or _addressed_to(user, rec):
        return True
    return plan is not None and on_plan(user, plan)


def can_report_progress(user: User | None, rec) -> bool:  # noqa: ANN001
    """Only the addressee reports on a recommendation."""
    return _addressed_to(user, rec)


def can_verify(user: User | None, rec) -> bool:  # noqa: ANN001
    """The secretariat (or an administrator) verifies or rejects the addressee's report."""
    return is_staff(user)


def can_view_conclusion(user: User | None, conclusion, plan=None) -> bool:  # noqa: ANN001
    """Staff, the plan's team people, the officials of its unit (the district, or the commune in two tiers),
    or an addressee of one of its recommendations."""
    if is_staff(user) or (plan is not None and on_plan(user, plan)):
        return True
    if user is None or user.role != Role.local_official or user.unit_id is None:
        return False
    return conclusion.unit_id == user.unit_id or any(_addressed_to(user, r) for r in conclusion.recommendations)


# --- exports ---------------------------------------------------------------------------------------

def can_export_plan(user: User | None, plan) -> bool:  # noqa: ANN001
    """Download the round's workbook or CSV files: whoever sees the plan (staff and its team people); each row
    of the export is then filtered by :func:`export_sight`."""
    return can_view_plan(user, plan)


def export_sight(user: User | None, plan):  # noqa: ANN001, ANN201
    """What *user* may see in *plan*'s export: visit records as :func:`can_view_visit`, findings as
    :func:`can_view_finding`, conclusions and recommendations as their pages."""
    from inspect_flow.exports.tables import Sight

    return Sight(visit_record=lambda v: can_view_visit(user, v),
                 finding=lambda f: can_view_finding(user, f, plan),
                 conclusion=lambda c: can_view_conclusion(user, c, plan),
                 recommendation=lambda r: can_view_recommendation(user, r, plan))


# --- documents, accounts -----------------------------------------------------------------------------

def can_issue_documents(user: User | None, plan) -> bool:  # noqa: ANN001
    return is_staff(user)


def can_view_documents(user: User | None, plan) -> bool:  # noqa: ANN001
    """The plan's documents page (each row and register entry then checked with :func:`can_read_document`):
    staff and the plan's team people."""
    return can_view_plan(user, plan)


#: Documents about the whole round, built from its plan, teams and schedule, or (the round report) pooling every
#: visit without naming a household or repeating a finding noted in one commune only.
ROUND_KINDS = frozenset({'plan', 'team_decision', 'schedule', 'report'})


def document_visits(target) -> list:  # noqa: ANN001
    """The visits whose record a document carries: the minutes' visit, the visits concluded under a notice's unit,
    a team report's team's visits (cancelled ones aside); none for the round's documents."""
    if target.kind == 'minutes':
        return [target.visit] if target.visit is not None else []
    live = [v for v in target.plan.visits if v.state.value != 'cancelled']
    if target.kind == 'conclusion' and target.unit is not None:
        return [v for v in live if v.conclusion_unit_id == target.unit.id]
    if target.kind == 'team_report' and target.team is not None:
        return [v for v in live if v.team_id == target.team.id]
    return []


def can_read_document(user: User | None, target, *, issued: bool, conclusion=None) -> bool:  # noqa: ANN001
    """Whether *user* may read one document of a round, as a draft (``issued=False``, rendered from the data now)
    or as issued (numbered, frozen). The README's access section has this rule as a table.

    * staff read every document;
    * the round's documents (:data:`ROUND_KINDS`): the plan's team people;
    * the minutes of a visit, the conclusion notice of a unit and a team's report carry the record of visits
      (:func:`document_visits`): the people who see the whole record of one of them (:func:`visit_sight`), the
      minutes alone naming households' heads;
    * issued only, never a draft: a local official reads the minutes of a visit to their commune or district, and
      the conclusion notice sent to their unit (the concluded unit, a commune visited under it, or the addressee
      of one of its recommendations).

    :param target: what the document is about (``kind``, ``plan``, ``visit``, ``unit``, ``team``:
        :class:`inspect_flow.documents.sources.Target`)
    :param conclusion: the conclusion of a notice's unit, when there is one (its recommendations' addressees)
    """
    if is_staff(user):
        return True
    if target.kind in ROUND_KINDS:
        return on_plan(user, target.plan)
    if target.kind == 'team_report':  # its team's visits: the team's own people
        return target.team is not None and on_team(user, target.team)
    visits = document_visits(target)
    if any(visit_sight(user, v) == VisitSight.full for v in visits):
        return True
    if not issued or not _official(user):
        return False
    if target.kind == 'minutes':
        return bool(visits) and visit_sight(user, visits[0]) == VisitSight.issued_minutes
    if target.kind == 'conclusion' and target.unit is not None:
        return (user.unit_id == target.unit.id or any(v.commune_id == user.unit_id for v in visits)
                or (conclusion is not None and any(_addressed_to(user, r) for r in conclusion.recommendations)))
    return False


def can_read_stored_document(user: User | None, doc, target, conclusion=None) -> bool:  # noqa: ANN001
    """A document row of the register (its metadata, its PDF): :func:`can_read_document`, as issued only when
    the row is issued (a stored draft is read as a draft: never by an official)."""
    return can_read_document(user, target, issued=doc.state.value == 'issued', conclusion=conclusion)


def can_manage_users(user: User | None) -> bool:
    return is_admin(user)


# --- pickers and issuing bodies ------------------------------------------------------------------------

def can_search_units(user: User | None) -> bool:
    """Search units by name (the pickers of the plan, people, accounts and recommendation forms): staff, and
    team leaders, who address the recommendations of the conclusions they write."""
    return is_staff(user) or (user is not None and user.is_active and user.role == Role.team_leader)


def can_search_people(user: User | None) -> bool:
    """Search people by name (teams, accounts): staff only."""
    return is_staff(user)


def can_manage_bodies(user: User | None) -> bool:
    """See the issuing bodies, create one, and search them (the plan form's picker): staff only."""
    return is_staff(user)
