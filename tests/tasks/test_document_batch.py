"""Document batches on a real Celery worker (Redis): the CLI's batch with its progress, and a worker killed with
SIGKILL mid-batch: a new worker completes the batch, and no document is numbered twice."""

from __future__ import annotations

import time
from collections import Counter

import sqlalchemy as sa
from click.testing import CliRunner

from inspect_flow.cli import cli
from inspect_flow.core.db import make_engine, make_session_factory
from inspect_flow.documents import batch as batches
from inspect_flow.documents.batch_models import BatchItem, ItemState
from inspect_flow.documents.models import IssuedDocument
from inspect_flow.plans.models import Plan
from inspect_flow.tasks.app import dispatch
from tests.documents.batch_round import COMMUNE_NAMES, ISSUED_BY_BATCH, SET_SIZE, SIGNER, build_round
from tests.tasks.conftest import REDIS_URL


def _wait(what, predicate, timeout: float, every: float = 0.02):  # noqa: ANN001, ANN202
    """Poll *predicate* until it returns something true, or fail after *timeout* seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f'{what}: not within {timeout} s')


def test_the_cli_batch_runs_on_a_worker(make_worker, db_url, tmp_path, monkeypatch):  # noqa: ANN001
    from pypdf import PdfReader

    plan_id = build_round(db_url)
    worker = make_worker(db_url, REDIS_URL)
    worker.start()
    for key in ('INSPECT_FLOW_BROKER_URL', 'INSPECT_FLOW_QUEUE'):
        monkeypatch.setenv(key, worker.env[key])
    out = tmp_path / 'out'
    result = CliRunner().invoke(cli, ['--db', db_url, 'documents', 'batch', f'#{plan_id}', '--out', str(out),
                                      '--signer', SIGNER.name, '--timeout', '180'])
    assert result.exit_code == 0, result.output
    files = sorted(out.glob('*.pdf'))
    assert len(files) == SET_SIZE
    texts = {f.name: '\n'.join(p.extract_text() for p in PdfReader(f).pages) for f in files}
    for commune in COMMUNE_NAMES:
        assert any(commune in t for name, t in texts.items() if '-minutes-' in name)
    engine = make_engine(db_url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(IssuedDocument.type_code, IssuedDocument.number, IssuedDocument.issued_by)
                            .where(IssuedDocument.plan_id == plan_id)).all()
    engine.dispose()
    assert len(rows) == len({(t, n) for t, n, _ in rows}) == ISSUED_BY_BATCH + 1
    # the batch ran on the worker, not here: each item's task was taken from the queue
    assert 'inspect_flow.documents.render_item' in worker.log.read_text()


def test_a_worker_killed_mid_batch(make_worker, db_url):  # noqa: ANN001
    plan_id = build_round(db_url)
    first = make_worker(db_url, REDIS_URL)
    first.start()
    app = first._app()  # the worker's own app in this process: disposed when the worker stops
    factory = make_session_factory(app.extensions['inspect_flow.engine'])
    with factory() as s:
        batch, _ = batches.start_batch(s, s.get(Plan, plan_id), actor='tester', signer=SIGNER)
        s.commit()
        batch_id, items = batch.id, batches.unfinished_items(s, batch)
    with app.app_context():
        for item in items:
            dispatch('inspect_flow.documents.render_item', item)

    def counts() -> dict:
        with factory() as s:
            return batches.progress(s, batches.get_batch(s, batch_id)).counts

    def mid_item():  # noqa: ANN202
        """Three documents done, and one being rendered with its number reserved: the moment to kill."""
        with factory() as s:
            done = s.scalar(sa.select(sa.func.count()).where(BatchItem.batch_id == batch_id,
                                                             BatchItem.state == ItemState.done))
            running = s.scalar(sa.select(BatchItem.id).where(BatchItem.batch_id == batch_id,
                                                             BatchItem.state == ItemState.running,
                                                             BatchItem.number.is_not(None)))
            return running if done >= 3 and running else None

    victim = _wait('an item mid-render after three done', mid_item, timeout=120)
    first.kill()
    before = counts()
    assert before.get('done', 0) < SET_SIZE, before  # killed before the end
    with factory() as s:
        cut = s.get(BatchItem, victim)
        reserved = cut.number
        assert cut.state in (ItemState.running, ItemState.done)

    second = make_worker(db_url, REDIS_URL)
    second.env['INSPECT_FLOW_QUEUE'] = first.env['INSPECT_FLOW_QUEUE']  # the same queue: it takes over
    second.start()
    # the killed item's task comes back after the visibility timeout (5 s here); the others wait in the queue
    final = _wait('the batch completes on the new worker', lambda: (c := counts()).get('done') == SET_SIZE and c,
                  timeout=150, every=0.25)
    assert final == {'done': SET_SIZE}
    with factory() as s:
        cut = s.get(BatchItem, victim)
        doc = s.get(IssuedDocument, cut.document_id)
        assert doc.number == reserved  # the killed run's number, not a second one
        numbers = list(s.execute(sa.select(IssuedDocument.type_code, IssuedDocument.number)
                                 .where(IssuedDocument.plan_id == plan_id)))
        assert len(numbers) == len(set(numbers)) == ISSUED_BY_BATCH + 1
        assert Counter(t for t, _ in numbers) == {'BB': 2, 'TB': 2, 'BC': 3, 'QĐ': 1}
        assert batches.get_batch(s, batch_id).finished_dt is not None
        attempts = s.scalar(sa.select(BatchItem.attempts).where(BatchItem.id == victim))
    assert attempts >= 1
