"""The number register: per issuer, per year, per kind; no duplicate and no gap under concurrency."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from inspect_flow.core.db import make_engine, make_session_factory, unit_of_work
from inspect_flow.core.errors import InvalidInput
from inspect_flow.documents.numbering import allocate_number, last_number
from inspect_flow.units.models import IssuingBody
from tests import builders


def test_numbers_run_per_issuer_year_and_kind(session):  # noqa: ANN001
    body = builders.issuer(session)
    assert [allocate_number(session, body, 2019, 'TB') for _ in range(3)] == [1, 2, 3]
    assert allocate_number(session, body, 2019, 'BB') == 1
    assert allocate_number(session, body, 2020, 'TB') == 1
    assert last_number(session, body, 2019, 'TB') == 3
    with pytest.raises(InvalidInput):
        allocate_number(session, body, 2019, 'XX')


def test_a_rolled_back_issue_gives_its_number_back(session):  # noqa: ANN001
    body = builders.issuer(session)
    allocate_number(session, body, 2019, 'TB')
    nested = session.begin_nested()
    allocate_number(session, body, 2019, 'TB')
    nested.rollback()
    assert allocate_number(session, body, 2019, 'TB') == 2


def test_concurrent_issuers_never_share_or_skip_a_number(databases, db_kind):  # noqa: ANN001
    engine = make_engine(databases.fresh(db_kind), pool_size=8)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as s:
        issuer_id = builders.issuer(s).id
    got: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        try:
            barrier.wait()
            for _ in range(10):
                with unit_of_work(factory) as s:
                    got.append(allocate_number(s, s.get(IssuingBody, issuer_id), 2019, 'TB'))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(got) == list(range(1, 81))
    with engine.connect() as conn:
        assert conn.execute(sa.text("select last_number from number_registers where kind = 'TB'")).scalar() == 80
    engine.dispose()
