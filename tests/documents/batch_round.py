"""A committed two-tier round (Tỉnh Vĩnh Long, 2026) ready for a document batch: two communes visited, reviewed and
concluded, the decision forming the teams issued before the fieldwork; its document set has 10 documents."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspect_flow.core.db import make_engine
from inspect_flow.documents import operations as ops
from inspect_flow.documents.sources import SignerIn
from tests import builders

#: The committee's signer of the batch's documents.
SIGNER = SignerIn(name='Nguyễn Văn An', title='Phó Trưởng ban', prefix='KT.', on_behalf_of='Trưởng ban')
#: The communes of the round (their names are printed in their minutes and notices).
COMMUNE_NAMES = ('Nhuận Phú Tân', 'Phú Khương')
#: plan, decision, schedule, 2 minutes, 2 notices, 2 team reports, round report
SET_SIZE = 10
#: the numbered documents a batch issues (the plan was numbered outside, the decision before, the schedule none)
ISSUED_BY_BATCH = 7


def build_round(url: str) -> int:
    """Build the round in the database at *url*, commit, and return the plan's id."""
    engine = make_engine(url, poolclass=sa.pool.NullPool)
    with Session(engine) as session:
        plan = builders.plan_at(session, 'conclusions', two_tier=True)
        ops.issue_document(session, plan, 'team_decision', actor='tester', issue_date=date(2026, 3, 1),
                           signer=SIGNER)
        session.commit()
        plan_id = plan.id
    engine.dispose()
    return plan_id
