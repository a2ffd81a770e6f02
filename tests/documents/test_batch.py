"""Document batches in process, on SQLite and PostgreSQL: every document of the set produced once, each numbered
document numbered once even when an item runs again (after a crash mid-render, or a redelivery), readable PDFs."""

from __future__ import annotations

import io
from collections import Counter

import pdfplumber
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspect_flow.core.db import make_engine, make_session_factory
from inspect_flow.core.errors import Conflict
from inspect_flow.documents import batch as batches
from inspect_flow.documents.batch_models import BatchItem, ItemState
from inspect_flow.documents.models import IssuedDocument, NumberRegister
from inspect_flow.plans.models import Plan
from tests.documents.batch_round import COMMUNE_NAMES, ISSUED_BY_BATCH, SET_SIZE, SIGNER, build_round


@pytest.fixture
def factory(db_url):  # noqa: ANN001, ANN201
    engine = make_engine(db_url, poolclass=sa.pool.NullPool)
    yield make_session_factory(engine)
    engine.dispose()


def _start(factory, plan_id: int) -> tuple[int, list[int]]:  # noqa: ANN001
    with factory() as s:
        batch, created = batches.start_batch(s, s.get(Plan, plan_id), actor='tester', signer=SIGNER)
        s.commit()
        assert created
        return batch.id, batches.unfinished_items(s, batch)


def _numbers(session: Session, plan_id: int) -> list[tuple]:
    return list(session.execute(sa.select(IssuedDocument.issuer_id, IssuedDocument.year, IssuedDocument.type_code,
                                          IssuedDocument.number).where(IssuedDocument.plan_id == plan_id)))


def _registers(session: Session) -> dict:
    return {(r.issuer_id, r.year, r.kind): r.last_number for r in session.scalars(sa.select(NumberRegister))}


def _text(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return '\n'.join(page.extract_text() or '' for page in doc.pages)


def test_a_batch_produces_every_document_once(db_url, factory):  # noqa: ANN001
    plan_id = build_round(db_url)
    batch_id, items = _start(factory, plan_id)
    assert len(items) == SET_SIZE
    assert [batches.run_item(factory, i) for i in items] == ['done'] * SET_SIZE
    with factory() as s:
        batch = batches.get_batch(s, batch_id)
        state = batches.progress(s, batch)
        assert (state.total, state.done, state.failed, state.finished) == (SET_SIZE, SET_SIZE, 0, True)
        numbers = _numbers(s, plan_id)
        assert len(numbers) == ISSUED_BY_BATCH + 1  # and the decision issued before the batch
        assert len(set(numbers)) == len(numbers)
        registers = _registers(s)
        files = dict(batches.batch_files(s, batch))
    assert len(files) == SET_SIZE
    minutes = {name: pdf for name, pdf in files.items() if '-minutes-' in name}
    assert sorted(minutes) == ['0001-BB-2026-minutes-xa-nhuan-phu-tan.pdf',
                               '0002-BB-2026-minutes-phuong-phu-khuong.pdf']
    for name, commune in zip(sorted(minutes), COMMUNE_NAMES, strict=True):
        assert commune in _text(minutes[name])
    assert all(name.isascii() for name in files)

    # every item run again (a redelivered task): nothing new, no number taken
    assert [batches.run_item(factory, i) for i in items] == ['done'] * SET_SIZE
    with factory() as s:
        assert _numbers(s, plan_id) == numbers
        assert _registers(s) == registers


def test_an_item_cut_off_mid_render_reuses_its_number(db_url, factory, monkeypatch):  # noqa: ANN001
    plan_id = build_round(db_url)
    _batch_id, items = _start(factory, plan_id)
    with factory() as s:
        minutes = s.scalar(sa.select(BatchItem.id).where(BatchItem.kind == 'minutes').order_by(BatchItem.position))

    class WorkerDied(BaseException):
        """What SIGKILL does to a worker, as near as a test in process can: nothing after it runs."""

    def die(*_args, **_kw):  # noqa: ANN002, ANN003, ANN202
        raise WorkerDied

    monkeypatch.setattr(batches, 'render_pdf', die)
    with pytest.raises(WorkerDied):
        batches.run_item(factory, minutes)
    with factory() as s:
        item = s.get(BatchItem, minutes)
        assert (item.state, item.number, item.attempts, item.document_id) == (ItemState.running, 1, 1, None)
        registers = _registers(s)
    monkeypatch.undo()
    assert batches.run_item(factory, minutes) == 'done'
    with factory() as s:
        item = s.get(BatchItem, minutes)
        doc = s.get(IssuedDocument, item.document_id)
        assert (item.state, item.attempts, doc.number, doc.type_code) == (ItemState.done, 2, 1, 'BB')
        assert _registers(s) == registers  # the second run took no number
    assert [batches.run_item(factory, i) for i in items] == ['done'] * SET_SIZE
    with factory() as s:
        numbers = _numbers(s, plan_id)
        assert len(numbers) == len(set(numbers)) == ISSUED_BY_BATCH + 1
        assert Counter(n[2] for n in numbers) == {'BB': 2, 'TB': 2, 'BC': 3, 'QĐ': 1}


def test_one_number_cannot_be_reserved_twice(db_url, factory):  # noqa: ANN001
    plan_id = build_round(db_url)
    batch_id, items = _start(factory, plan_id)
    for i in items:
        batches.run_item(factory, i)
    with factory() as s:
        first = s.scalar(sa.select(BatchItem).where(BatchItem.kind == 'minutes').order_by(BatchItem.position))
        s.add(BatchItem(batch_id=batch_id, position=99, kind='minutes', slug='minutes-copy', label='',
                        state=ItemState.pending, attempts=0, issuer_id=first.issuer_id, year=first.year,
                        type_code=first.type_code, number=first.number))
        with pytest.raises(sa.exc.IntegrityError):
            s.flush()


def test_a_document_not_ready_fails_with_its_reason_and_a_rerun_resumes(db_url, factory):  # noqa: ANN001
    from datetime import date

    plan_id = build_round(db_url)
    with factory() as s:  # a date before the visits: the minutes, notices and reports cannot bear it
        batch, _ = batches.start_batch(s, s.get(Plan, plan_id), actor='tester', signer=SIGNER,
                                       issue_date=date(2026, 3, 5))
        s.commit()
        batch_id, items = batch.id, batches.unfinished_items(s, batch)
    outcomes = Counter(batches.run_item(factory, i) for i in items)
    assert outcomes == {'done': 3, 'failed': 7}
    with factory() as s:
        state = batches.progress(s, batches.get_batch(s, batch_id))
        assert (state.done, state.failed, state.finished) == (3, 7, False)
        assert 'sớm hơn' in state.failures[0]['error']
        assert _numbers(s, plan_id) and len(_numbers(s, plan_id)) == 1  # only the decision issued before
        again, created = batches.start_batch(s, s.get(Plan, plan_id), actor='tester')
        s.commit()
        assert (again.id, created) == (batch_id, False)
        assert batches.progress(s, again).counts == {'done': 3, 'pending': 7}


def test_a_batch_needs_an_issued_plan(session):  # noqa: ANN001
    from tests import builders

    plan = builders.new_plan(session, two_tier=True)
    plan.number = None
    session.flush()
    with pytest.raises(Conflict) as err:
        batches.start_batch(session, plan, actor='tester', signer=SIGNER)
    assert err.value.field == 'plan'


@pytest.mark.parametrize(('text', 'slug'), [('Xã Nhuận Phú Tân', 'xa-nhuan-phu-tan'),
                                            ('Phường Đông Hải', 'phuong-dong-hai'),
                                            ('Thị trấn  Mỏ Cày/2', 'thi-tran-mo-cay-2')])
def test_ascii_slug(text: str, slug: str) -> None:
    assert batches.ascii_slug(text) == slug


@pytest.mark.parametrize('two_tier', [False, True], ids=['three_tiers', 'two_tiers'])
def test_a_units_rows_build_the_same_minutes_and_notice_as_the_whole_round(session, two_tier):  # noqa: ANN001
    from inspect_flow.documents import sources
    from tests import builders

    plan = builders.plan_at(session, 'conclusions', two_tier=two_tier)
    whole = sources.load_round(session, plan)
    targets = [t for t in sources.document_set(plan) if t.kind in ('minutes', 'conclusion')]
    assert len(targets) == 4
    for target in targets:
        unit = target.visit.conclusion_unit_id if target.visit is not None else target.unit.id
        part = sources.load_round(session, plan, units={unit})
        assert len(part.visits) < len(whole.visits)
        full = sources.build_view_model(session, target, number=3, data=whole)
        assert sources.build_view_model(session, target, number=3, data=part) == full
