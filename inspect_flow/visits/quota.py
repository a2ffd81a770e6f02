"""The plan's households quota (số hộ tham vấn mỗi xã) against the households a visit consulted.

A commune may have fewer eligible households than the plan asks for, or a household may refuse, so a
shortfall does not stop a submit: it is written as a note on the submit (the visit's history), answered to
whoever submits (web, API, command line) and shown to the team leader in the review. A visit is never
passed short without a word.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from inspect_flow.plans.checklists import visit_checklist
from inspect_flow.visits.models import Visit
from inspect_flow.workflow.rules import Problem


@dataclass(frozen=True)
class HouseholdQuota:
    """How many households the plan asks per commune and how many the visit consulted."""

    quota: int
    consulted: int

    @property
    def shortfall(self) -> int:
        return max(0, self.quota - self.consulted)

    @property
    def met(self) -> bool:
        return self.shortfall == 0

    def note(self, lang: str = 'vi') -> str:
        """One sentence for a person: the count against the quota, and what is missing."""
        if lang == 'en':
            text = f'{self.consulted} of {self.quota} households consulted (the plan asks {self.quota} per commune)'
            return text + (f'; {self.shortfall} short.' if self.shortfall else '.')
        text = f'Đã tham vấn {self.consulted}/{self.quota} hộ (kế hoạch: {self.quota:02d} hộ mỗi xã)'
        return text + (f'; còn thiếu {self.shortfall} hộ.' if self.shortfall else '.')

    def as_dict(self) -> dict[str, Any]:
        return {'quota': self.quota, 'consulted': self.consulted, 'shortfall': self.shortfall, 'met': self.met}


def households_consulted(visit: Visit) -> int:
    """The households the visit's record holds: the roster rows with a household code (drafts included), or
    the household-consultation rows of a free-form record."""
    from inspect_flow.checklist import household_rows

    checklist = visit_checklist(visit)
    if checklist is not None and (checklist.roster is not None or checklist.kind.value == 'household_consultation'):
        return len(household_rows(checklist, visit.answers or {}))
    return len(visit.households)


def household_quota(visit: Visit) -> HouseholdQuota | None:
    """The visit's households against its plan's quota; ``None`` when the plan sets no quota."""
    quota = visit.plan.households_per_commune or 0
    if quota <= 0:
        return None
    return HouseholdQuota(quota=quota, consulted=households_consulted(visit))


def quota_warnings(visit: Visit) -> list[Problem]:
    """What a submit of *visit* is warned about (not refused for): fewer households than the quota."""
    status = household_quota(visit)
    if status is None or status.met:
        return []
    return [Problem('visit.households_quota', status.note('vi'), status.note('en'), field='households')]
