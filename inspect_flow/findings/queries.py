"""Read-side helpers for findings, conclusions and recommendations."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import object_session

from inspect_flow.findings.models import Conclusion


def concluded_unit_ids(plan) -> set[int]:  # noqa: ANN001
    """Return the ids of the units (districts or communes) that have a conclusion in *plan*."""
    session = object_session(plan)
    if session is None or plan.id is None:
        return set()
    return set(session.scalars(sa.select(Conclusion.unit_id).where(Conclusion.plan_id == plan.id)))
