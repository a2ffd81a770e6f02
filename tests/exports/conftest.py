"""Exports fixtures: the closed 2019 demo round in a database of each kind, built once per session."""

from __future__ import annotations

import pytest

from tests.documents.conftest import closed_round_engines, open_demo_session


@pytest.fixture(scope='session')
def round_engines(databases):  # noqa: ANN001, ANN201
    from inspect_flow.demo.round2019 import run_demo

    yield from closed_round_engines(databases, run_demo)


@pytest.fixture
def demo_session(round_engines, db_kind):  # noqa: ANN001, ANN201
    session, conn, outer = open_demo_session(round_engines(db_kind))
    yield session
    session.close()
    outer.rollback()
    conn.close()


@pytest.fixture
def demo_plan(demo_session):  # noqa: ANN001, ANN201
    from inspect_flow.demo.round2019 import find_demo_plan

    return find_demo_plan(demo_session)
