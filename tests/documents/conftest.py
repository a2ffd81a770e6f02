"""Fixtures of the documents suite.

* sample view models (samples.py) and their PDFs, rendered once per session;
* the 2019 demo round in a database of each kind (SQLite and PostgreSQL), built once per session
  through the real operations (``run_demo``); ``demo_session`` is a session on it whose work is
  rolled back after each test, so issuing in one test never leaks into another.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pdfplumber
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspect_flow.documents.render import render_html, render_pdf

from . import samples

MM = 72 / 25.4  # PDF points per millimetre


@dataclass
class RenderedPdf:
    """A rendered sample: its PDF bytes, the words and text of each page (pdfplumber)."""

    kind: str
    data: bytes
    page_sizes: list[tuple[float, float]]
    words: list[list[dict]]
    texts: list[str]

    @property
    def text(self) -> str:
        return '\n'.join(self.texts)


def read_pdf(kind: str, data: bytes) -> RenderedPdf:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        sizes = [(p.width, p.height) for p in pdf.pages]
        words = [p.extract_words(keep_blank_chars=False, use_text_flow=True) for p in pdf.pages]
        texts = [p.extract_text() or '' for p in pdf.pages]
    return RenderedPdf(kind, data, sizes, words, texts)


_CACHE: dict[str, RenderedPdf] = {}


@pytest.fixture(scope='session')
def rendered():
    """``rendered(kind)`` → the :class:`RenderedPdf` of the default sample of *kind* (cached)."""

    def get(kind: str) -> RenderedPdf:
        if kind not in _CACHE:
            _CACHE[kind] = read_pdf(kind, render_pdf(kind, samples.BUILDERS[kind]()))
        return _CACHE[kind]

    return get


@pytest.fixture(scope='session')
def html_of():
    """``html_of(kind)`` → the HTML of the default sample of *kind*."""
    return lambda kind: render_html(kind, samples.BUILDERS[kind]())


def closed_round_engines(databases, run_demo):  # noqa: ANN001, ANN201
    """Yield ``get(kind)`` → an engine on a database holding the round *run_demo* builds, closed and committed.

    The round is built once per session (per xdist worker) into a template of its own; every caller (this suite's
    and the exports suite's fixtures) gets a copy of it."""
    from inspect_flow.core.db import make_engine

    def build(url: str) -> None:
        engine = make_engine(url, poolclass=sa.pool.NullPool)
        try:
            with Session(engine) as session:
                run_demo(session, 'closed')
                session.commit()
        finally:
            engine.dispose()

    seed = (f'closed-{run_demo.__module__}', build)
    engines: dict[str, sa.Engine] = {}

    def get(kind: str) -> sa.Engine:
        if kind not in engines:
            engines[kind] = make_engine(databases.fresh(kind, seed=seed))
        return engines[kind]

    yield get
    for engine in engines.values():
        engine.dispose()
        databases.release(engine.url.render_as_string(hide_password=False))


@pytest.fixture(scope='session')
def demo_engines(databases):  # noqa: ANN001, ANN201
    """``demo_engines(kind)`` → an engine on a database holding the whole 2019 demo round, committed."""
    from inspect_flow.demo.round2019 import run_demo

    yield from closed_round_engines(databases, run_demo)


def open_demo_session(engine: sa.Engine):  # noqa: ANN201
    """A session on the demo database inside an outer transaction the caller rolls back."""
    conn = engine.connect()
    outer = conn.begin()
    session = Session(bind=conn, join_transaction_mode='create_savepoint', expire_on_commit=False)
    return session, conn, outer


@pytest.fixture
def demo_session(demo_engines, db_kind):  # noqa: ANN001, ANN201
    """A session on the demo round (SQLite and PostgreSQL); everything it does is rolled back."""
    session, conn, outer = open_demo_session(demo_engines(db_kind))
    yield session
    session.close()
    outer.rollback()
    conn.close()


@pytest.fixture
def demo_plan(demo_session):  # noqa: ANN001, ANN201
    from inspect_flow.demo.round2019 import find_demo_plan

    return find_demo_plan(demo_session)
