"""Who may see and do what, checked per object. Pure functions of a user and an object: no Flask.

The rules:

* administrators and the secretariat (staff) see every plan and run the round: plans, teams, the
  schedule, conclusions, recommendations, documents, verification;
* team leaders and members see the plans they are on; a member records only the visits of a team
  they belong to (``TeamMember`` links their person to the team); the leader or deputy leader of
  that team reviews, returns and approves its visits and writes the conclusion for its unit (the
  district in a three-tier round, the commune in a two-tier round);
* a local official sees only the conclusions and recommendations addressed to their own unit (a
  district official: their district; a commune official: their commune) and reports progress on them.

Views answer 404 when the user may not even see the object, 403 when they see it but may not act.
"""

from __future__ import annotations

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


# --- visits ------------------------------------------------------------------------------------------

def can_view_visit(user: User | None, visit) -> bool:  # noqa: ANN001
    """Staff, or a member of the visit's own team."""
    return is_staff(user) or on_team(user, visit.team)


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


# --- documents, accounts -----------------------------------------------------------------------------

def can_issue_documents(user: User | None, plan) -> bool:  # noqa: ANN001
    return is_staff(user)


def can_view_documents(user: User | None, plan) -> bool:  # noqa: ANN001
    """The plan's documents page, its drafts and its register: staff and the plan's team people."""
    return can_view_plan(user, plan)


def can_view_document(user: User | None, doc, plan, conclusion=None, visit=None) -> bool:  # noqa: ANN001
    """One issued document: staff and the plan's team people see every one; a local official only a
    conclusion notice about their unit, a district or a commune (or holding a recommendation addressed to their unit)
    and the minutes of a visit to their own commune or district.

    :param conclusion: the conclusion a ``conclusion`` document is about, when there is one
    :param visit: the visit a ``minutes`` document is about
    """
    if can_view_plan(user, plan):
        return True
    if user is None or not user.is_active or user.role != Role.local_official or user.unit_id is None:
        return False
    if doc.kind == 'conclusion':
        return doc.unit_id == user.unit_id or (
            conclusion is not None and any(_addressed_to(user, r) for r in conclusion.recommendations))
    if doc.kind == 'minutes' and visit is not None:
        return user.unit_id in (visit.commune_id, visit.district_id)  # district_id is None in two tiers
    return False


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
